/* SPDX-License-Identifier: MIT */
/*
 * acceptprobe: the instance and the clients of tests/integration/test-accept.sh
 * (accept: yes, one instance per connection).
 *
 * As an instance, its connection is fd 3 when LISTEN_FDS is set, else stdin
 * and stdout (inetd style):
 *   acceptprobe report [--hold]  write /tmp/mark.PORT (PORT: REMOTE_PORT, or
 *                      "unix"), then send a "key=value" report of what the
 *                      instance sees and "end"; with --hold wait for EOF
 *                      before exiting
 *   acceptprobe echo   read to EOF, then send "bytes=N", the data and "end"
 *   acceptprobe hold   send "hi", then wait for EOF
 *   acceptprobe term [--ignore]  send "ready"; on SIGTERM print "sigterm" on
 *                      stdout and the connection and exit 0 (--ignore: ignore
 *                      it and wait for ever)
 *   acceptprobe pong   read one line "ping X", send "pong X", exit
 *
 * As a client:
 *   acceptprobe get ADDR [--bind IP]  connect (from IP), print
 *                      "client.sock=ADDR" (its own address), then copy what
 *                      the instance sends until EOF
 *   acceptprobe load ADDR --clients N --count M [--seconds S]  M requests
 *                      spread over N processes, one "ping"/"pong" connection
 *                      after the other; prints
 *                      "requests=R ok=O bad=B refused=F errors=E ms=T" and
 *                      exits 0 when every request of the M was answered right
 *
 * ADDR is 127.0.0.1:80, [::1]:80 or /path. Exit 2 for a usage error.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_SEC 10
#define MAX_CLIENTS 64
#define ECHO_MAX (1024 * 1024)

static char out[64 * 1024];
static size_t out_len;

__attribute__((format(printf, 1, 2))) static void emit(const char *fmt, ...)
{
        size_t room = sizeof(out) - out_len;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(out + out_len, room, fmt, ap);
        va_end(ap);
        if (n > 0)
                out_len += (size_t)n < room ? (size_t)n : room - 1;
}

static int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t w = write(fd, p, len);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                p += w;
                len -= (size_t)w;
        }
        return 0;
}

static const char *errname(int e)
{
        switch (e) {
        case 0:
                return "ok";
        case EACCES:
                return "EACCES";
        case EPERM:
                return "EPERM";
        case ENOENT:
                return "ENOENT";
        case EAFNOSUPPORT:
                return "EAFNOSUPPORT";
        case ENOTSOCK:
                return "ENOTSOCK";
        case ENOTCONN:
                return "ENOTCONN";
        case EBADF:
                return "EBADF";
        case EINVAL:
                return "EINVAL";
        case ENOSYS:
                return "ENOSYS";
        case ECONNREFUSED:
                return "ECONNREFUSED";
        case ECONNRESET:
                return "ECONNRESET";
        case ETIMEDOUT:
                return "ETIMEDOUT";
        default:
                return "other";
        }
}

/* 127.0.0.1:80, [::1]:80, /path, "unnamed" */
static void format_addr(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t size)
{
        char ip[INET6_ADDRSTRLEN];

        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

                inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
                snprintf(buf, size, "%s:%u", ip, (unsigned)ntohs(in->sin_port));
        } else if (ss->ss_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

                inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
                snprintf(buf, size, "[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
        } else if (ss->ss_family == AF_UNIX) {
                const struct sockaddr_un *un = (const struct sockaddr_un *)ss;

                if (len <= offsetof(struct sockaddr_un, sun_path) || un->sun_path[0] == '\0')
                        snprintf(buf, size, "unnamed");
                else
                        snprintf(buf, size, "%.*s",
                                 (int)(len - offsetof(struct sockaddr_un, sun_path)), un->sun_path);
        } else {
                snprintf(buf, size, "family%d", (int)ss->ss_family);
        }
}

static void emit_name(const char *key, int fd, bool peer)
{
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        char buf[256];

        memset(&ss, 0, sizeof(ss));
        if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                  : getsockname(fd, (struct sockaddr *)&ss, &len)) < 0) {
                emit("%s=%s\n", key, errname(errno));
                return;
        }
        format_addr(&ss, len, buf, sizeof(buf));
        emit("%s=%s\n", key, buf);
}

