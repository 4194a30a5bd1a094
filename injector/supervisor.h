/* SPDX-License-Identifier: MIT */
/*
 * The supervisor: waits for traffic (start: on-demand) or starts at once,
 * starts the sandbox, forwards signals to it and ends with the service's
 * status. One epoll loop over a signalfd, the listening sockets and the
 * sandbox's control socket, so that later event sources (notify socket,
 * seccomp notifications) join the same loop.
 */
#pragma once

#include <stddef.h>

#include "injector/sockets.h"
#include "injector/spec.h"

enum sup_level {
        SUP_ERROR,
        SUP_INFO,
        SUP_DEBUG,
};

struct ntf; /* notify.h */

struct sup_params {
        const struct spec *spec;
        struct sock_set *sockets;
        struct ntf *notify; /* readiness, sd_notify, fd store; NULL: none */
        void (*log)(enum sup_level level, const char *fmt, ...)
                __attribute__((format(printf, 2, 3)));
};

/*
 * Run until the service ends or sockjail is told to stop. On success returns 0
 * with *ret_exit_code the code sockjail should exit with (the service's status,
 * 128+N for a signal). On failure returns -errno with err set ("exec /x: ...").
 */
int sup_run(const struct sup_params *p, int *ret_exit_code, char *err, size_t err_size);
