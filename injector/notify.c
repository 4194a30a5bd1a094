/* SPDX-License-Identifier: MIT */
#include "injector/notify.h"

#include <dirent.h>
#include <inttypes.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "common/util.h"
#include "injector/activation.h"
#include "injector/sockets.h"
#include "injector/spec.h"

/* Inner epoll tags: the socket, the watchdog timer, then the stored fds by id. */
enum { TAG_SOCKET, TAG_TIMER, TAG_STORED };

/* How far the sandbox's process tree is searched (MAINPID=, notify_access all). */
#define MAX_SANDBOX_PIDS 4096
#define MAX_TREE_DEPTH 64

struct stored {
        int fd;
        char *name;
        uint64_t id; /* inner epoll tag - TAG_STORED */
        bool polled;
};

struct ntf {
        void (*log)(enum sup_level level, const char *fmt, ...)
                __attribute__((format(printf, 2, 3)));
        enum spec_type type;
        enum spec_notify_access access;
        uint64_t watchdog_usec; /* configured; 0: none */
        unsigned fdstore_max;
        int epfd, sock, timer;
        char *dir, *path; /* runtime directory and socket; NULL until made */
        int ready_fd;
        bool inetd;                 /* standard_input: socket: the socket is fd 0 */
        const struct sock_set *set; /* for the ready lines */
        struct stored *store;
        size_t n_store;
        uint64_t next_id;
        /* per instance */
        pid_t init_pid, main_pid; /* as sockjail sees them */
        uint64_t wd_usec;         /* in effect (WATCHDOG_USEC= may change it) */
        bool running, ready, ready_written, wd_fired;
        uint64_t extend_usec;
};

/* ---- names ---- */

static const char *const type_names[_SPEC_TYPE_MAX] = {
        [SPEC_TYPE_SIMPLE] = "simple",   [SPEC_TYPE_EXEC] = "exec",
        [SPEC_TYPE_NOTIFY] = "notify",   [SPEC_TYPE_FORKING] = "forking",
        [SPEC_TYPE_ONESHOT] = "oneshot",
};

static const char *const access_names[_SPEC_NOTIFY_ACCESS_MAX] = {
        [SPEC_NOTIFY_ACCESS_UNSET] = "unset", [SPEC_NOTIFY_ACCESS_NONE] = "none",
        [SPEC_NOTIFY_ACCESS_MAIN] = "main",   [SPEC_NOTIFY_ACCESS_EXEC] = "exec",
        [SPEC_NOTIFY_ACCESS_ALL] = "all",
};

const char *ntf_type_name(enum spec_type t)
{
        return (unsigned)t < _SPEC_TYPE_MAX ? type_names[t] : NULL;
}

const char *ntf_access_name(enum spec_notify_access a)
{
        return (unsigned)a < _SPEC_NOTIFY_ACCESS_MAX ? access_names[a] : NULL;
}

int ntf_type_from_name(const char *s)
{
        for (size_t i = 0; i < _SPEC_TYPE_MAX; i++)
                if (streq(s, type_names[i]))
                        return (int)i;
        return -EINVAL;
}

int ntf_access_from_name(const char *s)
{
        for (size_t i = SPEC_NOTIFY_ACCESS_NONE; i < _SPEC_NOTIFY_ACCESS_MAX; i++)
                if (streq(s, access_names[i]))
                        return (int)i;
        return -EINVAL;
}

enum spec_notify_access ntf_access_effective(enum spec_notify_access a, enum spec_type t,
                                             uint64_t watchdog_usec, unsigned fdstore_max)
{
        if (a != SPEC_NOTIFY_ACCESS_UNSET)
                return a;
        return t == SPEC_TYPE_NOTIFY || watchdog_usec > 0 || fdstore_max > 0
                       ? SPEC_NOTIFY_ACCESS_MAIN
                       : SPEC_NOTIFY_ACCESS_NONE;
}

/* ---- messages ---- */

bool ntf_fdname_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > 255)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < ' ' || s[i] > '~' || s[i] == ':')
                        return false;
        return true;
}

static bool parse_u64(const char *s, uint64_t *ret)
{
        char *end;

        if (*s < '0' || *s > '9')
                return false;
        errno = 0;
        *ret = strtoull(s, &end, 10);
        return errno == 0 && *end == '\0';
}

