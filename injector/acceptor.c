/* SPDX-License-Identifier: MIT */
#include "injector/acceptor.h"

#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "common/loop.h"
#include "common/ratelimit.h"
#include "common/util.h"
#include "injector/activation.h"
#include "injector/notify.h"
#include "injector/sandbox.h"
#include "injector/spawner.h"
#include "injector/value.h"
#include "ns/ns.h"

/* Connections taken per wake-up of one socket, so that the others get their turn. */
#define ACC_BATCH 64

enum acc_tag {
        TAG_SIGNAL = 1,
        TAG_CTL,
        TAG_CHAN,
        TAG_CONNS, /* writable again: the pending connection goes */
        TAG_TIMER,
        TAG_SOCKET, /* socket i is TAG_SOCKET + i: keep last */
};

enum acc_state {
        ACC_RUNNING,
        ACC_DRAINING,     /* a trigger limit was hit: no new connections, instances may end */
        ACC_STOP_SIGTERM, /* kill_signal sent: timeout_stop_sec */
        ACC_STOP_SIGKILL, /* final_kill_signal sent: timeout_stop_sec, then the init */
        ACC_DONE,
};

/* A peer for max_connections_per_source: the unit and the IP address. */
struct src_key {
        uint32_t unit;
        uint8_t addr[16]; /* IPv4 as ::ffff:a.b.c.d */
};

struct src_entry {
        struct src_key key;
        unsigned n; /* 0: free */
};

struct src_table {
        struct src_entry *v;
        size_t size; /* a power of two, or 0 */
        size_t n;
};

struct conn {
        uint32_t unit;
        bool live;
        bool has_src;
        struct src_key src;
};

struct unit_state {
        unsigned n_conn;
        struct ratelimit trigger;
};

struct acc {
        const struct sup_params *p;
        const struct spec *s;
        int epfd, sigfd, timerfd, exec_fd;
        enum acc_state state;
        int exit_code;
        int error;
        char *err;
        size_t err_size;
        /* the sandbox with the spawner; pid -1: none yet (made on the first connection) */
        struct sbx sbx;
        int chan;      /* control and the instances' ends */
        int conn_chan; /* the connections, to the waiting instances */
        bool spawner_exit_seen;
        int fail_step, fail_errno;
        struct act_plan plan;
        bool watching;
        /* a connection the full channel did not take yet */
        int pending_fd;
        struct spw_msg pending;
        /* connections: id is the index; free ids are reused */
        struct conn *conns;
        size_t n_conns;
        uint32_t *free_ids;
        size_t n_free;
        size_t live;
        struct unit_state *units;
        struct src_table src;
};

_printf_(3, 4) static void fatal(struct acc *a, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(a->err, a->err_size, fmt, ap);
        va_end(ap);
        a->error = r;
        a->state = ACC_DONE;
}

static void timer_set(struct acc *a, uint64_t usec)
{
        loop_timer(a->timerfd, usec);
}

static void watch_sockets(struct acc *a, bool on)
{
        struct sock_set *set = a->p->sockets;

        if (a->watching == on)
                return;
        for (size_t i = 0; i < set->n; i++) {
                if (on)
                        (void)loop_add(a->epfd, set->fds[i].fd, EPOLLIN, TAG_SOCKET + i);
                else
                        (void)epoll_ctl(a->epfd, EPOLL_CTL_DEL, set->fds[i].fd, NULL);
        }
        a->watching = on;
}

/* ---- max_connections_per_source: counts per (unit, address) ---- */

static size_t src_slot(const struct src_table *t, const struct src_key *k)
{
        uint64_t h = 1469598103934665603ULL;
        const uint8_t *b = (const uint8_t *)k;

        for (size_t i = 0; i < sizeof(*k); i++)
                h = (h ^ b[i]) * 1099511628211ULL;
        return (size_t)h & (t->size - 1);
}

