/* SPDX-License-Identifier: MIT */
/*
 * Listening sockets made on the host side, in the host's network namespace,
 * before the sandbox exists. Every fd is CLOEXEC and non-blocking, as
 * systemd makes them; the fd layout in the child clears CLOEXEC.
 */
#pragma once

#include <stdbool.h>

#include "injector/spec.h"

struct sock_fd {
        int fd;
        const struct spec_socket *unit;
        const struct spec_listen *listen;
        bool made_file; /* we bound a path: ours to unlink */
};

struct sock_set {
        struct sock_fd *fds; /* in spec order: unit by unit, listen by listen */
        size_t n;
        char **made_dirs; /* directories we created, deepest last */
        size_t n_made_dirs;
};

/* Which step failed, for "bind 0.0.0.0:80: Address already in use". */
struct sock_error {
        const struct spec_listen *listen;
        const char *step;
};

/*
 * Open every socket of s. On failure closes and removes everything made so
 * far, fills *err and returns -errno.
 */
int sock_open_all(const struct spec *s, struct sock_set *ret, struct sock_error *err);

/* Close every fd. With remove_files, unlink the socket files of units that set
 * remove_on_stop (or all files we made, when all is set) and the directories
 * we created that are then empty. */
void sock_close_all(struct sock_set *set, bool remove_files, bool all);
