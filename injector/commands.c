/* SPDX-License-Identifier: MIT */
/*
 * A socket unit's commands run as plain children of sockjail on the host,
 * each in a process group of its own so that a timeout or a stop reaches
 * whatever it started: stdin /dev/null, sockjail's stdout and stderr, PATH
 * alone in the environment, no other fd. What it leaves behind in its group
 * is killed when it ends: there is no control group to hold it, as systemd
 * has, and nothing may outlive sockjail.
 */
#include "injector/commands.h"

#include <inttypes.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "common/util.h"
#include "injector/value.h"

/* How far a unit's start got, which decides its stop commands. */
enum unit_state {
        UNIT_IDLE,        /* not reached */
        UNIT_PRE_FAILED,  /* its exec_start_pre failed: systemd skips its stop commands */
        UNIT_STARTING,    /* exec_start_pre ran or was stopped: exec_stop_post only */
        UNIT_OPEN,        /* the sockets were made: exec_stop_pre and exec_stop_post */
        UNIT_INTERRUPTED, /* stopped during its exec_start_post: exec_stop_post only */
};

/* How one command ended. */
struct outcome {
        int status;     /* wait status */
        int error;      /* -errno: it could not be started (exec, fork) */
        bool timed_out; /* it outlived timeout_sec */
        int signal;     /* the stop signal that ended it, or 0 */
};

static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

static unsigned prefix_flag(char ch, unsigned flags)
{
        switch (ch) {
        case '-':
                return HOOK_IGNORE_FAILURE;
        case '@':
                return HOOK_ARGV0;
        case ':':
                return HOOK_NO_EXPAND;
        case '+':
                return flags & (HOOK_NO_SETUID | HOOK_AMBIENT) ? 0 : HOOK_PRIVILEGED;
        case '!':
                if (flags & (HOOK_PRIVILEGED | HOOK_AMBIENT))
                        return 0;
                return flags & HOOK_NO_SETUID ? HOOK_AMBIENT : HOOK_NO_SETUID;
        default:
                return 0;
        }
}

size_t hook_prefix(const char *word, unsigned *ret_flags)
{
        unsigned flags = 0, add;
        size_t n = 0;

        while ((add = prefix_flag(word[n], flags)) != 0 && !(flags & add)) {
                flags |= add;
                n++;
        }
        *ret_flags = flags;
        return n;
}

const char *hook_phase_name(enum spec_exec phase)
{
        static const char *const names[SPEC_EXEC_N] = {"exec_start_pre", "exec_start_post",
                                                       "exec_stop_pre", "exec_stop_post"};

        return phase < SPEC_EXEC_N ? names[phase] : "?";
}

static bool no_timeout(uint64_t usec)
{
        return usec == 0 || usec == VAL_INFINITY;
}

void hook_format_timespan(uint64_t usec, char *buf, size_t size)
{
        if (no_timeout(usec))
                snprintf(buf, size, "infinity");
        else if (usec % 1000000 == 0)
                snprintf(buf, size, "%" PRIu64 "s", usec / 1000000);
        else if (usec % 1000 == 0)
                snprintf(buf, size, "%" PRIu64 "ms", usec / 1000);
        else
                snprintf(buf, size, "%" PRIu64 "us", usec);
}

void hook_format_status(int status, char *buf, size_t size)
{
        const char *name;

        if (WIFEXITED(status)) {
                snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
        } else if (WIFSIGNALED(status)) {
                name = sigabbrev_np(WTERMSIG(status));
                snprintf(buf, size, "killed by signal %d%s%s%s", WTERMSIG(status),
                         name ? " (SIG" : "", name ?: "", name ? ")" : "");
        } else {
                snprintf(buf, size, "ended with wait status %d", status);
        }
}

