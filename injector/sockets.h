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

#include "injector/safepath.h"
#include "injector/spec.h"

struct sock_fd {
        int fd;
        const struct spec_socket *unit;
        const struct spec_listen *listen;
        struct sp_entry node; /* the socket file or FIFO: its directory's fd, name and inode */
        bool made_file; /* we created the node (socket file, FIFO, queue): removed on failure */
        bool own_node;  /* the node is this listen's: removed by remove_on_stop */
};

struct sock_link; /* a unit's symlink that we made or found pointing at its file */

struct sock_set {
        struct sock_fd *fds; /* in spec order: unit by unit, listen by listen */
        size_t n;
        struct sp_dirs made_dirs; /* directories we created, deepest last */
        struct sock_link *links;
        size_t n_links;
};

/* Which step failed, for "bind 0.0.0.0:80: Address already in use". */
struct sock_error {
        const struct spec_listen *listen;
        const char *step;
        char text[PATH_MAX + 64]; /* where step points when it names more than the step */
        char why[SP_WHY_MAX];     /* what errno alone does not say: "/run/x is a symbolic link" */
};

/*
 * Open everything s listens on, in spec order, and make each unit's symlinks.
 * Socket files, FIFOs, symlinks and their directories are reached without
 * following a symlink anywhere in their paths (safepath.h). With
 * service.start on-demand, also check that each fd can be watched for
 * traffic. On failure closes and removes everything made so far, fills *err
 * and returns -errno.
 */
int sock_open_all(const struct spec *s, struct sock_set *ret, struct sock_error *err);

/* Close every fd. With remove_files, remove the nodes (socket files, FIFOs,
 * message queues) and symlinks of units that set remove_on_stop, or, when all
 * is set, everything we made; then the directories we created that are empty.
 * A file or directory is only removed while it is still the inode we made. */
void sock_close_all(struct sock_set *set, bool remove_files, bool all);

/* The fds only sockjail may hold (the O_PATH fds of the directories and files
 * it made, for the sandbox's init to close): writes at most max of them to fds
 * and returns how many there are. */
size_t sock_private_fds(const struct sock_set *set, int *fds, size_t max);

/* The protocol a listen's socket is made with: socket_protocol for IP sockets
 * (udplite for datagram, sctp for stream), the netlink family, else 0. */
int sock_protocol(const struct spec_socket *u, const struct spec_listen *l);
