/* SPDX-License-Identifier: MIT */
/* Sockets, FIFOs, special files and message queues: every option read back from the kernel
 * (getsockopt, fcntl, stat, readlink, mq_getattr), and a failed open leaves no file,
 * directory or symlink behind. Real objects, IP on loopback only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/load_spec.h"
#include <linux/netlink.h>
#include <mqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
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

static void getstr(int fd, int level, int name, char *buf, socklen_t size)
{
        assert_int_equal(getsockopt(fd, level, name, buf, &size), 0);
}

static bool have_socket(int family, int type, int protocol)
{
        int fd = socket(family, type | SOCK_CLOEXEC, protocol);

        if (fd < 0)
                return false;
        close(fd);
        return true;
}

/* Every TCP/IP option, with the kernel option systemd uses, on IPv4 and IPv6. */
static void test_tcp_options_read_back(void **state)
{
        char cc[16], dev[IF_NAMESIZE];
        struct sock_set set;
        struct sock_error err;
        struct spec s;

        (void)state;
        load(&s, "sockets:\n  a:\n    listen_stream: [\"127.0.0.1:0\", \"[::1]:0\"]\n"
                 "    keep_alive_time_sec: 2min\n    keep_alive_interval_sec: 30s\n"
                 "    keep_alive_probes: 4\n    defer_accept_sec: 3\n    priority: 5\n"
                 "    mark: 9\n    ip_tos: low-delay\n    ip_ttl: 42\n    transparent: yes\n"
                 "    broadcast: yes\n    pass_packet_info: yes\n    timestamping: us\n"
                 "    receive_buffer: 96K\n    send_buffer: 64K\n    tcp_congestion: reno\n"
                 "    bind_to_device: lo\n"
                 "service: {exec: /bin/true}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        for (size_t i = 0; i < 2; i++) {
                int fd = set.fds[i].fd;

                assert_int_equal(getint(fd, IPPROTO_TCP, TCP_KEEPIDLE), 120);
                assert_int_equal(getint(fd, IPPROTO_TCP, TCP_KEEPINTVL), 30);
                assert_int_equal(getint(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
                /* 3s is a whole number of SYN-ACK retransmissions (1 + 2), so it reads back */
                assert_int_equal(getint(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 3);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_PRIORITY), 5);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_MARK), 9);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_BROADCAST), 1);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_TIMESTAMP), 1);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_TIMESTAMPNS), 0);
                /* the kernel doubles the size for its bookkeeping */
                assert_int_equal(getint(fd, SOL_SOCKET, SO_RCVBUF), 2 * 96 * 1024);
                assert_int_equal(getint(fd, SOL_SOCKET, SO_SNDBUF), 2 * 64 * 1024);
                getstr(fd, IPPROTO_TCP, TCP_CONGESTION, cc, sizeof(cc));
                assert_string_equal(cc, "reno");
                getstr(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, sizeof(dev));
                assert_string_equal(dev, "lo");
        }
        assert_int_equal(getint(set.fds[0].fd, IPPROTO_IP, IP_TOS), IPTOS_LOWDELAY);
        assert_int_equal(getint(set.fds[0].fd, IPPROTO_IP, IP_TTL), 42);
        assert_int_equal(getint(set.fds[0].fd, IPPROTO_IP, IP_TRANSPARENT), 1);
        assert_int_equal(getint(set.fds[0].fd, IPPROTO_IP, IP_PKTINFO), 1);
        assert_int_equal(getint(set.fds[1].fd, IPPROTO_IPV6, IPV6_TCLASS), IPTOS_LOWDELAY);
        assert_int_equal(getint(set.fds[1].fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 42);
        assert_int_equal(getint(set.fds[1].fd, IPPROTO_IPV6, IPV6_TRANSPARENT), 1);
        assert_int_equal(getint(set.fds[1].fd, IPPROTO_IPV6, IPV6_RECVPKTINFO), 1);
        sock_close_all(&set, true, false);
        spec_done(&s);
}

/* SO_PASSCRED and SO_PASSSEC exist for unix and netlink sockets; packet info on netlink is
 * NETLINK_PKTINFO. On IP sockets the kernel refuses the first two: they are left alone. */