static struct src_entry *src_find(struct src_table *t, const struct src_key *k)
{
        if (t->size == 0)
                return NULL;
        for (size_t i = src_slot(t, k); t->v[i].n > 0; i = (i + 1) & (t->size - 1))
                if (memcmp(&t->v[i].key, k, sizeof(*k)) == 0)
                        return &t->v[i];
        return NULL;
}

static int src_grow(struct src_table *t)
{
        struct src_table n = {.size = t->size ? t->size * 2 : 64};

        n.v = calloc(n.size, sizeof(*n.v));
        if (!n.v)
                return -ENOMEM;
        for (size_t i = 0; i < t->size; i++)
                if (t->v[i].n > 0) {
                        size_t k = src_slot(&n, &t->v[i].key);

                        while (n.v[k].n > 0)
                                k = (k + 1) & (n.size - 1);
                        n.v[k] = t->v[i];
                }
        n.n = t->n;
        free(t->v);
        *t = n;
        return 0;
}

static unsigned src_count(struct src_table *t, const struct src_key *k)
{
        struct src_entry *e = src_find(t, k);

        return e ? e->n : 0;
}

static int src_add(struct src_table *t, const struct src_key *k)
{
        struct src_entry *e = src_find(t, k);
        size_t i;

        if (e) {
                e->n++;
                return 0;
        }
        if ((t->n + 1) * 2 > t->size && src_grow(t) < 0)
                return -ENOMEM;
        for (i = src_slot(t, k); t->v[i].n > 0; i = (i + 1) & (t->size - 1))
                ;
        t->v[i] = (struct src_entry){.key = *k, .n = 1};
        t->n++;
        return 0;
}

static void src_del(struct src_table *t, const struct src_key *k)
{
        struct src_entry *e = src_find(t, k);
        size_t i, j;

        if (!e || --e->n > 0)
                return;
        t->n--;
        /* backward shift, as in spawner.c's table */
        i = (size_t)(e - t->v);
        for (j = (i + 1) & (t->size - 1); t->v[j].n > 0; j = (j + 1) & (t->size - 1)) {
                size_t home = src_slot(t, &t->v[j].key);

                if (((j - home) & (t->size - 1)) >= ((j - i) & (t->size - 1))) {
                        t->v[i] = t->v[j];
                        t->v[j].n = 0;
                        i = j;
                }
        }
}

/* ---- connections ---- */

static int conn_new(struct acc *a, uint32_t unit, const struct src_key *src, uint32_t *ret_id)
{
        uint32_t id;

        if (a->n_free > 0) {
                id = a->free_ids[--a->n_free];
        } else {
                struct conn *v = reallocarray(a->conns, a->n_conns + 1, sizeof(*v));
                uint32_t *f;

                if (!v)
                        return -ENOMEM;
                a->conns = v;
                f = reallocarray(a->free_ids, a->n_conns + 1, sizeof(*f));
                if (!f)
                        return -ENOMEM;
                a->free_ids = f;
                id = (uint32_t)a->n_conns++;
        }
        if (src && src_add(&a->src, src) < 0) {
                a->free_ids[a->n_free++] = id;
                return -ENOMEM;
        }
        a->conns[id] = (struct conn){.unit = unit, .live = true, .has_src = src != NULL};
        if (src)
                a->conns[id].src = *src;
        a->units[unit].n_conn++;
        a->live++;
        *ret_id = id;
        return 0;
}

static void conn_end(struct acc *a, uint32_t id)
{
        struct conn *c;

        if (id >= a->n_conns || !a->conns[id].live)
                return;
        c = &a->conns[id];
        c->live = false;
        if (c->has_src)
                src_del(&a->src, &c->src);
        a->units[c->unit].n_conn--;
        a->live--;
        a->free_ids[a->n_free++] = id;
}

/* The sandbox is gone: so is every instance. */
static void conn_end_all(struct acc *a)
{
        for (size_t i = 0; i < a->n_conns; i++)
                conn_end(a, (uint32_t)i);
}

/* ---- the sandbox ---- */

