/* SPDX-License-Identifier: MIT */
/*
 * Accept=yes inside the sandbox: the spawner. It runs where the service would
 * (under the init, in the namespaces made once); sockjail sends it each
 * accepted connection over a SOCK_SEQPACKET channel (SCM_RIGHTS).
 *
 * instance_isolation shared: the spawner takes on the policy once (ids,
 * capabilities, no_new_privs, Landlock; it is made non-dumpable), reads the
 * connection and starts the instance as posix_spawn does (CLONE_VM |
 * CLONE_VFORK): the connection as fd 3 (or stdin and stdout), REMOTE_ADDR and
 * REMOTE_PORT, the compiled seccomp filter, execve. A connection costs an
 * exec, no page tables copied and no namespaces made.
 *
 * per-connection: the spawner keeps its privileges and a pool of zygotes: an
 * init each, in fresh network, ipc, pid and mount namespaces (lo, a /proc of
 * its own, a private /tmp), blocked on the connection channel itself (the
 * kernel wakes one per connection). The zygote that takes a connection starts
 * the instance under it with the whole policy, and the spawner makes the next
 * zygote meanwhile: the namespaces are made off the connection's path.
 */
#pragma once

#include <netinet/in.h>
#include <stdint.h>

#include "injector/activation.h"
#include "injector/spec.h"

enum spw_kind {
        SPW_CONN = 1, /* sockjail -> a waiting instance: a connection (its fd attached) */
        SPW_STOP,     /* sockjail -> spawner: no more; exit once the instances are gone */
        SPW_KILL,     /* sockjail -> spawner: value = a signal for every instance */
        SPW_EXIT,     /* spawner -> sockjail: instance id ended, value = its wait status */
        SPW_FAIL,     /* instance -> sockjail: step (sandbox.h) failed with value = -errno */
};

struct spw_msg {
        int32_t kind;
        uint32_t id;
        int32_t value;
        int32_t step;
        uint16_t port;               /* REMOTE_PORT, with addr */
        char addr[INET6_ADDRSTRLEN]; /* REMOTE_ADDR; "" for non-IP peers */
};

struct spw_params {
        const struct spec *spec;
        struct act_plan *plan; /* act_plan_build_instance() */
        int exec_fd;           /* the program, or -1: by path */
        int chan;              /* control: SPW_STOP, SPW_KILL in; SPW_EXIT, SPW_FAIL out */
        int conns;             /* SPW_CONN in, read by the waiting instances themselves */
};

/* SPW_FAIL's id when no connection was involved: a zygote could not be made. */
#define SPW_NO_ID UINT32_MAX

/* In the sandbox, as its service: never returns. Set-up failures go to
 * report_fd as {step, -errno} (sandbox.c's protocol); success closes it. */
_Noreturn void spw_main(const struct spw_params *p, int report_fd);

/* sockjail's side: hand connection fd over. Returns 0, -EAGAIN when the
 * channel is full (retry when writable), or -errno. */
int spw_send_conn(int chan, uint32_t id, int fd, const char *addr, unsigned port);

/* Receive one message, with at most one fd (else *ret_fd = -1). Non-blocking:
 * returns sizeof(*m), 0 at EOF, or -errno. */
ssize_t spw_recv(int chan, struct spw_msg *m, int *ret_fd);
