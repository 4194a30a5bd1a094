/* SPDX-License-Identifier: MIT */
/*
 * The guard: a small process that removes the remove_on_stop files (socket
 * files, FIFOs, symlinks, the directories made for them) when sockjail is
 * killed with SIGKILL and cannot do it itself. It waits on a pipe only
 * sockjail holds; EOF without sockjail's word means sockjail died.
 */
#pragma once

#include <sys/types.h>

#include "injector/sockets.h"

/* Its process name (comm), so that tests and ps can tell it from sockjail. */
#define GUARD_NAME "sockjail-guard"

struct guard {
        int fd; /* the pipe's write end, CLOEXEC; -1: no guard */
        pid_t pid;
};

/*
 * Fork the guard when a unit of set sets remove_on_stop. Without one (or
 * when fork fails: sockjail runs on without) ret->fd is -1.
 */
void guard_start(const struct sock_set *set, struct guard *ret);

/* After a normal stop: the guard ends without touching anything, and is reaped. */
void guard_release(struct guard *g);
