/* SPDX-License-Identifier: MIT */
/*
 * probe: the service the integration tests run inside the sandbox. It reports
 * what it can see, one "key=value" per line with stable keys, so that a test
 * only has to grep: ids, namespaces, open fds and what each one is, the
 * environment, capabilities and seccomp state, network interfaces, and the
 * errno of the calls the sandbox must deny.
 *
 *   probe [report]          print the report on stdout, exit 0
 *   probe serve [--count N] send the report to every connection or datagram
 *                           on the activation fds; exit 0 after N of them, or
 *                           on SIGTERM/SIGINT; inetd style when stdin is a
 *                           connected socket and LISTEN_FDS is unset
 *   probe exit N            exit with status N
 *   probe sleep             print "ready", then wait for a signal
 *   probe ignore-term       the same, with SIGTERM ignored
 *
 * The probe runs under a seccomp filter: any call may fail, and every report
 * line is printed anyway, with an errno name or "unknown" as the value. The
 * report is built in a static buffer and sent with write(2): no stdio buffer
 * to flush in the children it forks, no heap of its own to free on any path.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPORT_MAX (256 * 1024)
#define DGRAM_MAX 65507 /* the largest UDP payload over IPv4 */
#define MAX_FDS 1024
#define MAX_SERVED 256
#define IO_TIMEOUT_SEC 10
#define LINGER_MS 2000

extern char **environ;

static struct {
        char buf[REPORT_MAX];
        size_t len;
} report;

static volatile sig_atomic_t stop_requested;

__attribute__((format(printf, 1, 2))) static void emit(const char *fmt, ...)
{
        size_t room = sizeof(report.buf) - report.len;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(report.buf + report.len, room, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        report.len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Bytes a line-oriented reader could trip on are written as \xNN. */
static void emit_escaped(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c >= 0x7f || c == '\\')
                        emit("\\x%02x", c);
                else
                        emit("%c", c);
        }
}

static const char *errname(int err)
{
        static char other[16];
        const char *name;

        if (err == 0)
                return "ok";
        name = strerrorname_np(err);
        if (name)
                return name;
        snprintf(other, sizeof(other), "E%d", err);
        return other;
}