static bool parse_flag(const char *v, bool *field)
{
        if (!streq(v, "1"))
                return false;
        *field = true;
        return true;
}

/* One "NAME=value"; false when the value is bad. */
static bool parse_assignment(const char *name, const char *v, struct ntf_msg *m)
{
        uint64_t u;

        if (streq(name, "READY"))
                return parse_flag(v, &m->ready);
        if (streq(name, "RELOADING"))
                return parse_flag(v, &m->reloading);
        if (streq(name, "STOPPING"))
                return parse_flag(v, &m->stopping);
        if (streq(name, "BARRIER"))
                return parse_flag(v, &m->barrier);
        if (streq(name, "FDSTORE"))
                return parse_flag(v, &m->fdstore);
        if (streq(name, "FDSTOREREMOVE"))
                return parse_flag(v, &m->fdstore_remove);
        if (streq(name, "WATCHDOG"))
                return streq(v, "trigger") ? (m->watchdog_trigger = true)
                                           : parse_flag(v, &m->watchdog);
        if (streq(name, "STATUS"))
                return (m->status = v), true;
        if (streq(name, "FDNAME"))
                return ntf_fdname_valid(v) && (m->fdname = v);
        if (streq(name, "FDPOLL"))
                return (streq(v, "0") || streq(v, "1")) && ((m->fdpoll = v[0] - '0'), true);
        if (streq(name, "MAINPID"))
                return parse_u64(v, &u) && u > 0 && u <= INT32_MAX && (m->mainpid = (pid_t)u);
        if (streq(name, "EXTEND_TIMEOUT_USEC"))
                return parse_u64(v, &m->extend_usec);
        if (streq(name, "WATCHDOG_USEC"))
                return parse_u64(v, &u) && u > 0 && u != UINT64_MAX && (m->watchdog_usec = u);
        if (streq(name, "ERRNO"))
                return parse_u64(v, &u) && u <= INT32_MAX && ((m->errno_value = (int)u), true);
        return true; /* unknown names are for others (systemd ignores them too) */
}

int ntf_msg_parse(char *buf, size_t len, struct ntf_msg *ret)
{
        struct ntf_msg m = {.fdpoll = -1,
                            .extend_usec = UINT64_MAX,
                            .watchdog_usec = UINT64_MAX,
                            .errno_value = -1};
        char *line = buf, *end = buf + len;

        if (len == 0 || memchr(buf, '\0', len))
                return -EBADMSG;
        while (line < end) {
                char *nl = memchr(line, '\n', (size_t)(end - line)), *eq;

                if (nl)
                        *nl = '\0';
                else
                        line[end - line] = '\0'; /* the caller leaves room for it */
                eq = strchr(line, '=');
                if (eq) {
                        *eq = '\0';
                        if (!parse_assignment(line, eq + 1, &m) && !m.invalid) {
                                *eq = '=';
                                m.invalid = line;
                        }
                }
                line = nl ? nl + 1 : end;
        }
        *ret = m;
        return 0;
}

/* ---- set-up ---- */

int ntf_new(const struct spec *s, void (*log)(enum sup_level level, const char *fmt, ...),
            struct ntf **ret)
{
        const struct spec_service *svc = &s->service;
        struct ntf *n = calloc(1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        n->log = log;
        n->type = svc->type;
        n->inetd = svc->standard_input == SPEC_STDIO_SOCKET;
        n->watchdog_usec = svc->watchdog_usec == UINT64_MAX ? 0 : svc->watchdog_usec;
        n->fdstore_max = svc->file_descriptor_store_max;
        n->access =
                ntf_access_effective(svc->notify_access, n->type, n->watchdog_usec, n->fdstore_max);
        n->epfd = n->sock = n->timer = n->ready_fd = -1;
        *ret = n;
        return 0;
}

static void store_drop(struct ntf *n, size_t i)
{
        safe_close(n->store[i].fd);
        free(n->store[i].name);
        memmove(n->store + i, n->store + i + 1, (n->n_store - i - 1) * sizeof(*n->store));
        n->n_store--;
}

void ntf_free(struct ntf *n)
{
        if (!n)
                return;
        while (n->n_store > 0)
                store_drop(n, n->n_store - 1);
        free(n->store);
        safe_close(n->sock);
        safe_close(n->timer);
        safe_close(n->epfd);
        if (n->path)
                (void)unlink(n->path);
        if (n->dir)
                (void)rmdir(n->dir);
        free(n->path);
        free(n->dir);
        free(n);
}

void ntf_set_ready_fd(struct ntf *n, int fd)
{
        n->ready_fd = fd;
}

int ntf_fd(const struct ntf *n)
{
        return n ? n->epfd : -1;
}

size_t ntf_private_fds(const struct ntf *n, int *fds, size_t max)
{
        const int mine[] = {n ? n->epfd : -1, n ? n->sock : -1, n ? n->timer : -1};
        size_t k = 0;

        for (size_t i = 0; i < ELEMENTSOF(mine) && k < max; i++)
                if (mine[i] >= 0)
                        fds[k++] = mine[i];
        return k;
}

static int mkdir_ok(const char *path, mode_t mode)
{
        return mkdir(path, mode) < 0 && errno != EEXIST ? negative_errno() : 0;
}

/*
 * The runtime directory, one per sockjail process: /run/sockjail/PID as root;
 * $XDG_RUNTIME_DIR/sockjail/PID for others, unless protect_home hides
 * /run/user from the sandbox (the bind's mount point could not be made
 * there); then a fresh directory under /tmp.
 */
static int make_runtime_dir(struct ntf *n, const struct spec *s)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        _cleanup_free_ char *base = NULL;
        int r;