static void test_unix_and_netlink_options_read_back(void **state)
{
        struct sock_set set;
        struct sock_error err;
        struct spec s;

        (void)state;
        load(&s,
             "sockets:\n  a:\n    listen_datagram: [%s/d.sock, \"127.0.0.1:0\"]\n"
             "    listen_netlink: route\n    pass_credentials: yes\n    pass_security: yes\n"
             "    pass_packet_info: yes\n    timestamping: ns\n    reuse_port: yes\n"
             "service: {exec: /bin/true}\n",
             dir);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        for (size_t i = 0; i < 3; i += 2) {
                assert_int_equal(getint(set.fds[i].fd, SOL_SOCKET, SO_PASSCRED), 1);
                assert_int_equal(getint(set.fds[i].fd, SOL_SOCKET, SO_PASSSEC), 1);
                assert_int_equal(getint(set.fds[i].fd, SOL_SOCKET, SO_TIMESTAMPNS), 1);
        }
        assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_REUSEPORT), 0); /* IP only */
        assert_int_equal(getint(set.fds[1].fd, SOL_SOCKET, SO_REUSEPORT), 1);
        assert_int_equal(getsockopt(set.fds[1].fd, SOL_SOCKET, SO_PASSCRED, &(int){0},
                                    &(socklen_t){sizeof(int)}),
                         -1); /* EOPNOTSUPP: not for IP sockets */
        assert_int_equal(getint(set.fds[1].fd, IPPROTO_IP, IP_PKTINFO), 1);
        assert_int_equal(getint(set.fds[2].fd, SOL_NETLINK, NETLINK_PKTINFO), 1);
        sock_close_all(&set, true, true);
        spec_done(&s);
}

static void test_netlink_family_and_groups(void **state)
{
        struct sockaddr_nl nl;
        socklen_t len = sizeof(nl);
        struct sock_set set;
        struct sock_error err;
        struct spec s;

        (void)state;
        load(&s, "sockets:\n  a:\n    listen_netlink: kobject-uevent 1\n    receive_buffer: 1M\n"
                 "service: {exec: /bin/true}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_DOMAIN), AF_NETLINK);
        assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_TYPE), SOCK_RAW);
        assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_PROTOCOL), NETLINK_KOBJECT_UEVENT);
        assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_RCVBUF), 2 * 1024 * 1024);
        assert_int_equal(getsockname(set.fds[0].fd, (struct sockaddr *)&nl, &len), 0);
        assert_int_equal(nl.nl_groups, 1);
        assert_true(fcntl(set.fds[0].fd, F_GETFD) & FD_CLOEXEC);
        sock_close_all(&set, true, false);
        spec_done(&s);
}

/* socket_protocol: UDP-Lite for datagram sockets, SCTP for stream ones; a kernel without
 * SCTP is named in the error. */
static void test_socket_protocol(void **state)
{
        struct sock_set set;
        struct sock_error err;
        struct spec s;
        int r;

        (void)state;
        load(&s, "sockets:\n  a:\n    listen_datagram: 127.0.0.1:0\n    socket_protocol: udplite\n"
                 "service: {exec: /bin/true}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDPLITE);
        sock_close_all(&set, true, false);
        spec_done(&s);

        load(&s, "sockets:\n  a:\n    listen_stream: 127.0.0.1:0\n    socket_protocol: sctp\n"
                 "    no_delay: yes\nservice: {exec: /bin/true}\n");
        r = sock_open_all(&s, &set, &err);
        if (have_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)) {
                assert_int_equal(r, 0);
                assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_PROTOCOL), IPPROTO_SCTP);
                assert_int_equal(getint(set.fds[0].fd, IPPROTO_SCTP, 3 /* SCTP_NODELAY */), 1);
                sock_close_all(&set, true, false);
        } else {
                assert_int_equal(r, -EPROTONOSUPPORT);
                assert_string_equal(err.step, "create an SCTP socket for");
        }
        spec_done(&s);
}

/* AF_VSOCK: stream sockets listen where the kernel has a transport; a socket type no
 * transport offers says so. */