static const char *signame(int sig)
{
        static char name[16];
        const char *abbrev = sigabbrev_np(sig);

        if (abbrev)
                snprintf(name, sizeof(name), "SIG%s", abbrev);
        else
                snprintf(name, sizeof(name), "SIG%d", sig);
        return name;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Reads a small file into buf, NUL-terminated, up to size - 1 bytes; returns
 * its length or -errno. */
static ssize_t read_small_file(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        size_t len = 0;

        if (fd < 0)
                return -errno;
        while (len < size - 1) {
                ssize_t n = read(fd, buf + len, size - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int err = errno;
                        close(fd);
                        return -err;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        close(fd);
        return (ssize_t)len;
}

static bool parse_long(const char *s, long *ret)
{
        char *end;

        if (!s || !*s)
                return false;
        errno = 0;
        *ret = strtol(s, &end, 10);
        return errno == 0 && *end == '\0';
}

static int cmp_int(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return (x > y) - (x < y);
}

/* ---- identity ---------------------------------------------------------- */

static void report_ids(void)
{
        gid_t groups[256];
        int n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
        char cwd[512];

        emit("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
        emit("uid=%u\ngid=%u\neuid=%u\negid=%u\n", (unsigned)getuid(), (unsigned)getgid(),
             (unsigned)geteuid(), (unsigned)getegid());
        emit("groups=");
        for (int i = 0; i < n; i++)
                emit("%s%u", i ? "," : "", (unsigned)groups[i]);
        emit("\n");
        emit("cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : errname(errno));
}

static void report_namespaces(void)
{
        static const char *const kinds[] = {"net", "mnt", "pid", "ipc", "uts", "user", "cgroup"};

        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
                char path[64], link[64];
                ssize_t n;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
                n = readlink(path, link, sizeof(link) - 1);
                if (n >= 0)
                        link[n] = '\0';
                emit("ns.%s=%s\n", kinds[i], n >= 0 ? link : errname(errno));
        }
}

/* ---- file descriptors ---------------------------------------------------- */

/* Lists open fds, sorted; without /proc, asks fcntl() about each number. */
static int list_fds(int *fds, int max, const char **ret_source)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int n = 0;

        if (!d) {
                for (int fd = 0; fd < MAX_FDS && n < max; fd++)
                        if (fcntl(fd, F_GETFD) >= 0)
                                fds[n++] = fd;
                *ret_source = "fcntl";
                return n;
        }
        while ((e = readdir(d)) && n < max) {
                long v;
                if (e->d_name[0] < '0' || e->d_name[0] > '9' || !parse_long(e->d_name, &v))
                        continue;
                if (v != dirfd(d))
                        fds[n++] = (int)v;
        }
        closedir(d);
        qsort(fds, (size_t)n, sizeof(*fds), cmp_int);
        *ret_source = "proc";
        return n;
}

static const char *kind_name(mode_t mode)
{
        if (S_ISSOCK(mode))
                return "socket";
        if (S_ISFIFO(mode))
                return "fifo";
        if (S_ISREG(mode))
                return "file";
        if (S_ISCHR(mode))
                return "chr";
        return "other";
}

static const char *family_name(int family)
{
        static char other[16];

        switch (family) {
        case AF_INET:
                return "inet";
        case AF_INET6:
                return "inet6";
        case AF_UNIX:
                return "unix";
        case AF_NETLINK:
                return "netlink";
        case AF_PACKET:
                return "packet";
        case AF_VSOCK:
                return "vsock";
        default:
                snprintf(other, sizeof(other), "af%d", family);
                return other;
        }
}

static const char *type_name(int type)
{
        static char other[16];

        switch (type) {
        case SOCK_STREAM:
                return "stream";
        case SOCK_DGRAM:
                return "dgram";
        case SOCK_SEQPACKET:
                return "seqpacket";
        case SOCK_RAW:
                return "raw";
        case SOCK_RDM:
                return "rdm";
        default:
                snprintf(other, sizeof(other), "type%d", type);
                return other;
        }
}

static const char *protocol_name(int family, int protocol)
{
        static char other[16];

        if (family == AF_INET || family == AF_INET6) {
                switch (protocol) {
                case IPPROTO_TCP:
                        return "tcp";
                case IPPROTO_UDP:
                        return "udp";
                case IPPROTO_SCTP:
                        return "sctp";
                case IPPROTO_UDPLITE:
                        return "udplite";
                default:
                        break;
                }
        }
        snprintf(other, sizeof(other), "%d", protocol);
        return other;
}

/* Unix addresses: "/path", "@abstract", or "" for an unnamed socket. */
static void emit_unix_addr(const struct sockaddr_un *un, socklen_t len)
{
        size_t n = len > offsetof(struct sockaddr_un, sun_path)
                           ? len - offsetof(struct sockaddr_un, sun_path)
                           : 0;

        if (n == 0)
                return;
        if (un->sun_path[0] == '\0') {
                emit("@");
                emit_escaped(un->sun_path + 1, n - 1);
        } else {
                emit_escaped(un->sun_path, strnlen(un->sun_path, n));
        }
}

/* The address as a user writes it: 127.0.0.1:8080, [::1]:80, /path, @name. */
static void emit_addr(const struct sockaddr_storage *ss, socklen_t len)
{
        char ip[INET6_ADDRSTRLEN];

        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
                inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
                emit("%s:%u", ip, (unsigned)ntohs(in->sin_port));
        } else if (ss->ss_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
                inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
                if (in6->sin6_scope_id)
                        emit("[%s%%%u]:%u", ip, (unsigned)in6->sin6_scope_id,
                             (unsigned)ntohs(in6->sin6_port));
                else
                        emit("[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
        } else if (ss->ss_family == AF_UNIX) {
                emit_unix_addr((const struct sockaddr_un *)ss, len);
        } else if (ss->ss_family == AF_NETLINK) {
                const struct sockaddr_nl *nl = (const struct sockaddr_nl *)ss;
                emit("%u", (unsigned)nl->nl_pid);
        } else if (ss->ss_family == AF_VSOCK) {
                const struct sockaddr_vm *vm = (const struct sockaddr_vm *)ss;
                emit("%u:%u", (unsigned)vm->svm_cid, (unsigned)vm->svm_port);
        } else {
                emit("?");
        }
}

static int sockopt_int(int fd, int opt, int fallback)
{
        int v;
        socklen_t len = sizeof(v);

        return getsockopt(fd, SOL_SOCKET, opt, &v, &len) == 0 ? v : fallback;
}

static void report_socket(int fd)
{
        int family = sockopt_int(fd, SO_DOMAIN, -1);
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        emit("fd.%d.family=%s\n", fd, family_name(family));
        emit("fd.%d.type=%s\n", fd, type_name(sockopt_int(fd, SO_TYPE, -1)));
        emit("fd.%d.protocol=%s\n", fd, protocol_name(family, sockopt_int(fd, SO_PROTOCOL, -1)));
        emit("fd.%d.listening=%d\n", fd, sockopt_int(fd, SO_ACCEPTCONN, 0) ? 1 : 0);
        emit("fd.%d.addr=", fd);
        memset(&ss, 0, sizeof(ss));
        if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
                emit_addr(&ss, len);
        else
                emit("%s", errname(errno));
        emit("\n");
        len = sizeof(ss);
        memset(&ss, 0, sizeof(ss));
        if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
                emit("fd.%d.peer=", fd);
                emit_addr(&ss, len);
                emit("\n");
        }
}

/* flags is what fcntl() returned: -1 (errno set) or the flag word. */
static void emit_fd_flag(int fd, const char *key, int flags, int bit)
{
        if (flags < 0)
                emit("fd.%d.%s=%s\n", fd, key, errname(errno));
        else
                emit("fd.%d.%s=%d\n", fd, key, (flags & bit) ? 1 : 0);
}

static void report_fd(int fd)
{
        struct stat st;

        if (fstat(fd, &st) < 0) {
                emit("fd.%d.kind=%s\n", fd, errname(errno));
                return;
        }
        emit("fd.%d.kind=%s\n", fd, kind_name(st.st_mode));
        if (S_ISSOCK(st.st_mode)) {
                report_socket(fd);
        } else {
                char path[64], target[512];
                ssize_t n;

                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
                n = readlink(path, target, sizeof(target));
                emit("fd.%d.path=", fd);
                if (n >= 0)
                        emit_escaped(target, (size_t)n);
                else
                        emit("%s", errname(errno));
                emit("\n");
        }
        emit_fd_flag(fd, "cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
        emit_fd_flag(fd, "nonblock", fcntl(fd, F_GETFL), O_NONBLOCK);
}

static void report_fds(void)
{
        int fds[MAX_FDS];
        const char *source;
        int n = list_fds(fds, MAX_FDS, &source);

        emit("fds=");
        for (int i = 0; i < n; i++)
                emit("%s%d", i ? "," : "", fds[i]);
        emit("\nfds.source=%s\n", source);
        for (int i = 0; i < n; i++)
                report_fd(fds[i]);
}

/* ---- environment ---------------------------------------------------------- */

/* Every variable, as env.NAME=value in environment order: a variable that is
 * unset has no line at all (tests grep -c '^env.LISTEN_'). env.unset names the
 * ones of interest that are missing, for a test that wants it said. */
static void report_env(void)
{
        static const char *const watched[] = {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "PATH"};
        bool first = true;
        int count = 0;

        for (char **e = environ; e && *e; e++, count++) {
                emit("env.");
                emit_escaped(*e, strlen(*e));
                emit("\n");
        }
        emit("env.unset=");
        for (size_t i = 0; i < sizeof(watched) / sizeof(watched[0]); i++)
                if (!getenv(watched[i])) {
                        emit("%s%s", first ? "" : ",", watched[i]);
                        first = false;
                }
        emit("\nenv.count=%d\n", count);
}

/* ---- /proc/self/status ---------------------------------------------------- */

static void report_status(void)
{
        static const char *const keys[] = {"CapEff", "CapPrm",     "CapInh",  "CapBnd",
                                           "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters"};
        static char text[8192];
        ssize_t n = read_small_file("/proc/self/status", text, sizeof(text));

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                char want[32];
                const char *line = NULL;
                int len = snprintf(want, sizeof(want), "\n%s:", keys[i]);

                if (n > 0)
                        line = strstr(text, want);
                if (line) {
                        line += len;
                        line += strspn(line, " \t");
                        emit("status.%s=%.*s\n", keys[i], (int)strcspn(line, "\n"), line);
                } else if (strcmp(keys[i], "NoNewPrivs") == 0) {
                        emit("status.%s=%d\n", keys[i], prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
                } else if (strcmp(keys[i], "Seccomp") == 0) {
                        emit("status.%s=%d\n", keys[i], prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
                } else {
                        emit("status.%s=unknown\n", keys[i]);
                }
        }
}

/* ---- network interfaces --------------------------------------------------- */

static void names_add(char *names, size_t size, const char *name, size_t len)
{
        size_t used = strlen(names);

        snprintf(names + used, size - used, "%s%.*s", used ? "," : "", (int)len, name);
}

/* /proc/net/dev follows the reader's network namespace; lines after the two
 * header lines start with "  name:". */
static int ifaces_from_proc(char *names, size_t size)
{
        static char text[16384];
        ssize_t n = read_small_file("/proc/net/dev", text, sizeof(text));
        char *line, *save = NULL;
        int i = 0;

        if (n < 0)
                return (int)n;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
                char *colon = strchr(line, ':');
                if (i < 2 || !colon)
                        continue;
                line += strspn(line, " ");
                names_add(names, size, line, (size_t)(colon - line));
        }
        return 0;
}

/* /sys/class/net belongs to the netns that mounted sysfs, so it is the last
 * resort: in a new netns without a fresh sysfs it shows the host's links. */
static int ifaces_from_sys(char *names, size_t size)
{
        DIR *d = opendir("/sys/class/net");
        struct dirent *e;

        if (!d)
                return -errno;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        names_add(names, size, e->d_name, strlen(e->d_name));
        closedir(d);
        return 0;
}

static void report_ifaces(void)
{
        struct if_nameindex *ifs = if_nameindex();
        int err = ifs ? 0 : errno;
        const char *source = "if_nameindex";
        char names[2048] = "";

        if (ifs) {
                for (struct if_nameindex *i = ifs; i->if_index; i++)
                        names_add(names, sizeof(names), i->if_name, strlen(i->if_name));
                if_freenameindex(ifs);
        } else if (ifaces_from_proc(names, sizeof(names)) == 0) {
                source = "proc_net_dev";
        } else if (ifaces_from_sys(names, sizeof(names)) == 0) {
                source = "sys_class_net";
        } else {
                source = "none";
        }
        emit("ifaces=%s\nifaces.source=%s\nifaces.if_nameindex=%s\n", names, source, errname(err));
}

/* SIOCGIFFLAGS works on any socket, AF_UNIX included, in the socket's netns. */
static void report_lo(void)
{
        struct ifreq ifr;
        char text[32];
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
                emit("lo.up=%d\nlo.source=ioctl\n", (ifr.ifr_flags & IFF_UP) ? 1 : 0);
        } else if (read_small_file("/sys/class/net/lo/flags", text, sizeof(text)) > 0) {
                emit("lo.up=%d\nlo.source=sysfs\n", (strtoul(text, NULL, 16) & IFF_UP) ? 1 : 0);
        } else {
                emit("lo.up=unknown\nlo.source=none\n");
        }
        if (fd >= 0)
                close(fd);
}

/* ---- denied operations ------------------------------------------------------ */

static int try_socket(int family, int type, int protocol)
{
        int fd = socket(family, type | SOCK_CLOEXEC, protocol);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

static int try_unshare_net(void)
{
        return unshare(CLONE_NEWNET) < 0 ? errno : 0;
}

static int try_ptrace(void)
{
        return ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? errno : 0;
}

static int try_setuid0(void)
{
        return setuid(0) < 0 ? errno : 0;
}

/* Mounts on a fresh directory, never on "/": if the mount works (root on the
 * host), it is undone at once. */
static int try_mount(void)
{
        char dir[] = "/tmp/probe-mnt.XXXXXX";
        bool made = mkdtemp(dir) != NULL;
        const char *target = made ? dir : "/mnt";
        int err = 0;

        if (mount("probe", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k") < 0)
                err = errno;
        else
                umount2(target, MNT_DETACH);
        if (made)
                rmdir(dir);
        return err;
}

/* Calls that change the caller (a new netns, a tracer, new ids) run in a
 * child; its exit status carries the errno. */
static void emit_child_probe(const char *key, int (*fn)(void))
{
        pid_t pid = fork();
        int status;

        if (pid < 0) {
                emit("errno.%s=fork:%s\n", key, errname(errno));
                return;
        }
        if (pid == 0)
                _exit(fn());
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        emit("errno.%s=wait:%s\n", key, errname(errno));
                        return;
                }
        if (WIFEXITED(status))
                emit("errno.%s=%s\n", key, errname(WEXITSTATUS(status)));
        else
                emit("errno.%s=killed:%s\n", key, signame(WTERMSIG(status)));
}

static void report_denied(void)
{
        emit("errno.socket_inet=%s\n", errname(try_socket(AF_INET, SOCK_STREAM, 0)));
        emit("errno.socket_inet6=%s\n", errname(try_socket(AF_INET6, SOCK_STREAM, 0)));
        emit("errno.socket_netlink=%s\n", errname(try_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)));
        emit("errno.socket_packet=%s\n",
             errname(try_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))));
        emit("errno.socket_unix=%s\n", errname(try_socket(AF_UNIX, SOCK_STREAM, 0)));
        emit_child_probe("unshare_net", try_unshare_net);
        emit_child_probe("mount", try_mount);
        emit_child_probe("ptrace", try_ptrace);
        emit_child_probe("setuid0", try_setuid0);
}

/* ---- the rest of the system ------------------------------------------------- */

/* Counts the entries of dir (numeric names only, if asked); -errno if it
 * cannot be read. */
static long count_entries(const char *path, bool numeric_only)
{
        DIR *d = opendir(path);
        struct dirent *e;
        long n = 0;

        if (!d)
                return -errno;
        while ((e = readdir(d))) {
                long v;
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (!numeric_only || parse_long(e->d_name, &v))
                        n++;
        }
        closedir(d);
        return n;
}

static void emit_count(const char *key, long n)
{
        if (n < 0)
                emit("%s=%s\n", key, errname((int)-n));
        else
                emit("%s=%ld\n", key, n);
}

static void report_system(void)
{
        char host[256];

        if (gethostname(host, sizeof(host)) < 0)
                snprintf(host, sizeof(host), "%s", errname(errno));
        host[sizeof(host) - 1] = '\0';
        emit("hostname=%s\n", host);
        emit_count("tmp.files", count_entries("/tmp", false));
        emit_count("proc.pids", count_entries("/proc", true));
}

static void build_report(void)
{
        report.len = 0;
        report.buf[0] = '\0';
        report_ids();
        report_namespaces();
        report_fds();
        report_env();
        report_status();
        report_ifaces();
        report_lo();
        report_system();
        report_denied();
}

/* ---- serve -------------------------------------------------------------------- */

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

/* Sends the report, then closes without losing it: after our FIN, wait a
 * little for the peer's, so unread request bytes do not turn close() into a
 * reset that discards the reply. */
static void answer_connection(int fd)
{
        struct timeval tv = {.tv_sec = IO_TIMEOUT_SEC};
        char junk[4096];
        struct timespec start, now;

        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (write_all(fd, report.buf, report.len) < 0) {
                close(fd);
                return;
        }
        shutdown(fd, SHUT_WR);
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                long waited;

                clock_gettime(CLOCK_MONOTONIC, &now);
                waited = (now.tv_sec - start.tv_sec) * 1000 +
                         (now.tv_nsec - start.tv_nsec) / 1000000;
                if (waited >= LINGER_MS || poll(&p, 1, (int)(LINGER_MS - waited)) <= 0)
                        break;
                if (read(fd, junk, sizeof(junk)) <= 0)
                        break;
        }
        close(fd);
}

