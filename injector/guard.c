/* SPDX-License-Identifier: MIT */
#include "injector/guard.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "common/util.h"

static bool needs_guard(const struct sock_set *set)
{
        for (size_t i = 0; i < set->n; i++)
                if (set->fds[i].unit->remove_on_stop)
                        return true;
        return false;
}

/*
 * Hold no listening socket (the service's clients must see it close with
 * sockjail) and no stdio a caller waits on for EOF. The other fds stay: the
 * directory fds sock_close_all() removes the files through among them, and
 * sockjail holds them all anyway for as long as the guard waits.
 */
static void drop_fds(struct sock_set *set)
{
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        for (int fd = 0; fd < 3 && null >= 0; fd++)
                (void)dup2(null, fd);
        safe_close(null);
        for (size_t i = 0; i < set->n; i++)
                set->fds[i].fd = safe_close(set->fds[i].fd);
}

/* The guard's whole life: wait for sockjail's word or its end. Never returns. */
_Noreturn static void guard_main(const struct sock_set *set, int fd)
{
        struct sock_set copy = *set;
        char word = 0;
        ssize_t k;

        /* Terminal signals go to the whole process group; the guard outlives them. */
        (void)signal(SIGINT, SIG_IGN);
        (void)signal(SIGQUIT, SIG_IGN);
        (void)signal(SIGHUP, SIG_IGN);
        drop_fds(&copy);
        do
                k = read(fd, &word, 1);
        while (k < 0 && errno == EINTR);
        /* EOF: sockjail (and the sandbox's init with it) died without a word. */
        if (k != 1 || word != 'd')
                sock_close_all(&copy, true, false);
        _exit(0);
}

void guard_start(const struct sock_set *set, struct guard *ret)
{
        char name[16 + 1] = "";
        int pipefd[2];

        *ret = (struct guard){.fd = -1, .pid = -1};
        if (!needs_guard(set) || pipe2(pipefd, O_CLOEXEC) < 0)
                return;
        /* Named before the fork, so that no one ever sees it under our name. */
        if (prctl(PR_GET_NAME, name) < 0)
                snprintf(name, sizeof(name), "sockjail");
        (void)prctl(PR_SET_NAME, GUARD_NAME);
        ret->pid = fork();
        if (ret->pid != 0)
                (void)prctl(PR_SET_NAME, name);
        if (ret->pid == 0) {
                safe_close(pipefd[1]);
                guard_main(set, pipefd[0]);
        }
        safe_close(pipefd[0]);
        if (ret->pid < 0)
                safe_close(pipefd[1]);
        else
                ret->fd = pipefd[1];
}

void guard_release(struct guard *g)
{
        if (g->fd < 0)
                return;
        /* A failed write: the guard is gone already, and EOF tells it the same. */
        ssize_t k = write(g->fd, "d", 1);

        (void)k;
        g->fd = safe_close(g->fd);
        while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
