/* SPDX-License-Identifier: MIT */
#include "injector/safepath.h"

#include <linux/sockios.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common/util.h"

#ifndef SIOCUNIXFILE
#define SIOCUNIXFILE (SIOCPROTOPRIVATE + 0) /* the file a unix socket is bound to, as O_PATH */
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* Linux 6.6; x86 and asm-generic */
#endif

#define PROC_FD_MAX sizeof("/proc/self/fd/-2147483648")
/* The child of bind_privately() exits with this when it cannot build the namespace. */
#define NO_PRIVATE_ROOT 255

static bool same_inode(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
               (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT);
}

static bool owner_trusted(const struct stat *st)
{
        return st->st_uid == 0 || st->st_uid == geteuid();
}

/* Whether only root and we can rename or replace child (NULL: a name we are
 * about to create) in the directory d. Its owner can, and so can whoever has
 * write permission through the group or other bits (which also show an ACL's
 * mask), except that in a sticky directory only the entry's owner may. */
static bool entry_guarded(const struct stat *d, const struct stat *child)
{
        if (!owner_trusted(d))
                return false;
        if (!(d->st_mode & (S_IWGRP | S_IWOTH)))
                return true;
        return (d->st_mode & S_ISVTX) && (!child || owner_trusted(child));
}

/* "PREFIX is a symbolic link", where PREFIX is the first len bytes of path. */
static int walk_fail(int r, const char *path, size_t len, char *why, size_t why_size)
{
        if (r == -ELOOP)
                snprintf(why, why_size, "%.*s is a symbolic link", (int)len, path);
        else if (r == -ENOTDIR)
                snprintf(why, why_size, "%.*s is not a directory", (int)len, path);
        else
                snprintf(why, why_size, "at %.*s", (int)len, path);
        return r;
}

static bool has_dotdot(const char *path)
{
        for (const char *p = strstr(path, ".."); p; p = strstr(p + 1, ".."))
                if (p > path && p[-1] == '/' && (p[2] == '/' || !p[2]))
                        return true;
        return false;
}

/* open() says ENOTDIR for a symlink under O_PATH|O_DIRECTORY|O_NOFOLLOW: tell them apart. */
static int open_failure(int dir_fd, const char *name, int error)
{
        struct stat st;

        if ((error != ENOTDIR && error != ELOOP) ||
            fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -error;
        return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
}

static int dirs_push(struct sp_dirs *d, int dir_fd, const char *name, int fd)
{
        struct sp_entry *v = reallocarray(d->v, d->n + 1, sizeof(*v));
        int r;

        if (!v)
                return -ENOMEM;
        d->v = v;
        r = sp_entry_init(&v[d->n], dir_fd, name, fd);
        if (r >= 0)
                d->n++;
        return r;
}

static int open_dir(int dir_fd, const char *name)
{
        int fd = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        return fd >= 0 ? fd : open_failure(dir_fd, name, errno);
}

/* The directory name in dir_fd, made with mode when it is missing and made is set. */
static int open_step(int dir_fd, const char *name, mode_t mode, struct sp_dirs *made)
{
        _cleanup_close_ int fd = open_dir(dir_fd, name);
        struct stat st;
        int r;

        if (fd != -ENOENT || !made)
                return TAKE_FD(fd);
        if (mkdirat(dir_fd, name, mode) < 0)
                return errno == EEXIST ? open_dir(dir_fd, name) : negative_errno();
        fd = open_dir(dir_fd, name);
        if (fd < 0) /* someone moved ours away already: it is not here to remove */
                return TAKE_FD(fd);
        if (fstat(fd, &st) < 0)
                return negative_errno();
        r = dirs_push(made, dir_fd, name, fd);
        if (r < 0)
                return (void)sp_unlink_same(dir_fd, name, &st), r;
        return TAKE_FD(fd);
}

int sp_open_parent(const char *path, mode_t mode, struct sp_dirs *made, struct sp_parent *ret,
                   char *why, size_t why_size)
{
        const char *last = strrchr(path, '/');
        _cleanup_free_ char *dirs = NULL;
        _cleanup_close_ int fd = -1;
        struct stat dir_st, st;
        bool trusted = true;
        char *save = NULL;

        *ret = (struct sp_parent){.fd = -1, .path = path};
        if (path[0] != '/' || !last[1] || streq(last + 1, "."))
                return snprintf(why, why_size, "%s names no file", path), -EINVAL;
        if (has_dotdot(path)) /* refused before anything is made */
                return snprintf(why, why_size, "'..' in %s", path), -EINVAL;
        dirs = strndup(path, (size_t)(last - path)); /* offsets in dirs are offsets in path */
        if (!dirs)
                return -ENOMEM;
        fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &dir_st) < 0)
                return negative_errno();
        for (char *n = strtok_r(dirs, "/", &save); n; n = strtok_r(NULL, "/", &save)) {
                size_t len = (size_t)(n - dirs) + strlen(n);
                int next;

                if (streq(n, "."))
                        continue;
                next = open_step(fd, n, mode, made);
                if (next < 0)
                        return walk_fail(next, path, len, why, why_size);
                safe_close(fd);
                fd = next;
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                trusted = trusted && entry_guarded(&dir_st, &st);
                dir_st = st;
        }
        ret->name = last + 1;
        ret->trusted = trusted && entry_guarded(&dir_st, NULL);
        ret->fd = TAKE_FD(fd);
        return 0;
}

