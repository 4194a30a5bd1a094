/* SPDX-License-Identifier: MIT */
#include "injector/spawner.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include "common/msg.h"
#include "common/util.h"
#include "injector/sandbox.h"
#include "ns/ns.h"
#include "policy/pol.h"

/* ---- the instances: pid -> connection id, open addressing ---- */

struct child {
        pid_t pid; /* 0: free */
        uint32_t id;
};

struct children {
        struct child *v;
        size_t size; /* a power of two, or 0 */
        size_t n;
};

static size_t slot_of(const struct children *c, pid_t pid)
{
        return ((size_t)pid * 2654435761U) & (c->size - 1);
}

static int children_grow(struct children *c)
{
        size_t size = c->size ? c->size * 2 : 64;
        struct child *v = calloc(size, sizeof(*v)), *old = c->v;
        size_t old_size = c->size;

        if (!v)
                return -ENOMEM;
        c->v = v;
        c->size = size;
        for (size_t i = 0; i < old_size; i++)
                if (old[i].pid > 0) {
                        size_t k = slot_of(c, old[i].pid);

                        while (v[k].pid > 0)
                                k = (k + 1) & (size - 1);
                        v[k] = old[i];
                }
        free(old);
        return 0;
}

static int children_add(struct children *c, pid_t pid, uint32_t id)
{
        size_t k;

        if ((c->n + 1) * 2 > c->size && children_grow(c) < 0)
                return -ENOMEM;
        for (k = slot_of(c, pid); c->v[k].pid > 0; k = (k + 1) & (c->size - 1))
                ;
        c->v[k] = (struct child){.pid = pid, .id = id};
        c->n++;
        return 0;
}

/* Remove pid; returns its id, or UINT32_MAX for no instance (an orphan we adopted). */
static uint32_t children_take(struct children *c, pid_t pid)
{
        size_t k, j;
        uint32_t id;

        if (c->size == 0)
                return UINT32_MAX;
        for (k = slot_of(c, pid); c->v[k].pid != pid; k = (k + 1) & (c->size - 1))
                if (c->v[k].pid == 0)
                        return UINT32_MAX;
        id = c->v[k].id;
        c->v[k].pid = 0;
        c->n--;
        /* backward shift: keep every later entry of the run reachable */
        for (j = (k + 1) & (c->size - 1); c->v[j].pid > 0; j = (j + 1) & (c->size - 1)) {
                size_t home = slot_of(c, c->v[j].pid);

                if (((j - home) & (c->size - 1)) >= ((j - k) & (c->size - 1))) {
                        c->v[k] = c->v[j];
                        c->v[j].pid = 0;
                        k = j;
                }
        }
        return id;
}

/* ---- the channel ---- */

static int send_msg(int chan, const struct spw_msg *m, int fd)
{
        return msg_send(chan, m, sizeof(*m), MSG_DONTWAIT, fd, 0);
}

int spw_send_conn(int chan, uint32_t id, int fd, const char *addr, unsigned port)
{
        struct spw_msg m = {.kind = SPW_CONN, .id = id, .port = (uint16_t)port};

        snprintf(m.addr, sizeof(m.addr), "%s", addr ?: "");
        return send_msg(chan, &m, fd);
}

/* One message; a message of the wrong size is -EBADMSG, its fd closed. */
static ssize_t recv_one(int chan, struct spw_msg *m, int *ret_fd, int flags)
{
        ssize_t k = msg_recv(chan, m, sizeof(*m), flags, ret_fd, NULL);

        if (k > 0 && k != (ssize_t)sizeof(*m)) {
                *ret_fd = safe_close(*ret_fd);
                return -EBADMSG;
        }
        return k;
}

ssize_t spw_recv(int chan, struct spw_msg *m, int *ret_fd)
{
        return recv_one(chan, m, ret_fd, MSG_DONTWAIT);
}

/* The zygotes' blocking receive. */
static ssize_t spw_recv_wait(int chan, struct spw_msg *m, int *ret_fd)
{
        return recv_one(chan, m, ret_fd, 0);
}

/* ---- one instance ---- */

static void report_failure(int chan, uint32_t id, int step, int r)
{
        struct spw_msg m = {.kind = SPW_FAIL, .id = id, .step = step, .value = r};

        (void)send_msg(chan, &m, -1);
}

/* A zygote tells the spawner which connection it took: {slot, id}, one write. */
struct taken {
        uint32_t slot;
        uint32_t id;
};

/* An instance's environment, kept and reused by its maker: the shared
 * spawner builds one per connection with no allocation but the first. */
struct env_buf {
        char **v; /* the plan's entries and ours, NULL-terminated */
        size_t size;
        char addr[sizeof("REMOTE_ADDR=") + INET6_ADDRSTRLEN];
        char port[sizeof("REMOTE_PORT=65535")];
};

