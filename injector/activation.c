/* SPDX-License-Identifier: MIT */
#include "injector/activation.h"

#include <arpa/inet.h>
#include <linux/close_range.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "common/util.h"

#define PID_DIGITS 20

const char *act_step_name(enum act_step step)
{
        static const char *const names[_ACT_STEP_MAX] = {
                [ACT_STEP_MOVE_FDS] = "move the socket fds",
                [ACT_STEP_DUP_FDS] = "place the socket fds at 3, 4, ...",
                [ACT_STEP_STDIO] = "set up stdin/stdout",
                [ACT_STEP_CLOSE_FDS] = "close the other fds",
        };
        return step < _ACT_STEP_MAX && names[step] ? names[step] : "set up activation";
}

struct env {
        char **v;
        size_t n;
};

/* Set NAME=value, replacing an earlier NAME. */
_printf_(2, 3) static int env_set(struct env *e, const char *fmt, ...)
{
        char *entry = NULL, **nv;
        size_t len;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&entry, fmt, ap) < 0)
                entry = NULL;
        va_end(ap);
        if (!entry)
                return -ENOMEM;
        len = strcspn(entry, "=") + 1;
        for (size_t i = 0; i < e->n; i++)
                if (strncmp(e->v[i], entry, len) == 0) {
                        free(e->v[i]);
                        e->v[i] = entry;
                        return (int)i;
                }
        nv = reallocarray(e->v, e->n + 2, sizeof(char *));
        if (!nv) {
                free(entry);
                return -ENOMEM;
        }
        e->v = nv;
        e->v[e->n] = entry;
        e->v[++e->n] = NULL;
        return (int)(e->n - 1);
}

static int env_fdnames(struct env *e, const struct sock_set *set)
{
        size_t len = sizeof("LISTEN_FDNAMES=");
        _cleanup_free_ char *names = NULL;
        char *p;

        for (size_t i = 0; i < set->n; i++)
                len += strlen(set->fds[i].unit->fdname ?: set->fds[i].unit->name) + 1;
        names = malloc(len);
        if (!names)
                return -ENOMEM;
        p = names;
        for (size_t i = 0; i < set->n; i++) {
                const struct spec_socket *u = set->fds[i].unit;

                p = stpcpy(p, u->fdname ?: u->name);
                if (i + 1 < set->n)
                        *p++ = ':';
        }
        *p = '\0';
        return env_set(e, "LISTEN_FDNAMES=%s", names);
}

/* The socket event's variables (upstart's socket-event(7)) for the first socket. */
static int env_upstart(struct env *e, const struct sock_set *set)
{
        const struct addr *a = &set->fds[0].listen->addr;
        char buf[ADDR_FORMAT_MAX];
        int r = env_set(e, "UPSTART_FDS=3");

        if (r >= 0)
                r = env_set(e, "UPSTART_EVENTS=socket");
        if (r < 0)
                return r;
        /* The event describes IP and unix sockets only: a FIFO, queue or netlink socket has
         * no PROTO, PORT or SOCKET_PATH to give. */
        if (addr_family(a) != AF_UNIX && addr_family(a) != AF_INET && addr_family(a) != AF_INET6)
                return 0;
        if (addr_family(a) == AF_UNIX) {
                r = addr_format(&a->u.sa, a->size, buf, sizeof(buf));
                if (r >= 0)
                        r = env_set(e, "PROTO=unix");
                return r < 0 ? r : env_set(e, "SOCKET_PATH=%s", buf);
        }
        if (addr_family(a) == AF_INET)
                inet_ntop(AF_INET, &a->u.in.sin_addr, buf, sizeof(buf));
        else
                inet_ntop(AF_INET6, &a->u.in6.sin6_addr, buf, sizeof(buf));
        r = env_set(e, "PROTO=%s", addr_family(a) == AF_INET ? "inet" : "inet6");
        if (r >= 0)
                r = env_set(e, "PORT=%u", ntohs(a->u.in.sin_port));
        return r < 0 ? r : env_set(e, "ADDR=%s", buf);
}

static int env_protocol(struct env *e, const struct spec *s, const struct sock_set *set,
                        struct act_plan *p)
{
        int r;

        if (s->service.standard_input == SPEC_STDIO_SOCKET || set->n == 0)
                return 0;
        r = env_set(e, "LISTEN_FDS=%zu", set->n);
        if (r >= 0)
                r = env_fdnames(e, set);
        if (r >= 0 && s->service.upstart_events)
                r = env_upstart(e, set);
        if (r < 0)
                return r;
        /* Last, so no later env_set() can move the slot: the child fills it in. */
        r = env_set(e, "LISTEN_PID=%0*d", PID_DIGITS, 0);
        if (r < 0)
                return r;
        p->pid_slot = e->v[r] + strlen("LISTEN_PID=");
        return 0;
}

