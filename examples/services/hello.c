/* SPDX-License-Identifier: MIT */
/*
 * hello: a tiny HTTP/1.0 server that shows socket activation from the
 * service's side. It never calls socket() or bind(): the listening sockets
 * are created by sockjail on the host and handed over as open fds, so the
 * service can sit in a network namespace with nothing but "lo" and still
 * answer on the host's 127.0.0.1:8080.
 *
 * Every request gets the same text/plain page: what the service sees from
 * inside the sandbox.
 *
 *   sockjail run examples/hello.yaml      then: curl http://127.0.0.1:8080/
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define LISTEN_FDS_START 3 /* SD_LISTEN_FDS_START: the first passed fd */
#define MAX_SOCKETS 64

static char page[4096];
static size_t page_len;

/* The systemd protocol (sd_listen_fds(3)): LISTEN_FDS=n says fds 3..3+n-1
 * are ours, but only if LISTEN_PID is our own pid; otherwise the variables
 * were meant for a parent and leaked to us. Once taken, the fds are made
 * close-on-exec and the variables removed, so no child inherits them. */
static int listen_fds(void)
{
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        int n;

        if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid())
                return 0;
        n = (int)strtol(fds, NULL, 10);
        for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++)
                fcntl(fd, F_SETFD, FD_CLOEXEC);
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        return n;
}

static bool is_listening(int fd)
{
        int v = 0;
        socklen_t len = sizeof(v);

        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

static bool is_socket(int fd)
{
        struct stat st;

        return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* One field of /proc/self/status, e.g. "CapEff" -> "0000000000000000". */
static void status_field(const char *key, char *out, size_t size)
{
        char line[256];
        size_t klen = strlen(key);
        FILE *f = fopen("/proc/self/status", "re");

        snprintf(out, size, "?");
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
                        snprintf(out, size, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
                        out[strcspn(out, "\n")] = '\0';
                }
        if (f)
                fclose(f);
}

/* Interface names from /proc/net/dev, which shows the reader's own network
 * namespace. (if_nameindex() would need a netlink socket, which the sandbox
 * does not allow.) */
static void interfaces(char *out, size_t size)
{
        char line[512];
        FILE *f = fopen("/proc/net/dev", "re");
        size_t used = 0;

        snprintf(out, size, "?");
        for (int i = 0; f && fgets(line, sizeof(line), f); i++) {
                char *name = line + strspn(line, " "), *colon = strchr(name, ':');
                if (i < 2 || !colon || used >= size)
                        continue;
                used += (size_t)snprintf(out + used, size - used, "%s%.*s", used ? " " : "",
                                         (int)(colon - name), name);
        }
        if (f)
                fclose(f);
}

/* Can we open a network socket of our own? In the sandbox we cannot. */
static const char *inet_socket_result(void)
{
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return strerrorname_np(errno);
        close(fd);
        return "allowed";
}

/* The page never changes while we run, so it is built once. */
static void build_page(void)
{
        char ifaces[256], capeff[64], nnp[16], seccomp[16];

        interfaces(ifaces, sizeof(ifaces));
        status_field("CapEff", capeff, sizeof(capeff));
        status_field("NoNewPrivs", nnp, sizeof(nnp));
        status_field("Seccomp", seccomp, sizeof(seccomp));
        page_len = (size_t)snprintf(page, sizeof(page),
                                    "Hello from sockjail!\n\n"
                                    "pid:              %d\n"
                                    "uid:              %u\n"
                                    "interfaces:       %s\n"
                                    "socket(AF_INET):  %s\n"
                                    "CapEff:           %s\n"
                                    "NoNewPrivs:       %s\n"
                                    "Seccomp:          %s\n",
                                    (int)getpid(), (unsigned)getuid(), ifaces, inet_socket_result(),
                                    capeff, nnp, seccomp);
}

static void write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                buf += n;
                len -= (size_t)n;
        }
}

/* Reads the request head (any path gets the same page), answers, closes.
 * A timeout keeps one silent client from stalling everyone else. */
static void answer(int c)
{
        struct timeval tv = {.tv_sec = 5};
        char req[4096], head[256];
        size_t got = 0;
        int len;

        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        while (got < sizeof(req) - 1) {
                ssize_t n = read(c, req + got, sizeof(req) - 1 - got);
                if (n <= 0)
                        break;
                got += (size_t)n;
                req[got] = '\0';
                if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
                        break;
        }
        req[got] = '\0';
        len = snprintf(head, sizeof(head),
                       "HTTP/1.0 200 OK\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n"
                       "Content-Length: %zu\r\n"
                       "Connection: close\r\n\r\n",
                       page_len);
        write_all(c, head, (size_t)len);
        if (strncmp(req, "HEAD ", 5) != 0)
                write_all(c, page, page_len);
        close(c);
}

/* Nothing to clean up: the sockets belong to sockjail, which keeps them. */
static void on_sigterm(int sig)
{
        (void)sig;
        _exit(0);
}

int main(void)
{
        struct pollfd pfds[MAX_SOCKETS];
        int n = 0, passed = listen_fds();

        signal(SIGTERM, on_sigterm);
        signal(SIGPIPE, SIG_IGN);
        for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + passed && n < MAX_SOCKETS; fd++)
                if (is_listening(fd))
                        pfds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
        /* inetd style (standard_input: socket): the socket is on stdin. */
        if (passed == 0 && is_socket(0)) {
                if (!is_listening(0)) {
                        build_page();
                        answer(0);
                        return 0;
                }
                pfds[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
        }
        if (n == 0) {
                fprintf(stderr, "hello: no listening socket was passed; "
                                "run me with: sockjail run examples/hello.yaml\n");
                return 1;
        }
        build_page();
        fprintf(stderr, "hello: pid %d serving %d socket(s)\n", (int)getpid(), n);
        for (;;) {
                if (poll(pfds, (nfds_t)n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("hello: poll");
                        return 1;
                }
                for (int i = 0; i < n; i++)
                        if (pfds[i].revents & POLLIN) {
                                int c = accept4(pfds[i].fd, NULL, NULL, SOCK_CLOEXEC);
                                if (c >= 0)
                                        answer(c);
                        }
        }
}