static uint64_t now_usec(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* poll()'s timeout until deadline, rounded up; -1 for none. */
static int ms_until(uint64_t deadline)
{
        uint64_t now = now_usec(), ms;

        if (deadline == UINT64_MAX)
                return -1;
        if (now >= deadline)
                return 0;
        ms = (deadline - now + 999) / 1000;
        return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Between fork and execve: no allocation, no stdio; a failure goes to errfd. */
_Noreturn static void child_exec(const struct spec_command *cmd, int nullfd, int errfd,
                                 pid_t parent)
{
        static char path_env[] = "PATH=" SPEC_DEFAULT_PATH;
        char *const envp[] = {path_env, NULL};
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigset_t none;
        int e;

        (void)setpgid(0, 0);
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) /* sockjail died before the line above */
                _exit(127);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)sigaction(sig, &dfl, NULL);
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        if (dup2(nullfd, STDIN_FILENO) >= 0) {
                /* Every fd of ours is CLOEXEC already; this makes sure of it. */
                (void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
                execve(cmd->path, cmd->argv, envp);
        }
        e = errno;
        (void)write_all(errfd, &e, sizeof(e));
        _exit(127);
}

/* Fork the command and learn whether its execve worked: the error pipe is
 * CLOEXEC, so EOF without an errno means it did. */
static int spawn(const struct spec_command *cmd, int nullfd, pid_t *ret_pid, int *ret_exec_errno)
{
        pid_t parent = getpid(), pid;
        int pipefd[2], e = 0, r;
        ssize_t n;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0) {
                r = negative_errno();
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(pipefd[0]);
                child_exec(cmd, nullfd, pipefd[1], parent);
        }
        safe_close(pipefd[1]);
        do
                n = read(pipefd[0], &e, sizeof(e));
        while (n < 0 && errno == EINTR);
        safe_close(pipefd[0]);
        *ret_pid = pid;
        *ret_exec_errno = n == sizeof(e) ? (e > 0 ? e : EIO) : 0;
        return 0;
}

/* A stop signal from sigfd, or 0 when none is pending. */
static int read_stop_signal(int sigfd)
{
        struct signalfd_siginfo si;

        if (read(sigfd, &si, sizeof(si)) != sizeof(si))
                return 0;
        return (int)si.ssi_signo;
}

/* SIGTERM to the command's group, then SIGKILL; returns the next deadline. */
static uint64_t escalate(pid_t pid, int *kills, uint64_t timeout)
{
        (void)kill(-pid, *kills == 0 ? SIGTERM : SIGKILL);
        (*kills)++;
        return *kills == 1 && !no_timeout(timeout) ? now_usec() + timeout : UINT64_MAX;
}

/* Wait until the command (pid, watched through pidfd) has ended, stopping it
 * at its deadline or on a stop signal. */
static int wait_ended(pid_t pid, int pidfd, int sigfd, uint64_t timeout, struct outcome *o)
{
        uint64_t deadline = no_timeout(timeout) ? UINT64_MAX : now_usec() + timeout;
        int kills = 0;

        for (;;) {
                struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
                                      {.fd = sigfd, .events = POLLIN}};
                int n = poll(p, 2, ms_until(deadline)), sig;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (p[0].revents)
                        return 0;
                if (p[1].revents && (sig = read_stop_signal(sigfd)) > 0) {
                        if (!o->timed_out && !o->signal)
                                o->signal = sig;
                        deadline = escalate(pid, &kills, timeout);
                } else if (n == 0 && now_usec() >= deadline) {
                        o->timed_out = o->timed_out || (kills == 0 && !o->signal);
                        deadline = escalate(pid, &kills, timeout);
                }
        }
}

/* Run one command to its end; whatever happens, nothing of it is left. */
static void run_command(const struct spec_command *cmd, uint64_t timeout, int sigfd, int nullfd,
                        struct outcome *o)
{
        int exec_errno = 0, pidfd, r;
        pid_t pid = -1;

        r = spawn(cmd, nullfd, &pid, &exec_errno);
        if (r < 0) {
                o->error = r;
                return;
        }
        if (exec_errno > 0)
                o->error = -exec_errno;
        pidfd = exec_errno > 0 ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0) {
                r = wait_ended(pid, pidfd, sigfd, timeout, o);
                if (r < 0)
                        o->error = r;
                safe_close(pidfd);
        } else if (exec_errno == 0) {
                o->error = negative_errno();
        }
        /* The leader is a zombie until reaped, so its group id cannot be reused. */
        (void)kill(-pid, SIGKILL);
        while (waitpid(pid, &o->status, 0) < 0 && errno == EINTR)
                ;
}

static bool succeeded(const struct outcome *o)
{
        return o->error == 0 && !o->timed_out && !o->signal && WIFEXITED(o->status) &&
               WEXITSTATUS(o->status) == 0;
}

static void describe(const struct outcome *o, uint64_t timeout, char *buf, size_t size)
{
        char span[32];

        if (o->error < 0) {
                snprintf(buf, size, "%s", strerror(-o->error));
        } else if (o->timed_out) {
                hook_format_timespan(timeout, span, sizeof(span));
                snprintf(buf, size, "timed out after %s", span);
        } else {
                hook_format_status(o->status, buf, size);
        }
}

struct phase_ctx {
        struct hook_run *h;
        enum spec_exec phase;
        int sigfd;
        int nullfd;
};

/* Run unit i's commands of the phase: 0, 1 when stopped by a signal, -ECHILD
 * when a command failed. */
