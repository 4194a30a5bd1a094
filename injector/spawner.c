/* SPDX-License-Identifier: MIT */
#include "injector/spawner.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

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
        union {
                struct cmsghdr align;
                char space[CMSG_SPACE(sizeof(int))];
        } control = {0};
        struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        if (sendmsg(chan, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(*m))
                return errno == EWOULDBLOCK ? -EAGAIN : negative_errno();
        return 0;
}

int spw_send_conn(int chan, uint32_t id, int fd, const char *addr, unsigned port)
{
        struct spw_msg m = {.kind = SPW_CONN, .id = id, .port = (uint16_t)port};

        snprintf(m.addr, sizeof(m.addr), "%s", addr ?: "");
        return send_msg(chan, &m, fd);
}

ssize_t spw_recv(int chan, struct spw_msg *m, int *ret_fd)
{
        union {
                struct cmsghdr align;
                char space[CMSG_SPACE(sizeof(int) * 4)];
        } control;
        struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = &control,
                            .msg_controllen = sizeof(control)};
        ssize_t k = recvmsg(chan, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        *ret_fd = -1;
        if (k < 0)
                return negative_errno();
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (*ret_fd < 0)
                                *ret_fd = fd;
                        else
                                safe_close(fd);
                }
        }
        if (k > 0 && k != (ssize_t)sizeof(*m)) {
                *ret_fd = safe_close(*ret_fd);
                return -EBADMSG;
        }
        return k;
}

/* ---- one instance ---- */

static void report_failure(int chan, uint32_t id, int step, int r)
{
        struct spw_msg m = {.kind = SPW_FAIL, .id = id, .step = step, .value = r};

        (void)send_msg(chan, &m, -1);
}

/* The instance's process: the connection in place, the policy (all of it, or
 * only the filter the spawner left), execve. Never returns. */
_Noreturn static void instance_exec(const struct spw_params *p, const struct spw_msg *m, int conn,
                                    bool whole_policy)
{
        const struct spec *s = p->spec;
        int keep[2] = {p->chan, p->exec_fd};
        char var[sizeof("REMOTE_ADDR=") + INET6_ADDRSTRLEN];
        enum act_step astep;
        enum ns_step nstep;
        enum pol_step pstep;
        int step, r;

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        sbx_reset_signals();
        act_plan_set_connection(p->plan, conn);
        r = 0;
        if (m->addr[0]) {
                snprintf(var, sizeof(var), "REMOTE_ADDR=%s", m->addr);
                r = act_plan_putenv(p->plan, var);
                snprintf(var, sizeof(var), "REMOTE_PORT=%u", (unsigned)m->port);
                if (r >= 0)
                        r = act_plan_putenv(p->plan, var);
        }
        step = SBX_STEP(SBX_DOMAIN_ACT, ACT_STEP_NONE);
        if (r < 0 || (r = act_apply(p->plan, keep, ELEMENTSOF(keep), &astep)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_ACT, r == -ENOMEM ? ACT_STEP_NONE : astep);
        } else if (whole_policy && (r = ns_enter_working_directory(&s->ns, &nstep)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_NS, nstep);
        } else if (whole_policy && (r = pol_apply(&s->pol, s->filter, &pstep)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_POL, pstep);
        } else if (!whole_policy && s->filter && (r = pol_filter_load(s->filter)) < 0) {
                step = SBX_STEP(SBX_DOMAIN_POL, POL_STEP_SECCOMP);
        } else {
                if (keep[1] >= 0)
                        syscall(SYS_execveat, keep[1], "", s->service.exec, p->plan->envp,
                                AT_EMPTY_PATH);
                else
                        execve(s->service.exec_path, s->service.exec, p->plan->envp);
                r = negative_errno();
                step = SBX_STEP(SBX_DOMAIN_EXEC, 0);
        }
        report_failure(keep[0], m->id, step, r);
        _exit(127);
}

/* per-connection: the namespaces the spec keeps private, made anew for this instance. */
static int instance_clone_flags(const struct ns_config *c)
{
        int flags = 0;

        if (c->private_network)
                flags |= CLONE_NEWNET;
        if (c->private_ipc)
                flags |= CLONE_NEWIPC;
        if (c->private_pid)
                flags |= CLONE_NEWPID;
        if (ns_wants_mount_ns(c))
                flags |= CLONE_NEWNS;
        return flags;
}