static void test_vsock(void **state)
{
        struct sock_set set;
        struct sock_error err;
        struct spec s;
        int r;

        (void)state;
        if (!have_socket(AF_VSOCK, SOCK_STREAM, 0))
                skip(); /* no vsock in this kernel at all */
        load(&s, "sockets:\n  a:\n    listen_stream: \"vsock::0\"\nservice: {exec: /bin/true}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(getint(set.fds[0].fd, SOL_SOCKET, SO_ACCEPTCONN), 1);
        sock_close_all(&set, true, false);
        spec_done(&s);

        load(&s, "sockets:\n  a:\n    listen_datagram: \"vsock::0\"\nservice: {exec: /bin/true}\n");
        r = sock_open_all(&s, &set, &err);
        if (have_socket(AF_VSOCK, SOCK_DGRAM, 0)) {
                assert_int_equal(r, 0);
                sock_close_all(&set, true, false);
        } else {
                assert_int_equal(r, -ENODEV);
                assert_string_equal(err.step, "create a vsock socket (no vsock transport has "
                                              "this socket type) for");
        }
        spec_done(&s);
}

static void test_unknown_congestion_control_fails_at_start(void **state)
{
        struct sock_set set;
        struct sock_error err;
        struct spec s;

        (void)state;
        load(&s, "sockets:\n  a:\n    listen_stream: 127.0.0.1:0\n    tcp_congestion: nope\n"
                 "service: {exec: /bin/true}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), -ENOENT);
        assert_string_equal(err.step, "set TCP_CONGESTION 'nope' on");
        spec_done(&s);
}

/* A FIFO: made with socket_mode in directories made with directory_mode, opened read-write
 * and non-blocking, its pipe sized, symlinked; remove_on_stop takes it all away again. */
static void test_fifo_and_symlinks(void **state)
{
        char path[128], link1[128], link2[128], target[128];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;
        ssize_t n;
        int fd;

        (void)state;
        snprintf(path, sizeof(path), "%s/run/in.fifo", dir);
        snprintf(link1, sizeof(link1), "%s/alias", dir);
        snprintf(link2, sizeof(link2), "%s/more/alias", dir);
        load(&s,
             "sockets:\n  a:\n    listen_fifo: %s\n    socket_mode: \"0620\"\n"
             "    directory_mode: \"0711\"\n    pipe_size: 128K\n    symlinks: [%s, %s]\n"
             "    remove_on_stop: yes\nservice: {exec: /bin/true}\n",
             path, link1, link2);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        fd = set.fds[0].fd;
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0620);
        assert_int_equal(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        assert_int_equal(fcntl(fd, F_GETPIPE_SZ), 128 * 1024);
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0711);
        n = readlink(link2, target, sizeof(target) - 1);
        assert_true(n > 0);
        target[n] = '\0';
        assert_string_equal(target, path);
        assert_int_equal(lstat(link1, &st), 0);
        sock_close_all(&set, true, false);
        assert_int_equal(lstat(path, &st), -1);
        assert_int_equal(lstat(link1, &st), -1);
        assert_int_equal(lstat(link2, &st), -1);
        assert_int_equal(stat(dir, &st), -1);
        spec_done(&s);
}

/* An existing FIFO is used (as systemd does) and, not being ours, survives a failed start;
 * the symlink that could not be made leaves nothing else behind. */
static void test_fifo_reused_and_failed_symlink_cleans_up(void **state)
{
        char fifo[128], link[128], file[128];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;
        int fd;

        (void)state;
        assert_int_equal(mkdir(dir, 0700), 0);
        snprintf(fifo, sizeof(fifo), "%s/old.fifo", dir);
        snprintf(link, sizeof(link), "%s/new/link", dir);
        snprintf(file, sizeof(file), "%s/precious", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
        load(&s,
             "sockets:\n  a:\n    listen_fifo: %s\n    symlinks: [%s, %s]\n"
             "service: {exec: /bin/true}\n",
             fifo, link, file);
        assert_int_equal(sock_open_all(&s, &set, &err), -EEXIST);
        assert_ptr_equal(err.listen, &s.sockets[0].listens[0]);
        assert_non_null(strstr(err.step, "create the symlink "));
        assert_non_null(strstr(err.step, "/precious to"));
        assert_int_equal(lstat(fifo, &st), 0); /* not ours to remove */
        assert_int_equal(lstat(link, &st), -1);
        snprintf(link, sizeof(link), "%s/new", dir);
        assert_int_equal(lstat(link, &st), -1);
        assert_int_equal(stat(file, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        spec_done(&s);
}

static void test_special_files(void **state)
{
        struct sock_set set;
        struct sock_error err;
        struct spec s;

        (void)state;
        load(&s, "sockets:\n  a:\n    listen_special: [/dev/null, /proc/self/status]\n"
                 "  b:\n    listen_special: /dev/null\n    writable: yes\n"
                 "service: {exec: /bin/true, start: immediate}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(fcntl(set.fds[0].fd, F_GETFL) & O_ACCMODE, O_RDONLY);
        assert_int_equal(fcntl(set.fds[1].fd, F_GETFL) & O_ACCMODE, O_RDONLY);
        assert_int_equal(fcntl(set.fds[2].fd, F_GETFL) & O_ACCMODE, O_RDWR);
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(fcntl(set.fds[i].fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
        sock_close_all(&set, true, false);
        spec_done(&s);

        /* A directory is neither a character device nor a regular file. */
        load(&s, "sockets:\n  a:\n    listen_special: /tmp\n"
                 "service: {exec: /bin/true, start: immediate}\n");
        assert_int_equal(sock_open_all(&s, &set, &err), -EEXIST);
        assert_string_equal(err.step, "use (it is not a character device or a regular file)");
        spec_done(&s);
}

/* On-demand start waits for EPOLLIN on every fd: one epoll cannot watch fails up front. */
static void test_on_demand_needs_watchable_files(void **state)
{
        struct sock_set set;
        struct sock_error err;
        struct spec_error serr = {{0}};
        struct spec s;
        static const char text[] = "sockets:\n  a:\n    listen_special: /dev/null\n"
                                   "service: {exec: /bin/true}\n";

        (void)state;
        assert_int_equal(spec_init(&s), 0);
        assert_int_equal(spec_load_string(&s, "t.yaml", text, strlen(text), &serr), 0);
        assert_int_equal(spec_finish(&s, &serr), 0);
        assert_int_equal(sock_open_all(&s, &set, &err), -EPERM);
        assert_string_equal(err.step, "watch (start: on-demand; use start: immediate for a file "
                                      "that cannot be watched)");
        s.service.start = SPEC_START_IMMEDIATE;
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        sock_close_all(&set, true, false);
        spec_done(&s);
}

/* A POSIX message queue: created read-only and non-blocking with socket_mode and the two
 * sizes, removed by remove_on_stop. */
static void test_message_queue(void **state)
{
        char name[64];
        struct mq_attr attr;
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;

        (void)state;
        snprintf(name, sizeof(name), "/sockjail-test-%d", getpid());
        load(&s,
             "sockets:\n  a:\n    listen_message_queue: %s\n    socket_mode: \"0640\"\n"
             "    message_queue_max_messages: 5\n    message_queue_message_size: 256\n"
             "    remove_on_stop: yes\nservice: {exec: /bin/true}\n",
             name);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(mq_getattr(set.fds[0].fd, &attr), 0);
        assert_int_equal(attr.mq_maxmsg, 5);
        assert_int_equal(attr.mq_msgsize, 256);
        assert_int_equal(attr.mq_flags & O_NONBLOCK, O_NONBLOCK);
        assert_int_equal(fstat(set.fds[0].fd, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(fcntl(set.fds[0].fd, F_GETFL) & O_ACCMODE, O_RDONLY);
        assert_true(fcntl(set.fds[0].fd, F_GETFD) & FD_CLOEXEC);
        sock_close_all(&set, true, false);
        assert_int_equal(mq_open(name, O_RDONLY | O_CLOEXEC), -1);
        assert_int_equal(errno, ENOENT);
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
                cmocka_unit_test_setup_teardown(test_tcp_options_read_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unix_and_netlink_options_read_back, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_netlink_family_and_groups, setup, teardown),
                cmocka_unit_test_setup_teardown(test_socket_protocol, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vsock, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unknown_congestion_control_fails_at_start,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_fifo_and_symlinks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fifo_reused_and_failed_symlink_cleans_up,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_special_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_on_demand_needs_watchable_files, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_message_queue, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