/* The plan's environment plus REMOTE_ADDR and REMOTE_PORT for m. Returns e->v, or NULL. */
static char **instance_env(const struct spw_params *p, const struct spw_msg *m, struct env_buf *e)
{
        char **base = p->plan->envp;
        size_t n = 0, k = 0;

        while (base[n])
                n++;
        if (e->size < n + 3) {
                char **v = reallocarray(e->v, n + 3, sizeof(char *));

                if (!v)
                        return NULL;
                e->v = v;
                e->size = n + 3;
        }
        for (size_t i = 0; i < n; i++) /* ours win over the spec's, as systemd's */
                if (!startswith(base[i], "REMOTE_ADDR=") && !startswith(base[i], "REMOTE_PORT="))
                        e->v[k++] = base[i];
        if (m->addr[0]) {
                snprintf(e->addr, sizeof(e->addr), "REMOTE_ADDR=%s", m->addr);
                snprintf(e->port, sizeof(e->port), "REMOTE_PORT=%u", (unsigned)m->port);
                e->v[k++] = e->addr;
                e->v[k++] = e->port;
        }
        e->v[k] = NULL;
        return e->v;
}

/*
 * The instance's process, from the connection on: the fd layout, the policy
 * (all of it in its own namespaces, or only the filter the spawner left) and
 * execve. Never returns.
 */
_Noreturn static void instance_exec(const struct spw_params *p, const struct spw_msg *m, int conn,
                                    char **env, bool whole_policy)
{
        const struct spec *s = p->spec;
        int keep[2] = {p->chan, p->exec_fd};
        enum act_step astep;
        enum ns_step nstep = NS_STEP_NONE;
        enum pol_step pstep;
        sigset_t none;
        int step, r;

        act_plan_set_connection(p->plan, conn);
        if (!env) {
                r = -ENOMEM;
                step = SBX_STEP(SBX_DOMAIN_ACT, ACT_STEP_NONE);
        } else if ((r = act_apply(p->plan, keep, ELEMENTSOF(keep), &astep)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_ACT, astep);
        } else if (whole_policy && (r = ns_enter_working_directory(&s->ns, &nstep)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_NS, nstep);
        } else if (whole_policy && (r = pol_apply(&s->pol, s->filter, &pstep)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_POL, pstep);
        } else if (!whole_policy && s->filter && (r = pol_filter_load(s->filter)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_POL, POL_STEP_SECCOMP);
        } else {
                /* the dispositions are the defaults already (spw_main): only the mask */
                sigemptyset(&none);
                (void)sigprocmask(SIG_SETMASK, &none, NULL);
                if (keep[1] >= 0)
                        syscall(SYS_execveat, keep[1], "", s->service.exec, env, AT_EMPTY_PATH);
                else
                        execve(s->service.exec_path, s->service.exec, env);
                r = negative_errno();
                step = SBX_STEP(SBX_DOMAIN_EXEC, 0);
        }
        report_failure(keep[0], m->id, step, r);
        _exit(127);
}

/* What instance_main() gets: it runs on the memory of whoever cloned it. */
struct launch {
        const struct spw_params *p;
        const struct spw_msg *m;
        int conn;
        char **env;
        bool whole_policy;
};

static int instance_main(void *arg)
{
        const struct launch *l = arg;

        instance_exec(l->p, l->m, l->conn, l->env, l->whole_policy);
}

/* The stack an instance runs on until its execve (CLONE_VM|CLONE_VFORK). */
#define SPAWN_STACK_SIZE (128 * 1024)