/* The instance's connection: fd 3 with LISTEN_FDS, else stdin (and stdout). */
static int conn_in(void)
{
        return getenv("LISTEN_FDS") ? 3 : 0;
}
static int conn_out(void)
{
        return getenv("LISTEN_FDS") ? 3 : 1;
}

static void emit_env(const char *name)
{
        const char *v = getenv(name);

        emit("env.%s=%s\n", name, v ? v : "(unset)");
}

static void emit_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int fds[256], n = 0;

        if (!d) {
                emit("fds=%s\n", errname(errno));
                return;
        }
        while ((e = readdir(d)) && n < 256) {
                char *end;
                long fd = strtol(e->d_name, &end, 10);

                if (*end || end == e->d_name || fd == dirfd(d))
                        continue;
                fds[n++] = (int)fd;
        }
        closedir(d);
        /* readdir order is the kernel's: sort for a stable line */
        for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
                        int t = fds[j];

                        fds[j] = fds[j - 1];
                        fds[j - 1] = t;
                }
        emit("fds=");
        for (int i = 0; i < n; i++)
                emit("%s%d", i ? "," : "", fds[i]);
        emit("\n");
}

/* Entries of dir, comma-joined (numeric ones only with pids). */
static void emit_dir(const char *key, const char *dir, bool pids)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        long v[512];
        int n = 0, first = 1;

        if (!d) {
                emit("%s=%s\n", key, errname(errno));
                return;
        }
        emit("%s=", key);
        while ((e = readdir(d))) {
                char *end;

                if (e->d_name[0] == '.')
                        continue;
                if (!pids) {
                        emit("%s%s", first ? "" : ",", e->d_name);
                        first = 0;
                        continue;
                }
                v[n] = strtol(e->d_name, &end, 10);
                if (!*end && n < 512)
                        n++;
        }
        closedir(d);
        for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
                        long t = v[j];

                        v[j] = v[j - 1];
                        v[j - 1] = t;
                }
        for (int i = 0; i < n; i++)
                emit("%s%ld", i ? "," : "", v[i]);
        emit("\n");
}

static void emit_status(void)
{
        static const char *const keys[] = {"CapEff", "CapPrm", "CapBnd", "NoNewPrivs", "Seccomp"};
        FILE *f = fopen("/proc/self/status", "r");
        char line[512];

        if (!f) {
                emit("status=%s\n", errname(errno));
                return;
        }
        while (fgets(line, sizeof(line), f))
                for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                        size_t k = strlen(keys[i]);

                        if (strncmp(line, keys[i], k) == 0 && line[k] == ':') {
                                char *v = line + k + 1;

                                v += strspn(v, " \t");
                                emit("status.%s=%.*s\n", keys[i], (int)strcspn(v, "\n"), v);
                        }
                }
        fclose(f);
}

/* Interfaces of the instance's own network namespace, from /proc/self/net/dev. */
static void emit_ifaces(void)
{
        FILE *f = fopen("/proc/self/net/dev", "r");
        char line[512];
        int n = 0;

        if (!f) {
                emit("ifaces=%s\n", errname(errno));
                return;
        }
        emit("ifaces=");
        while (fgets(line, sizeof(line), f)) {
                char *colon = strchr(line, ':');
                char *name = line + strspn(line, " ");

                if (!colon || strchr(line, '|'))
                        continue;
                emit("%s%.*s", n++ ? "," : "", (int)(colon - name), name);
        }
        emit("\n");
        fclose(f);
}

static void emit_ns(void)
{
        static const char *const kinds[] = {"net", "ipc", "pid", "mnt", "uts"};

        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
                char path[64], link[128];
                ssize_t n;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
                n = readlink(path, link, sizeof(link) - 1);
                if (n < 0)
                        emit("ns.%s=%s\n", kinds[i], errname(errno));
                else
                        emit("ns.%s=%.*s\n", kinds[i], (int)n, link);
        }
}

