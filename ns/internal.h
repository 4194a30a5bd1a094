/* SPDX-License-Identifier: MIT */
/*
 * ns/ internals shared by the mount set-up's files: path handling (path.c),
 * read-only remounts from /proc/self/mountinfo (remount.c) and the private
 * /dev (dev.c). Nothing outside ns/ includes this.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "ns/ns.h"

/* "/proc/self/fd/N" and a little more: the way to mount from or onto an fd. */
#define NS_FD_PATH_MAX 64

/* Order paths component by component, parents right before their children. */
int ns_path_compare(const char *a, const char *b);

/* True when path is prefix or lies below it ("/" is above everything). */
bool ns_path_under(const char *path, const char *prefix);

/* a + b, both absolute or a empty; *ret is malloc'd. */
int ns_path_join(const char *a, const char *b, char **ret);

/*
 * Resolve path inside root ("" for the host's "/") as the kernel would after a
 * chroot into root: symlinks (absolute ones relative to root), "." and "..",
 * never above root. Components from the first missing one on are kept as
 * written. *ret is the host path (root included).
 */
int ns_path_chase(const char *root, const char *path, char **ret);

/* mkdir -p; existing directories are fine. */
int ns_mkdir_p(const char *path, mode_t mode);

/* Make what a bind needs to mount on: a directory, or an empty file. */
int ns_make_mount_point(const char *path, bool directory);

/* True when path is the root of a mount (autofs is not triggered). */
int ns_is_mount_point(const char *path);

/* "/proc/self/fd/N" into buf. */
void ns_fd_path(char buf[NS_FD_PATH_MAX], int fd);

/*
 * Add MS_RDONLY to the mount at prefix, keeping its other flags, and (when
 * recursive) to every mount below it but those at or below a path of deny
 * that lies inside prefix: those are set up on their own. A failure on prefix
 * itself is returned, one on a submount ignored, as systemd does (autofs,
 * FUSE, NFS have their reasons). mountinfo_fd is /proc/self/mountinfo, opened
 * before anything covered /proc.
 */
int ns_remount_read_only(int mountinfo_fd, const char *prefix, bool recursive, char *const *deny,
                         size_t n_deny);

/* The host's device nodes a private /dev shows, opened before any mount. */
struct ns_dev_sources {
        int nodes[6]; /* null zero full random urandom tty; -1: missing on the host */
        int pts;
        int ptmx; /* -1 with ptmx_symlink: a link to pts/ptmx */
        bool ptmx_symlink;
        int shm;
        int mqueue;
};

#define NS_DEV_SOURCES_INIT                                                                        \
        {                                                                                          \
                .nodes = {-1, -1, -1, -1, -1, -1}, .pts = -1, .ptmx = -1, .shm = -1, .mqueue = -1  \
        }

/* Open what the host has; what it lacks stays -1 (and is left out). */
void ns_dev_sources_open(struct ns_dev_sources *d);
void ns_dev_sources_close(struct ns_dev_sources *d);

/* A tmpfs on path with the nodes bind-mounted from the host, pts, shm and
 * mqueue (a new one for a private IPC namespace). Read-only comes later. */
int ns_dev_mount(const char *path, const struct ns_dev_sources *d, bool private_ipc);
