/* SPDX-License-Identifier: MIT */
/*
 * sdcheck: checks the activation protocol with libsystemd, code we did not
 * write, rather than with our own parser.
 *
 *   sdcheck         print n=, names= (colon-joined), per fd the sd_is_*()
 *                   answers, and unset=1 when sd_listen_fds(1) removed
 *                   LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES; exit 0 if n > 0
 *   sdcheck serve   answer one connection (or datagram) on fd 3 with
 *                   "sdcheck ok n=N names=...", then exit 0
 *   sdcheck notify  print NOTIFY_SOCKET, WATCHDOG_USEC, sd_watchdog_enabled(),
 *                   the names of the fds passed and the text of one named
 *                   "state" (restored=), send READY=1 and STATUS=$SDCHECK_STATUS
 *                   with sd_notify(), store a memfd holding $SDCHECK_STORE as
 *                   "state" (FDSTORE=1) when set; exit 0 if something was
 *                   restored, else do $SDCHECK_THEN: exit:N, sleep:N, or ping:N
 *                   (N watchdog pings at half the interval, then silence)
 *   sdcheck notify-child   the notification comes from a child process,
 *                   which then waits with sd_notify_barrier()
 *   sdcheck mainpid        MAINPID=1 (the init: refused), then MAINPID= a
 *                   child, which sends STATUS=child-is-main and READY=1
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

/* libsystemd answers 1, 0 or -errno; print those as they are. */
static void print_check(int fd, const char *what, int r)
{
        printf("fd.%d.%s=%d\n", fd, what, r);
}

static void print_names(char **names)
{
        printf("names=");
        for (size_t i = 0; names && names[i]; i++)
                printf("%s%s", i ? ":" : "", names[i]);
        printf("\n");
}

static void free_names(char **names)
{
        for (size_t i = 0; names && names[i]; i++)
                free(names[i]);
        free(names);
}

static void report_fd(int fd)
{
        print_check(fd, "sd_is_socket", sd_is_socket(fd, AF_UNSPEC, 0, -1));
        print_check(fd, "sd_is_socket_inet", sd_is_socket_inet(fd, AF_UNSPEC, 0, -1, 0));
        print_check(fd, "sd_is_socket_unix", sd_is_socket_unix(fd, 0, -1, NULL, 0));
        print_check(fd, "sd_is_fifo", sd_is_fifo(fd, NULL));
        print_check(fd, "sd_is_stream_listening", sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1));
        print_check(fd, "sd_is_dgram", sd_is_socket(fd, AF_UNSPEC, SOCK_DGRAM, -1));
}

static int report(void)
{
        char **names = NULL;
        int n = sd_listen_fds_with_names(1, &names);
        bool unset = !getenv("LISTEN_FDS") && !getenv("LISTEN_PID") && !getenv("LISTEN_FDNAMES");

        printf("n=%d\n", n);
        if (n < 0)
                printf("error=%s\n", strerror(-n));
        print_names(names);
        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++)
                report_fd(fd);
        printf("unset=%d\n", unset ? 1 : 0);
        free_names(names);
        return n > 0 ? 0 : 1;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                buf += w;
                len -= (size_t)w;
        }
        return 0;
}

/* Answers one client on the first activation fd: a connection on a listening
 * stream socket, or a datagram, sent back to its sender. */
static int serve(void)
{
        static char in[65536];
        struct timeval linger = {.tv_sec = 2};
        char **names = NULL, msg[4096];
        int n = sd_listen_fds_with_names(1, &names), len, fd = SD_LISTEN_FDS_START, r;

        len = snprintf(msg, sizeof(msg), "sdcheck ok n=%d names=", n);
        for (size_t i = 0; names && names[i] && (size_t)len < sizeof(msg); i++)
                len += snprintf(msg + len, sizeof(msg) - (size_t)len, "%s%s", i ? ":" : "",
                                names[i]);
        free_names(names);
        if (n < 1) {
                fprintf(stderr, "sdcheck: no activation fds (n=%d)\n", n);
                return 1;
        }
        if ((size_t)len >= sizeof(msg) - 1)
                len = (int)sizeof(msg) - 2;
        msg[len++] = '\n';
        /* The passed socket may be non-blocking (it is shared with the
         * manager): wait for a client rather than fail with EAGAIN. */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0)
                if (errno != EINTR) {
                        perror("sdcheck: poll");
                        return 1;
                }
        if (sd_is_socket(fd, AF_UNSPEC, SOCK_DGRAM, -1) > 0) {
                struct sockaddr_storage from;
                socklen_t flen = sizeof(from);
                if (recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &flen) < 0 ||
                    sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&from, flen) < 0) {
                        perror("sdcheck: datagram");
                        return 1;
                }
                return 0;
        }
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
                perror("sdcheck: accept");
                return 1;
        }
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &linger, sizeof(linger));
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &linger, sizeof(linger));
        r = write_all(c, msg, (size_t)len);
        shutdown(c, SHUT_WR);
        /* Wait (a little) for the peer's EOF so unread bytes cannot turn
         * close() into a reset that discards the reply. */
        while (recv(c, in, sizeof(in), 0) > 0)
                ;
        close(c);
        return r < 0;
}