/* per-connection: the instance's own init (it is pid 1 of its pid namespace),
 * its mounts and lo, then the instance under it. Never returns. */
_Noreturn static void isolated_main(const struct spw_params *p, const struct spw_msg *m, int conn)
{
        enum ns_step nstep;
        pid_t pid;
        int r;

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        r = ns_setup_instance(&p->spec->ns, &nstep);
        if (r < 0) {
                report_failure(p->chan, m->id, SBX_STEP(SBX_DOMAIN_NS, nstep), r);
                _exit(127);
        }
        pid = fork();
        if (pid == 0)
                instance_exec(p, m, conn, true);
        if (pid < 0) {
                report_failure(p->chan, m->id, SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_FORK),
                               negative_errno());
                _exit(127);
        }
        safe_close(conn);
        _exit(ns_init_run(-1, pid));
}

/* ---- the spawner ---- */

struct spawner {
        const struct spw_params *p;
        struct children kids;
        bool isolated;
        bool stopping;
};

static void spawn(struct spawner *w, const struct spw_msg *m, int conn)
{
        pid_t pid = w->isolated ? ns_clone(instance_clone_flags(&w->p->spec->ns)) : fork();

        if (pid == 0) {
                if (w->isolated)
                        isolated_main(w->p, m, conn);
                instance_exec(w->p, m, conn, false);
        }
        safe_close(conn);
        if (pid < 0) {
                report_failure(w->p->chan, m->id, SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_FORK), pid);
                (void)send_msg(w->p->chan,
                               &(struct spw_msg){
                                       .kind = SPW_EXIT, .id = m->id, .value = W_EXITCODE(127, 0)},
                               -1);
                return;
        }
        if (children_add(&w->kids, pid, m->id) < 0)
                (void)kill(pid, SIGKILL); /* reaped as an unknown child; sockjail hears nothing */
}

static void signal_children(const struct spawner *w, int sig)
{
        for (size_t i = 0; i < w->kids.size; i++)
                if (w->kids.v[i].pid > 0)
                        (void)kill(w->kids.v[i].pid, sig);
}

/* Returns false when sockjail hung up. */
static bool read_chan(struct spawner *w)
{
        struct spw_msg m;
        int fd;

        for (;;) {
                ssize_t k = spw_recv(w->p->chan, &m, &fd);

                if (k == -EAGAIN || k == -EINTR)
                        return true;
                if (k == 0 || (k < 0 && k != -EBADMSG))
                        return false;
                if (k < 0)
                        continue;
                if (m.kind == SPW_CONN && fd >= 0 && !w->stopping) {
                        spawn(w, &m, fd);
                        continue;
                }
                safe_close(fd);
                if (m.kind == SPW_STOP)
                        w->stopping = true;
                else if (m.kind == SPW_KILL && m.value > 0 && m.value < NSIG)
                        signal_children(w, m.value);
        }
}

static void reap(struct spawner *w)
{
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                uint32_t id = children_take(&w->kids, pid);

                if (id != UINT32_MAX)
                        (void)send_msg(
                                w->p->chan,
                                &(struct spw_msg){.kind = SPW_EXIT, .id = id, .value = status}, -1);
        }
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
        enum ns_step nstep;
        enum pol_step pstep;
        int32_t msg[2] = {0, 0};
        int sfd, r;

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        sfd = block_signals();
        if (sfd < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_SIGNALS);
                r = sfd;
        } else if (!w.isolated && (r = ns_enter_working_directory(&p->spec->ns, &nstep)) < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_NS, nstep);
        } else if (!w.isolated &&
                   (r = pol_apply_but_filter(&p->spec->pol, p->spec->filter != NULL, &pstep)) < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_POL, pstep);
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
        for (;;) {
                struct pollfd fds[2] = {{.fd = p->chan, .events = POLLIN},
                                        {.fd = sfd, .events = POLLIN}};
                struct signalfd_siginfo si;

                if (w.stopping && w.kids.n == 0)
                        _exit(0);
                if (poll(fds, ELEMENTSOF(fds), -1) < 0 && errno != EINTR)
                        _exit(127);
                if (fds[1].revents & POLLIN) {
                        while (read(sfd, &si, sizeof(si)) == sizeof(si))
                                ;
                        reap(&w);
                }
                if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !read_chan(&w)) {
                        /* sockjail is gone: so are we, and the init kills the rest */
                        signal_children(&w, SIGKILL);
                        _exit(137);
                }
        }
}