static void answer_datagram(int fd)
{
        static char in[65536];
        struct sockaddr_storage from;
        socklen_t len = sizeof(from);
        size_t out = report.len < DGRAM_MAX ? report.len : DGRAM_MAX;

        if (recvfrom(fd, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from, &len) < 0)
                return;
        if (sendto(fd, report.buf, out, MSG_DONTWAIT, (struct sockaddr *)&from, len) < 0 &&
            errno == EMSGSIZE)
                sendto(fd, report.buf, out < 8192 ? out : 8192, MSG_DONTWAIT,
                       (struct sockaddr *)&from, len);
}

static long listen_fds_count(void)
{
        const char *pid = getenv("LISTEN_PID");
        long n, p;

        if (!parse_long(getenv("LISTEN_FDS"), &n) || n < 0)
                return -1;
        if (pid && (!parse_long(pid, &p) || p != (long)getpid()))
                fprintf(stderr, "probe: LISTEN_PID=%s is not our pid %d; serving anyway\n", pid,
                        (int)getpid());
        return n;
}

/* Sorts fds into the poll set: listening stream sockets (accept) and
 * datagram sockets (recvfrom). A connected stream socket (Accept=yes) gets
 * the report at once. Returns the number of connections answered. */
static long collect(int first, long n, struct pollfd *pfds, int *npfds)
{
        long answered = 0;

        for (int fd = first; fd < first + n && *npfds < MAX_SERVED; fd++) {
                int type = sockopt_int(fd, SO_TYPE, -1);
                if (type == SOCK_DGRAM) {
                        pfds[(*npfds)++] = (struct pollfd){.fd = fd, .events = POLLIN};
                } else if (type >= 0 && sockopt_int(fd, SO_ACCEPTCONN, 0)) {
                        pfds[(*npfds)++] = (struct pollfd){.fd = fd, .events = POLLIN};
                } else if (type >= 0) {
                        answer_connection(fd);
                        answered++;
                } else {
                        fprintf(stderr, "probe: fd %d is not a socket; ignored\n", fd);
                }
        }
        return answered;
}

