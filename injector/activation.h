/* SPDX-License-Identifier: MIT */
/*
 * Activation: what the service sees. The fd layout (the sockets as fds 3, 4,
 * ... or the socket on stdin/stdout) and the environment (LISTEN_FDS,
 * LISTEN_PID, LISTEN_FDNAMES; UPSTART_* on request). Built before fork;
 * act_apply() runs in the service's process and does not allocate.
 */
#pragma once

#include <stdbool.h>

#include "injector/sockets.h"
#include "injector/spec.h"

struct act_plan {
        int *fds; /* the activation fds, in order (borrowed from the sock_set) */
        size_t n_fds;
        int stdin_fd; /* the socket for standard_input: socket, or -1 */
        bool stdin_null;
        bool stdout_socket;
        bool stdout_null;
        char **envp;    /* the service's whole environment (owned) */
        char *pid_slot; /* the digits of LISTEN_PID=, inside envp; NULL if unset */
        /* the same for act_plan_set_pid_var() (WATCHDOG_PID=) */
        char *pid_var_slot;
};

enum act_step {
        ACT_STEP_NONE = 0,
        ACT_STEP_MOVE_FDS,
        ACT_STEP_DUP_FDS,
        ACT_STEP_STDIO,
        ACT_STEP_CLOSE_FDS,
        _ACT_STEP_MAX,
};

const char *act_step_name(enum act_step step);

/* Build the plan: environment from scratch (PATH, policy.pass_environment,
 * service.environment, policy.environment, policy.environment_file, then the
 * protocol's variables; policy.unset_environment last), fds in spec order. */
int act_plan_build(const struct spec *s, const struct sock_set *set, struct act_plan *ret);
void act_plan_done(struct act_plan *p);

/* Accept=yes: the plan of an instance, one socket named "connection" (fd 3, or
 * stdin and stdout with standard_input: socket). act_plan_set_connection()
 * puts the connection in, in the instance's process. */
int act_plan_build_instance(const struct spec *s, struct act_plan *ret);
void act_plan_set_connection(struct act_plan *p, int fd);

/* Set "NAME=value" in a built plan, replacing an earlier NAME. Returns 0 or -ENOMEM. */
int act_plan_putenv(struct act_plan *p, const char *entry);

/* Set NAME to the service's own pid, written by act_apply() as LISTEN_PID is. */
int act_plan_set_pid_var(struct act_plan *p, const char *name);

/* Pass n more fds after the sockets (the fd store), named in LISTEN_FDNAMES;
 * LISTEN_FDS and LISTEN_PID follow. The fds stay the caller's. */
int act_plan_add_fds(struct act_plan *p, const int *fds, char *const *names, size_t n);

/*
 * Child side: lay out the fds (move above 3+n, dup2 into place, mark every
 * other fd CLOEXEC, so only 0, 1, 2 and the activation fds survive execve)
 * and write the service's pid into LISTEN_PID. The n_keep fds in keep (the
 * error report pipe, the program's fd) are moved out of the way if they sit
 * where an activation fd goes; they stay CLOEXEC.
 */
int act_apply(struct act_plan *p, int *keep, size_t n_keep, enum act_step *ret_step);