static void *stack_new(void)
{
        void *stack = mmap(NULL, SPAWN_STACK_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

        return stack == MAP_FAILED ? NULL : stack;
}

/* Start l's instance as posix_spawn does: on our memory until its execve, so no
 * page tables are copied and we wait only for the exec. Returns its pid or -errno. */
static pid_t spawn_on(void *stack, struct launch *l)
{
        pid_t pid;

        if (!l->env)
                return -ENOMEM;
        pid = clone(instance_main, (char *)stack + SPAWN_STACK_SIZE,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, l);
        if (pid < 0)
                return negative_errno();
#ifdef __SANITIZE_ADDRESS__
        /* the instance's frames left their red zones in the shadow we share */
        __asan_unpoison_memory_region(stack, SPAWN_STACK_SIZE);
#endif
        return pid;
}

/* per-connection: the namespaces the spec keeps private, made anew for each
 * instance; the user and UTS namespaces stay the sandbox's (nothing to reset). */
static int instance_clone_flags(const struct ns_config *c)
{
        return ns_clone_flags(c) & (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS);
}

/*
 * per-connection: a zygote, the init (pid 1) of fresh namespaces, made before
 * its connection: lo and the mounts are up when it waits on the connection
 * channel (the kernel wakes one waiter per message). It tells the spawner
 * which connection it took, starts the instance (pid 2) and stays its init.
 * Never returns.
 */
_Noreturn static void isolated_main(const struct spw_params *p, int taken_fd, uint32_t slot)
{
        void *stack = stack_new();
        enum ns_step nstep = NS_STEP_NONE;
        struct spw_msg m;
        struct env_buf env = {0};
        struct launch l;
        int conn, r;
        ssize_t k;
        pid_t pid;

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        r = stack ? ns_setup_instance(&p->spec->ns, &nstep) : -ENOMEM;
        if (r < 0) {
                report_failure(p->chan, SPW_NO_ID, SBX_STEP(SBX_DOMAIN_NS, nstep), r);
                _exit(127);
        }
        do
                k = spw_recv_wait(p->conns, &m, &conn);
        while (k == -EINTR || k == -EBADMSG || (k > 0 && (m.kind != SPW_CONN || conn < 0)));
        if (k <= 0)
                _exit(0); /* sockjail is gone */
        (void)write_all(taken_fd, &(struct taken){.slot = slot, .id = m.id}, sizeof(struct taken));
        l = (struct launch){.p = p,
                            .m = &m,
                            .conn = conn,
                            .env = instance_env(p, &m, &env),
                            .whole_policy = true};
        pid = spawn_on(stack, &l);
        safe_close(conn);
        if (pid < 0) {
                report_failure(p->chan, m.id, SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_FORK), pid);
                _exit(127);
        }
        _exit(ns_init_run(-1, pid));
}

/* ---- the spawner ---- */

/* per-connection: zygotes kept waiting, each in namespaces of its own already;
 * the next one is made while a connection is served. */
#define POOL_ISOLATED 4

struct spawner {
        const struct spw_params *p;
        struct children kids; /* instances that took a connection */
        pid_t pool[POOL_ISOLATED];
        size_t pool_size;
        int taken[2]; /* zygotes -> spawner */
        void *stack;  /* shared */
        struct env_buf env;
        bool isolated;
        bool stopping;
};

/* shared: the spawner takes the connection itself and spawns the instance. */
static void spawn_shared(struct spawner *w, const struct spw_msg *m, int conn)
{
        struct launch l = {.p = w->p, .m = m, .conn = conn, .env = instance_env(w->p, m, &w->env)};
        pid_t pid = spawn_on(w->stack, &l);

        safe_close(conn);
        if (pid < 0) {
                report_failure(w->p->chan, m->id, SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_FORK), pid);
                (void)send_msg(w->p->chan,
                               &(struct spw_msg){
                                       .kind = SPW_EXIT, .id = m->id, .value = W_EXITCODE(127, 0)},
                               -1);
        } else if (children_add(&w->kids, pid, m->id) < 0) {
                (void)kill(pid, SIGKILL); /* reaped as no instance: sockjail hears nothing */
        }
}

/* A batch at a time: the main loop reaps in between (systemd, too, takes
 * SIGCHLD before socket traffic), so that ended instances are reported. */
#define CONN_BATCH 16

static void read_conns(struct spawner *w)
{
        struct spw_msg m;
        int fd;

        for (int n = 0; n < CONN_BATCH; n++) {
                ssize_t k = spw_recv(w->p->conns, &m, &fd);

                if (k == -EAGAIN || k == -EINTR || k == 0 || (k < 0 && k != -EBADMSG))
                        return;
                if (k > 0 && m.kind == SPW_CONN && fd >= 0 && !w->stopping)
                        spawn_shared(w, &m, fd);
                else
                        safe_close(fd);
        }
}

static void pool_fill(struct spawner *w)
{
        for (uint32_t i = 0; i < w->pool_size && !w->stopping; i++) {
                pid_t pid;

                if (w->pool[i] > 0)
                        continue;
                pid = ns_clone(instance_clone_flags(&w->p->spec->ns));
                if (pid == 0)
                        isolated_main(w->p, w->taken[1], i);
                if (pid < 0) {
                        report_failure(w->p->chan, SPW_NO_ID,
                                       SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_FORK), negative_errno());
                        return;
                }
                w->pool[i] = pid;
        }
}

static void pool_kill(struct spawner *w)
{
        for (size_t i = 0; i < w->pool_size; i++)
                if (w->pool[i] > 0)
                        (void)kill(w->pool[i], SIGKILL);
}

static void signal_children(const struct spawner *w, int sig)
{
        for (size_t i = 0; i < w->kids.size; i++)
                if (w->kids.v[i].pid > 0)
                        (void)kill(w->kids.v[i].pid, sig);
}