static int serve_loop(struct pollfd *pfds, int npfds, long done, long count)
{
        sigset_t block, orig;
        struct sigaction sa = {.sa_handler = on_stop};

        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigprocmask(SIG_BLOCK, &block, &orig);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        while (count < 0 || done < count) {
                if (ppoll(pfds, (nfds_t)npfds, NULL, &orig) < 0) {
                        if (stop_requested)
                                return 0;
                        if (errno == EINTR)
                                continue;
                        perror("probe: poll");
                        return 1;
                }
                for (int i = 0; i < npfds && (count < 0 || done < count); i++) {
                        if (!(pfds[i].revents & POLLIN))
                                continue;
                        if (sockopt_int(pfds[i].fd, SO_TYPE, -1) == SOCK_DGRAM) {
                                answer_datagram(pfds[i].fd);
                                done++;
                                continue;
                        }
                        int c = accept4(pfds[i].fd, NULL, NULL, SOCK_CLOEXEC);
                        if (c >= 0) {
                                answer_connection(c);
                                done++;
                        }
                }
        }
        return 0;
}

static int serve(int argc, char **argv)
{
        struct pollfd pfds[MAX_SERVED];
        int npfds = 0, first = 3;
        long count = -1, n, done;

        if (argc == 4 && strcmp(argv[2], "--count") == 0) {
                if (!parse_long(argv[3], &count) || count < 1) {
                        fprintf(stderr, "probe: --count wants a positive number\n");
                        return 2;
                }
        } else if (argc != 2) {
                fprintf(stderr, "usage: probe serve [--count N]\n");
                return 2;
        }
        signal(SIGPIPE, SIG_IGN);
        build_report();
        n = listen_fds_count();
        if (n < 0 && sockopt_int(0, SO_TYPE, -1) >= 0) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof(ss);
                if (getpeername(0, (struct sockaddr *)&ss, &len) == 0) {
                        /* inetd style: the reply goes to stdout. */
                        if (sockopt_int(1, SO_TYPE, -1) < 0)
                                return write_all(1, report.buf, report.len) < 0;
                        answer_connection(1);
                        return 0;
                }
                first = 0;
                n = 1;
        }
        done = collect(first, n < 0 ? 0 : n, pfds, &npfds);
        if (npfds == 0 || (count > 0 && done >= count)) {
                if (done == 0)
                        fprintf(stderr, "probe: no socket to serve\n");
                return done == 0;
        }
        return serve_loop(pfds, npfds, done, count);
}