void sp_parent_done(struct sp_parent *p)
{
        p->fd = safe_close(p->fd);
}

/* mkdir -p inside the child's private tmpfs, which no one else can see. */
static int make_private_dirs(char *dir)
{
        for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return -1;
                *s = '/';
        }
        return mkdir(dir, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/*
 * The child of bind_privately(): a clone of the directory's mount, a private
 * mount namespace (nothing propagates back), an empty tmpfs as the root, the
 * path's directories in it and the clone mounted on the last. Returns 0,
 * bind()'s errno, or NO_PRIVATE_ROOT. Only syscalls: the parent may have threads.
 */
static int private_root_bind(int sock, const struct sockaddr_un *sa, socklen_t len, int dir_fd,
                             char *dir)
{
        int tree = open_tree(dir_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        int fs = -1, mnt = -1, root = -1;
        struct stat want, got;

        if (tree < 0 || fstat(dir_fd, &want) < 0 || unshare(CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            (fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
            (mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0)) < 0 ||
            (root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
            move_mount(mnt, "", root, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ||
            fchdir(mnt) < 0 || chroot(".") < 0 || make_private_dirs(dir) < 0 ||
            move_mount(tree, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
            stat(dir, &got) < 0 || !same_inode(&want, &got))
                return NO_PRIVATE_ROOT;
        return bind(sock, (const struct sockaddr *)sa, len) < 0 ? errno : 0;
}

/* 0, -errno, or 1 when there is no private namespace to bind in. */
static int bind_privately(int sock, const struct sockaddr_un *sa, socklen_t len,
                          const struct sp_parent *p)
{
        _cleanup_free_ char *dir = strndup(p->path, (size_t)(p->name - p->path - 1));
        int status;
        pid_t pid;

        if (!dir)
                return -ENOMEM;
        if (!dir[0]) /* the root directory: nothing to mount it on */
                return 1;
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                _exit(private_root_bind(sock, sa, len, p->fd, dir));
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (!WIFEXITED(status))
                return -EIO;
        return WEXITSTATUS(status) == NO_PRIVATE_ROOT ? 1 : -WEXITSTATUS(status);
}

/* The magic link names the directory by its fd, so no component is looked up by name. */
static int bind_through_proc(int sock, const struct sp_parent *p)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", p->fd, p->name);

        if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        if (bind(sock, (struct sockaddr *)&sa,
                 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1)) < 0)
                return negative_errno();
        return 0;
}

int sp_bind_unix(int sock, const struct sockaddr_un *sa, socklen_t len, const struct sp_parent *p)
{
        int r;

        if (p->trusted)
                return bind(sock, (const struct sockaddr *)sa, len) < 0 ? negative_errno() : 0;
        r = bind_privately(sock, sa, len, p);
        return r > 0 ? bind_through_proc(sock, p) : r;
}

int sp_open_bound(int sock, const struct sp_parent *p, struct stat *ret, char *why, size_t why_size)
{
        _cleanup_close_ int fd = ioctl(sock, SIOCUNIXFILE);
        struct stat at;

        if (fd < 0) /* no SIOCUNIXFILE, or no CAP_NET_ADMIN: the name is all we have */
                fd = openat(p->fd, p->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, ret) < 0 || fstatat(p->fd, p->name, &at, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISSOCK(ret->st_mode) || !same_inode(ret, &at)) {
                snprintf(why, why_size, "%s was replaced after bind()", p->path);
                return -EEXIST;
        }
        return TAKE_FD(fd);
}

int sp_reopen(int path_fd, int flags)
{
        char proc[PROC_FD_MAX];
        int fd;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
        fd = open(proc, flags | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

int sp_chmod(int path_fd, mode_t mode)
{
        char proc[PROC_FD_MAX];

        if (syscall(__NR_fchmodat2, path_fd, "", mode, AT_EMPTY_PATH) == 0)
                return 0;
        if (errno != ENOSYS && errno != EINVAL)
                return negative_errno();
        /* Before Linux 6.6: chmod follows the magic link to the inode itself. */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
        return chmod(proc, mode) < 0 ? negative_errno() : 0;
}

int sp_chown(int path_fd, uid_t uid, gid_t gid)
{
        return fchownat(path_fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? negative_errno() : 0;
}

int sp_entry_init(struct sp_entry *e, int dir_fd, const char *name, int fd)
{
        _cleanup_close_ int d = -1, f = -1;
        struct stat st;

        *e = (struct sp_entry){.dir_fd = -1, .fd = -1};
        if (fstat(fd, &st) < 0 || (d = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3)) < 0 ||
            (f = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
                return negative_errno();
        e->name = strdup(name);
        if (!e->name)
                return -ENOMEM;
        e->dir_fd = TAKE_FD(d);
        e->fd = TAKE_FD(f);
        e->dev = st.st_dev;
        e->ino = st.st_ino;
        e->type = st.st_mode & S_IFMT;
        return 0;
}

/* Someone who can write to the directory could swap the file between the check
 * and the unlink; they could as well have removed it themselves. */
int sp_unlink_same(int dir_fd, const char *name, const struct stat *st)
{
        struct stat now;

        if (fstatat(dir_fd, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!same_inode(&now, st))
                return -ESTALE;
        return unlinkat(dir_fd, name, S_ISDIR(now.st_mode) ? AT_REMOVEDIR : 0) < 0
                       ? negative_errno()
                       : 0;
}

int sp_entry_remove(const struct sp_entry *e)
{
        struct stat st = {.st_dev = e->dev, .st_ino = e->ino, .st_mode = e->type};

        return e->name ? sp_unlink_same(e->dir_fd, e->name, &st) : -ENOENT;
}

void sp_entry_done(struct sp_entry *e)
{
        if (e->name) {
                safe_close(e->dir_fd);
                safe_close(e->fd);
        }
        free(e->name);
        *e = (struct sp_entry){.dir_fd = -1, .fd = -1};
}

void sp_dirs_done(struct sp_dirs *d, bool remove)
{
        for (size_t i = d->n; i > 0; i--) {
                if (remove)
                        (void)sp_entry_remove(&d->v[i - 1]);
                sp_entry_done(&d->v[i - 1]);
        }
        free(d->v);
        *d = (struct sp_dirs){0};
}
