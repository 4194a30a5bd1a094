/* SPDX-License-Identifier: MIT */
/* Sockets: every option read back from the kernel (getsockopt, stat), and a
 * failed open leaves no file or directory behind. Real sockets on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/util.h"
#include "injector/sockets.h"

static char dir[64];

static int setup(void **state)
{
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/sockjail-test-%d", getpid());
        return 0;
}

static int teardown(void **state)
{
        char cmd[128];

        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void load(struct spec *s, const char *fmt, ...)
{
        struct spec_error err = {{0}};
        char text[4096];
        va_list ap;
        int r;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        assert_int_equal(spec_init(s), 0);
        r = spec_load_string(s, "t.yaml", text, strlen(text), &err);
        if (r >= 0)
                r = spec_finish(s, &err);
        if (r < 0)
                fail_msg("%s", err.message);
}

static int getint(int fd, int level, int name)
{
        int v = -1;
        socklen_t len = sizeof(v);

        assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
        return v;
}

static void test_ip_options_read_back(void **state)
{
        struct sock_set set;
        struct sock_error err;
        struct spec s;

        (void)state;
        load(&s, "sockets:\n"
                 "  a:\n"
                 "    listen_stream: [\"127.0.0.1:0\", \"[::1]:0\"]\n"
                 "    listen_datagram: 127.0.0.1:0\n"
                 "    backlog: 7\n"
                 "    reuse_port: yes\n"
                 "    free_bind: yes\n"
                 "    no_delay: yes\n"
                 "    keep_alive: yes\n"
                 "    bind_ipv6_only: ipv6-only\n"
                 "service: {exec: /bin/true}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(set.n, 3);
        for (size_t i = 0; i < 3; i++) {
                int fd = set.fds[i].fd;

                assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_REUSEADDR), 1);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_REUSEPORT), 1);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_ACCEPTCONN), i < 2);
        }
        assert_int_equal(getint(set.fds[0].fd, IPPROTO_IP, IP_FREEBIND), 1);
        assert_int_equal(getint(set.fds[0].fd, IPPROTO_TCP, TCP_NODELAY), 1);
        assert_int_equal(getint(set.fds[1].fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
        assert_int_equal(getint(set.fds[1].fd, IPPROTO_IPV6, IPV6_FREEBIND), 1);
        assert_int_equal(getint(set.fds[2].fd, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
        sock_close_all(&set, true, false);
        spec_done(&s);
}

static void test_backlog_reaches_listen(void **state)
{
        struct sockaddr_in a;
        socklen_t len = sizeof(a);
        struct sock_set set;
        struct sock_error err;
        struct spec s;
        int ok = 0;

        (void)state;
        /* With backlog 1 the kernel queues at most 2 connections (backlog + 1). */
        load(&s, "sockets:\n  a:\n    listen_stream: 127.0.0.1:0\n    backlog: 1\n"
                 "service: {exec: /bin/true}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(getsockname(set.fds[0].fd, (struct sockaddr *)&a, &len), 0);
        for (int i = 0; i < 5; i++) {
                int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                struct pollfd p = {.fd = c, .events = POLLOUT};

                if (connect(c, (struct sockaddr *)&a, len) == 0 ||
                    (errno == EINPROGRESS && poll(&p, 1, 200) == 1 &&
                     getint(c, SOL_SOCKET, SO_ERROR) == 0))
                        ok++;
                close(c);
        }
        assert_int_equal(ok, 2);
        sock_close_all(&set, true, false);
        spec_done(&s);
}

static void test_unix_file_mode_owner_and_removal(void **state)
{
        char path[128];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;

        (void)state;
        snprintf(path, sizeof(path), "%s/sub/admin.sock", dir);
        load(&s,
             "sockets:\n  a:\n    listen_stream: %s\n    listen_sequential_packet: %s.sp\n"
             "    socket_mode: \"0640\"\n    directory_mode: \"0710\"\n"
             "    socket_user: nobody\n    socket_group: nogroup\n    remove_on_stop: yes\n"
             "service: {exec: /bin/true}\n",
             path, path);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_uid, 65534);
        assert_int_equal(st.st_gid, 65534);
        assert_int_equal(getint(set.fds[1].fd, SOL_SOCKET, SO_TYPE), SOCK_SEQPACKET);
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0710);
        sock_close_all(&set, true, false);
        assert_int_equal(stat(path, &st), -1);
        assert_int_equal(errno, ENOENT);
        assert_int_equal(stat(dir, &st), -1); /* we made it, so we took it away */
        spec_done(&s);
}

static void test_without_remove_on_stop_file_stays(void **state)
{
        char path[128];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;

        (void)state;
        snprintf(path, sizeof(path), "%s/keep.sock", dir);
        load(&s, "sockets:\n  a:\n    listen_stream: %s\nservice: {exec: /bin/true}\n", path);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        sock_close_all(&set, true, false);
        assert_int_equal(stat(path, &st), 0);
        /* A stale socket is replaced on the next start, as systemd does. */
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        sock_close_all(&set, true, true);
        spec_done(&s);
}

static void test_failure_leaves_nothing_behind(void **state)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        char path[128], buf[ADDR_FORMAT_MAX];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;
        int busy = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        (void)state;
        assert_int_equal(bind(busy, (struct sockaddr *)&a, len), 0);
        assert_int_equal(listen(busy, 1), 0);
        assert_int_equal(getsockname(busy, (struct sockaddr *)&a, &len), 0);
        assert_int_equal(addr_format((struct sockaddr *)&a, len, buf, sizeof(buf)), 0);
        snprintf(path, sizeof(path), "%s/deep/er/first.sock", dir);
        load(&s, "sockets:\n  a:\n    listen_stream: [%s, \"%s\"]\nservice: {exec: /bin/true}\n",
             path, buf);
        assert_int_equal(sock_open_all(&s, &set, &err), -EADDRINUSE);
        assert_string_equal(err.step, "bind");
        assert_ptr_equal(err.listen, &s.sockets[0].listens[1]);
        assert_int_equal(stat(path, &st), -1);
        assert_int_equal(stat(dir, &st), -1);
        close(busy);
        spec_done(&s);
}

static void test_refuses_to_replace_a_non_socket(void **state)
{
        char path[128];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;
        int fd;

        (void)state;
        assert_int_equal(mkdir(dir, 0700), 0);
        snprintf(path, sizeof(path), "%s/precious", dir);
        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
        load(&s, "sockets:\n  a:\n    listen_stream: %s\nservice: {exec: /bin/true}\n", path);
        assert_int_equal(sock_open_all(&s, &set, &err), -EEXIST);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        spec_done(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_ip_options_read_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_backlog_reaches_listen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unix_file_mode_owner_and_removal, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_without_remove_on_stop_file_stays, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_failure_leaves_nothing_behind, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_refuses_to_replace_a_non_socket, setup,
                                                teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
