/* SPDX-License-Identifier: MIT */
#include "injector/sandbox.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common/util.h"
#include "injector/spawner.h"
#include "ns/ns.h"
#include "policy/pol.h"

/* The init's first words, also used for failures before there is a service. */
static void report(int fd, int kind, int step, int value)
{
        struct ns_msg m = {.kind = kind, .step = step, .value = value};

        (void)send(fd, &m, sizeof(m), MSG_NOSIGNAL);
}

void sbx_reset_signals(void)
{
        struct sigaction sa = {.sa_handler = SIG_DFL};
        sigset_t none;

        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)sigaction(sig, &sa, NULL);
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The service's process: activation, policy, execve. Never returns. */
_Noreturn static void service_exec(const struct sbx_params *p, int report_fd)
{
        const struct spec *s = p->spec;
        enum act_step astep;
        enum ns_step nstep;
        enum pol_step pstep;
        int32_t msg[2];
        int r;

        int keep[2] = {report_fd, p->exec_fd};

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        sbx_reset_signals();
        r = act_apply(p->plan, keep, ELEMENTSOF(keep), &astep);
        if (r < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_ACT, astep);
        } else if ((r = ns_enter_working_directory(&s->ns, &nstep)) < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_NS, nstep);
        } else if ((r = pol_apply(&s->pol, s->filter, &pstep)) < 0) {
                msg[0] = SBX_STEP(SBX_DOMAIN_POL, pstep);
        } else {
                if (keep[1] >= 0)
                        syscall(SYS_execveat, keep[1], "", s->service.exec, p->plan->envp,
                                AT_EMPTY_PATH);
                else
                        execve(s->service.exec_path, s->service.exec, p->plan->envp);
                r = negative_errno();
                msg[0] = SBX_STEP(SBX_DOMAIN_EXEC, 0);
        }
        msg[1] = r;
        (void)write_all(keep[0], msg, sizeof(msg));
        _exit(127);
}

/* Fork the service and learn whether its execve worked: the report pipe is
 * CLOEXEC, so EOF without a message means it did. */
static int spawn_service(const struct sbx_params *p, pid_t *ret_pid, int32_t ret_msg[2])
{
        int pipefd[2];
        ssize_t n;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return (ret_msg[0] = SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_PIPE), negative_errno());
        pid = fork();
        if (pid < 0) {
                ret_msg[0] = SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_FORK);
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return negative_errno();
        }
        if (pid == 0) {
                safe_close(pipefd[0]);
                if (p->spawner)
                        spw_main(p->spawner, pipefd[1]);
                service_exec(p, pipefd[1]);
        }
        safe_close(pipefd[1]);
        do
                n = read(pipefd[0], ret_msg, 2 * sizeof(int32_t));
        while (n < 0 && errno == EINTR);
        safe_close(pipefd[0]);
        *ret_pid = pid;
        if (n == 2 * sizeof(int32_t)) {
                (void)waitpid(pid, NULL, 0);
                return ret_msg[1] < 0 ? ret_msg[1] : -EIO;
        }
        return 0;
}

/* The first process inside the namespaces. Never returns. */
_Noreturn static void init_main(const struct sbx_params *p, int ctl)
{
        enum ns_step nstep = NS_STEP_NONE;
        int32_t msg[2] = {0, 0};
        char go;
        pid_t service = -1;
        int r;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
                report(ctl, NS_MSG_FAIL, SBX_STEP(SBX_DOMAIN_INIT, SBX_INIT_PDEATHSIG),
                       negative_errno());
                _exit(127);
        }
        /* Wait for the parent's go (id maps written); EOF: it died meanwhile. */
        if (recv(ctl, &go, 1, 0) != 1)
                _exit(127);
        for (size_t i = 0; i < p->n_close_fds; i++)
                safe_close(p->close_fds[i]);
        r = ns_setup(&p->spec->ns, &nstep);
        if (r < 0) {
                report(ctl, NS_MSG_FAIL, SBX_STEP(SBX_DOMAIN_NS, nstep), r);
                _exit(127);
        }
        r = spawn_service(p, &service, msg);
        if (r < 0) {
                report(ctl, NS_MSG_FAIL, msg[0], r);
                _exit(127);
        }
        (void)ns_msg_send(ctl, &(struct ns_msg){.kind = NS_MSG_STARTED, .value = service}, service);
        _exit(ns_init_run_flags(ctl, service,
                                p->spec->service.type == SPEC_TYPE_FORKING ? NS_INIT_FORKING : 0));
}

void sbx_kill(const struct sbx *x, enum ns_kill_scope scope, int sig)
{
        struct ns_msg m = {.kind = NS_MSG_KILL, .step = scope, .value = sig};

        if (x->ctl_fd < 0 || send(x->ctl_fd, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
                (void)kill(x->pid, SIGKILL); /* the init is gone or deaf: end the sandbox */
}

int sbx_open_program(const char *path)
{
        char magic[2];
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -1;
        if (pread(fd, magic, sizeof(magic), 0) == 2 && magic[0] == '#' && magic[1] == '!')
                return safe_close(fd);
        return fd;
}

int sbx_start(const struct sbx_params *p, struct sbx *ret)
{
        int flags = ns_clone_flags(&p->spec->ns), pair[2], r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return negative_errno();
        pid = ns_clone(flags);
        if (pid < 0) {
                safe_close(pair[0]);
                safe_close(pair[1]);
                return pid;
        }
        if (pid == 0) {
                safe_close(pair[0]);
                init_main(p, pair[1]);
        }
        safe_close(pair[1]);
        /* the init's reports carry the service's pid as we see it */
        if (setsockopt(pair[0], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int)) < 0)
                (void)kill(pid, SIGKILL);
        r = flags & CLONE_NEWUSER ? ns_write_id_maps(pid, &p->spec->ns) : 0;
        if (r >= 0 && send(pair[0], "g", 1, MSG_NOSIGNAL) != 1)
                r = negative_errno();
        if (r < 0) {
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                safe_close(pair[0]);
                return r;
        }
        *ret = (struct sbx){.pid = pid, .ctl_fd = pair[0]};
        return 0;
}

static const char *init_step_name(int step)
{
        switch (step) {
        case SBX_INIT_SYNC:
                return "wait for the supervisor";
        case SBX_INIT_PDEATHSIG:
                return "set the parent-death signal";
        case SBX_INIT_PIPE:
                return "create the report pipe";
        case SBX_INIT_FORK:
                return "fork the service";
        case SBX_INIT_SIGNALS:
                return "block signals";
        default:
                return "start";
        }
}

void sbx_step_describe(int step, const struct spec *s, char *buf, size_t size)
{
        int sub = step & 0xff;

        switch (step >> 8) {
        case SBX_DOMAIN_NS:
                snprintf(buf, size, "sandbox: %s", ns_step_name((enum ns_step)sub));
                break;
        case SBX_DOMAIN_ACT:
                snprintf(buf, size, "service: %s", act_step_name((enum act_step)sub));
                break;
        case SBX_DOMAIN_POL:
                snprintf(buf, size, "service: %s", pol_step_name((enum pol_step)sub));
                break;
        case SBX_DOMAIN_EXEC:
                snprintf(buf, size, "exec %s", s->service.exec_path);
                break;
        default:
                snprintf(buf, size, "sandbox init: %s", init_step_name(sub));
                break;
        }
}
