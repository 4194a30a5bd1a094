/* SPDX-License-Identifier: MIT */
/*
 * client: the integration tests' own client, so they need neither curl nor
 * socat.
 *
 *   client ADDR [--send TEXT] [--udp|--seqpacket] [--timeout SEC] [--shutdown]
 *   client --http ADDR [PATH] [--timeout SEC]
 *
 * ADDR is 127.0.0.1:8080, [::1]:8080, /path/sock or @abstract. A stream
 * connection sends TEXT (if any), half-closes with --shutdown, and copies
 * everything received until EOF to stdout. With --udp it sends one datagram
 * (TEXT, or an empty one) and prints the one reply; --seqpacket connects a
 * SOCK_SEQPACKET socket and reads records until EOF. --http sends
 * "GET PATH HTTP/1.0" (PATH defaults to "/").
 *
 * Exit 0 on success; 1 with "client: STEP ADDR: reason" on stderr when the
 * network fails or the timeout (default 10 s, for connect and for each read
 * or write) expires; 2 for a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

struct options {
        const char *addr;
        const char *path;
        const char *send;
        bool udp, seqpacket, http, shutdown;
        double timeout;
};

struct target {
        struct sockaddr_storage ss;
        socklen_t len;
};

static int usage(void)
{
        fprintf(stderr, "usage: client ADDR [--send TEXT] [--udp|--seqpacket] [--timeout SEC] "
                        "[--shutdown]\n"
                        "       client --http ADDR [PATH] [--timeout SEC]\n"
                        "ADDR: 127.0.0.1:8080, [::1]:8080, /path/sock, @abstract\n");
        return 2;
}

/* Prints "client: STEP ADDR: reason" and returns the exit status 1. A
 * timeout shows as ETIMEDOUT whichever way the kernel reported it. */
static int fail(const char *step, const char *addr, int err)
{
        if (err == EAGAIN || err == EINPROGRESS)
                err = ETIMEDOUT;
        fprintf(stderr, "client: %s %s: %s\n", step, addr, strerror(err));
        return 1;
}

static bool parse_port(const char *s, struct sockaddr_storage *ss)
{
        char *end;
        long port;

        errno = 0;
        port = strtol(s, &end, 10);
        if (errno || *end || end == s || port < 1 || port > 65535)
                return false;
        if (ss->ss_family == AF_INET)
                ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
        else
                ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
        return true;
}

static bool parse_unix(const char *addr, struct target *t)
{
        struct sockaddr_un *un = (struct sockaddr_un *)&t->ss;
        size_t n = strlen(addr);

        if (n >= sizeof(un->sun_path))
                return false;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, addr, n);
        if (addr[0] == '@') {
                /* Abstract: a leading NUL and exactly the name, no trailing NUL. */
                un->sun_path[0] = '\0';
                t->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
        } else {
                t->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
        }
        return true;
}

static bool parse_inet(const char *addr, struct target *t)
{
        char host[INET6_ADDRSTRLEN + 2];
        const char *colon;
        size_t n;

        if (addr[0] == '[') {
                const char *close = strstr(addr, "]:");
                if (!close || (n = (size_t)(close - addr - 1)) >= sizeof(host))
                        return false;
                memcpy(host, addr + 1, n);
                host[n] = '\0';
                colon = close + 1;
                t->ss.ss_family = AF_INET6;
                t->len = sizeof(struct sockaddr_in6);
                if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&t->ss)->sin6_addr) != 1)
                        return false;
        } else {
                colon = strrchr(addr, ':');
                if (!colon || (n = (size_t)(colon - addr)) >= sizeof(host))
                        return false;
                memcpy(host, addr, n);
                host[n] = '\0';
                t->ss.ss_family = AF_INET;
                t->len = sizeof(struct sockaddr_in);
                if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&t->ss)->sin_addr) != 1)
                        return false;
        }
        return parse_port(colon + 1, &t->ss);
}

static bool parse_addr(const char *addr, struct target *t)
{
        memset(t, 0, sizeof(*t));
        if (addr[0] == '/' || addr[0] == '@')
                return parse_unix(addr, t);
        return parse_inet(addr, t);
}