static int *private_fds(const struct acc *a, size_t *ret_n)
{
        const struct sock_set *set = a->p->sockets;
        size_t n = 8 + set->n + sock_private_fds(set, NULL, 0), k = 0;
        int *fds = calloc(n, sizeof(int));

        if (!fds)
                return NULL;
        fds[k++] = a->epfd;
        fds[k++] = a->sigfd;
        fds[k++] = a->timerfd;
        k += ntf_private_fds(a->p->notify, fds + k, 4);
        /* the spawner takes connections, never the listening sockets */
        for (size_t i = 0; i < set->n; i++)
                fds[k++] = set->fds[i].fd;
        k += sock_private_fds(set, fds + k, n - k);
        *ret_n = k;
        return fds;
}

static int start_sandbox(struct acc *a)
{
        size_t n_close = 0;
        _cleanup_free_ int *close_fds = private_fds(a, &n_close);
        int chan[2], conns[2], r;

        if (!close_fds)
                return -ENOMEM;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0)
                return negative_errno();
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, conns) < 0) {
                r = negative_errno();
                safe_close(chan[0]);
                safe_close(chan[1]);
                return r;
        }
        close_fds[n_close++] = chan[0];
        close_fds[n_close++] = conns[0];
        r = sbx_start(&(struct sbx_params){.spec = a->s,
                                           .plan = &a->plan,
                                           .exec_fd = a->exec_fd,
                                           .close_fds = close_fds,
                                           .n_close_fds = n_close,
                                           .spawner = &(struct spw_params){.spec = a->s,
                                                                           .plan = &a->plan,
                                                                           .exec_fd = a->exec_fd,
                                                                           .chan = chan[1],
                                                                           .conns = conns[1]}},
                      &a->sbx);
        safe_close(chan[1]);
        safe_close(conns[1]);
        if (r < 0) {
                safe_close(chan[0]);
                safe_close(conns[0]);
                return r;
        }
        a->chan = chan[0];
        a->conn_chan = conns[0];
        a->spawner_exit_seen = false;
        a->fail_errno = 0;
        if ((r = loop_add(a->epfd, a->sbx.ctl_fd, EPOLLIN, TAG_CTL)) < 0 ||
            (r = loop_add(a->epfd, a->chan, EPOLLIN, TAG_CHAN)) < 0 ||
            (r = loop_add(a->epfd, a->conn_chan, 0, TAG_CONNS)) < 0)
                return r;
        a->p->log(SUP_DEBUG, "sandbox started (init pid %d), spawner %s", (int)a->sbx.pid,
                  a->s->isolation == SPEC_ISOLATION_PER_CONNECTION
                          ? "making namespaces per connection"
                          : "forking instances");
        return 0;
}

static void send_spawner(struct acc *a, enum spw_kind kind, int value)
{
        struct spw_msg m = {.kind = kind, .value = value};

        if (a->chan >= 0)
                (void)send(a->chan, &m, sizeof(m), MSG_NOSIGNAL);
}

/* kill_mode for instances: control-group and mixed reach every process of every
 * instance (the init signals them all); process only each instance's main one. */
static void signal_instances(struct acc *a, int sig)
{
        switch (a->s->service.kill_mode) {
        case SPEC_KILL_CONTROL_GROUP:
        case SPEC_KILL_MIXED:
                sbx_kill(&a->sbx, NS_KILL_ALL, sig);
                break;
        case SPEC_KILL_PROCESS:
                send_spawner(a, SPW_KILL, sig);
                break;
        default:
                break;
        }
}

/* ---- handing connections over ---- */

/* REMOTE_ADDR and REMOTE_PORT as CGI has them (IPv4 in IPv6 as IPv4), and the source key. */
static bool peer_of(const struct sockaddr_storage *ss, uint32_t unit, struct spw_msg *m,
                    struct src_key *key)
{
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

        memset(key, 0, sizeof(*key));
        key->unit = unit;
        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