/* policy.pass_environment: from sockjail's own environment, where set there. */
static int env_pass(struct env *e, char *const *names)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && names && names[i]; i++) {
                const char *value = getenv(names[i]);

                if (value)
                        r = env_set(e, "%s=%s", names[i], value);
        }
        return r;
}

/* policy.unset_environment, last of all as in systemd: NAME removes the
 * variable, NAME=value only that very assignment. */
static void env_unset(struct env *e, char *const *unset, struct act_plan *p)
{
        for (size_t i = 0; unset && unset[i]; i++) {
                size_t len = strlen(unset[i]);
                bool exact = strchr(unset[i], '=') != NULL;

                for (size_t j = 0; j < e->n;) {
                        char *v = e->v[j];

                        if (exact ? !streq(v, unset[i])
                                  : strncmp(v, unset[i], len) != 0 || v[len] != '=') {
                                j++;
                                continue;
                        }
                        if (startswith(v, "LISTEN_PID="))
                                p->pid_slot = NULL;
                        free(v);
                        memmove(e->v + j, e->v + j + 1, (e->n - j) * sizeof(char *));
                        e->n--;
                }
        }
}

/* systemd's order: passed variables, Environment= (service's, then policy's),
 * EnvironmentFile=, the protocol's own; then the unsetting. */
static int build_env(const struct spec *s, const struct sock_set *set, struct act_plan *p)
{
        char *const *lists[] = {s->service.environment, s->policy.environment,
                                s->policy.file_environment};
        struct env e = {0};
        int r = env_set(&e, "PATH=%s", SPEC_DEFAULT_PATH);

        if (r >= 0)
                r = env_pass(&e, s->policy.pass_environment);
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (size_t i = 0; r >= 0 && lists[l] && lists[l][i]; i++)
                        r = env_set(&e, "%s", lists[l][i]);
        if (r >= 0)
                r = env_protocol(&e, s, set, p);
        if (r >= 0)
                env_unset(&e, s->policy.unset_environment, p);
        p->envp = e.v;
        return r < 0 ? r : 0;
}