/* A zygote took a connection: it is an instance now; make the next one. */
static void read_taken(struct spawner *w)
{
        struct taken t;

        while (read(w->taken[0], &t, sizeof(t)) == sizeof(t)) {
                if (t.slot >= w->pool_size || w->pool[t.slot] <= 0)
                        continue;
                if (children_add(&w->kids, w->pool[t.slot], t.id) < 0)
                        (void)kill(w->pool[t.slot], SIGKILL);
                w->pool[t.slot] = 0;
        }
        pool_fill(w);
}

/* Returns false when sockjail hung up. */
static bool read_chan(struct spawner *w)
{
        struct spw_msg m;
        int fd;

        for (;;) {
                ssize_t k = spw_recv(w->p->chan, &m, &fd);

                safe_close(fd);
                if (k == -EAGAIN || k == -EINTR)
                        return true;
                if (k == 0 || (k < 0 && k != -EBADMSG))
                        return false;
                if (k < 0)
                        continue;
                if (m.kind == SPW_STOP) {
                        w->stopping = true;
                        pool_kill(w);
                } else if (m.kind == SPW_KILL && m.value > 0 && m.value < NSIG) {
                        signal_children(w, m.value);
                }
        }
}

static void reap(struct spawner *w)
{
        int status;
        pid_t pid;

        read_taken(w); /* an instance may end before we heard it took a connection */
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                uint32_t id = children_take(&w->kids, pid);
                bool idle = false;

                if (id != UINT32_MAX) {
                        (void)send_msg(
                                w->p->chan,
                                &(struct spw_msg){.kind = SPW_EXIT, .id = id, .value = status}, -1);
                        continue;
                }
                for (size_t i = 0; i < w->pool_size; i++)
                        if (w->pool[i] == pid) {
                                w->pool[i] = 0;
                                idle = true;
                        }
                /* a zygote that could not be made says why (SPW_FAIL); we go with it */
                if (idle && !w->stopping && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                        _exit(127);
        }
        pool_fill(w);
}

static int block_signals(void)
{
        static const int blocked[] = {SIGCHLD, SIGTERM, SIGINT,  SIGHUP,
                                      SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(blocked); i++)
                sigaddset(&mask, blocked[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        /* the others stay pending: the spawner stops when sockjail says so */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? negative_errno() : fd;
}

_Noreturn void spw_main(const struct spw_params *p, int report_fd)
{
        struct spawner w = {.p = p,
                            .isolated = p->spec->isolation == SPEC_ISOLATION_PER_CONNECTION};
        enum ns_step nstep = NS_STEP_NONE;
        enum pol_step pstep;
        int32_t msg[2] = {0, 0};
        int sfd, r;

        w.pool_size = w.isolated ? POOL_ISOLATED : 0;
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        sbx_reset_signals(); /* once for every instance; then the mask */
        sfd = block_signals();
        if (sfd < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_SIGNALS);
                r = sfd;
        } else if (pipe2(w.taken, O_CLOEXEC) < 0 || fcntl(w.taken[0], F_SETFL, O_NONBLOCK) < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_PIPE);
                r = negative_errno();
        } else if (!w.isolated && (r = ns_enter_working_directory(&p->spec->ns, &nstep)) < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_NS, nstep);
        } else if (!w.isolated &&
                   (r = pol_apply_but_filter(&p->spec->pol, p->spec->filter != NULL, &pstep)) < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_POL, pstep);
        } else if (!w.isolated && !(w.stack = stack_new())) {
                msg[0] = SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_FORK);
                r = -ENOMEM;
        } else {
                /* what the instances may not reach: no ptrace, no /proc/PID/mem of ours */
                (void)prctl(PR_SET_DUMPABLE, 0);
                r = 0;
        }
        if (r < 0) {
                msg[1] = r;
                (void)write_all(report_fd, msg, sizeof(msg));
                _exit(127);
        }
        safe_close(report_fd); /* EOF: the init reports the "service" started */
        pool_fill(&w);
        for (;;) {
                struct pollfd fds[4] = {{.fd = p->chan, .events = POLLIN},
                                        {.fd = sfd, .events = POLLIN},
                                        {.fd = w.taken[0], .events = POLLIN},
                                        {.fd = w.isolated ? -1 : p->conns, .events = POLLIN}};
                struct signalfd_siginfo si;

                if (w.stopping && w.kids.n == 0)
                        _exit(0);
                if (poll(fds, ELEMENTSOF(fds), -1) < 0 && errno != EINTR)
                        _exit(127);
                if (fds[2].revents & POLLIN)
                        read_taken(&w);
                if (fds[1].revents & POLLIN) {
                        while (read(sfd, &si, sizeof(si)) == sizeof(si))
                                ;
                        reap(&w);
                }
                if (fds[3].revents & POLLIN)
                        read_conns(&w);
                if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !read_chan(&w)) {
                        /* sockjail is gone: so are we, and the init kills the rest */
                        pool_kill(&w);
                        signal_children(&w, SIGKILL);
                        _exit(137);
                }
        }
}
