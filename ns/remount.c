/* SPDX-License-Identifier: MIT */
/*
 * ns: read-only remounts. MS_RDONLY on a bind mount is a flag of that one
 * mount, so a read-only tree is a remount of every mount in it, each keeping
 * the flags it has (in a user namespace the kernel refuses to clear a locked
 * one). The mounts come from /proc/self/mountinfo, as in systemd's
 * bind_remount_recursive().
 */
#include "ns/internal.h"

#include <sys/mount.h>

#include "common/util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define MOUNTINFO_MAX (64 * 1024 * 1024)

struct mount_point {
        const char *path;    /* unescaped, inside the mountinfo text */
        unsigned long flags; /* the per-mount flags to keep */
        bool autofs;
};

static int read_all(int fd, char **ret)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, len = 0;
        ssize_t n;

        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        for (;;) {
                if (len + 1 >= size) {
                        char *b = size < MOUNTINFO_MAX ? realloc(buf, size + 16384) : NULL;

                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        size += 16384;
                }
                n = read(fd, buf + len, size - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *o = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 3;
                } else {
                        *o++ = *s;
                }
        }
        *o = '\0';
}

/* The flags a bind remount must pass again, from the per-mount options. */
static unsigned long keep_flags(char *opts)
{
        static const struct {
                const char *name;
                unsigned long flag;
        } table[] = {
                {"nosuid", MS_NOSUID},           {"nodev", MS_NODEV},
                {"noexec", MS_NOEXEC},           {"noatime", MS_NOATIME},
                {"nodiratime", MS_NODIRATIME},   {"relatime", MS_RELATIME},
                {"nosymfollow", MS_NOSYMFOLLOW},
        };
        unsigned long flags = 0;
        char *o;

        while ((o = strsep(&opts, ",")) != NULL)
                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (streq(o, table[i].name))
                                flags |= table[i].flag;
        if (!(flags & (MS_NOATIME | MS_RELATIME)))
                flags |= MS_STRICTATIME;
        return flags;
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
static int parse_line(char *line, struct mount_point *ret)
{
        char *f[6], *w;

        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                if (!(f[i] = strsep(&line, " ")))
                        return -EINVAL;
        while ((w = strsep(&line, " ")) != NULL && !streq(w, "-"))
                ;
        w = strsep(&line, " ");
        if (!w)
                return -EINVAL;
        unescape(f[4]);
        *ret = (struct mount_point){
                .path = f[4], .flags = keep_flags(f[5]), .autofs = streq(w, "autofs")};
        return 0;
}

/* Left to an entry of its own: at or below a deny path inside prefix. */
static bool denied(const char *path, const char *prefix, char *const *deny, size_t n_deny)
{
        for (size_t i = 0; i < n_deny; i++)
                if (!streq(deny[i], prefix) && ns_path_under(deny[i], prefix) &&
                    ns_path_under(path, deny[i]))
                        return true;
        return false;
}

/* Add m, or replace the point already there at its path: for a path mounted
 * over more than once, the last line of mountinfo is the mount on top. */
static int add_point(struct mount_point **v, size_t *n, const struct mount_point *m)
{
        struct mount_point *nv;
        size_t i = 0;

        while (i < *n && !streq((*v)[i].path, m->path))
                i++;
        if (i == *n) {
                nv = reallocarray(*v, *n + 1, sizeof(**v));
                if (!nv)
                        return -ENOMEM;
                *v = nv;
                (*n)++;
        }
        (*v)[i] = *m;
        return 0;
}

static int collect(char *text, const char *prefix, bool recursive, char *const *deny, size_t n_deny,
                   struct mount_point **ret, size_t *ret_n)
{
        struct mount_point m;
        char *line;

        while ((line = strsep(&text, "\n")) != NULL) {
                if (parse_line(line, &m) < 0)
                        continue;
                if (recursive ? !ns_path_under(m.path, prefix) : !streq(m.path, prefix))
                        continue;
                if (!streq(m.path, prefix) && (m.autofs || denied(m.path, prefix, deny, n_deny)))
                        continue;
                if (add_point(ret, ret_n, &m) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int ns_remount_read_only(int mountinfo_fd, const char *prefix, bool recursive, char *const *deny,
                         size_t n_deny)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ struct mount_point *v = NULL;
        size_t n = 0;
        int r = read_all(mountinfo_fd, &text);

        if (r >= 0)
                r = collect(text, prefix, recursive, deny, n_deny, &v, &n);
        if (r < 0)
                return r;
        r = -ENOENT; /* prefix is no mount point */
        for (size_t i = 0; i < n; i++) {
                bool top = streq(v[i].path, prefix);
                int k = mount("none", v[i].path, "none",
                              MS_BIND | MS_REMOUNT | MS_RDONLY | v[i].flags, NULL);

                if (top)
                        r = k < 0 ? negative_errno() : 0;
        }
        return r;
}
