/* SPDX-License-Identifier: MIT */
/*
 * Starting the service in its sandbox: clone into the namespaces, the init
 * inside (ns/), the service process under it (activation, then policy, then
 * execve). A failure inside crosses back as {step, -errno} on the control
 * socket; nothing in the child prints or calls exit().
 */
#pragma once

#include <sys/types.h>

#include "injector/activation.h"
#include "injector/spec.h"
#include "ns/ns.h"

/* Steps as they travel on the control socket: the domain in the high byte. */
enum sbx_domain {
        SBX_DOMAIN_INIT = 1, /* the init's own set-up */
        SBX_DOMAIN_NS,       /* enum ns_step */
        SBX_DOMAIN_ACT,      /* enum act_step */
        SBX_DOMAIN_POL,      /* enum pol_step */
        SBX_DOMAIN_EXEC,
};
#define SBX_STEP(domain, step) (((domain) << 8) | (step))

enum sbx_init_step {
        SBX_INIT_SYNC = 1,
        SBX_INIT_PDEATHSIG,
        SBX_INIT_PIPE,
        SBX_INIT_FORK,
        SBX_INIT_SIGNALS,
};

struct spw_params; /* spawner.h */

struct sbx_params {
        const struct spec *spec;
        struct act_plan *plan;
        int exec_fd;          /* the program, opened on the host; -1: exec by path */
        const int *close_fds; /* the supervisor's own fds, closed in the init */
        size_t n_close_fds;
        /* Accept=yes: the sandbox runs the spawner instead of the service */
        const struct spw_params *spawner;
};

struct sbx {
        pid_t pid;  /* the init, as the supervisor sees it */
        int ctl_fd; /* SOCK_SEQPACKET to the init */
};

/*
 * Open the service's program on the host, so that it runs even where the
 * sandbox's mounts hide its path (a checkout under /tmp, which is private
 * inside). Returns the fd, or -1 to exec by path: scripts, whose interpreter
 * reopens them by name, and files we may not read (execute-only).
 */
int sbx_open_program(const char *path);

/* Start the sandbox. Returns once the init runs (not yet the service: read
 * NS_MSG_STARTED or NS_MSG_FAIL from ctl_fd for that). */
int sbx_start(const struct sbx_params *p, struct sbx *ret);

/* Tell the init to send sig to the main process or to every process of the
 * sandbox (enum ns_kill_scope); an init gone or deaf is SIGKILLed instead. */
void sbx_kill(const struct sbx *x, enum ns_kill_scope scope, int sig);

/* Child side: every signal's default disposition, none blocked (execve keeps both). */
void sbx_reset_signals(void);

/* "sandbox: mount tmpfs on /tmp" and the like, for a step from NS_MSG_FAIL. */
void sbx_step_describe(int step, const struct spec *s, char *buf, size_t size);