static void emit_conn(void)
{
        int fd = conn_in(), one = 1, v = -1;
        socklen_t len = sizeof(v);
        struct stat a, b;

        emit("conn.fd=%d\n", fd);
        emit_name("conn.peer", fd, true);
        emit_name("conn.sock", fd, false);
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
                emit("conn.nodelay=set:%s\n", errname(errno));
        else if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) < 0)
                emit("conn.nodelay=get:%s\n", errname(errno));
        else
                emit("conn.nodelay=%d\n", v);
        v = -1;
        len = sizeof(v);
        emit("conn.listening=%s\n", getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) < 0
                                            ? errname(errno)
                                    : v ? "1"
                                        : "0");
        /* inetd style: stdin and stdout are one and the same socket */
        if (fstat(0, &a) == 0 && fstat(1, &b) == 0)
                emit("stdio.socket=%d\nstdio.same=%d\n", S_ISSOCK(a.st_mode) && S_ISSOCK(b.st_mode),
                     a.st_dev == b.st_dev && a.st_ino == b.st_ino);
        else
                emit("stdio.socket=%s\n", errname(errno));
}

static void emit_denials(void)
{
        char path[64];
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        emit("errno.socket_inet=%s\n", fd < 0 ? errname(errno) : "ok");
        if (fd >= 0)
                close(fd);
        snprintf(path, sizeof(path), "/proc/%d/environ", (int)getppid());
        fd = open(path, O_RDONLY | O_CLOEXEC);
        emit("errno.ppid_environ=%s\n", fd < 0 ? errname(errno) : "ok");
        if (fd >= 0)
                close(fd);
}

/* Read one line (or to EOF) from fd; returns its length, -1 on error. */
static ssize_t read_line(int fd, char *buf, size_t size)
{
        size_t got = 0;

        while (got + 1 < size) {
                ssize_t k = read(fd, buf + got, 1);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -1;
                if (k == 0 || buf[got] == '\n')
                        break;
                got++;
        }
        buf[got] = '\0';
        return (ssize_t)got;
}

static void wait_eof(int fd)
{
        char buf[512];

        for (;;) {
                ssize_t k = read(fd, buf, sizeof(buf));

                if (k == 0 || (k < 0 && errno != EINTR))
                        return;
        }
}

static int report(int argc, char **argv)
{
        bool hold = argc > 2 && strcmp(argv[2], "--hold") == 0;
        const char *port = getenv("REMOTE_PORT");
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/tmp/mark.%s", port ? port : "unix");
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
                close(fd);
        emit("pid=%d\nppid=%d\nuid=%u\n", (int)getpid(), (int)getppid(), (unsigned)getuid());
        emit("mark=%s\n", fd < 0 ? errname(errno) : "ok");
        emit_fds();
        emit_env("LISTEN_FDS");
        emit_env("LISTEN_FDNAMES");
        emit_env("LISTEN_PID");
        emit_env("REMOTE_ADDR");
        emit_env("REMOTE_PORT");
        emit_conn();
        emit_status();
        emit_ns();
        emit_ifaces();
        emit_dir("proc.pids", "/proc", true);
        emit_dir("tmp", "/tmp", false);
        emit_denials();
        emit("end\n");
        if (write_all(conn_out(), out, out_len) < 0)
                return 1;
        if (hold)
                wait_eof(conn_in());
        return 0;
}

static int echo(void)
{
        static char buf[ECHO_MAX];
        size_t got = 0;
        char head[64];
        int n;

        for (;;) {
                ssize_t k = read(conn_in(), buf + got, sizeof(buf) - got);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return 1;
                if (k == 0 || got + (size_t)k == sizeof(buf))
                        break;
                got += (size_t)k;
        }
        n = snprintf(head, sizeof(head), "bytes=%zu\n", got);
        if (write_all(conn_out(), head, (size_t)n) < 0 || write_all(conn_out(), buf, got) < 0 ||
            write_all(conn_out(), "\nend\n", 5) < 0)
                return 1;
        return 0;
}

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
        (void)sig;
        got_term = 1;
}

