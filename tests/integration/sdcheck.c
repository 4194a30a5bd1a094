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
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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

int main(int argc, char **argv)
{
        if (argc == 1)
                return report();
        if (argc == 2 && strcmp(argv[1], "serve") == 0)
                return serve();
        fprintf(stderr, "usage: sdcheck [serve]\n");
        return 2;
}