/* ---- the small modes ------------------------------------------------------------ */

static void exit_on_signal(int sig)
{
        _exit(128 + sig);
}

/* Waits to be killed by a signal. As pid 1 of a pid namespace the default
 * actions never kill, so there the signal becomes exit status 128+N. */
__attribute__((noreturn)) static void wait_for_signal(bool ignore_term)
{
        if (getpid() == 1) {
                signal(SIGTERM, exit_on_signal);
                signal(SIGINT, exit_on_signal);
                signal(SIGHUP, exit_on_signal);
        }
        if (ignore_term)
                signal(SIGTERM, SIG_IGN);
        write_all(1, "ready\n", 6);
        for (;;)
                pause();
}

static int usage(void)
{
        fprintf(stderr, "usage: probe [report]\n"
                        "       probe serve [--count N]\n"
                        "       probe exit N\n"
                        "       probe sleep\n"
                        "       probe ignore-term\n");
        return 2;
}

int main(int argc, char **argv)
{
        const char *mode = argc > 1 ? argv[1] : "report";
        long status;

        if (strcmp(mode, "report") == 0 && argc <= 2) {
                build_report();
                return write_all(1, report.buf, report.len) < 0;
        }
        if (strcmp(mode, "serve") == 0)
                return serve(argc, argv);
        if (strcmp(mode, "exit") == 0 && argc == 3 && parse_long(argv[2], &status))
                return (int)status;
        if (strcmp(mode, "sleep") == 0 && argc == 2)
                wait_for_signal(false);
        if (strcmp(mode, "ignore-term") == 0 && argc == 2)
                wait_for_signal(true);
        return usage();
}