static int run_unit(const struct phase_ctx *p, size_t i)
{
        const struct spec_socket *u = &p->h->spec->sockets[i];
        const struct spec_commands *l = &u->exec[p->phase];
        const char *what = hook_phase_name(p->phase);
        bool starting = p->phase <= SPEC_EXEC_START_POST;
        char how[128];
        int sig;

        for (size_t j = 0; j < l->n; j++) {
                const struct spec_command *cmd = &l->v[j];
                struct outcome o = {0};

                /* One that came in between: a start stops, a stop goes on. */
                while ((sig = read_stop_signal(p->sigfd)) > 0)
                        if (starting) {
                                p->h->log(SUP_INFO, "stopped by signal %d before %s of socket '%s'",
                                          sig, what, u->name);
                                return 1;
                        }
                p->h->log(SUP_DEBUG, "%s of socket '%s': running %s", what, u->name, cmd->line);
                run_command(cmd, u->timeout_usec, p->sigfd, p->nullfd, &o);
                if (o.signal) {
                        p->h->log(SUP_INFO, "stopped by signal %d during %s of socket '%s': %s",
                                  o.signal, what, u->name, cmd->line);
                        return 1;
                }
                if (succeeded(&o))
                        continue;
                describe(&o, u->timeout_usec, how, sizeof(how));
                p->h->log(cmd->ignore_failure ? SUP_INFO : SUP_ERROR, "%s of socket '%s': %s: %s%s",
                          what, u->name, cmd->line, how, cmd->ignore_failure ? " (ignored)" : "");
                if (!cmd->ignore_failure)
                        return -ECHILD;
        }
        return 0;
}

static bool unit_due(enum unit_state st, enum spec_exec phase)
{
        switch (phase) {
        case SPEC_EXEC_START_PRE:
        case SPEC_EXEC_START_POST:
                return true;
        case SPEC_EXEC_STOP_PRE:
                return st == UNIT_OPEN;
        case SPEC_EXEC_STOP_POST:
                return st == UNIT_STARTING || st == UNIT_OPEN || st == UNIT_INTERRUPTED;
        default:
                return false;
        }
}

/* Does any unit due in this phase have a command for it? */
static bool phase_has_work(const struct hook_run *h, enum spec_exec phase)
{
        for (size_t i = 0; i < h->spec->n_sockets; i++)
                if (unit_due(h->state[i], phase) && h->spec->sockets[i].exec[phase].n > 0)
                        return true;
        return false;
}

/* Block the stop signals (for good: see commands.h) and watch them. */
static int stop_signalfd(void)
{
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(stop_signals); i++)
                sigaddset(&mask, stop_signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? negative_errno() : fd;
}

static void note_result(struct hook_run *h, enum spec_exec phase, size_t i, int r)
{
        if (phase == SPEC_EXEC_START_PRE && r < 0)
                h->state[i] = UNIT_PRE_FAILED;
        else if (phase == SPEC_EXEC_START_POST && r > 0)
                h->state[i] = UNIT_INTERRUPTED;
}

static int run_units(struct phase_ctx *p)
{
        struct hook_run *h = p->h;
        bool starting = p->phase <= SPEC_EXEC_START_POST;

        for (size_t i = 0; i < h->spec->n_sockets; i++) {
                int r;

                if (!unit_due(h->state[i], p->phase))
                        continue;
                if (p->phase == SPEC_EXEC_START_PRE)
                        h->state[i] = UNIT_STARTING;
                r = h->spec->sockets[i].exec[p->phase].n > 0 ? run_unit(p, i) : 0;
                note_result(h, p->phase, i, r);
                if (starting && r != 0)
                        return r;
        }
        return 0;
}

void hook_init(struct hook_run *h, const struct spec *s,
               void (*log)(enum sup_level level, const char *fmt, ...)
                       __attribute__((format(printf, 2, 3))))
{
        *h = (struct hook_run){.spec = s, .log = log};
}

int hook_run_phase(struct hook_run *h, enum spec_exec phase)
{
        struct phase_ctx p = {.h = h, .phase = phase, .sigfd = -1, .nullfd = -1};
        bool starting = phase <= SPEC_EXEC_START_POST;
        int r = 0;

        if (phase_has_work(h, phase)) {
                p.sigfd = stop_signalfd();
                p.nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (p.sigfd < 0 || p.nullfd < 0) {
                        r = p.sigfd < 0 ? p.sigfd : negative_errno();
                        h->log(SUP_ERROR, "%s: %s", hook_phase_name(phase), strerror(-r));
                }
        }
        if (r == 0)
                r = run_units(&p);
        if (phase == SPEC_EXEC_START_PRE && r == 0)
                for (size_t i = 0; i < h->spec->n_sockets; i++)
                        h->state[i] = UNIT_OPEN;
        safe_close(p.sigfd);
        safe_close(p.nullfd);
        return starting ? r : 0;
}