static int parse_args(int argc, char **argv, struct options *o)
{
        *o = (struct options){.timeout = 10};
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--udp") == 0) {
                        o->udp = true;
                } else if (strcmp(a, "--seqpacket") == 0) {
                        o->seqpacket = true;
                } else if (strcmp(a, "--http") == 0) {
                        o->http = true;
                } else if (strcmp(a, "--shutdown") == 0) {
                        o->shutdown = true;
                } else if (strcmp(a, "--send") == 0 && i + 1 < argc) {
                        o->send = argv[++i];
                } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
                        char *end;
                        o->timeout = strtod(argv[++i], &end);
                        if (*end || !(o->timeout > 0))
                                return -1;
                } else if (a[0] == '-' && a[1] == '-') {
                        return -1;
                } else if (!o->addr) {
                        o->addr = a;
                } else if (o->http && !o->path) {
                        o->path = a;
                } else {
                        return -1;
                }
        }
        if (!o->addr || (o->http && (o->send || o->udp)) || (o->udp && o->seqpacket))
                return -1;
        return 0;
}

static int write_all(int fd, const char *buf, size_t len, int flags)
{
        while (len > 0) {
                ssize_t n = flags >= 0 ? send(fd, buf, len, flags) : write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* SO_SNDTIMEO also bounds a blocking connect() on Linux, for TCP and unix
 * sockets alike, so one setting gives the connect deadline. */
static int open_connected(const struct target *t, const struct options *o)
{
        struct timeval tv = {.tv_sec = (time_t)o->timeout,
                             .tv_usec = (suseconds_t)((o->timeout - (time_t)o->timeout) * 1e6)};
        int type = o->udp ? SOCK_DGRAM : o->seqpacket ? SOCK_SEQPACKET : SOCK_STREAM;
        int fd = socket(t->ss.ss_family, type | SOCK_CLOEXEC, 0);
        int err;

        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
                goto fail;
        if (o->udp && t->ss.ss_family == AF_UNIX) {
                /* A unix datagram needs a name of ours to be answered:
                 * binding with just the family autobinds an abstract one. */
                struct sockaddr_un self = {.sun_family = AF_UNIX};
                if (bind(fd, (struct sockaddr *)&self, sizeof(sa_family_t)) < 0)
                        goto fail;
        }
        while (connect(fd, (const struct sockaddr *)&t->ss, t->len) < 0)
                if (errno != EINTR)
                        goto fail;
        return fd;
fail:
        err = errno;
        close(fd);
        return -err;
}

static int copy_to_stdout(int fd, const char *addr, bool one_datagram)
{
        static char buf[65536];

        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return fail("recv", addr, errno);
                if (n == 0 && !one_datagram)
                        return 0;
                if (write_all(1, buf, (size_t)n, -1) < 0)
                        return fail("write", "stdout", errno);
                if (one_datagram)
                        return 0;
        }
}

int main(int argc, char **argv)
{
        struct options o;
        struct target t;
        char request[4096];
        const char *text;
        int fd, r;

        if (parse_args(argc, argv, &o) < 0)
                return usage();
        if (!parse_addr(o.addr, &t)) {
                fprintf(stderr,
                        "client: %s: not an address (want 127.0.0.1:80, [::1]:80, "
                        "/path or @name)\n",
                        o.addr);
                return 2;
        }
        text = o.send ? o.send : "";
        if (o.http) {
                snprintf(request, sizeof(request), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n",
                         o.path ? o.path : "/");
                text = request;
        }
        fd = open_connected(&t, &o);
        if (fd < 0)
                return fail("connect", o.addr, -fd);
        if (o.udp)
                r = send(fd, text, strlen(text), MSG_NOSIGNAL) < 0 ? -errno : 0;
        else
                r = write_all(fd, text, strlen(text), MSG_NOSIGNAL);
        if (r < 0) {
                close(fd);
                return fail("send", o.addr, -r);
        }
        if (o.shutdown && !o.udp && shutdown(fd, SHUT_WR) < 0) {
                close(fd);
                return fail("shutdown", o.addr, errno);
        }
        r = copy_to_stdout(fd, o.addr, o.udp);
        close(fd);
        return r;
}
