/* SPDX-License-Identifier: MIT */
/*
 * The files sockjail makes as root (socket files, FIFOs, symlinks and their
 * parent directories), reached one component at a time with
 * O_PATH|O_NOFOLLOW from "/", so that a symlink or a rename anywhere on the
 * way cannot send a creation elsewhere. What is made is recorded by the fd of
 * the directory that holds it, its name and its inode: removing it never
 * resolves the path again and never takes what someone put in its place.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

/* Room for "PATH is a symbolic link" and the like. */
#define SP_WHY_MAX (PATH_MAX + 64)

/* A file we made or own: where it is and which inode it was. */
struct sp_entry {
        int dir_fd; /* O_PATH fd of the directory holding it; -1 for none */
        int fd;     /* O_PATH fd of the file: its inode number cannot be reused meanwhile */
        char *name;
        dev_t dev;
        ino_t ino;
        mode_t type; /* S_IFSOCK, S_IFIFO, S_IFLNK, S_IFDIR */
};

/* The directories walks created, in the order made. */
struct sp_dirs {
        struct sp_entry *v;
        size_t n;
};

/* Where a path's last component goes. */
struct sp_parent {
        int fd;           /* O_PATH fd of its directory, owned; -1 for none */
        const char *path; /* the whole path, as given */
        const char *name; /* its last component, inside path */
        bool trusted;     /* no one but root and us can change a directory on the way */
};

/*
 * Open the directory of path's last component, walking from "/" without
 * following a symlink. With made, missing directories are created with mode
 * (less the umask) and appended to made; without, a missing one is -ENOENT.
 * On failure returns -errno (-ELOOP for a symlink on the way, -ENOTDIR for a
 * file, -EINVAL for a ".." component) and says which component in why; the
 * directories made so far stay in made for the caller to remove.
 */
int sp_open_parent(const char *path, mode_t mode, struct sp_dirs *made, struct sp_parent *ret,
                   char *why, size_t why_size);

void sp_parent_done(struct sp_parent *p);

/*
 * bind() the unix socket sock to sa, a path whose directory p holds. When the
 * directories on the way are trusted, bind() looks the path up itself (only
 * root could redirect it). Otherwise the lookup runs in a child's private
 * mount namespace whose root holds nothing but those directories, with p's
 * directory mounted at the end: the file lands in p and getsockname() still
 * says sa. Without the privilege for that (or on a kernel without the mount
 * API), it binds through /proc/self/fd/N/NAME, and getsockname() says so.
 */
int sp_bind_unix(int sock, const struct sockaddr_un *sa, socklen_t len, const struct sp_parent *p);

/*
 * An O_PATH fd of the file sock is bound to (SIOCUNIXFILE where we may use
 * it), with its stat in *ret, after checking that it is the socket now at p:
 * -EEXIST (and why) when something else is there.
 */
int sp_open_bound(int sock, const struct sp_parent *p, struct stat *ret, char *why,
                  size_t why_size);

/* Open the inode an O_PATH fd holds with flags, through /proc/self/fd. */
int sp_reopen(int path_fd, int flags);

/* chmod and chown the inode an O_PATH fd holds, never a path. */
int sp_chmod(int path_fd, mode_t mode);
int sp_chown(int path_fd, uid_t uid, gid_t gid);

/* Record the file at dir_fd/name, which fd holds (both fds are duplicated). An
 * entry that is all zeros, or failed to init, is empty: removing or freeing it
 * does nothing. */
int sp_entry_init(struct sp_entry *e, int dir_fd, const char *name, int fd);

/* Unlink dir_fd/name (rmdir for a directory) when it is still st's inode. */
int sp_unlink_same(int dir_fd, const char *name, const struct stat *st);

/* Remove what e records when it is still there: 0, or -ESTALE when it is not ours any more. */
int sp_entry_remove(const struct sp_entry *e);

void sp_entry_done(struct sp_entry *e);

/* Free the records; with remove, rmdir the directories first, deepest first
 * (a directory someone filled or replaced stays). */
void sp_dirs_done(struct sp_dirs *d, bool remove);
