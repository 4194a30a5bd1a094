/* SPDX-License-Identifier: MIT */
/*
 * ns: paths for the mount set-up. Every mount entry's path is resolved inside
 * the sandbox's root first (as systemd's chase_symlinks() does), so that an
 * absolute symlink in root_directory cannot point a mount at the host, and so
 * that entries sort by what they really name.
 */
#include "ns/internal.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "common/util.h"

#define CHASE_MAX_LINKS 40 /* the kernel's own limit */

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* '/' sorts before every other byte, the end of a string before '/'. */
static int path_rank(char ch)
{
        return ch == '\0' ? 0 : ch == '/' ? 1 : 2 + (unsigned char)ch;
}

int ns_path_compare(const char *a, const char *b)
{
        for (; *a && *a == *b; a++, b++)
                ;
        return path_rank(*a) - path_rank(*b);
}

bool ns_path_under(const char *path, const char *prefix)
{
        size_t n = strlen(prefix);

        while (n > 0 && prefix[n - 1] == '/')
                n--;
        return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int ns_path_join(const char *a, const char *b, char **ret)
{
        size_t na = strlen(a);

        while (na > 0 && a[na - 1] == '/')
                na--;
        if (asprintf(ret, "%.*s%s%s", (int)na, a, b[0] == '/' ? "" : "/", b) < 0)
                return -ENOMEM;
        return 0;
}

/* Drop the last component of path, never shortening it below keep bytes. */
static void pop_component(char *path, size_t keep)
{
        char *slash = strrchr(path, '/');

        if (slash && (size_t)(slash - path) >= keep)
                *slash = '\0';
}

/* Split the first component off *p (NUL-terminated in place); *p is the rest. */
static char *first_component(char **p)
{
        char *name = *p + strspn(*p, "/");
        char *end = name + strcspn(name, "/");

        *p = *end ? end + 1 : end;
        *end = '\0';
        return name;
}

static int append(char **done, const char *name)
{
        char *next;

        if (asprintf(&next, "%s/%s", *done, name) < 0)
                return -ENOMEM;
        free(*done);
        *done = next;
        return 0;
}

/* *todo becomes the link's target followed by rest; an absolute target
 * restarts from root. */
static int follow_link(const char *at, const char *rest, size_t root_len, char *done, char **todo)
{
        char target[PATH_MAX], *next;
        ssize_t n = readlink(at, target, sizeof(target) - 1);

        if (n < 0)
                return negative_errno();
        target[n] = '\0';
        if (target[0] == '/')
                done[root_len] = '\0';
        if (asprintf(&next, "%s/%s", target, rest) < 0)
                return -ENOMEM;
        free(*todo);
        *todo = next;
        return 0;
}

/* One component that exists so far: appended to *done, or, a symlink,
 * replaced by its target in *todo. Returns 0, 2 after a symlink, 1 when the
 * component is missing. */
static int chase_one(const char *name, const char *rest, size_t root_len, char **done, char **todo)
{
        _cleanup_free_ char *next = NULL;
        struct stat st;
        int r;

        if (asprintf(&next, "%s/%s", *done, name) < 0)
                return -ENOMEM;
        if (lstat(next, &st) < 0)
                return errno == ENOENT ? 1 : negative_errno();
        if (S_ISLNK(st.st_mode)) {
                r = follow_link(next, rest, root_len, *done, todo);
                return r < 0 ? r : 2;
        }
        free(*done);
        *done = TAKE_PTR(next);
        return 0;
}

static int chase_walk(size_t root_len, char **done, char **todo)
{
        unsigned links = 0;
        bool missing = false;
        char *rest = *todo;

        for (;;) {
                char *name = first_component(&rest);
                int r = 0;

                if (name[0] == '\0')
                        return 0;
                if (streq(name, "."))
                        continue;
                if (!missing && streq(name, ".."))
                        pop_component(*done, root_len);
                else if (!missing)
                        r = chase_one(name, rest, root_len, done, todo);
                if (r < 0)
                        return r;
                if (r == 2 && ++links > CHASE_MAX_LINKS)
                        return -ELOOP;
                if (r == 2)
                        rest = *todo;
                if (r == 1 || missing) { /* from here on, kept as written */
                        missing = true;
                        if (append(done, name) < 0)
                                return -ENOMEM;
                }
        }
}

int ns_path_chase(const char *root, const char *path, char **ret)
{
        _cleanup_free_ char *done = strdup(root), *todo = strdup(path);
        int r;

        if (!done || !todo)
                return -ENOMEM;
        r = chase_walk(strlen(root), &done, &todo);
        if (r < 0)
                return r;
        if (done[0] == '\0') {
                free(done);
                done = strdup("/");
                if (!done)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(done);
        return 0;
}

int ns_mkdir_p(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t n = strlen(path);

        if (n >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, n + 1);
        for (char *p = buf + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;

                *p = '\0';
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = saved;
                if (saved == '\0')
                        return 0;
        }
}

int ns_make_mount_point(const char *path, bool directory)
{
        char parent[PATH_MAX], *slash;
        size_t n = strlen(path);
        int fd, r;

        if (directory)
                return ns_mkdir_p(path, 0755);
        if (n >= sizeof(parent))
                return -ENAMETOOLONG;
        memcpy(parent, path, n + 1);
        slash = strrchr(parent, '/');
        if (slash && slash != parent) {
                *slash = '\0';
                r = ns_mkdir_p(parent, 0755);
                if (r < 0)
                        return r;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0)
                return negative_errno();
        safe_close(fd);
        return 0;
}

int ns_is_mount_point(const char *path)
{
        struct statx sx, parent;
        char up[PATH_MAX];
        int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT;

        if (statx(AT_FDCWD, path, flags, STATX_BASIC_STATS, &sx) < 0)
                return negative_errno();
        if (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                return !!(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        /* older kernels: a device change is the best sign there is */
        if ((size_t)snprintf(up, sizeof(up), "%s/..", path) >= sizeof(up))
                return -ENAMETOOLONG;
        if (statx(AT_FDCWD, up, flags, STATX_BASIC_STATS, &parent) < 0)
                return negative_errno();
        return sx.stx_dev_major != parent.stx_dev_major || sx.stx_dev_minor != parent.stx_dev_minor;
}

void ns_fd_path(char buf[NS_FD_PATH_MAX], int fd)
{
        (void)snprintf(buf, NS_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}
