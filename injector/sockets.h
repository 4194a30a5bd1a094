/* SPDX-License-Identifier: MIT */
/*
 * What a spec listens on, made on the host side before the sandbox exists:
 * sockets in the host's network namespace, FIFOs, special files, message
 * queues. Every fd is CLOEXEC and non-blocking, as systemd makes them; the fd
 * layout in the child clears CLOEXEC.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "injector/spec.h"

struct sock_fd {
        int fd;
        const struct spec_socket *unit;
        const struct spec_listen *listen;
        bool made_file; /* we created the node (socket file, FIFO, queue): removed on failure */
        bool own_node;  /* the node is this listen's: removed by remove_on_stop */
};

struct sock_set {
        struct sock_fd *fds; /* in spec order: unit by unit, listen by listen */
        size_t n;
        char **made_dirs; /* directories we created, deepest last */
        size_t n_made_dirs;
        char **made_links; /* symlinks we created */
        size_t n_made_links;
};

/* Which step failed, for "bind 0.0.0.0:80: Address already in use". */
struct sock_error {
        const struct spec_listen *listen;
        const char *step;
        char text[PATH_MAX + 64]; /* where step points when it names more than the step */
};

/*
 * Open everything s listens on, in spec order, and make each unit's symlinks.
 * With service.start on-demand, also check that each fd can be watched for
 * traffic. On failure closes and removes everything made so far, fills *err
 * and returns -errno.
 */
int sock_open_all(const struct spec *s, struct sock_set *ret, struct sock_error *err);

/* Close every fd. With remove_files, remove the nodes (socket files, FIFOs,
 * message queues) and symlinks of units that set remove_on_stop, or, when all
 * is set, everything we made; then the directories we created that are empty. */
void sock_close_all(struct sock_set *set, bool remove_files, bool all);

/* The protocol a listen's socket is made with: socket_protocol for IP sockets
 * (udplite for datagram, sctp for stream), the netlink family, else 0. */
int sock_protocol(const struct spec_socket *u, const struct spec_listen *l);
