/* SPDX-License-Identifier: MIT */
#include "injector/supervisor.h"

#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "common/util.h"
#include "injector/activation.h"
#include "injector/sandbox.h"
#include "ns/ns.h"

/* Signals sockjail handles: SIGCHLD, and the ones it passes on to the service. */
static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct sup {
        const struct sup_params *p;
        int epfd;
        int sigfd;
        struct sbx sbx;
        bool started;   /* NS_MSG_STARTED seen */
        bool have_exit; /* NS_MSG_EXIT seen */
        int exit_status;
        int fail_step;
        int fail_errno;  /* from NS_MSG_FAIL, negative */
        int stop_signal; /* a signal that arrived before the service started */
        int exec_fd;     /* the program, opened before waiting (sbx_open_program) */
};

static int epoll_add(int epfd, int fd, uint64_t tag)
{
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

        return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? negative_errno() : 0;
}

/* Tags: the signalfd, the control socket, and socket i as TAG_SOCKET + i. */
enum { TAG_SIGNAL = 1, TAG_CTL, TAG_SOCKET };

static int setup_signals(struct sup *s)
{
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&mask, forwarded[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (s->sigfd < 0)
                return negative_errno();
        return epoll_add(s->epfd, s->sigfd, TAG_SIGNAL);
}

static bool is_forwarded(int sig)
{
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                if (forwarded[i] == sig)
                        return true;
        return false;
}

/* Read one signal; returns its number, 0 if none is pending. */
static int next_signal(struct sup *s)
{
        struct signalfd_siginfo si;

        if (read(s->sigfd, &si, sizeof(si)) != sizeof(si))
                return 0;
        return (int)si.ssi_signo;
}

/* start: on-demand. Returns 1 on traffic, 0 when told to stop first. */
static int wait_for_traffic(struct sup *s)
{
        struct sock_set *set = s->p->sockets;
        struct epoll_event ev;
        int r;

        for (size_t i = 0; i < set->n; i++)
                if ((r = epoll_add(s->epfd, set->fds[i].fd, TAG_SOCKET + i)) < 0)
                        return r;
        s->p->log(SUP_DEBUG, "waiting for traffic on %zu socket(s)", set->n);
        for (;;) {
                int n = epoll_wait(s->epfd, &ev, 1, -1), sig;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (ev.data.u64 >= TAG_SOCKET)
                        break;
                while ((sig = next_signal(s)) > 0)
                        if (is_forwarded(sig) && sig != SIGUSR1 && sig != SIGUSR2) {
                                s->stop_signal = sig;
                                return 0;
                        }
        }
        /* The service owns the sockets now: stop watching them. */
        for (size_t i = 0; i < set->n; i++)
                (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, set->fds[i].fd, NULL);
        return 1;
}

static void read_ctl(struct sup *s)
{
        struct ns_msg m;

        while (recv(s->sbx.ctl_fd, &m, sizeof(m), MSG_DONTWAIT) == sizeof(m)) {
                switch (m.kind) {
                case NS_MSG_STARTED:
                        s->started = true;
                        s->p->log(SUP_INFO, "service started (pid %d in its sandbox)", m.value);
                        break;
                case NS_MSG_FAIL:
                        s->fail_step = m.step;
                        s->fail_errno = m.value;
                        break;
                case NS_MSG_EXIT:
                        s->have_exit = true;
                        s->exit_status = m.value;
                        break;
                default:
                        break;
                }
        }
}

/* Handle pending signals; returns 1 once the init has been reaped. */
static int handle_signals(struct sup *s, int *ret_init_status)
{
        int sig;

        while ((sig = next_signal(s)) > 0) {
                if (is_forwarded(sig)) {
                        s->p->log(SUP_DEBUG, "forwarding signal %d to the service", sig);
                        (void)kill(s->sbx.pid, sig);
                        continue;
                }
                if (waitpid(s->sbx.pid, ret_init_status, WNOHANG) == s->sbx.pid)
                        return 1;
        }
        return 0;
}

static int run_service(struct sup *s, int *ret_init_status)
{
        struct epoll_event ev;
        int r = epoll_add(s->epfd, s->sbx.ctl_fd, TAG_CTL);

        if (r < 0)
                return r;
        for (;;) {
                int n = epoll_wait(s->epfd, &ev, 1, -1);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (ev.data.u64 == TAG_CTL) {
                        read_ctl(s);
                        if (ev.events & (EPOLLHUP | EPOLLERR))
                                (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->sbx.ctl_fd, NULL);
                } else if (handle_signals(s, ret_init_status)) {
                        read_ctl(s); /* what the init said before it went */
                        return 0;
                }
        }
}

static int exit_code_of(int status)
{
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}

/* The commonest surprise: a program under /tmp, which the sandbox replaced. */
static bool hidden_by_private_tmp(const struct sup *s)
{
        const char *path = s->p->spec->service.exec_path;

        return s->fail_errno == -ENOENT && (s->fail_step >> 8) == SBX_DOMAIN_EXEC &&
               s->p->spec->ns.private_tmp &&
               (startswith(path, "/tmp/") || startswith(path, "/var/tmp/"));
}

static int start_and_wait(struct sup *s, int *ret_exit_code, char *err, size_t err_size)
{
        const int close_fds[] = {s->epfd, s->sigfd};
        /* the init keeps exec_fd: the service execs it */
        struct act_plan plan;
        int init_status = 0, r;

        r = act_plan_build(s->p->spec, s->p->sockets, &plan);
        if (r < 0)
                return snprintf(err, err_size, "prepare the environment: %s", strerror(-r)), r;
        r = sbx_start(&(struct sbx_params){.spec = s->p->spec,
                                           .plan = &plan,
                                           .exec_fd = s->exec_fd,
                                           .close_fds = close_fds,
                                           .n_close_fds = ELEMENTSOF(close_fds)},
                      &s->sbx);
        act_plan_done(&plan);
        if (r < 0)
                return snprintf(err, err_size, "start the sandbox: %s", strerror(-r)), r;
        r = run_service(s, &init_status);
        s->sbx.ctl_fd = safe_close(s->sbx.ctl_fd);
        if (r < 0)
                return snprintf(err, err_size, "supervise: %s", strerror(-r)), r;
        if (s->fail_errno < 0) {
                char what[256];

                sbx_step_describe(s->fail_step, s->p->spec, what, sizeof(what));
                snprintf(err, err_size, "%s: %s%s", what, strerror(-s->fail_errno),
                         hidden_by_private_tmp(s) ? " (/tmp and /var/tmp are private in the "
                                                    "sandbox: private_tmp)"
                                                  : "");
                return s->fail_errno;
        }
        if (!s->have_exit) { /* the init died on its own: report how */
                snprintf(err, err_size, "sandbox init ended unexpectedly (%s %d)",
                         WIFSIGNALED(init_status) ? "signal" : "status", exit_code_of(init_status));
                return -ECHILD;
        }
        *ret_exit_code = exit_code_of(s->exit_status);
        s->p->log(SUP_INFO, "service exited with %s %d",
                  WIFSIGNALED(s->exit_status) ? "signal" : "status",
                  WIFSIGNALED(s->exit_status) ? WTERMSIG(s->exit_status)
                                              : WEXITSTATUS(s->exit_status));
        return 0;
}

int sup_run(const struct sup_params *p, int *ret_exit_code, char *err, size_t err_size)
{
        struct sup s = {.p = p, .sigfd = -1, .sbx = {.pid = -1, .ctl_fd = -1}};
        int r;

        s.exec_fd = sbx_open_program(p->spec->service.exec_path);
        s.epfd = epoll_create1(EPOLL_CLOEXEC);
        if (s.epfd < 0) {
                r = negative_errno();
                snprintf(err, err_size, "epoll_create1: %s", strerror(-r));
                safe_close(s.exec_fd);
                return r;
        }
        r = setup_signals(&s);
        if (r < 0) {
                snprintf(err, err_size, "signalfd: %s", strerror(-r));
                goto out;
        }
        if (p->spec->service.start == SPEC_START_ON_DEMAND) {
                r = wait_for_traffic(&s);
                if (r < 0)
                        snprintf(err, err_size, "wait for traffic: %s", strerror(-r));
                if (r <= 0) {
                        if (r == 0)
                                p->log(SUP_INFO, "stopped by signal %d before any traffic",
                                       s.stop_signal);
                        *ret_exit_code = 0;
                        goto out;
                }
        }
        r = start_and_wait(&s, ret_exit_code, err, err_size);
out:
        safe_close(s.exec_fd);
        safe_close(s.sigfd);
        safe_close(s.epfd);
        return r < 0 ? r : 0;
}