static int term(int argc, char **argv)
{
        bool ignore = argc > 2 && strcmp(argv[2], "--ignore") == 0;
        struct sigaction sa = {.sa_handler = ignore ? SIG_IGN : on_term};
        struct pollfd p = {.fd = conn_in(), .events = POLLIN};
        char msg[64];
        int n;

        sigaction(SIGTERM, &sa, NULL);
        if (write_all(conn_out(), "ready\n", 6) < 0)
                return 1;
        while (!got_term) {
                int r = poll(&p, 1, -1);

                if (r < 0 && errno != EINTR)
                        return 1;
                /* EOF: the client went; an ignoring instance waits for its SIGKILL */
                if (r > 0 && !ignore) {
                        char c;

                        if (read(p.fd, &c, 1) <= 0)
                                return 3;
                }
                if (r > 0 && ignore)
                        p.fd = -1;
        }
        n = snprintf(msg, sizeof(msg), "sigterm remote_port=%s\n", getenv("REMOTE_PORT") ?: "?");
        if (getenv("LISTEN_FDS")) /* stdout is not the connection: sockjail's own */
                (void)write_all(1, msg, (size_t)n);
        (void)write_all(conn_out(), msg, (size_t)n);
        return 0;
}

static int pong(void)
{
        char line[128], reply[160];
        int n;

        if (read_line(conn_in(), line, sizeof(line)) <= 0 || strncmp(line, "ping ", 5) != 0)
                return 1;
        n = snprintf(reply, sizeof(reply), "pong %s\n", line + 5);
        return write_all(conn_out(), reply, (size_t)n) < 0 ? 1 : 0;
}

/* ---- clients ---- */

struct target {
        struct sockaddr_storage ss;
        socklen_t len;
};

static bool parse_target(const char *s, struct target *t)
{
        char host[INET6_ADDRSTRLEN + 2];
        const char *colon;
        size_t n;

        memset(t, 0, sizeof(*t));
        if (s[0] == '/') {
                struct sockaddr_un *un = (struct sockaddr_un *)&t->ss;

                if ((n = strlen(s)) >= sizeof(un->sun_path))
                        return false;
                un->sun_family = AF_UNIX;
                memcpy(un->sun_path, s, n);
                t->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
                return true;
        }
        if (s[0] == '[') {
                const char *close = strstr(s, "]:");
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->ss;

                if (!close || (n = (size_t)(close - s - 1)) >= sizeof(host))
                        return false;
                memcpy(host, s + 1, n);
                host[n] = '\0';
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)atoi(close + 2));
                t->len = sizeof(*in6);
                return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1;
        }
        colon = strrchr(s, ':');
        if (!colon || (n = (size_t)(colon - s)) >= sizeof(host))
                return false;
        memcpy(host, s, n);
        host[n] = '\0';
        ((struct sockaddr_in *)&t->ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&t->ss)->sin_port = htons((uint16_t)atoi(colon + 1));
        t->len = sizeof(struct sockaddr_in);
        return inet_pton(AF_INET, host, &((struct sockaddr_in *)&t->ss)->sin_addr) == 1;
}

/* A connected socket, or -errno. */
static int dial(const struct target *t, const char *bind_ip)
{
        struct timeval tv = {.tv_sec = IO_TIMEOUT_SEC};
        int fd = socket(t->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

        if (fd < 0)
                return -errno;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (bind_ip) {
                struct sockaddr_in in = {.sin_family = AF_INET};

                if (inet_pton(AF_INET, bind_ip, &in.sin_addr) != 1 ||
                    bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0)
                        goto fail;
        }
        while (connect(fd, (const struct sockaddr *)&t->ss, t->len) < 0)
                if (errno != EINTR)
                        goto fail;
        return fd;
fail:
        e = errno;
        close(fd);
        return -e;
}

static int get(int argc, char **argv)
{
        const char *bind_ip = argc == 5 && strcmp(argv[3], "--bind") == 0 ? argv[4] : NULL;
        struct target t;
        char buf[4096];
        int fd;

        if ((argc != 3 && !bind_ip) || !parse_target(argv[2], &t))
                return 2;
        fd = dial(&t, bind_ip);
        if (fd < 0) {
                fprintf(stderr, "acceptprobe: connect %s: %s\n", argv[2], strerror(-fd));
                return 1;
        }
        out_len = 0;
        emit_name("client.sock", fd, false);
        (void)write_all(1, out, out_len);
        for (;;) {
                ssize_t k = read(fd, buf, sizeof(buf));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        fprintf(stderr, "acceptprobe: read %s: %s\n", argv[2], strerror(errno));
                        close(fd);
                        return 1;
                }
                if (k == 0)
                        break;
                (void)write_all(1, buf, (size_t)k);
        }
        close(fd);
        return 0;
}

