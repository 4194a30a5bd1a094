/* SPDX-License-Identifier: MIT */
/*
 * ns: the sandbox's init. It sits between the supervisor and the service:
 * forwards the supervisor's signals, reaps every orphan, reports the service's
 * end on the control socket and takes the rest of the sandbox down with it.
 */
#include "ns/ns.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "common/util.h"

static const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct init_state {
        int ctl_fd;
        pid_t service;
        bool pid1;         /* pid 1 of its own pid ns: kill(-1) reaches exactly the sandbox */
        bool service_done; /* reaped; service_status is valid */
        int service_status;
};

enum init_event {
        INIT_CONTINUE,
        INIT_HANGUP,
};

/*
 * Blocked signals are queued even for a pid-namespace init with default
 * handlers (which would otherwise drop them), and the signalfd reads them,
 * including any that arrived before this call if the caller blocked them early.
 */
static int open_signalfd(void)
{
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                sigaddset(&mask, forwarded_signals[i]);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? negative_errno() : fd;
}

static int exit_code_of(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

/* Reap whatever has exited; true once the service is among it. */
static bool reap_exited(struct init_state *s)
{
        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, WNOHANG | __WALL);

                if (p < 0 && errno == EINTR)
                        continue;
                if (p < 0 && errno == ECHILD && !s->service_done) {
                        /* service was never our child: nothing left to wait for */
                        s->service_done = true;
                        s->service_status = W_EXITCODE(127, 0);
                }
                if (p <= 0)
                        return s->service_done;
                if (p == s->service && !s->service_done) {
                        s->service_done = true;
                        s->service_status = status;
                }
        }
}

/*
 * Without a pid namespace, "everything" is our children: the service and the
 * orphans reparented to us as subreaper. Streamed from a small buffer. Returns
 * how many were signalled, or -errno when they cannot be listed.
 */
static int kill_children(void)
{
        char buf[256];
        long pid = 0;
        int n = 0;
        ssize_t k;

        _cleanup_close_ int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        while ((k = read(fd, buf, sizeof(buf))) > 0) {
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] >= '0' && buf[i] <= '9' && pid < INT32_MAX / 10) {
                                pid = pid * 10 + (buf[i] - '0');
                                continue;
                        }
                        if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
                                n++;
                        pid = 0;
                }
        }
        if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
                n++;
        return n;
}

/*
 * SIGKILL and reap until no child is left. Killing a process can hand us its
 * children, so list again after each reaped one.
 */
static void kill_all(const struct init_state *s)
{
        for (;;) {
                if (s->pid1) {
                        (void)kill(-1, SIGKILL);
                } else if (kill_children() < 0) {
                        /* no /proc: the service is all we know of */
                        if (!s->service_done)
                                (void)kill(s->service, SIGKILL);
                        while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
                                ;
                        return;
                }
                if (waitpid(-1, NULL, __WALL) < 0 && errno == ECHILD)
                        return;
        }
}

static void forward_signals(const struct init_state *s, int sfd)
{
        struct signalfd_siginfo si;

        while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGCHLD || s->service_done)
                        continue;
                (void)kill(s->service, (int)si.ssi_signo);
        }
}

/*
 * One signal to every process of the sandbox but us. Without a pid namespace
 * that is our children (the service and the orphans we adopted as subreaper);
 * their own children get it once they are orphaned, as systemd's
 * control-group mode without a cgroup cannot do better.
 */
static void signal_all(const struct init_state *s, int sig)
{
        char buf[256];
        long pid = 0;
        ssize_t k;

        if (s->pid1) {
                (void)kill(-1, sig);
                return;
        }
        _cleanup_close_ int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                if (!s->service_done)
                        (void)kill(s->service, sig);
                return;
        }
        while ((k = read(fd, buf, sizeof(buf))) > 0)
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] >= '0' && buf[i] <= '9' && pid < INT32_MAX / 10) {
                                pid = pid * 10 + (buf[i] - '0');
                                continue;
                        }
                        if (pid > 0)
                                (void)kill((pid_t)pid, sig);
                        pid = 0;
                }
        if (pid > 0)
                (void)kill((pid_t)pid, sig);
}