                memcpy(key->addr, mapped, sizeof(mapped));
                memcpy(key->addr + 12, &in->sin_addr, 4);
                inet_ntop(AF_INET, &in->sin_addr, m->addr, sizeof(m->addr));
                m->port = ntohs(in->sin_port);
                return true;
        }
        if (ss->ss_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

                memcpy(key->addr, &in6->sin6_addr, 16);
                if (memcmp(key->addr, mapped, sizeof(mapped)) == 0)
                        inet_ntop(AF_INET, key->addr + 12, m->addr, sizeof(m->addr));
                else
                        inet_ntop(AF_INET6, &in6->sin6_addr, m->addr, sizeof(m->addr));
                m->port = ntohs(in6->sin6_port);
                return true;
        }
        m->addr[0] = '\0'; /* unix and vsock peers: no REMOTE_*, no per-source count */
        m->port = 0;
        return false;
}

/* Send the connection on; a full channel keeps it pending and pauses accepting. */
static void hand_over(struct acc *a, int fd, const struct spw_msg *m)
{
        int r = spw_send_conn(a->conn_chan, m->id, fd, m->addr, m->port);

        if (r == -EAGAIN) {
                struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = TAG_CONNS};

                a->pending_fd = fd;
                a->pending = *m;
                watch_sockets(a, false);
                (void)epoll_ctl(a->epfd, EPOLL_CTL_MOD, a->conn_chan, &ev);
                return;
        }
        if (r < 0) {
                a->p->log(SUP_ERROR, "hand a connection to the sandbox: %s", strerror(-r));
                conn_end(a, m->id);
        }
        safe_close(fd);
}

static void retry_pending(struct acc *a)
{
        struct epoll_event ev = {.events = 0, .data.u64 = TAG_CONNS};
        int fd = a->pending_fd;

        if (fd < 0)
                return;
        a->pending_fd = -1;
        (void)epoll_ctl(a->epfd, EPOLL_CTL_MOD, a->conn_chan, &ev);
        hand_over(a, fd, &a->pending);
        if (a->pending_fd < 0 && a->state == ACC_RUNNING)
                watch_sockets(a, true);
}

/* trigger_limit_*: systemd counts every activation; over the limit the socket fails. */
static bool trigger_allowed(struct acc *a, uint32_t unit)
{
        const struct spec_socket *u = &a->s->sockets[unit];

        return ratelimit_below(&a->units[unit].trigger, u->trigger_limit_interval_usec,
                               u->trigger_limit_burst);
}

static void begin_drain(struct acc *a, const struct spec_socket *u)
{
        struct sock_set *set = a->p->sockets;
        char t[32];

        a->p->log(SUP_ERROR,
                  "socket '%s': trigger limit hit (%u connections within %s: "
                  "trigger_limit_burst, trigger_limit_interval_sec): refusing further "
                  "connections",
                  u->name, u->trigger_limit_burst,
                  val_format_span(u->trigger_limit_interval_usec, t, sizeof(t)));
        watch_sockets(a, false);
        /* stop listening, as the failed socket unit closes its sockets: new clients are refused */
        for (size_t i = 0; i < set->n; i++)
                (void)shutdown(set->fds[i].fd, SHUT_RDWR);
        a->exit_code = EXIT_FAILURE;
        a->state = ACC_DRAINING;
        if (a->sbx.pid > 0)
                send_spawner(a, SPW_STOP, 0);
        else
                a->state = ACC_DONE;
}

/* Whether a connection waits on lfd: only one that does counts toward the
 * trigger limit (systemd counts activations, not our looking). */