int act_plan_build(const struct spec *s, const struct sock_set *set, struct act_plan *ret)
{
        struct act_plan p = {.stdin_fd = -1};
        int r;

        p.stdin_null = s->service.standard_input == SPEC_STDIO_NULL;
        p.stdout_null = s->service.standard_output == SPEC_STDIO_NULL;
        if (s->service.standard_input == SPEC_STDIO_SOCKET) {
                p.stdin_fd = set->fds[0].fd;
                /* systemd: stdout follows a socket stdin unless told otherwise */
                p.stdout_socket = s->service.standard_output == SPEC_STDIO_INHERIT ||
                                  s->service.standard_output == SPEC_STDIO_SOCKET;
        } else if (set->n > 0) {
                p.fds = calloc(set->n, sizeof(int));
                if (!p.fds)
                        return -ENOMEM;
                for (size_t i = 0; i < set->n; i++)
                        p.fds[i] = set->fds[i].fd;
                p.n_fds = set->n;
        }
        r = build_env(s, set, &p);
        if (r < 0) {
                act_plan_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

int act_plan_build_instance(const struct spec *s, struct act_plan *ret)
{
        static const struct spec_socket connection = {.name = (char *)"connection"};
        struct sock_fd one = {.fd = -1, .unit = &connection};
        struct sock_set set = {.fds = &one, .n = 1};

        return act_plan_build(s, &set, ret);
}

void act_plan_set_connection(struct act_plan *p, int fd)
{
        if (p->n_fds == 1)
                p->fds[0] = fd;
        else
                p->stdin_fd = fd;
}

void act_plan_done(struct act_plan *p)
{
        for (size_t i = 0; p->envp && p->envp[i]; i++)
                free(p->envp[i]);
        free(p->envp);
        free(p->fds);
        *p = (struct act_plan){.stdin_fd = -1};
}

static size_t env_count(char **envp)
{
        size_t n = 0;

        while (envp && envp[n])
                n++;
        return n;
}

int act_plan_putenv(struct act_plan *p, const char *entry)
{
        struct env e = {.v = p->envp, .n = env_count(p->envp)};
        int r = env_set(&e, "%s", entry);

        p->envp = e.v;
        return r < 0 ? r : 0;
}

int act_plan_set_pid_var(struct act_plan *p, const char *name)
{
        struct env e = {.v = p->envp, .n = env_count(p->envp)};
        int r = env_set(&e, "%s=%0*d", name, PID_DIGITS, 0);

        p->envp = e.v;
        if (r < 0)
                return r;
        p->pid_var_slot = e.v[r] + strlen(name) + 1;
        return 0;
}

static const char *plan_getenv(const struct act_plan *p, const char *name)
{
        size_t len = strlen(name);

        for (size_t i = 0; p->envp && p->envp[i]; i++)
                if (strncmp(p->envp[i], name, len) == 0 && p->envp[i][len] == '=')
                        return p->envp[i] + len + 1;
        return NULL;
}

/* "LISTEN_FDNAMES=" the names so far, then names, ':'-joined. */
static char *joined_names(const struct act_plan *p, char *const *names, size_t n)
{
        const char *old = plan_getenv(p, "LISTEN_FDNAMES");
        size_t len = sizeof("LISTEN_FDNAMES=") + (old ? strlen(old) + 1 : 0);
        char *s, *q;

        for (size_t i = 0; i < n; i++)
                len += strlen(names[i]) + 1;
        s = malloc(len);
        if (!s)
                return NULL;
        q = stpcpy(stpcpy(s, "LISTEN_FDNAMES="), old ?: "");
        for (size_t i = 0; i < n; i++) {
                if (q[-1] != '=')
                        *q++ = ':';
                q = stpcpy(q, names[i]);
        }
        return s;
}

int act_plan_add_fds(struct act_plan *p, const int *fds, char *const *names, size_t n)
{
        _cleanup_free_ char *fdnames = NULL, *count = NULL;
        int *nv;
        int r;

        if (n == 0)
                return 0;
        nv = reallocarray(p->fds, p->n_fds + n, sizeof(int));
        if (!nv)
                return -ENOMEM;
        p->fds = nv;
        fdnames = joined_names(p, names, n);
        if (!fdnames || asprintf(&count, "LISTEN_FDS=%zu", p->n_fds + n) < 0)
                return -ENOMEM;
        memcpy(p->fds + p->n_fds, fds, n * sizeof(int));
        p->n_fds += n;
        r = act_plan_putenv(p, count);
        if (r >= 0)
                r = act_plan_putenv(p, fdnames);
        if (r >= 0 && !p->pid_slot) {
                struct env e = {.v = p->envp, .n = env_count(p->envp)};

                r = env_set(&e, "LISTEN_PID=%0*d", PID_DIGITS, 0);
                p->envp = e.v;
                if (r >= 0)
                        p->pid_slot = e.v[r] + strlen("LISTEN_PID=");
        }
        return r < 0 ? r : 0;
}

static void write_pid(char *slot, pid_t pid)
{
        char digits[PID_DIGITS];
        int n = 0;

        do {
                digits[n++] = (char)('0' + pid % 10);
                pid /= 10;
        } while (pid > 0 && n < PID_DIGITS);
        while (n > 0)
                *slot++ = digits[--n];
        *slot = '\0';
}

static int dup_stdio(struct act_plan *p)
{
        int null_fd = -1, r = 0;

        if (p->stdin_null || p->stdout_null) {
                null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null_fd < 0)
                        return negative_errno();
        }
        if (p->stdin_fd >= 0 && dup2(p->stdin_fd, STDIN_FILENO) < 0)
                r = negative_errno();
        else if (p->stdin_fd < 0 && p->stdin_null && dup2(null_fd, STDIN_FILENO) < 0)
                r = negative_errno();
        else if (p->stdout_socket && dup2(STDIN_FILENO, STDOUT_FILENO) < 0)
                r = negative_errno();
        else if (p->stdout_null && dup2(null_fd, STDOUT_FILENO) < 0)
                r = negative_errno();
        safe_close(null_fd);
        return r;
}

int act_apply(struct act_plan *p, int *keep, size_t n_keep, enum act_step *ret_step)
{
        int top = 3 + (int)p->n_fds;
        int r;

        *ret_step = ACT_STEP_MOVE_FDS;
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] >= 0 && keep[i] < top &&
                    (keep[i] = fcntl(keep[i], F_DUPFD_CLOEXEC, top)) < 0)
                        return negative_errno();
        for (size_t i = 0; i < p->n_fds; i++)
                if ((p->fds[i] = fcntl(p->fds[i], F_DUPFD_CLOEXEC, top)) < 0)
                        return negative_errno();
        *ret_step = ACT_STEP_DUP_FDS;
        for (size_t i = 0; i < p->n_fds; i++) /* dup2() clears CLOEXEC on the copy */
                if (dup2(p->fds[i], 3 + (int)i) < 0)
                        return negative_errno();
        *ret_step = ACT_STEP_STDIO;
        r = dup_stdio(p);
        if (r < 0)
                return r;
        /* Everything else goes at execve, even fds someone opened without CLOEXEC. */
        *ret_step = ACT_STEP_CLOSE_FDS;
        if (syscall(SYS_close_range, (unsigned)top, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return negative_errno();
        if (p->pid_slot)
                write_pid(p->pid_slot, getpid());
        if (p->pid_var_slot)
                write_pid(p->pid_var_slot, getpid());
        *ret_step = ACT_STEP_NONE;
        return 0;
}