static void act_on(const struct init_state *s, const struct ns_msg *m)
{
        if (m->kind != NS_MSG_KILL || m->value <= 0 || m->value >= NSIG)
                return;
        if (m->step == NS_KILL_ALL)
                signal_all(s, m->value);
        else if (m->step == NS_KILL_MAIN && !s->service_done)
                (void)kill(s->service, m->value);
}

/* NS_MSG_KILL is acted on; EOF or an error means the supervisor is gone. */
static enum init_event check_ctl(const struct init_state *s, short revents)
{
        struct ns_msg m;
        ssize_t k;

        if (revents & (POLLERR | POLLNVAL))
                return INIT_HANGUP;
        if (revents & POLLIN) {
                k = recv(s->ctl_fd, &m, sizeof(m), MSG_DONTWAIT);
                if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
                        return INIT_HANGUP;
                if (k == (ssize_t)sizeof(m))
                        act_on(s, &m);
                return INIT_CONTINUE;
        }
        return (revents & POLLHUP) ? INIT_HANGUP : INIT_CONTINUE;
}

static enum init_event wait_event(const struct init_state *s, int sfd)
{
        struct pollfd p[2] = {
                {.fd = sfd, .events = POLLIN},
                {.fd = s->ctl_fd, .events = POLLIN},
        };

        if (poll(p, ELEMENTSOF(p), -1) < 0)
                return INIT_CONTINUE;
        if (p[0].revents & POLLIN)
                forward_signals(s, sfd);
        return check_ctl(s, p[1].revents);
}

static void report_exit(int ctl_fd, int status)
{
        struct ns_msg m = {.kind = NS_MSG_EXIT, .step = 0, .value = status};

        /* the supervisor may be gone already; nothing to do about it */
        (void)send(ctl_fd, &m, sizeof(m), MSG_NOSIGNAL);
}

/*
 * Child side: the sandbox's init (see ns.h). ctl_fd may be -1 (no supervisor
 * to report to or to watch). Returns the exit code for _exit(): the service's
 * status or 128+signal; 137 when the supervisor hung up; 127 when service is
 * not a pid or the signalfd cannot be made (everything is killed first).
 */
/* The first child left once the forking parent is gone: the daemon it started,
 * reparented to us. 0 when there is none. */
static pid_t first_child(void)
{
        char path[64], buf[32];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof(buf) - 1);
        safe_close(fd);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        return (pid_t)strtol(buf, NULL, 10);
}

/* Type forking: a parent that exited 0 hands the service over to its daemon. */
static bool adopt_daemon(struct init_state *s)
{
        struct ns_msg m = {.kind = NS_MSG_MAINPID};
        pid_t daemon;

        if (!WIFEXITED(s->service_status) || WEXITSTATUS(s->service_status) != 0)
                return false;
        daemon = first_child();
        if (daemon <= 0)
                return false;
        s->service = daemon;
        s->service_done = false;
        m.value = daemon;
        (void)ns_msg_send(s->ctl_fd, &m, daemon);
        return true;
}

int ns_init_run(int ctl_fd, pid_t service)
{
        return ns_init_run_flags(ctl_fd, service, 0);
}

int ns_init_run_flags(int ctl_fd, pid_t service, unsigned flags)
{
        struct init_state s = {.ctl_fd = ctl_fd, .service = service, .pid1 = getpid() == 1};
        bool adopted = false;

        /* second guard; the caller should have set it right after clone */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        (void)prctl(PR_SET_CHILD_SUBREAPER, 1);
        if (service <= 0)
                return 127;

        _cleanup_close_ int sfd = open_signalfd();
        if (sfd < 0) {
                kill_all(&s);
                return 127;
        }
        for (;;) {
                while (!reap_exited(&s)) {
                        if (wait_event(&s, sfd) == INIT_HANGUP) {
                                kill_all(&s);
                                return 128 + SIGKILL;
                        }
                }
                if (!(flags & NS_INIT_FORKING) || adopted || !adopt_daemon(&s))
                        break;
                adopted = true;
        }
        report_exit(ctl_fd, s.service_status);
        kill_all(&s);
        return exit_code_of(s.service_status);
}