static bool pending(int lfd)
{
        struct pollfd p = {.fd = lfd, .events = POLLIN};

        return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* One connection of unit; false: stop taking more for now. */
static bool take_one(struct acc *a, int lfd, uint32_t unit, bool known_pending)
{
        const struct spec_socket *u = &a->s->sockets[unit];
        struct sockaddr_storage ss = {.ss_family = AF_UNSPEC};
        socklen_t len = sizeof(ss);
        struct spw_msg m = {.kind = SPW_CONN};
        struct src_key key;
        bool has_src;
        int fd, r;

        if (!known_pending && !pending(lfd))
                return false;
        if (!trigger_allowed(a, unit)) {
                begin_drain(a, u); /* this connection is refused with the socket, as systemd's */
                return false;
        }
        /* before accept: the sandbox's processes must not inherit the connection */
        if (a->sbx.pid <= 0 && (r = start_sandbox(a)) < 0) {
                fatal(a, r, "start the sandbox: %s", strerror(-r));
                return false;
        }
        fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
        if (fd < 0) {
                if (a->units[unit].trigger.n > 0)
                        a->units[unit].trigger.n--; /* nothing was triggered */
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        a->p->log(SUP_ERROR, "socket '%s': accept: %s", u->name, strerror(errno));
                return false;
        }
        has_src = peer_of(&ss, unit, &m, &key);
        if (a->units[unit].n_conn >= u->max_connections) {
                a->p->log(SUP_INFO,
                          "socket '%s': too many connections (%u, max_connections), dropping one",
                          u->name, a->units[unit].n_conn);
                safe_close(fd);
                return true;
        }
        if (has_src && src_count(&a->src, &key) >= u->max_connections_per_source) {
                a->p->log(SUP_INFO,
                          "socket '%s': too many connections (%u) from %s "
                          "(max_connections_per_source), dropping one",
                          u->name, src_count(&a->src, &key), m.addr);
                safe_close(fd);
                return true;
        }
        if ((r = conn_new(a, unit, has_src ? &key : NULL, &m.id)) < 0) {
                safe_close(fd);
                fatal(a, r, "accept: %s", strerror(-r));
                return false;
        }
        a->p->log(SUP_DEBUG, "socket '%s': connection %u%s%s", u->name, m.id,
                  m.addr[0] ? " from " : "", m.addr);
        hand_over(a, fd, &m);
        return a->pending_fd < 0;
}

static void on_socket(struct acc *a, size_t i)
{
        const struct sock_fd *sf = &a->p->sockets->fds[i];
        uint32_t unit = (uint32_t)(sf->unit - a->s->sockets);

        for (int k = 0; k < ACC_BATCH && a->state == ACC_RUNNING; k++)
                if (!take_one(a, sf->fd, unit, k == 0))
                        break;
}

/* ---- news from the sandbox ---- */

static void on_chan(struct acc *a, uint32_t events)
{
        char what[256];
        struct spw_msg m;
        int fd;

        for (;;) {
                ssize_t k = spw_recv(a->chan, &m, &fd);

                safe_close(fd);
                if (k == -EBADMSG)
                        continue;
                if (k <= 0)
                        break;
                if (m.kind == SPW_EXIT) {
                        a->p->log(SUP_DEBUG, "connection %u: instance exited with %s %d", m.id,
                                  WIFSIGNALED(m.value) ? "signal" : "status",
                                  WIFSIGNALED(m.value) ? WTERMSIG(m.value) : WEXITSTATUS(m.value));
                        conn_end(a, m.id);
                } else if (m.kind == SPW_FAIL && m.value < 0 && m.id == SPW_NO_ID) {
                        /* the sandbox cannot make instances: say why once, and end */
                        sbx_step_describe(m.step, a->s, what, sizeof(what));
                        fatal(a, m.value, "%s: %s", what, strerror(-m.value));
                        return;
                } else if (m.kind == SPW_FAIL && m.value < 0) {
                        sbx_step_describe(m.step, a->s, what, sizeof(what));
                        a->p->log(SUP_ERROR, "connection %u: %s: %s", m.id, what,
                                  strerror(-m.value));
                }
        }
        if (events & (EPOLLHUP | EPOLLERR))
                (void)epoll_ctl(a->epfd, EPOLL_CTL_DEL, a->chan, NULL);
}

static void on_ctl(struct acc *a, uint32_t events)
{
        struct ns_msg m;
        pid_t pid;

        while (a->sbx.ctl_fd >= 0 && ns_msg_recv(a->sbx.ctl_fd, &m, &pid) == sizeof(m)) {
                if (m.kind == NS_MSG_FAIL) {
                        a->fail_step = m.step;
                        a->fail_errno = m.value;
                } else if (m.kind == NS_MSG_EXIT) {
                        a->spawner_exit_seen = true;
                }
        }
        if (events & (EPOLLHUP | EPOLLERR))
                (void)epoll_ctl(a->epfd, EPOLL_CTL_DEL, a->sbx.ctl_fd, NULL);
}

/* The init is reaped: the spawner, its instances and their children are gone. */
static void on_sandbox_gone(struct acc *a, int status)
{
        char what[256];

        on_ctl(a, 0);
        on_chan(a, 0);
        a->sbx.ctl_fd = safe_close(a->sbx.ctl_fd);
        a->chan = safe_close(a->chan);
        a->conn_chan = safe_close(a->conn_chan);
        a->pending_fd = safe_close(a->pending_fd);
        a->sbx.pid = -1;
        conn_end_all(a);
        timer_set(a, 0);
        if (a->fail_errno < 0) {
                sbx_step_describe(a->fail_step, a->s, what, sizeof(what));
                fatal(a, a->fail_errno, "%s: %s", what, strerror(-a->fail_errno));
        } else if (a->state == ACC_RUNNING) {
                a->p->log(SUP_ERROR,
                          "the sandbox ended (%s %d) with its instances; a new one starts with "
                          "the next connection",
                          WIFSIGNALED(status) ? "signal" : "status",
                          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                if (a->pending_fd < 0)
                        watch_sockets(a, true);
        } else {
                a->state = ACC_DONE;
        }
}

/* ---- stopping ---- */

static void stop(struct acc *a)
{
        watch_sockets(a, false);
        if (a->sbx.pid <= 0) {
                a->state = ACC_DONE;
                return;
        }
        a->p->log(SUP_DEBUG, "stopping %zu instance(s)", a->live);
        send_spawner(a, SPW_STOP, 0);
        signal_instances(a, a->s->service.kill_signal);
        if (a->s->service.send_sighup && a->s->service.kill_signal != SIGHUP)
                signal_instances(a, SIGHUP);
        a->state = ACC_STOP_SIGTERM;
        timer_set(a, a->s->service.timeout_stop_usec);
}

static void stop_final(struct acc *a)
{
        if (a->s->service.kill_mode == SPEC_KILL_NONE)
                (void)kill(a->sbx.pid, SIGKILL);
        else
                signal_instances(a, a->s->service.final_kill_signal);
        a->state = ACC_STOP_SIGKILL;
        timer_set(a, a->s->service.timeout_stop_usec);
}

static void on_timer(struct acc *a)
{
        uint64_t ticks;
        char t[32];

        if (read(a->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
                return;
        if (a->state == ACC_STOP_SIGTERM) {
                a->p->log(SUP_ERROR, "%zu instance(s) did not stop within %s (timeout_stop_sec)",
                          a->live, val_format_span(a->s->service.timeout_stop_usec, t, sizeof(t)));
                stop_final(a);
        } else if (a->state == ACC_STOP_SIGKILL) {
                a->p->log(SUP_ERROR, "instances still running: killing the sandbox");
                (void)kill(a->sbx.pid, SIGKILL);
        }
}

static void on_signal(struct acc *a)
{
        struct signalfd_siginfo si;
        int status;

        while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
                int sig = (int)si.ssi_signo;

                if (sig == SIGCHLD)
                        continue;
                /* no one service to pass SIGHUP and the like to: they stop, as with no sandbox */
                if (a->state == ACC_RUNNING || a->state == ACC_DRAINING) {
                        a->p->log(SUP_INFO, "stopping on signal %d", sig);
                        if (a->state == ACC_RUNNING)
                                a->exit_code = EXIT_SUCCESS;
                        stop(a);
                } else if (a->state == ACC_STOP_SIGTERM) {
                        stop_final(a);
                }
        }
        if (a->sbx.pid > 0 && waitpid(a->sbx.pid, &status, WNOHANG) == a->sbx.pid)
                on_sandbox_gone(a, status);
}

static void dispatch(struct acc *a, const struct epoll_event *ev)
{
        switch (ev->data.u64) {
        case TAG_SIGNAL:
                on_signal(a);
                break;
        case TAG_CTL:
                on_ctl(a, ev->events);
                break;
        case TAG_CHAN:
                on_chan(a, ev->events);
                break;
        case TAG_CONNS:
                retry_pending(a);
                break;
        case TAG_TIMER:
                on_timer(a);
                break;
        default:
                on_socket(a, (size_t)(ev->data.u64 - TAG_SOCKET));
                break;
        }
}

static int setup(struct acc *a)
{
        static const int handled[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT};
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                sigaddset(&mask, handled[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        a->epfd = epoll_create1(EPOLL_CLOEXEC);
        a->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (a->epfd < 0 || a->sigfd < 0 || a->timerfd < 0)
                return negative_errno();
        a->units = calloc(a->s->n_sockets, sizeof(*a->units));
        if (!a->units)
                return -ENOMEM;
        if ((r = act_plan_build_instance(a->s, &a->plan)) < 0)
                return r;
        if ((r = loop_add(a->epfd, a->sigfd, EPOLLIN, TAG_SIGNAL)) < 0 ||
            (r = loop_add(a->epfd, a->timerfd, EPOLLIN, TAG_TIMER)) < 0)
                return r;
        watch_sockets(a, true);
        return 0;
}

int acc_run(const struct sup_params *p, int *ret_exit_code, char *err, size_t err_size)
{
        struct acc a = {.p = p,
                        .s = p->spec,
                        .epfd = -1,
                        .sigfd = -1,
                        .timerfd = -1,
                        .sbx = {.pid = -1, .ctl_fd = -1},
                        .chan = -1,
                        .conn_chan = -1,
                        .pending_fd = -1,
                        .err = err,
                        .err_size = err_size};
        struct epoll_event evs[16];
        int r;

        a.exec_fd = sbx_open_program(p->spec->service.exec_path);
        r = setup(&a);
        if (r < 0)
                fatal(&a, r, "set up the event loop: %s", strerror(-r));
        else
                p->log(SUP_DEBUG, "accepting on %zu socket(s), an instance per connection",
                       p->sockets->n);
        while (a.state != ACC_DONE) {
                int n = epoll_wait(a.epfd, evs, ELEMENTSOF(evs), -1);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        fatal(&a, negative_errno(), "supervise: %s", strerror(errno));
                        break;
                }
                /* the instances' ends first, so that max_connections counts what runs */
                for (int i = 0; i < n && a.state != ACC_DONE; i++)
                        if (evs[i].data.u64 < TAG_SOCKET)
                                dispatch(&a, &evs[i]);
                for (int i = 0; i < n && a.state != ACC_DONE; i++)
                        if (evs[i].data.u64 >= TAG_SOCKET)
                                dispatch(&a, &evs[i]);
        }
        if (a.sbx.pid > 0) {
                (void)kill(a.sbx.pid, SIGKILL);
                (void)waitpid(a.sbx.pid, NULL, 0);
        }
        safe_close(a.pending_fd);
        safe_close(a.chan);
        safe_close(a.conn_chan);
        safe_close(a.sbx.ctl_fd);
        safe_close(a.exec_fd);
        safe_close(a.timerfd);
        safe_close(a.sigfd);
        safe_close(a.epfd);
        act_plan_done(&a.plan);
        free(a.units);
        free(a.conns);
        free(a.free_ids);
        free(a.src.v);
        *ret_exit_code = a.exit_code;
        return a.error < 0 ? a.error : 0;
}