struct counts {
        long requests, ok, bad, refused, errors;
};

static void load_client(const struct target *t, int id, long count, double seconds, int pipe_fd)
{
        struct counts c = {0};
        struct timespec t0, now;
        char req[64], want[64], buf[128];

        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < count; i++) {
                size_t got = 0;
                int fd, n;

                clock_gettime(CLOCK_MONOTONIC, &now);
                if ((double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9 >
                    seconds)
                        break;
                c.requests++;
                fd = dial(t, NULL);
                if (fd < 0) {
                        if (fd == -ECONNREFUSED)
                                c.refused++;
                        else
                                c.errors++;
                        continue;
                }
                n = snprintf(req, sizeof(req), "ping %d.%ld\n", id, i);
                snprintf(want, sizeof(want), "pong %d.%ld\n", id, i);
                if (write_all(fd, req, (size_t)n) < 0) {
                        c.errors++;
                        close(fd);
                        continue;
                }
                for (;;) {
                        ssize_t k = read(fd, buf + got, sizeof(buf) - 1 - got);

                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0 || (got += (size_t)k) == sizeof(buf) - 1)
                                break;
                }
                buf[got] = '\0';
                if (strcmp(buf, want) == 0)
                        c.ok++;
                else
                        c.bad++;
                close(fd);
        }
        _exit(write(pipe_fd, &c, sizeof(c)) == sizeof(c) ? 0 : 1);
}

static int load(int argc, char **argv)
{
        struct counts sum = {0};
        struct target t;
        struct timespec t0, t1;
        double seconds = 60;
        long count = 0;
        int clients = 0, p[2];

        if (argc < 3 || !parse_target(argv[2], &t))
                return 2;
        for (int i = 3; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "--clients") == 0)
                        clients = atoi(argv[i + 1]);
                else if (strcmp(argv[i], "--count") == 0)
                        count = atol(argv[i + 1]);
                else if (strcmp(argv[i], "--seconds") == 0)
                        seconds = atof(argv[i + 1]);
                else
                        return 2;
        }
        if (clients < 1 || clients > MAX_CLIENTS || count < clients || seconds <= 0 || pipe(p) < 0)
                return 2;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < clients; i++) {
                pid_t pid = fork();

                if (pid == 0) {
                        close(p[0]);
                        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                        load_client(&t, i, count / clients + (i < count % clients), seconds, p[1]);
                }
                if (pid < 0)
                        return 1;
        }
        close(p[1]);
        for (int i = 0; i < clients; i++) {
                struct counts c = {0};

                if (read(p[0], &c, sizeof(c)) != sizeof(c))
                        sum.errors++;
                sum.requests += c.requests;
                sum.ok += c.ok;
                sum.bad += c.bad;
                sum.refused += c.refused;
                sum.errors += c.errors;
        }
        while (wait(NULL) > 0)
                ;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("requests=%ld ok=%ld bad=%ld refused=%ld errors=%ld ms=%ld\n", sum.requests, sum.ok,
               sum.bad, sum.refused, sum.errors,
               (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
        return sum.ok == count ? 0 : 1;
}

int main(int argc, char **argv)
{
        const char *mode = argc > 1 ? argv[1] : "";

        signal(SIGPIPE, SIG_IGN);
        if (strcmp(mode, "report") == 0)
                return report(argc, argv);
        if (strcmp(mode, "echo") == 0)
                return echo();
        if (strcmp(mode, "hold") == 0) {
                if (write_all(conn_out(), "hi\n", 3) < 0)
                        return 1;
                wait_eof(conn_in());
                return 0;
        }
        if (strcmp(mode, "term") == 0)
                return term(argc, argv);
        if (strcmp(mode, "pong") == 0)
                return pong();
        if (strcmp(mode, "get") == 0)
                return get(argc, argv);
        if (strcmp(mode, "load") == 0)
                return load(argc, argv);
        fprintf(stderr,
                "usage: acceptprobe report [--hold] | echo | hold | term [--ignore] | pong\n"
                "       acceptprobe get ADDR [--bind IP]\n"
                "       acceptprobe load ADDR --clients N --count M [--seconds S]\n");
        return 2;
}