        if (geteuid() == 0)
                base = strdup("/run/sockjail");
        else if (xdg && xdg[0] == '/' && access(xdg, W_OK) == 0 &&
                 (s->ns.protect_home == NS_PROTECT_HOME_NO ||
                  s->ns.protect_home == NS_PROTECT_HOME_READ_ONLY) &&
                 asprintf(&base, "%s/sockjail", xdg) < 0)
                base = NULL;
        if (!base) {
                n->dir = strdup("/tmp/sockjail-notify.XXXXXX");
                if (!n->dir)
                        return -ENOMEM;
                return mkdtemp(n->dir) ? 0 : negative_errno();
        }
        r = mkdir_ok(base, geteuid() == 0 ? 0755 : 0700);
        if (r < 0)
                return r;
        if (asprintf(&n->dir, "%s/%d", base, (int)getpid()) < 0) {
                n->dir = NULL;
                return -ENOMEM;
        }
        return mkdir_ok(n->dir, 0755);
}

static int make_socket(struct ntf *n)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int one = 1;

        if (asprintf(&n->path, "%s/%s", n->dir, NTF_SOCKET_NAME) < 0) {
                n->path = NULL;
                return -ENOMEM;
        }
        if (strlen(n->path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, n->path, strlen(n->path) + 1);
        (void)unlink(n->path); /* a stale one, left by a killed sockjail of the same pid */
        n->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (n->sock < 0)
                return negative_errno();
        if (bind(n->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            setsockopt(n->sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
            chmod(n->path, 0666) < 0) /* any user the service runs as may send */
                return negative_errno();
        return 0;
}

/* The same path inside: bind the directory onto itself, read-write. */
static int add_bind(struct ntf *n, struct spec *s)
{
        struct ns_bind *nv;
        char *src, *dst;

        if (!ns_wants_mount_ns(&s->ns))
                return 0; /* no mount namespace: the host's path is the sandbox's */
        nv = reallocarray(s->ns.binds, s->ns.n_binds + 1, sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        s->ns.binds = nv;
        src = strdup(n->dir);
        dst = strdup(n->dir);
        if (!src || !dst) {
                free(src);
                free(dst);
                return -ENOMEM;
        }
        nv[s->ns.n_binds++] = (struct ns_bind){.source = src, .destination = dst};
        return 0;
}

static int epoll_watch(int epfd, int fd, uint32_t events, uint64_t tag)
{
        struct epoll_event ev = {.events = events, .data.u64 = tag};

        return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? negative_errno() : 0;
}

static int open_loop(struct ntf *n)
{
        n->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (n->epfd < 0)
                return negative_errno();
        n->timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (n->timer < 0)
                return negative_errno();
        return epoll_watch(n->epfd, n->timer, EPOLLIN, TAG_TIMER);
}

int ntf_open(struct ntf *n, struct spec *s, const char **ret_what)
{
        int r;

        *ret_what = "notify: event loop";
        r = open_loop(n);
        if (r < 0 || n->access == SPEC_NOTIFY_ACCESS_NONE)
                return r;
        *ret_what = "notify: runtime directory";
        r = make_runtime_dir(n, s);
        if (r < 0)
                return r;
        *ret_what = n->path ? n->path : "notify: socket";
        r = make_socket(n);
        if (r >= 0)
                r = epoll_watch(n->epfd, n->sock, EPOLLIN, TAG_SOCKET);
        if (r >= 0) {
                *ret_what = "notify: bind into the sandbox";
                r = add_bind(n, s);
        }
        return r;
}

/* ---- the ready fd ---- */

struct buf {
        char *p;
        size_t len, cap;
        bool oom;
};

_printf_(2, 3) static void buf_add(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        int k;

        if (b->oom)
                return;
        for (;;) {
                size_t room = b->cap - b->len;

                va_start(ap, fmt);
                k = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
                va_end(ap);
                if (k < 0 || (size_t)k < room) {
                        b->len += k < 0 ? 0 : (size_t)k;
                        return;
                }
                char *np = realloc(b->p, b->cap + (size_t)k + 256);
                if (!np) {
                        b->oom = true;
                        return;
                }
                b->p = np;
                b->cap += (size_t)k + 256;
        }
}

static void buf_json_string(struct buf *b, const char *s)
{
        buf_add(b, "\"");
        for (; *s; s++) {
                unsigned char ch = (unsigned char)*s;

                if (ch == '"' || ch == '\\')
                        buf_add(b, "\\%c", ch);
                else if (ch < 0x20 || ch == 0x7f)
                        buf_add(b, "\\u%04x", ch);
                else
                        buf_add(b, "%c", ch);
        }
        buf_add(b, "\"");
}

/* The address the kernel bound (port 0 resolved); the spec's text for the
 * kinds that are no sockets. */
static void fd_address(const struct sock_fd *f, char *buf, size_t size)
{
        union addr_sockaddr sa;
        socklen_t len = sizeof(sa);

        if (spec_listen_is_socket(f->listen) && f->listen->type != SPEC_LISTEN_NETLINK &&
            getsockname(f->fd, &sa.sa, &len) == 0 && addr_format(&sa.sa, len, buf, size) == 0)
                return;
        snprintf(buf, size, "%s", f->listen->text ? f->listen->text : "");
}

static void buf_sockets(struct buf *b, const struct sock_set *set, bool inetd)
{
        char addr[ADDR_FORMAT_MAX];

        buf_add(b, "\"sockets\":[");
        for (size_t i = 0; set && i < set->n; i++) {
                const struct sock_fd *f = &set->fds[i];

                fd_address(f, addr, sizeof(addr));
                buf_add(b, "%s{\"name\":", i ? "," : "");
                buf_json_string(b, f->unit->fdname ?: f->unit->name);
                buf_add(b, ",\"fd\":%zu,\"address\":", inetd ? 0 : 3 + i);
                buf_json_string(b, addr);
                buf_add(b, "}");
        }
        buf_add(b, "]");
}

static void write_line(struct ntf *n, struct buf *b)
{
        buf_add(b, "}\n");
        if (!b->oom && write_all(n->ready_fd, b->p, b->len) < 0) {
                n->log(SUP_ERROR, "ready fd %d: %s", n->ready_fd, strerror(errno));
                n->ready_fd = -1;
        }
        free(b->p);
}

int ntf_listening(struct ntf *n, const struct sock_set *set)
{
        struct buf b = {0};

        n->set = set;
        if (n->ready_fd < 0)
                return 0;
        buf_add(&b, "{\"event\":\"listening\",\"pid\":%d,", (int)getpid());
        buf_sockets(&b, set, n->inetd);
        write_line(n, &b);
        return 0;
}

/* The service is ready as its type says: once per instance. */
static unsigned became_ready(struct ntf *n)
{
        struct buf b = {0};

        if (n->ready)
                return 0;
        n->ready = true;
        n->log(n->type == SPEC_TYPE_NOTIFY ? SUP_INFO : SUP_DEBUG, "service ready (type %s)",
               ntf_type_name(n->type));
        if (n->ready_fd < 0 || n->ready_written)
                return NTF_EVENT_READY;
        n->ready_written = true;
        buf_add(&b, "{\"event\":\"ready\",\"type\":\"%s\",\"main_pid\":%d,", ntf_type_name(n->type),
                (int)n->main_pid);
        buf_sockets(&b, n->set, n->inetd);
        write_line(n, &b);
        return NTF_EVENT_READY;
}

/* ---- the activation plan ---- */

int ntf_plan(struct ntf *n, struct act_plan *plan)
{
        _cleanup_free_ char **names = NULL;
        _cleanup_free_ int *fds = NULL;
        char entry[PATH_MAX + 32];
        int r = 0;

        if (n->path) {
                snprintf(entry, sizeof(entry), "NOTIFY_SOCKET=%s", n->path);
                r = act_plan_putenv(plan, entry);
        }
        if (r >= 0 && n->watchdog_usec > 0) {
                snprintf(entry, sizeof(entry), "WATCHDOG_USEC=%" PRIu64, n->watchdog_usec);
                r = act_plan_putenv(plan, entry);
                if (r >= 0)
                        r = act_plan_set_pid_var(plan, "WATCHDOG_PID");
        }
        if (r < 0 || n->n_store == 0)
                return r;
        names = calloc(n->n_store, sizeof(char *));
        fds = calloc(n->n_store, sizeof(int));
        if (!names || !fds)
                return -ENOMEM;
        for (size_t i = 0; i < n->n_store; i++) {
                names[i] = n->store[i].name;
                fds[i] = n->store[i].fd;
        }
        n->log(SUP_DEBUG, "passing %zu stored fd(s) back", n->n_store);
        return act_plan_add_fds(plan, fds, names, n->n_store);
}

/* ---- the sandbox's processes ---- */

/* The first and last pid of a "PPid:" or "NSpid:" line of /proc/PID/status. */
static int status_pids(pid_t pid, const char *field, pid_t *first, pid_t *last)
{
        char path[64], line[256];
        size_t flen = strlen(field);
        int r = -ESRCH;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return negative_errno();
        while (r < 0 && fgets(line, sizeof(line), f)) {
                char *p = line + flen, *end;

                if (strncmp(line, field, flen) != 0)
                        continue;
                *first = (pid_t)strtol(p, &end, 10);
                *last = *first;
                while (end != p) {
                        p = end;
                        long v = strtol(p, &end, 10);
                        if (end != p)
                                *last = (pid_t)v;
                }
                r = *first > 0 || streq(field, "PPid:") ? 0 : -ESRCH;
        }
        return r;
}

/* Whether pid is the sandbox's init or below it. */
static bool in_sandbox(const struct ntf *n, pid_t pid)
{
        for (int depth = 0; pid > 1 && depth < MAX_TREE_DEPTH; depth++) {
                pid_t ppid = 0, unused = 0;

                if (pid == n->init_pid)
                        return true;
                if (status_pids(pid, "PPid:", &ppid, &unused) < 0)
                        return false;
                pid = ppid;
        }
        return false;
}

/* Append the children of pid (every thread's) to v. */
static void add_children(pid_t pid, pid_t *v, size_t *n)
{
        char path[64];
        struct dirent *de;

        snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
        DIR *d = opendir(path);
        if (!d)
                return;
        while ((de = readdir(d)) && *n < MAX_SANDBOX_PIDS) {
                char cpath[384];
                long c;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(cpath, sizeof(cpath), "%s/%s/children", path, de->d_name);
                _cleanup_fclose_ FILE *f = fopen(cpath, "re");
                while (f && *n < MAX_SANDBOX_PIDS && fscanf(f, "%ld", &c) == 1)
                        v[(*n)++] = (pid_t)c;
        }
        closedir(d);
}

/* The process below the init whose pid inside the sandbox is inner; -ESRCH. */
static pid_t find_inner(const struct ntf *n, pid_t inner)
{
        _cleanup_free_ pid_t *v = calloc(MAX_SANDBOX_PIDS, sizeof(pid_t));
        size_t k = 0;

        if (!v)
                return -ENOMEM;
        add_children(n->init_pid, v, &k);
        for (size_t i = 0; i < k; i++) {
                pid_t host = 0, in = 0;

                if (status_pids(v[i], "NSpid:", &host, &in) == 0 && in == inner)
                        return v[i];
                add_children(v[i], v, &k);
        }
        return -ESRCH;
}

/* A message can overtake NS_MSG_STARTED: until then the init's child is the main process. */
static void learn_main(struct ntf *n, pid_t pid)
{
        pid_t ppid = 0, unused = 0;

        if (n->main_pid == 0 && n->running && n->init_pid > 0 &&
            status_pids(pid, "PPid:", &ppid, &unused) == 0 && ppid == n->init_pid)
                n->main_pid = pid;
}

static bool sender_allowed(struct ntf *n, pid_t pid)
{
        learn_main(n, pid);
        switch (n->access) {
        case SPEC_NOTIFY_ACCESS_MAIN:
        case SPEC_NOTIFY_ACCESS_EXEC: /* no control processes run inside: the main one */
                return n->main_pid > 0 && pid == n->main_pid;
        case SPEC_NOTIFY_ACCESS_ALL:
                return n->init_pid > 0 && in_sandbox(n, pid);
        default:
                return false;
        }
}

/* ---- the watchdog ---- */

static void timer_arm(struct ntf *n, uint64_t usec)
{
        struct itimerspec its = {.it_value = {.tv_sec = (time_t)(usec / 1000000),
                                              .tv_nsec = (long)(usec % 1000000) * 1000}};

        if (usec > 0 && its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
                its.it_value.tv_nsec = 1;
        (void)timerfd_settime(n->timer, 0, &its, NULL);
}

/* The supervisor sends SIGABRT (systemd's WatchdogSignal=) and stops the service. */
static unsigned watchdog_expired(struct ntf *n)
{
        uint64_t ticks;

        if (read(n->timer, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
                return 0; /* disarmed meanwhile */
        if (!n->running || n->wd_fired)
                return 0;
        n->log(SUP_ERROR, "watchdog timeout (limit %" PRIu64 "ms, watchdog_sec)",
               n->wd_usec / 1000);
        n->wd_fired = true;
        return NTF_EVENT_WATCHDOG;
}

/* ---- the fd store ---- */

static bool same_file(int a, int b)
{
        pid_t self = getpid();

        return syscall(SYS_kcmp, self, self, KCMP_FILE, a, b) == 0;
}

static void store_remove(struct ntf *n, const char *name)
{
        for (size_t i = n->n_store; i > 0; i--)
                if (streq(n->store[i - 1].name, name)) {
                        n->log(SUP_DEBUG, "fd store: removing '%s'", name);
                        store_drop(n, i - 1);
                }
}

/* Keep fd (ours now, closed on failure) under name. */
static void store_add(struct ntf *n, int fd, const char *name, bool poll)
{
        struct stored *nv;
        struct stored e = {.fd = fd, .id = n->next_id++};

        for (size_t i = 0; i < n->n_store; i++)
                if (same_file(n->store[i].fd, fd)) {
                        safe_close(fd); /* stored already: systemd keeps one */
                        return;
                }
        if (n->n_store >= n->fdstore_max) {
                n->log(SUP_INFO, "fd store full (file_descriptor_store_max %u): closing fd '%s'",
                       n->fdstore_max, name);
                safe_close(fd);
                return;
        }
        nv = reallocarray(n->store, n->n_store + 1, sizeof(*nv));
        e.name = strdup(name);
        if (!nv || !e.name) {
                free(e.name);
                safe_close(fd);
                n->store = nv ?: n->store;
                return;
        }
        n->store = nv;
        /* fds epoll cannot watch (regular files, memfds) are simply kept */
        e.polled = poll && epoll_watch(n->epfd, fd, 0, TAG_STORED + e.id) == 0;
        n->store[n->n_store++] = e;
        n->log(SUP_DEBUG, "fd store: keeping '%s' (%zu of %u)", name, n->n_store, n->fdstore_max);
}

static void stored_hangup(struct ntf *n, uint64_t id)
{
        for (size_t i = 0; i < n->n_store; i++)
                if (n->store[i].id == id) {
                        n->log(SUP_DEBUG, "fd store: '%s' hung up, dropping it", n->store[i].name);
                        (void)epoll_ctl(n->epfd, EPOLL_CTL_DEL, n->store[i].fd, NULL);
                        store_drop(n, i);
                        return;
                }
}

/* ---- messages from the sandbox ---- */

static unsigned apply_state(struct ntf *n, const struct ntf_msg *m)
{
        unsigned ev = 0;

        if (m->status)
                n->log(SUP_INFO, "service status: %s", m->status);
        if (m->errno_value >= 0)
                n->log(SUP_INFO, "service error: %s", strerror(m->errno_value));
        if (m->reloading) {
                n->log(SUP_INFO, "service reloading");
                ev |= NTF_EVENT_RELOADING;
        }
        if (m->stopping) {
                n->log(SUP_INFO, "service stopping");
                ev |= NTF_EVENT_STOPPING;
        }
        if (m->ready && n->type == SPEC_TYPE_NOTIFY)
                ev |= became_ready(n);
        if (m->extend_usec != UINT64_MAX) {
                n->extend_usec = m->extend_usec;
                ev |= NTF_EVENT_EXTEND;
        }
        return ev;
}

static unsigned apply_mainpid(struct ntf *n, pid_t inner)
{
        pid_t host = find_inner(n, inner);

        if (host <= 0 || host == n->init_pid) {
                n->log(SUP_INFO, "MAINPID=%d is no process of the sandbox, ignoring it",
                       (int)inner);
                return 0;
        }
        n->log(SUP_DEBUG, "main process now %d (%d in the sandbox)", (int)host, (int)inner);
        n->main_pid = host;
        return NTF_EVENT_MAINPID;
}

static unsigned apply_watchdog(struct ntf *n, const struct ntf_msg *m)
{
        if (m->watchdog_usec != UINT64_MAX) {
                n->wd_usec = m->watchdog_usec;
                n->log(SUP_DEBUG, "watchdog now %" PRIu64 "us", n->wd_usec);
        }
        if (m->watchdog_trigger && n->running) {
                timer_arm(n, 1);
                return 0;
        }
        if ((m->watchdog || m->watchdog_usec != UINT64_MAX) && n->running && n->wd_usec > 0 &&
            !n->wd_fired)
                timer_arm(n, n->wd_usec);
        return 0;
}

/* FDSTORE=1 keeps the fds (FDNAME= or "stored"); otherwise they are closed. */
static void apply_fds(struct ntf *n, const struct ntf_msg *m, int *fds, size_t n_fds)
{
        if (m->fdstore_remove && m->fdname)
                store_remove(n, m->fdname);
        for (size_t i = 0; i < n_fds; i++) {
                if (m->fdstore && n->fdstore_max > 0)
                        store_add(n, fds[i], m->fdname ?: "stored", m->fdpoll != 0);
                else
                        safe_close(fds[i]);
                fds[i] = -1;
        }
        /* BARRIER=1's fd is closed to answer it: nothing to report */
        if (n_fds > 0 && !m->barrier && (!m->fdstore || n->fdstore_max == 0))
                n->log(SUP_INFO, "closed %zu fd(s) sent without FDSTORE=1 or with no fd store",
                       n_fds);
}

static unsigned handle_message(struct ntf *n, char *buf, size_t len, pid_t pid, int *fds,
                               size_t n_fds)
{
        struct ntf_msg m;
        unsigned ev = 0;

        if (!sender_allowed(n, pid)) {
                n->log(SUP_INFO, "refused a notification from pid %d (notify_access %s)", (int)pid,
                       ntf_access_name(n->access));
                n->log(SUP_DEBUG, "the main process is %d, the sandbox's init %d", (int)n->main_pid,
                       (int)n->init_pid);
                return 0;
        }
        if (ntf_msg_parse(buf, len, &m) < 0) {
                n->log(SUP_DEBUG, "ignored an empty notification or one with a NUL byte");
                return 0;
        }
        if (m.invalid)
                n->log(SUP_INFO, "ignored invalid notification '%s'", m.invalid);
        if (m.mainpid > 0)
                ev |= apply_mainpid(n, m.mainpid);
        ev |= apply_state(n, &m);
        ev |= apply_watchdog(n, &m);
        apply_fds(n, &m, fds, n_fds);
        return ev;
}

/* Credentials and fds out of one message's control data. */
static pid_t read_control(struct msghdr *mh, int *fds, size_t *n_fds)
{
        pid_t pid = 0;

        *n_fds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_CREDENTIALS &&
                    c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
                        struct ucred uc;

                        memcpy(&uc, CMSG_DATA(c), sizeof(uc));
                        pid = uc.pid;
                } else if (c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        for (size_t i = 0; i < k && *n_fds < NTF_FDS_PER_MESSAGE; i++)
                                memcpy(&fds[(*n_fds)++], CMSG_DATA(c) + i * sizeof(int),
                                       sizeof(int));
                }
        }
        return pid;
}

static void close_fds(int *fds, size_t n)
{
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
}

/* One datagram; returns -EAGAIN when none is left. */
static int receive_one(struct ntf *n, unsigned *events)
{
        static char buf[NTF_MESSAGE_MAX + 1];
        union {
                struct cmsghdr align;
                char space[CMSG_SPACE(sizeof(struct ucred)) +
                           CMSG_SPACE(sizeof(int) * NTF_FDS_PER_MESSAGE)];
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = NTF_MESSAGE_MAX};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = &control,
                            .msg_controllen = sizeof(control)};
        int fds[NTF_FDS_PER_MESSAGE];
        size_t n_fds;
        ssize_t k = recvmsg(n->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        pid_t pid;

        if (k < 0)
                return errno == EINTR ? 0 : negative_errno();
        pid = read_control(&mh, fds, &n_fds);
        if ((size_t)k > NTF_MESSAGE_MAX || (mh.msg_flags & MSG_CTRUNC) || pid <= 0) {
                n->log(SUP_DEBUG, "ignored a notification: too long, too many fds or no sender");
                close_fds(fds, n_fds);
                return 0;
        }
        *events |= handle_message(n, buf, (size_t)k, pid, fds, n_fds);
        close_fds(fds, n_fds); /* what apply_fds() did not take (it sets -1) */
        return 0;
}

int ntf_dispatch(struct ntf *n, unsigned *ret_events)
{
        struct epoll_event evs[16];
        int k = epoll_wait(n->epfd, evs, ELEMENTSOF(evs), 0);

        *ret_events = 0;
        if (k < 0)
                return errno == EINTR ? 0 : negative_errno();
        for (int i = 0; i < k; i++) {
                uint64_t tag = evs[i].data.u64;

                if (tag == TAG_TIMER) {
                        *ret_events |= watchdog_expired(n);
                } else if (tag == TAG_SOCKET) {
                        /* bounded: a flood must not starve the rest of the loop */
                        for (int j = 0; j < 64 && receive_one(n, ret_events) == 0; j++)
                                ;
                } else if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
                        stored_hangup(n, tag - TAG_STORED);
                }
        }
        return 0;
}

/* ---- the instance's life ---- */

unsigned ntf_sandbox_started(struct ntf *n, pid_t init_pid)
{
        n->init_pid = init_pid;
        n->main_pid = 0;
        n->wd_usec = n->watchdog_usec;
        n->running = true;
        n->ready = n->ready_written = n->wd_fired = false;
        timer_arm(n, 0);
        n->extend_usec = 0;
        return n->type == SPEC_TYPE_SIMPLE ? became_ready(n) : 0;
}

/*
 * The init's NS_MSG_STARTED can arrive after the service's first datagrams: a main process
 * learnt from them (or named by MAINPID=) stays.
 */
unsigned ntf_service_started(struct ntf *n, pid_t inner_pid, pid_t host_pid)
{
        pid_t host = n->main_pid > 0 ? n->main_pid
                     : host_pid > 0  ? host_pid
                                     : find_inner(n, inner_pid);

        n->main_pid = host > 0 ? host : 0;
        if (n->wd_usec > 0)
                timer_arm(n, n->wd_usec);
        return n->type == SPEC_TYPE_EXEC ? became_ready(n) : 0;
}

unsigned ntf_service_forked(struct ntf *n, pid_t inner_pid, pid_t host_pid)
{
        pid_t host = host_pid > 0 ? host_pid : find_inner(n, inner_pid);

        n->main_pid = host > 0 ? host : 0;
        return became_ready(n);
}

unsigned ntf_service_exited(struct ntf *n, int wait_status)
{
        bool ok = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;

        n->running = false;
        timer_arm(n, 0);
        if (ok && n->type == SPEC_TYPE_ONESHOT)
                return became_ready(n);
        return 0;
}

bool ntf_watchdog_fired(const struct ntf *n)
{
        return n && n->wd_fired;
}

uint64_t ntf_extend_usec(const struct ntf *n)
{
        return n ? n->extend_usec : 0;
}

bool ntf_ready(const struct ntf *n)
{
        return n && n->ready;
}

size_t ntf_stored(const struct ntf *n)
{
        return n ? n->n_store : 0;
}
