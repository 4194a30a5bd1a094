/* SPDX-License-Identifier: MIT */
#include "injector/supervisor.h"

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
#include "injector/value.h"
#include "ns/ns.h"

/* Signals sockjail handles: SIGCHLD, the two that stop it, and the ones it passes on. */
static const int handled[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/*
 * The service's life, as systemd's service unit has it, with the socket unit's
 * "listening" as IDLE: watch the sockets, start on traffic.
 */
enum sup_state {
        SUP_IDLE,         /* no sandbox; sockets watched when on-demand */
        SUP_STARTING,     /* sandbox started, service not ready: timeout_start_sec */
        SUP_RUNNING,      /* ready */
        SUP_STOP_SIGTERM, /* kill_signal sent: timeout_stop_sec */
        SUP_STOP_SIGKILL, /* final_kill_signal sent: timeout_stop_sec, then the init */
        SUP_AUTO_RESTART, /* waiting restart_sec */
        SUP_DONE,
};

/* Why a run ended, systemd's service results; the column of Restart='s table. */
enum sup_result {
        SUP_RESULT_SUCCESS,   /* clean exit code or signal */
        SUP_RESULT_EXIT_CODE, /* unclean exit code */
        SUP_RESULT_SIGNAL,    /* unclean signal (core dumps included) */
        SUP_RESULT_TIMEOUT,
        SUP_RESULT_WATCHDOG,
};

/* Event sources of the one epoll loop: a tag each, sockets from TAG_SOCKET up. */
enum sup_tag {
        TAG_SIGNAL = 1,
        TAG_CTL,
        TAG_TIMER,
        TAG_NOTIFY, /* notify.c's loop: the notify socket, its watchdog, the fd store */
        TAG_SOCKET, /* socket i is TAG_SOCKET + i: keep last */
};

struct sup {
        const struct sup_params *p;
        const struct spec_service *svc;
        int epfd, sigfd, timerfd;
        int exec_fd; /* the program, opened once (sbx_open_program) */
        enum sup_state state;
        bool watching;     /* the sockets are in the epoll set */
        bool stop_request; /* sockjail was told to stop: no restart, no re-arm */
        struct sbx sbx;    /* pid -1: no sandbox */
        /* this run */
        bool have_exit; /* NS_MSG_EXIT seen */
        int exit_status;
        int fail_step;
        int fail_errno;     /* from NS_MSG_FAIL, negative */
        bool killed_init;   /* the last resort: SIGKILL to the init itself */
        bool result_forced; /* result says timeout or watchdog, whatever the status */
        enum sup_result result;
        /* across runs */
        unsigned n_starts;
        struct ratelimit start_limit; /* start_limit_* */
        struct ratelimit *trigger;    /* each socket unit's trigger_limit_* */
        int exit_code;
        int error; /* < 0: sup_run fails with err */
        char *err;
        size_t err_size;
};

static const char *span(uint64_t usec, char buf[32])
{
        return val_format_span(usec, buf, 32);
}

static int epoll_add(int epfd, int fd, uint64_t tag)
{
        return loop_add(epfd, fd, EPOLLIN, tag);
}

_printf_(3, 4) static void fatal(struct sup *s, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(s->err, s->err_size, fmt, ap);
        va_end(ap);
        s->error = r;
        s->state = SUP_DONE;
}

/* Arm the one timer; 0 or infinity disarms it. */
static void timer_set(struct sup *s, uint64_t usec)
{
        loop_timer(s->timerfd, usec);
}

/* Watch the sockets for traffic (IDLE, on-demand) or leave them to the service. */
static int watch_sockets(struct sup *s, bool on)
{
        struct sock_set *set = s->p->sockets;
        int r;

        if (s->watching == on)
                return 0;
        for (size_t i = 0; i < set->n; i++) {
                if (!on)
                        (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, set->fds[i].fd, NULL);
                else if ((r = epoll_add(s->epfd, set->fds[i].fd, TAG_SOCKET + i)) < 0)
                        return r;
        }
        s->watching = on;
        return 0;
}

/*
 * flush_pending (systemd's FlushPending=): before the sockets are watched
 * again, accept and close queued connections, read and drop queued data.
 * Bounded, so that a flood cannot keep us here.
 */
static void flush_pending(struct sup *s)
{
        struct sock_set *set = s->p->sockets;
        char buf[4096];

        for (size_t i = 0; i < set->n; i++) {
                int fd = set->fds[i].fd, listening = 0;
                socklen_t len = sizeof(listening);

                if (!set->fds[i].unit->flush_pending)
                        continue;
                (void)getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
                for (int k = 0; k < 4096; k++) {
                        int c;

                        if (listening && (c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
                                safe_close(c);
                        else if (listening || read(fd, buf, sizeof(buf)) < 0)
                                break;
                }
        }
}

/* systemd's RateLimit: at most burst starts in interval; 0 for either: no limit. */
static bool start_allowed(struct sup *s)
{
        return ratelimit_below(&s->start_limit, s->svc->start_limit_interval_usec,
                               s->svc->start_limit_burst);
}

static void notify_events(struct sup *s, unsigned ev);

/* The fds the sandbox's init closes: ours, the notify ones, the sockets' directory fds. */
static int *private_fds(const struct sup *s, size_t *ret_n)
{
        size_t n = 8 + sock_private_fds(s->p->sockets, NULL, 0);
        int *fds = calloc(n, sizeof(int));

        if (!fds)
                return NULL;
        fds[0] = s->epfd;
        fds[1] = s->sigfd;
        fds[2] = s->timerfd;
        *ret_n = 3 + ntf_private_fds(s->p->notify, fds + 3, 5);
        *ret_n += sock_private_fds(s->p->sockets, fds + *ret_n, n - *ret_n);
        return fds;
}

static void start_service(struct sup *s)
{
        size_t n_close = 0;
        _cleanup_free_ int *close_fds = private_fds(s, &n_close);
        struct act_plan plan;
        char t[32];
        int r;

        if (!start_allowed(s)) {
                fatal(s, -EAGAIN,
                      "service: start limit hit (%u starts within %s: "
                      "start_limit_burst, start_limit_interval_sec)",
                      s->svc->start_limit_burst, span(s->svc->start_limit_interval_usec, t));
                return;
        }
        (void)watch_sockets(s, false);
        r = close_fds ? act_plan_build(s->p->spec, s->p->sockets, &plan) : -ENOMEM;
        if (r >= 0 && s->p->notify && (r = ntf_plan(s->p->notify, &plan)) < 0)
                act_plan_done(&plan);
        if (r < 0) {
                fatal(s, r, "prepare the environment: %s", strerror(-r));
                return;
        }
        r = sbx_start(&(struct sbx_params){.spec = s->p->spec,
                                           .plan = &plan,
                                           .exec_fd = s->exec_fd,
                                           .close_fds = close_fds,
                                           .n_close_fds = n_close},
                      &s->sbx);
        act_plan_done(&plan);
        if (r < 0) {
                fatal(s, r, "start the sandbox: %s", strerror(-r));
                return;
        }
        if ((r = epoll_add(s->epfd, s->sbx.ctl_fd, TAG_CTL)) < 0) {
                fatal(s, r, "supervise: %s", strerror(-r));
                return;
        }
        s->have_exit = s->killed_init = s->result_forced = false;
        s->fail_errno = 0;
        s->n_starts++;
        s->state = SUP_STARTING;
        timer_set(s, s->svc->timeout_start_usec);
        if (s->p->notify)
                notify_events(s, ntf_sandbox_started(s->p->notify, s->sbx.pid));
}

/* The service is up (type=simple: once exec'd). Notify's READY=1 calls this too. */
static void service_ready(struct sup *s)
{
        if (s->state != SUP_STARTING)
                return;
        s->state = SUP_RUNNING;
        timer_set(s, 0);
}

/* Tell the init to signal the main process or all of the sandbox. */
static void send_kill(struct sup *s, enum ns_kill_scope scope, int sig)
{
        sbx_kill(&s->sbx, scope, sig);
}

/* systemd.kill(5): kill_signal (and SIGHUP) per kill_mode, then wait timeout_stop_sec. */
static void stop_service(struct sup *s)
{
        enum spec_kill_mode mode = s->svc->kill_mode;
        enum ns_kill_scope scope = mode == SPEC_KILL_CONTROL_GROUP ? NS_KILL_ALL : NS_KILL_MAIN;

        s->p->log(SUP_DEBUG, "stopping the service: %s to %s", sigabbrev_np(s->svc->kill_signal),
                  mode == SPEC_KILL_NONE ? "nobody (kill_mode none)"
                  : scope == NS_KILL_ALL ? "all its processes"
                                         : "its main process");
        if (mode != SPEC_KILL_NONE) {
                send_kill(s, scope, s->svc->kill_signal);
                if (s->svc->send_sighup && s->svc->kill_signal != SIGHUP)
                        send_kill(s, scope, SIGHUP);
        }
        s->state = SUP_STOP_SIGTERM;
        timer_set(s, s->svc->timeout_stop_usec);
}

/* final_kill_signal: to all but with kill_mode process (main) or none (nobody). */
static void stop_service_final(struct sup *s)
{
        enum spec_kill_mode mode = s->svc->kill_mode;

        if (mode == SPEC_KILL_NONE) {
                s->killed_init = true;
                (void)kill(s->sbx.pid, SIGKILL);
        } else {
                send_kill(s, mode == SPEC_KILL_PROCESS ? NS_KILL_MAIN : NS_KILL_ALL,
                          s->svc->final_kill_signal);
        }
        s->state = SUP_STOP_SIGKILL;
        timer_set(s, s->svc->timeout_stop_usec);
}

/* Stop with a result (timeout, watchdog) that decides on the restart. */
static void fail_service(struct sup *s, enum sup_result result)
{
        s->result = result;
        s->result_forced = true;
        stop_service(s);
}

/* Missed watchdog pings: SIGABRT (systemd's WatchdogSignal=) per kill_mode, then
 * the stop's timeouts; the run ends as a watchdog failure. */
static void watchdog_timeout(struct sup *s)
{
        enum spec_kill_mode mode = s->svc->kill_mode;

        s->result = SUP_RESULT_WATCHDOG;
        s->result_forced = true;
        if (mode != SPEC_KILL_NONE)
                send_kill(s, mode == SPEC_KILL_CONTROL_GROUP ? NS_KILL_ALL : NS_KILL_MAIN, SIGABRT);
        s->state = SUP_STOP_SIGTERM;
        timer_set(s, s->svc->timeout_stop_usec);
}

/* EXTEND_TIMEOUT_USEC=: the start or stop timeout ends no sooner than that from now. */
static void extend_timeout(struct sup *s, uint64_t usec)
{
        struct itimerspec its;

        if ((s->state != SUP_STARTING && s->state != SUP_STOP_SIGTERM) ||
            timerfd_gettime(s->timerfd, &its) < 0)
                return;
        if ((uint64_t)its.it_value.tv_sec * 1000000 + (uint64_t)its.it_value.tv_nsec / 1000 < usec)
                timer_set(s, usec);
}

/* What notify.c reports: readiness (per service.type), the watchdog, timeouts. */
static void notify_events(struct sup *s, unsigned ev)
{
        if (ev & NTF_EVENT_READY)
                service_ready(s);
        if (ev & NTF_EVENT_EXTEND)
                extend_timeout(s, ntf_extend_usec(s->p->notify));
        if ((ev & NTF_EVENT_WATCHDOG) && (s->state == SUP_STARTING || s->state == SUP_RUNNING))
                watchdog_timeout(s);
}

static void drain_notify(struct sup *s)
{
        unsigned ev = 0;
        int r = s->p->notify ? ntf_dispatch(s->p->notify, &ev) : 0;

        if (r < 0)
                s->p->log(SUP_ERROR, "notify: %s", strerror(-r));
        notify_events(s, ev);
}

static void read_ctl(struct sup *s);

/* The init's news first: which process is the main one, whether it ended. */
static void on_notify(struct sup *s)
{
        read_ctl(s);
        drain_notify(s);
}

static void on_timer(struct sup *s)
{
        uint64_t ticks;
        char t[32];

        if (read(s->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
                return;
        switch (s->state) {
        case SUP_STARTING:
                s->p->log(SUP_ERROR, "service did not start within %s (timeout_start_sec)",
                          span(s->svc->timeout_start_usec, t));
                fail_service(s, SUP_RESULT_TIMEOUT);
                break;
        case SUP_STOP_SIGTERM:
                s->p->log(SUP_ERROR, "service did not stop within %s (timeout_stop_sec): %s",
                          span(s->svc->timeout_stop_usec, t),
                          s->svc->kill_mode == SPEC_KILL_NONE
                                  ? "killing the sandbox"
                                  : sigabbrev_np(s->svc->final_kill_signal));
                stop_service_final(s);
                break;
        case SUP_STOP_SIGKILL:
                s->p->log(SUP_ERROR, "service still running after final_kill_signal: "
                                     "killing the sandbox");
                s->killed_init = true;
                (void)kill(s->sbx.pid, SIGKILL);
                break;
        case SUP_AUTO_RESTART:
                start_service(s);
                break;
        default:
                break;
        }
}

/* The pid the init vouched for, when it is not the init's own. */
static pid_t vouched(const struct sup *s, pid_t pid)
{
        return pid > 0 && pid != s->sbx.pid ? pid : 0;
}

static void drain_notify(struct sup *s);

static void read_ctl(struct sup *s)
{
        struct ns_msg m;
        pid_t pid;

        while (s->sbx.ctl_fd >= 0 && ns_msg_recv(s->sbx.ctl_fd, &m, &pid) == sizeof(m)) {
                switch (m.kind) {
                case NS_MSG_STARTED:
                        s->p->log(SUP_INFO, "service started (pid %d in its sandbox)", m.value);
                        notify_events(s, s->p->notify ? ntf_service_started(s->p->notify, m.value,
                                                                            vouched(s, pid))
                                                      : NTF_EVENT_READY);
                        break;
                case NS_MSG_MAINPID:
                        s->p->log(SUP_INFO, "service forked: main process is pid %d in its sandbox",
                                  m.value);
                        notify_events(s, s->p->notify ? ntf_service_forked(s->p->notify, m.value,
                                                                           vouched(s, pid))
                                                      : NTF_EVENT_READY);
                        break;
                case NS_MSG_FAIL:
                        s->fail_step = m.step;
                        s->fail_errno = m.value;
                        break;
                case NS_MSG_EXIT:
                        s->have_exit = true;
                        s->exit_status = m.value;
                        /* what the service sent before it ended still counts */
                        drain_notify(s);
                        if (s->p->notify)
                                notify_events(s, ntf_service_exited(s->p->notify, m.value));
                        break;
                default:
                        break;
                }
        }
}

static void on_ctl(struct sup *s, uint32_t events)
{
        read_ctl(s);
        if (events & (EPOLLHUP | EPOLLERR))
                (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->sbx.ctl_fd, NULL);
}

static int exit_code_of(int status)
{
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}

/* systemd's is_clean_exit for a daemon: 0, SIGHUP, SIGINT, SIGTERM, SIGPIPE, or listed. */
static enum sup_result result_of(const struct spec_service *svc, int status)
{
        static const int clean[] = {SIGHUP, SIGINT, SIGTERM, SIGPIPE};

        if (spec_exit_status_has(&svc->success_exit_status, status))
                return SUP_RESULT_SUCCESS;
        if (WIFEXITED(status))
                return WEXITSTATUS(status) == 0 ? SUP_RESULT_SUCCESS : SUP_RESULT_EXIT_CODE;
        for (size_t i = 0; i < ELEMENTSOF(clean); i++)
                if (WTERMSIG(status) == clean[i])
                        return SUP_RESULT_SUCCESS;
        return SUP_RESULT_SIGNAL;
}

/* systemd.service(5)'s table: which results restart under each setting. */
static bool shall_restart(const struct spec_service *svc, enum sup_result res, int status)
{
        static const unsigned table[] = {
                [SPEC_RESTART_NO] = 0,
                [SPEC_RESTART_ON_SUCCESS] = 1u << SUP_RESULT_SUCCESS,
                [SPEC_RESTART_ON_FAILURE] = ~(1u << SUP_RESULT_SUCCESS),
                [SPEC_RESTART_ON_ABNORMAL] = 1u << SUP_RESULT_SIGNAL | 1u << SUP_RESULT_TIMEOUT |
                                             1u << SUP_RESULT_WATCHDOG,
                [SPEC_RESTART_ON_WATCHDOG] = 1u << SUP_RESULT_WATCHDOG,
                [SPEC_RESTART_ON_ABORT] = 1u << SUP_RESULT_SIGNAL,
                [SPEC_RESTART_ALWAYS] = ~0u,
        };

        if (spec_exit_status_has(&svc->restart_prevent_exit_status, status))
                return false;
        if (spec_exit_status_has(&svc->restart_force_exit_status, status))
                return true;
        return table[svc->restart] & (1u << res);
}

static void log_exit(struct sup *s, int status)
{
        if (WIFSIGNALED(status))
                s->p->log(SUP_INFO, "service exited with signal %d", WTERMSIG(status));
        else
                s->p->log(SUP_INFO, "service exited with status %d", WEXITSTATUS(status));
}

/* The commonest surprise: a program under /tmp, which the sandbox replaced. */
static bool hidden_by_private_tmp(const struct sup *s)
{
        const char *path = s->svc->exec_path;

        return s->fail_errno == -ENOENT && (s->fail_step >> 8) == SBX_DOMAIN_EXEC &&
               s->p->spec->ns.private_tmp &&
               (startswith(path, "/tmp/") || startswith(path, "/var/tmp/"));
}

static void start_failed(struct sup *s)
{
        char what[256];

        sbx_step_describe(s->fail_step, s->p->spec, what, sizeof(what));
        fatal(s, s->fail_errno, "%s: %s%s", what, strerror(-s->fail_errno),
              hidden_by_private_tmp(s) ? " (/tmp and /var/tmp are private in the sandbox: "
                                         "private_tmp)"
                                       : "");
}

/*
 * After a run: restart (restart's table), wait for traffic again (restart set
 * but this exit does not restart: the socket unit goes back to listening), or
 * end sockjail with the service's status (restart: no, the default).
 */
static void after_exit(struct sup *s, int status)
{
        enum sup_result res = s->result_forced ? s->result : result_of(s->svc, status);
        char t[32];
        int r;

        s->exit_code = exit_code_of(status);
        if (s->stop_request) {
                s->state = SUP_DONE;
        } else if (shall_restart(s->svc, res, status)) {
                s->p->log(SUP_INFO, "service restarts in %s (restart: %s, start %u)",
                          span(s->svc->restart_usec, t), spec_restart_name(s->svc->restart),
                          s->n_starts + 1);
                flush_pending(s);
                s->state = SUP_AUTO_RESTART;
                if (s->svc->restart_usec == 0)
                        start_service(s);
                else
                        timer_set(s, s->svc->restart_usec);
        } else if (s->svc->restart != SPEC_RESTART_NO && s->p->sockets->n > 0) {
                s->p->log(SUP_INFO, "waiting for traffic to start the service again");
                flush_pending(s);
                s->state = SUP_IDLE;
                if ((r = watch_sockets(s, true)) < 0)
                        fatal(s, r, "wait for traffic: %s", strerror(-r));
        } else {
                s->state = SUP_DONE;
        }
}

/* The init is reaped: the sandbox is gone, every process of it with it. */
static void on_sandbox_gone(struct sup *s, int init_status)
{
        int status = s->exit_status;

        read_ctl(s); /* what the init said before it went */
        s->sbx.ctl_fd = safe_close(s->sbx.ctl_fd);
        s->sbx.pid = -1;
        timer_set(s, 0);
        if (s->fail_errno < 0) {
                start_failed(s);
        } else if (!s->have_exit && !s->killed_init) {
                fatal(s, -ECHILD, "sandbox init ended unexpectedly (%s %d)",
                      WIFSIGNALED(init_status) ? "signal" : "status", exit_code_of(init_status));
        } else {
                if (!s->have_exit) /* we killed the init: the service died of SIGKILL */
                        status = W_EXITCODE(0, SIGKILL);
                log_exit(s, status);
                after_exit(s, status);
        }
}

/* SIGTERM, SIGINT: stop the service (a second one: final_kill_signal now) and end. */
static void on_stop_signal(struct sup *s, int sig)
{
        bool again = s->stop_request;

        s->stop_request = true;
        switch (s->state) {
        case SUP_STARTING:
        case SUP_RUNNING:
                stop_service(s);
                break;
        case SUP_STOP_SIGTERM:
                if (again)
                        stop_service_final(s);
                break;
        case SUP_IDLE:
        case SUP_AUTO_RESTART:
                s->p->log(SUP_INFO, "stopped by signal %d%s", sig,
                          s->n_starts == 0 ? " before any traffic" : "");
                s->exit_code = 0;
                s->state = SUP_DONE;
                break;
        default:
                break;
        }
}

static void on_signal(struct sup *s)
{
        struct signalfd_siginfo si;
        int status;

        while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
                int sig = (int)si.ssi_signo;

                /* With no service to pass them to, SIGHUP and SIGQUIT stop too. */
                if (sig == SIGTERM || sig == SIGINT ||
                    ((sig == SIGHUP || sig == SIGQUIT) && s->sbx.pid <= 0)) {
                        on_stop_signal(s, sig);
                } else if (sig != SIGCHLD && s->sbx.pid > 0) {
                        s->p->log(SUP_DEBUG, "forwarding signal %d to the service", sig);
                        (void)kill(s->sbx.pid, sig);
                }
        }
        if (s->sbx.pid > 0 && waitpid(s->sbx.pid, &status, WNOHANG) == s->sbx.pid)
                on_sandbox_gone(s, status);
}

/* Traffic on socket i starts the service, unless its unit's trigger limit is
 * hit: then the socket unit fails, as systemd's does, and so does sockjail. */
static bool triggered(struct sup *s, size_t i)
{
        const struct spec_socket *u = s->p->sockets->fds[i].unit;
        size_t k = (size_t)(u - s->p->spec->sockets);
        char t[32];

        if (!s->trigger ||
            ratelimit_below(&s->trigger[k], u->trigger_limit_interval_usec, u->trigger_limit_burst))
                return true;
        fatal(s, -EAGAIN,
              "socket '%s': trigger limit hit (%u activations within %s: trigger_limit_burst, "
              "trigger_limit_interval_sec)",
              u->name, u->trigger_limit_burst, span(u->trigger_limit_interval_usec, t));
        return false;
}

static void dispatch(struct sup *s, const struct epoll_event *ev)
{
        switch (ev->data.u64) {
        case TAG_SIGNAL:
                on_signal(s);
                break;
        case TAG_CTL:
                on_ctl(s, ev->events);
                break;
        case TAG_TIMER:
                on_timer(s);
                break;
        case TAG_NOTIFY:
                on_notify(s);
                break;
        default: /* TAG_SOCKET + i: traffic */
                if (s->state == SUP_IDLE && triggered(s, (size_t)(ev->data.u64 - TAG_SOCKET)))
                        start_service(s);
                break;
        }
}

static int setup(struct sup *s)
{
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                sigaddset(&mask, handled[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (s->sigfd < 0 || s->timerfd < 0)
                return negative_errno();
        if ((r = epoll_add(s->epfd, s->sigfd, TAG_SIGNAL)) < 0)
                return r;
        if (ntf_fd(s->p->notify) >= 0 &&
            (r = epoll_add(s->epfd, ntf_fd(s->p->notify), TAG_NOTIFY)) < 0)
                return r;
        return epoll_add(s->epfd, s->timerfd, TAG_TIMER);
}

int sup_run(const struct sup_params *p, int *ret_exit_code, char *err, size_t err_size)
{
        struct sup s = {.p = p,
                        .svc = &p->spec->service,
                        .sigfd = -1,
                        .timerfd = -1,
                        .sbx = {.pid = -1, .ctl_fd = -1},
                        .err = err,
                        .err_size = err_size};
        struct epoll_event ev;
        int r;

        s.exec_fd = sbx_open_program(s.svc->exec_path);
        s.trigger = calloc(p->spec->n_sockets ?: 1, sizeof(*s.trigger));
        s.epfd = epoll_create1(EPOLL_CLOEXEC);
        r = s.epfd < 0 ? negative_errno() : setup(&s);
        if (r < 0)
                fatal(&s, r, "set up the event loop: %s", strerror(-r));
        else if (s.svc->start == SPEC_START_IMMEDIATE)
                start_service(&s);
        else if ((r = watch_sockets(&s, true)) < 0)
                fatal(&s, r, "wait for traffic: %s", strerror(-r));
        else
                p->log(SUP_DEBUG, "waiting for traffic on %zu socket(s)", p->sockets->n);
        while (s.state != SUP_DONE) {
                int n = epoll_wait(s.epfd, &ev, 1, -1);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        fatal(&s, negative_errno(), "supervise: %s", strerror(errno));
                        break;
                }
                dispatch(&s, &ev);
        }
        if (s.sbx.pid > 0) { /* a failure with the sandbox up: it must not outlive us */
                (void)kill(s.sbx.pid, SIGKILL);
                (void)waitpid(s.sbx.pid, NULL, 0);
        }
        safe_close(s.sbx.ctl_fd);
        safe_close(s.exec_fd);
        safe_close(s.timerfd);
        safe_close(s.sigfd);
        safe_close(s.epfd);
        free(s.trigger);
        *ret_exit_code = s.exit_code;
        return s.error < 0 ? s.error : 0;
}