/* The text of the passed fd named "state" (a memfd from an earlier run), or "". */
static void restored(char *buf, size_t size)
{
        char **names = NULL;
        int n = sd_listen_fds_with_names(0, &names);
        ssize_t k = 0;

        buf[0] = '\0';
        for (int i = 0; i < n && names; i++)
                if (strcmp(names[i], "state") == 0 &&
                    (k = pread(SD_LISTEN_FDS_START + i, buf, size - 1, 0)) > 0)
                        buf[k] = '\0';
        printf("names=");
        for (int i = 0; i < n && names; i++)
                printf("%s%s", i ? ":" : "", names[i]);
        printf("\nrestored=%s\n", buf);
        free_names(names);
}

static void store(const char *text)
{
        int fd = memfd_create("sdcheck-state", MFD_CLOEXEC);

        if (fd < 0 || write(fd, text, strlen(text)) < 0) {
                perror("sdcheck: memfd");
                return;
        }
        printf("fdstore=%d\n", sd_pid_notify_with_fds(0, 0, "FDSTORE=1\nFDNAME=state", &fd, 1));
        close(fd);
}

/* $SDCHECK_THEN: exit:N, sleep:N or ping:N. */
static int then(void)
{
        const char *t = getenv("SDCHECK_THEN");
        uint64_t usec = 0;

        fflush(stdout);
        if (!t || strncmp(t, "exit:", 5) == 0)
                return t ? atoi(t + 5) : 0;
        if (strncmp(t, "sleep:", 6) == 0) {
                sleep((unsigned)atoi(t + 6));
                return 0;
        }
        if (strncmp(t, "ping:", 5) == 0 && sd_watchdog_enabled(0, &usec) > 0) {
                for (int i = atoi(t + 5); i > 0; i--) {
                        usleep((useconds_t)(usec / 2));
                        sd_notify(0, "WATCHDOG=1");
                }
                for (;;)
                        pause();
        }
        return 3;
}

static int notify(void)
{
        char state[256], msg[512];
        uint64_t usec = 0;
        const char *st = getenv("SDCHECK_STATUS"), *keep = getenv("SDCHECK_STORE");

        printf("notify_socket=%s\n", getenv("NOTIFY_SOCKET") ?: "");
        printf("watchdog_usec=%s\n", getenv("WATCHDOG_USEC") ?: "");
        printf("watchdog_enabled=%d\n", sd_watchdog_enabled(0, &usec));
        restored(state, sizeof(state));
        snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", st ?: "sdcheck ready");
        printf("notify=%d\n", sd_notify(0, msg));
        if (state[0]) /* a later run: done */
                return fflush(stdout), 0;
        if (keep)
                store(keep);
        return then();
}

static int notify_child(void)
{
        pid_t pid = fork();
        int status = 0;

        if (pid == 0)
                /* the barrier keeps the child (and its credentials) around until
                 * sockjail has read the message */
                _exit(sd_notify(0, "READY=1\nSTATUS=from-child") > 0 &&
                                      sd_notify_barrier(0, 5000000) >= 0
                              ? 0
                              : 1);
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
                return 1;
        printf("child_sent=%d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return then();
}

static int mainpid(void)
{
        int go[2], status = 0;
        char msg[64], c;
        pid_t pid;

        if (pipe(go) < 0)
                return 1;
        pid = fork();
        if (pid == 0) {
                close(go[1]);
                if (read(go[0], &c, 1) != 1)
                        _exit(1);
                _exit(sd_notify(0, "STATUS=child-is-main\nREADY=1") > 0 ? 0 : 1);
        }
        close(go[0]);
        sd_notify(0, "MAINPID=1");
        snprintf(msg, sizeof(msg), "MAINPID=%d", (int)pid);
        printf("mainpid=%d\n", sd_notify(0, msg));
        fflush(stdout);
        /* sockjail has taken MAINPID= once the barrier returns (refused or not) */
        if (sd_notify_barrier(0, 5 * 1000000ULL) < 0)
                return 1;
        if (write(go[1], "g", 1) != 1 || waitpid(pid, &status, 0) < 0)
                return 1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
        if (argc == 1)
                return report();
        if (argc == 2 && strcmp(argv[1], "serve") == 0)
                return serve();
        if (argc == 2 && strcmp(argv[1], "notify") == 0)
                return notify();
        if (argc == 2 && strcmp(argv[1], "notify-child") == 0)
                return notify_child();
        if (argc == 2 && strcmp(argv[1], "mainpid") == 0)
                return mainpid();
        fprintf(stderr, "usage: sdcheck [serve|notify|notify-child|mainpid]\n");
        return 2;
}
