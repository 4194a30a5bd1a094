/* SPDX-License-Identifier: MIT */
/*
 * ns: the sandbox's namespaces. Which ones to create (clone flags), the id maps
 * of a user namespace, loopback up in a new network namespace, the mount set-up
 * inside a new mount namespace, and the tiny init that reaps in a pid namespace.
 *
 * Library rules: never prints, never exits; returns 0 or -errno.
 * Functions marked "child side" run between clone and execve: they must not
 * allocate from the heap, print or call exit().
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ns_config {
        bool private_network; /* CLONE_NEWNET; only lo, brought up */
        bool private_mounts;  /* CLONE_NEWNS; "/" made MS_REC|MS_SLAVE */
        bool private_pid;     /* CLONE_NEWPID; fresh /proc when a mount ns exists */
        bool private_ipc;     /* CLONE_NEWIPC */
        bool private_uts;     /* CLONE_NEWUTS (systemd: ProtectHostname=) */
        bool private_tmp;     /* tmpfs on /tmp and /var/tmp; implies a mount ns */
        bool private_users;   /* CLONE_NEWUSER, caller mapped to root inside */
        bool user_namespace;  /* CLONE_NEWUSER, caller mapped to itself (set for rootless runs) */
        uid_t outer_uid;      /* the ids mapped, when a user ns is made */
        gid_t outer_gid;
};

/* The secure defaults: every namespace private but users; private /tmp. */
void ns_config_init(struct ns_config *c);

/* CLONE_NEW* flags that c asks for (a mount ns also when private_tmp is set). */
int ns_clone_flags(const struct ns_config *c);

/*
 * fork() into new namespaces: like fork(), returns 0 in the child, the child's
 * pid (as the caller sees it) in the parent, -errno on failure. SIGCHLD is
 * delivered on the child's exit.
 */
pid_t ns_clone(int flags);

/* Parent side: write setgroups/uid_map/gid_map of child pid's user ns. */
int ns_write_id_maps(pid_t pid, const struct ns_config *c);

/* What failed in ns_setup(), for the parent's message. */
enum ns_step {
        NS_STEP_NONE = 0,
        NS_STEP_LOOPBACK,
        NS_STEP_PROPAGATION,
        NS_STEP_TMP,
        NS_STEP_PROC,
        NS_STEP_SYS, /* read-only sysfs on /sys: only the sandbox's interfaces */
        _NS_STEP_MAX,
};

/* Human name of a step ("bring up lo", "mount tmpfs on /tmp", ...). */
const char *ns_step_name(enum ns_step step);

/*
 * Child side, inside the new namespaces (as pid 1 when private_pid is set):
 * lo up, propagation, private /tmp, /proc. On failure returns -errno and sets
 * *ret_step.
 */
int ns_setup(const struct ns_config *c, enum ns_step *ret_step);

/* Child side: bring up "lo" in the current network namespace. */
int ns_loopback_up(void);

/* Messages on the control socket from the sandbox to the supervisor. */
enum ns_msg_kind {
        NS_MSG_FAIL = 1, /* step = a caller-defined step, value = -errno */
        NS_MSG_STARTED,  /* value = the service's pid as the sandbox sees it */
        NS_MSG_EXIT,     /* value = the service's wait status */
};

struct ns_msg {
        int32_t kind;
        int32_t step;
        int32_t value;
};

/*
 * Child side: the sandbox's init. Blocks and forwards SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2 (sent to the init by the supervisor) to service;
 * reaps every child (it is pid 1 or a child subreaper); when ctl_fd hangs up
 * (the supervisor died) it SIGKILLs everything it can see and returns.
 * When service exits it sends {NS_MSG_EXIT, 0, wait status} on ctl_fd, kills
 * what is left of its children with SIGKILL and returns the exit code the
 * caller should _exit() with (status, or 128+signal).
 */
int ns_init_run(int ctl_fd, pid_t service);
