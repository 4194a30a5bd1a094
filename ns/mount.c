/* SPDX-License-Identifier: MIT */
/*
 * ns: the set-up inside the new namespaces: lo up, the hostname, then the
 * mounts. As in systemd's namespace.c, every key turns into entries of one
 * list (a path and what to do there), sorted by path so that parents come
 * first, with duplicates and redundant entries dropped. The mounts are made
 * in that order; the read-only flags are flipped in a second pass (so mount
 * points can still be made inside what ends up read-only); the process moves
 * into root_directory last. Each entry names the step the parent reports if
 * it fails. Bind, move and remount calls pass "none" as the type: the kernel
 * ignores it, valgrind would not ignore a NULL.
 */
#include "ns/internal.h"

#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "common/util.h"

/* What to do at a path. The order is the priority when two entries name the
 * same path: the first one is kept (systemd's, for the modes it shares). */
enum mount_mode {
        MOUNT_INACCESSIBLE,
        MOUNT_BIND,
        MOUNT_BIND_RECURSIVE,
        MOUNT_PRIVATE_TMP,
        MOUNT_PRIVATE_DEV,
        MOUNT_BIND_DEV,
        MOUNT_SYSFS,
        MOUNT_PROCFS,
        MOUNT_READ_ONLY,
        MOUNT_READ_WRITE,
        MOUNT_TMPFS,
        MOUNT_READ_WRITE_IMPLICIT, /* a subtree protect_system=strict leaves to other keys */
};

struct entry {
        char *path; /* resolved inside the root, root_directory included */
        enum mount_mode mode;
        enum ns_step step; /* reported when this entry fails */
        bool ignore;       /* a missing path is no error: the entry is skipped */
        bool read_only;    /* besides what the mode implies */
        bool skipped;
        int source_fd;       /* binds: the source, opened before anything is mounted */
        unsigned long flags; /* tmpfs */
        char *data;          /* tmpfs and proc options */
};

struct plan {
        const struct ns_config *c;
        bool instance; /* ns_setup_instance(): only /proc and the private /tmp, in our root */
        char *root;    /* "" for the host's "/", else the resolved root_directory */
        struct entry *v;
        size_t n;
        int mountinfo_fd;
        int nodes_fd; /* the tmpfs holding the inaccessible nodes; -1 until needed */
        struct ns_dev_sources dev;
};

struct row {
        const char *path;
        enum mount_mode mode;
        bool ignore;
        const char *data; /* MOUNT_TMPFS rows: a read-only tmpfs with these options */
};

static const struct row protect_system_yes[] = {
        {"/usr", MOUNT_READ_ONLY, false, NULL},
        {"/boot", MOUNT_READ_ONLY, true, NULL},
        {"/efi", MOUNT_READ_ONLY, true, NULL},
};

static const struct row protect_system_full[] = {
        {"/usr", MOUNT_READ_ONLY, false, NULL},
        {"/boot", MOUNT_READ_ONLY, true, NULL},
        {"/efi", MOUNT_READ_ONLY, true, NULL},
        {"/etc", MOUNT_READ_ONLY, false, NULL},
};

/* The API file systems stay writable (private_devices and protect_kernel_*
 * protect them), and so do the homes (protect_home's business). */
static const struct row protect_system_strict[] = {
        {"/", MOUNT_READ_ONLY, false, NULL},
        {"/proc", MOUNT_READ_WRITE_IMPLICIT, true, NULL},
        {"/sys", MOUNT_READ_WRITE_IMPLICIT, true, NULL},
        {"/dev", MOUNT_READ_WRITE_IMPLICIT, true, NULL},
        {"/home", MOUNT_READ_WRITE_IMPLICIT, true, NULL},
        {"/run/user", MOUNT_READ_WRITE_IMPLICIT, true, NULL},
        {"/root", MOUNT_READ_WRITE_IMPLICIT, true, NULL},
};

static const struct row protect_home_yes[] = {
        {"/home", MOUNT_INACCESSIBLE, true, NULL},
        {"/run/user", MOUNT_INACCESSIBLE, true, NULL},
        {"/root", MOUNT_INACCESSIBLE, true, NULL},
};

static const struct row protect_home_read_only[] = {
        {"/home", MOUNT_READ_ONLY, true, NULL},
        {"/run/user", MOUNT_READ_ONLY, true, NULL},
        {"/root", MOUNT_READ_ONLY, true, NULL},
};

static const struct row protect_home_tmpfs[] = {
        {"/home", MOUNT_TMPFS, true, "mode=0755,size=1m,nr_inodes=1k"},
        {"/run/user", MOUNT_TMPFS, true, "mode=0755,size=1m,nr_inodes=1k"},
        {"/root", MOUNT_TMPFS, true, "mode=0700,size=1m,nr_inodes=1k"},
};

static const struct row protect_kernel_tunables[] = {
        {"/proc/acpi", MOUNT_READ_ONLY, true, NULL},
        {"/proc/apm", MOUNT_READ_ONLY, true, NULL},
        {"/proc/asound", MOUNT_READ_ONLY, true, NULL},
        {"/proc/bus", MOUNT_READ_ONLY, true, NULL},
        {"/proc/fs", MOUNT_READ_ONLY, true, NULL},
        {"/proc/irq", MOUNT_READ_ONLY, true, NULL},
        {"/proc/kallsyms", MOUNT_INACCESSIBLE, true, NULL},
        {"/proc/kcore", MOUNT_INACCESSIBLE, true, NULL},
        {"/proc/latency_stats", MOUNT_READ_ONLY, true, NULL},
        {"/proc/mtrr", MOUNT_READ_ONLY, true, NULL},
        {"/proc/scsi", MOUNT_READ_ONLY, true, NULL},
        {"/proc/sys", MOUNT_READ_ONLY, true, NULL},
        {"/proc/sysrq-trigger", MOUNT_READ_ONLY, true, NULL},
        {"/proc/timer_stats", MOUNT_READ_ONLY, true, NULL},
        {"/sys", MOUNT_READ_ONLY, false, NULL},
        {"/sys/fs/bpf", MOUNT_READ_ONLY, true, NULL},
        {"/sys/fs/cgroup", MOUNT_READ_WRITE_IMPLICIT, true, NULL}, /* protect_control_groups' */
        {"/sys/fs/selinux", MOUNT_READ_WRITE_IMPLICIT, true, NULL},
        {"/sys/kernel/debug", MOUNT_READ_ONLY, true, NULL},
        {"/sys/kernel/tracing", MOUNT_READ_ONLY, true, NULL},
};

static const struct row protect_kernel_modules[] = {
        {"/lib/modules", MOUNT_INACCESSIBLE, true, NULL},
        {"/usr/lib/modules", MOUNT_INACCESSIBLE, true, NULL},
};

static const struct row protect_kernel_logs[] = {
        {"/proc/kmsg", MOUNT_INACCESSIBLE, true, NULL},
        {"/dev/kmsg", MOUNT_INACCESSIBLE, true, NULL},
};

static const struct row protect_control_groups[] = {
        {"/sys/fs/cgroup", MOUNT_READ_ONLY, false, NULL},
};

#define TABLE(rows) rows, ELEMENTSOF(rows)

/* ---- building the list ---- */

static bool entry_read_only(const struct entry *e)
{
        return e->read_only || e->mode == MOUNT_READ_ONLY || e->mode == MOUNT_INACCESSIBLE;
}

static void entry_done(struct entry *e)
{
        free(e->path);
        free(e->data);
        safe_close(e->source_fd);
}

/* Append an entry for path inside the root; *ret (optional) is valid until the next add. */
static int add_entry(struct plan *p, const char *path, enum mount_mode mode, enum ns_step step,
                     bool ignore, struct entry **ret)
{
        struct entry *v = reallocarray(p->v, p->n + 1, sizeof(*v));
        char *resolved = NULL;
        int r;

        if (!v)
                return -ENOMEM;
        p->v = v;
        r = ns_path_chase(p->root, path, &resolved);
        if (r < 0)
                return r;
        v[p->n] = (struct entry){
                .path = resolved, .mode = mode, .step = step, .ignore = ignore, .source_fd = -1};
        if (ret)
                *ret = &v[p->n];
        p->n++;
        return 0;
}

static int add_rows(struct plan *p, const struct row *rows, size_t n, enum ns_step step)
{
        for (size_t i = 0; i < n; i++) {
                struct entry *e;
                int r = add_entry(p, rows[i].path, rows[i].mode, step, rows[i].ignore, &e);

                if (r < 0)
                        return r;
                if (!rows[i].data)
                        continue;
                e->read_only = true;
                e->flags = MS_NODEV | MS_STRICTATIME;
                e->data = strdup(rows[i].data);
                if (!e->data)
                        return -ENOMEM;
        }
        return 0;
}

/* A host path in read_only_paths & co., seen from inside root_directory;
 * NULL when it lies outside (systemd ignores it then). */
static const char *inside_root(const struct plan *p, const char *path)
{
        const char *roots[] = {p->root, p->c->root_directory};

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                size_t n = strlen(roots[i]);

                while (n > 0 && roots[i][n - 1] == '/')
                        n--;
                if (ns_path_under(path, roots[i]))
                        return path[n] ? path + n : "/";
        }
        return NULL;
}

static int add_access_paths(struct plan *p, char *const *list, enum mount_mode mode,
                            enum ns_step step)
{
        for (size_t i = 0; list && list[i]; i++) {
                const char *path = list[i];
                bool ignore = path[0] == '-';
                bool in_root;
                int r;

                path += ignore;
                in_root = path[0] == '+';
                path += in_root;
                if (!in_root && p->root[0] && !(path = inside_root(p, path)))
                        continue;
                r = add_entry(p, path, mode, step, ignore, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_binds(struct plan *p)
{
        for (size_t i = 0; i < p->c->n_binds; i++) {
                const struct ns_bind *b = &p->c->binds[i];
                struct entry *e;
                int fd = open(b->source, O_PATH | O_CLOEXEC);
                int r;

                if (fd < 0 && errno == ENOENT && b->ignore_missing)
                        continue;
                if (fd < 0)
                        return negative_errno();
                r = add_entry(p, b->destination, b->recursive ? MOUNT_BIND_RECURSIVE : MOUNT_BIND,
                              NS_STEP_BIND, false, &e);
                if (r < 0) {
                        safe_close(fd);
                        return r;
                }
                e->source_fd = fd;
                e->read_only = b->read_only;
        }
        return 0;
}

/* Option words that are mount flags: {word, flag, set (else clear)}. */
static const struct {
        const char *word;
        unsigned long flag;
        bool set;
} mount_flag_words[] = {
        {"ro", MS_RDONLY, true},
        {"rw", MS_RDONLY, false},
        {"nosuid", MS_NOSUID, true},
        {"suid", MS_NOSUID, false},
        {"nodev", MS_NODEV, true},
        {"dev", MS_NODEV, false},
        {"noexec", MS_NOEXEC, true},
        {"exec", MS_NOEXEC, false},
        {"sync", MS_SYNCHRONOUS, true},
        {"async", MS_SYNCHRONOUS, false},
        {"noatime", MS_NOATIME, true},
        {"atime", MS_NOATIME, false},
        {"nodiratime", MS_NODIRATIME, true},
        {"diratime", MS_NODIRATIME, false},
        {"relatime", MS_RELATIME, true},
        {"norelatime", MS_RELATIME, false},
        {"strictatime", MS_STRICTATIME, true},
        {"nostrictatime", MS_STRICTATIME, false},
};

static int flag_word(const char *w)
{
        for (size_t i = 0; i < ELEMENTSOF(mount_flag_words); i++)
                if (streq(w, mount_flag_words[i].word))
                        return (int)i;
        return -1;
}

static int append_option(char **data, const char *w)
{
        char *joined;

        if (asprintf(&joined, "%s%s%s", *data ?: "", *data ? "," : "", w) < 0)
                return -ENOMEM;
        free(*data);
        *data = joined;
        return 0;
}

/* temporary_file_system's OPTIONS: flag words into e->flags (defaults nodev,
 * strictatime; "ro" makes the entry read-only), the rest after "mode=0755"
 * into e->data for tmpfs to read. */
static int tmpfs_options(const char *options, struct entry *e)
{
        _cleanup_free_ char *words = strdup(options ?: "");
        char *save = NULL, *w;

        e->flags = MS_NODEV | MS_STRICTATIME;
        e->data = strdup("mode=0755");
        if (!words || !e->data)
                return -ENOMEM;
        for (w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                int i = flag_word(w);

                if (i >= 0 && mount_flag_words[i].set)
                        e->flags |= mount_flag_words[i].flag;
                else if (i >= 0)
                        e->flags &= ~mount_flag_words[i].flag;
                else if (append_option(&e->data, w) < 0)
                        return -ENOMEM;
        }
        e->read_only = e->flags & MS_RDONLY;
        e->flags &= ~(unsigned long)MS_RDONLY;
        return 0;
}

static int add_temporary_file_systems(struct plan *p)
{
        for (size_t i = 0; i < p->c->n_tmpfs; i++) {
                struct entry *e;
                int r = add_entry(p, p->c->tmpfs[i].path, MOUNT_TMPFS, NS_STEP_TEMPORARY_FS, false,
                                  &e);

                if (r >= 0)
                        r = tmpfs_options(p->c->tmpfs[i].options, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* /var/tmp only if it is a real directory: a symlink points at a /tmp already made private. */
static bool var_tmp_is_dir(const struct plan *p)
{
        _cleanup_free_ char *path = NULL;
        struct stat st;

        return ns_path_join(p->root, "/var/tmp", &path) == 0 && lstat(path, &st) == 0 &&
               S_ISDIR(st.st_mode);
}

static int add_proc(struct plan *p)
{
        const char *hidepid = ns_protect_proc_name(p->c->protect_proc);
        struct entry *e;
        int r = add_entry(p, "/proc", MOUNT_PROCFS, NS_STEP_PROC, false, &e);

        if (r < 0 || p->c->protect_proc == NS_PROTECT_PROC_DEFAULT)
                return r;
        return asprintf(&e->data, "hidepid=%s", hidepid) < 0 ? -ENOMEM : 0;
}

/* A new root gets the host's /dev, as systemd's MountAPIVFS= does. */
static int add_bind_dev(struct plan *p)
{
        struct entry *e;
        int fd = open("/dev", O_PATH | O_CLOEXEC | O_DIRECTORY);
        int r;

        if (fd < 0)
                return negative_errno();
        r = add_entry(p, "/dev", MOUNT_BIND_DEV, NS_STEP_ROOT_DIRECTORY, false, &e);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        e->source_fd = fd;
        return 0;
}

/* The API file systems: a proc of the new pid namespace, a sysfs of the new
 * network namespace, private /tmp and /dev. */
static int add_api_mounts(struct plan *p)
{
        const struct ns_config *c = p->c;
        int r = 0;

        if (c->private_pid || c->protect_proc != NS_PROTECT_PROC_DEFAULT)
                r = add_proc(p);
        if (r >= 0 && c->private_network)
                r = add_entry(p, "/sys", MOUNT_SYSFS, NS_STEP_SYS, false, NULL);
        if (r >= 0 && c->private_tmp)
                r = add_entry(p, "/tmp", MOUNT_PRIVATE_TMP, NS_STEP_TMP, false, NULL);
        if (r >= 0 && c->private_tmp && var_tmp_is_dir(p))
                r = add_entry(p, "/var/tmp", MOUNT_PRIVATE_TMP, NS_STEP_TMP, false, NULL);
        if (r >= 0 && c->private_devices) {
                ns_dev_sources_open(&p->dev);
                r = add_entry(p, "/dev", MOUNT_PRIVATE_DEV, NS_STEP_DEVICES, false, NULL);
        } else if (r >= 0 && p->root[0]) {
                r = add_bind_dev(p);
        }
        return r;
}

static const struct row *protect_system_rows(enum ns_protect_system v, size_t *n,
                                             enum ns_step *step)
{
        switch (v) {
        case NS_PROTECT_SYSTEM_YES:
                *n = ELEMENTSOF(protect_system_yes), *step = NS_STEP_PROTECT_SYSTEM_YES;
                return protect_system_yes;
        case NS_PROTECT_SYSTEM_FULL:
                *n = ELEMENTSOF(protect_system_full), *step = NS_STEP_PROTECT_SYSTEM_FULL;
                return protect_system_full;
        case NS_PROTECT_SYSTEM_STRICT:
                *n = ELEMENTSOF(protect_system_strict), *step = NS_STEP_PROTECT_SYSTEM_STRICT;
                return protect_system_strict;
        default:
                *n = 0;
                return NULL;
        }
}

static const struct row *protect_home_rows(enum ns_protect_home v, size_t *n, enum ns_step *step)
{
        switch (v) {
        case NS_PROTECT_HOME_YES:
                *n = ELEMENTSOF(protect_home_yes), *step = NS_STEP_PROTECT_HOME_YES;
                return protect_home_yes;
        case NS_PROTECT_HOME_READ_ONLY:
                *n = ELEMENTSOF(protect_home_read_only), *step = NS_STEP_PROTECT_HOME_READ_ONLY;
                return protect_home_read_only;
        case NS_PROTECT_HOME_TMPFS:
                *n = ELEMENTSOF(protect_home_tmpfs), *step = NS_STEP_PROTECT_HOME_TMPFS;
                return protect_home_tmpfs;
        default:
                *n = 0;
                return NULL;
        }
}

/* The protect_* keys' tables; *step names the key whose rows failed. */
static int add_protect(struct plan *p, enum ns_step *step)
{
        const struct ns_config *c = p->c;
        const struct {
                const struct row *rows;
                size_t n;
                enum ns_step step;
                bool wanted;
        } keys[] = {
                {TABLE(protect_kernel_tunables), NS_STEP_PROTECT_KERNEL_TUNABLES,
                 c->protect_kernel_tunables},
                {TABLE(protect_kernel_modules), NS_STEP_PROTECT_KERNEL_MODULES,
                 c->protect_kernel_modules},
                {TABLE(protect_kernel_logs), NS_STEP_PROTECT_KERNEL_LOGS, c->protect_kernel_logs},
                {TABLE(protect_control_groups), NS_STEP_PROTECT_CONTROL_GROUPS,
                 c->protect_control_groups},
        };
        const struct row *rows;
        size_t n;
        int r;

        rows = protect_system_rows(c->protect_system, &n, step);
        r = add_rows(p, rows, n, *step);
        if (r >= 0) {
                rows = protect_home_rows(c->protect_home, &n, step);
                r = add_rows(p, rows, n, *step);
        }
        for (size_t i = 0; i < ELEMENTSOF(keys) && r >= 0; i++) {
                *step = keys[i].step;
                if (keys[i].wanted)
                        r = add_rows(p, keys[i].rows, keys[i].n, keys[i].step);
        }
        return r;
}

static int add_read_only_paths(struct plan *p)
{
        return add_access_paths(p, p->c->read_only_paths, MOUNT_READ_ONLY, NS_STEP_READ_ONLY_PATHS);
}

static int add_read_write_paths(struct plan *p)
{
        return add_access_paths(p, p->c->read_write_paths, MOUNT_READ_WRITE,
                                NS_STEP_READ_WRITE_PATHS);
}

static int add_inaccessible_paths(struct plan *p)
{
        return add_access_paths(p, p->c->inaccessible_paths, MOUNT_INACCESSIBLE,
                                NS_STEP_INACCESSIBLE_PATHS);
}

/* Every key's entries; a failure here (a source to open, a path to resolve)
 * is reported as the key's step. */
static int add_all(struct plan *p, enum ns_step *step)
{
        static const struct {
                enum ns_step step;
                int (*add)(struct plan *p);
        } adders[] = {
                {NS_STEP_PROC, add_api_mounts},
                {NS_STEP_BIND, add_binds},
                {NS_STEP_TEMPORARY_FS, add_temporary_file_systems},
                {NS_STEP_READ_ONLY_PATHS, add_read_only_paths},
                {NS_STEP_READ_WRITE_PATHS, add_read_write_paths},
                {NS_STEP_INACCESSIBLE_PATHS, add_inaccessible_paths},
        };

        for (size_t i = 0; i < ELEMENTSOF(adders); i++) {
                int r = adders[i].add(p);

                if (r < 0) {
                        *step = adders[i].step;
                        return r;
                }
        }
        return add_protect(p, step);
}

/* ---- normalizing it ---- */

static int entry_compare(const void *a, const void *b)
{
        const struct entry *x = a, *y = b;
        int d = ns_path_compare(x->path, y->path);

        return d != 0 ? d : (int)x->mode - (int)y->mode;
}

/* The first entry on a path wins; it inherits the others' read-only. */
static void drop_duplicates(struct plan *p)
{
        size_t t = 0;

        for (size_t f = 0; f < p->n; f++) {
                if (t > 0 && streq(p->v[t - 1].path, p->v[f].path)) {
                        p->v[t - 1].read_only |= entry_read_only(&p->v[f]);
                        entry_done(&p->v[f]);
                        continue;
                }
                p->v[t++] = p->v[f];
        }
        p->n = t;
}

/* Nothing below an inaccessible path can be reached: drop it. */
static void drop_below_inaccessible(struct plan *p)
{
        const char *clear = NULL;
        size_t t = 0;

        for (size_t f = 0; f < p->n; f++) {
                if (clear && ns_path_under(p->v[f].path, clear)) {
                        entry_done(&p->v[f]);
                        continue;
                }
                clear = p->v[f].mode == MOUNT_INACCESSIBLE ? p->v[f].path : NULL;
                p->v[t++] = p->v[f];
        }
        p->n = t;
}

static bool is_access_mode(enum mount_mode m)
{
        return m == MOUNT_READ_ONLY || m == MOUNT_READ_WRITE || m == MOUNT_READ_WRITE_IMPLICIT;
}

/* A read-only (or read-write) path whose nearest parent entry is the same adds nothing. */
static void drop_nop(struct plan *p)
{
        size_t t = 0;

        for (size_t f = 0; f < p->n; f++) {
                const struct entry *e = &p->v[f];
                size_t k = t;

                while (is_access_mode(e->mode) && k > 0 &&
                       !ns_path_under(e->path, p->v[k - 1].path))
                        k--;
                if (is_access_mode(e->mode) && k > 0 && p->v[k - 1].mode == e->mode) {
                        entry_done(&p->v[f]);
                        continue;
                }
                p->v[t++] = p->v[f];
        }
        p->n = t;
}

static void normalize(struct plan *p)
{
        if (p->n > 0)
                qsort(p->v, p->n, sizeof(*p->v), entry_compare);
        drop_duplicates(p);
        drop_below_inaccessible(p);
        drop_nop(p);
}

/* ---- making the mounts ---- */

static int skip_if_ignored(struct entry *e, int err)
{
        if (err != -ENOENT || !e->ignore)
                return err;
        e->skipped = true;
        return 0;
}

static int mount_fs(const struct entry *e, const char *type, unsigned long flags, const char *data)
{
        struct stat st;
        int r;

        if (lstat(e->path, &st) < 0) {
                r = errno == ENOENT ? ns_mkdir_p(e->path, 0755) : negative_errno();
                if (r < 0)
                        return r;
        }
        if (mount(type, e->path, type, flags, data) < 0)
                return negative_errno();
        return 0;
}

static int mount_bind(const struct entry *e)
{
        char from[NS_FD_PATH_MAX];
        struct stat src, st;
        int r;

        if (fstat(e->source_fd, &src) < 0)
                return negative_errno();
        if (lstat(e->path, &st) < 0) {
                r = errno == ENOENT ? ns_make_mount_point(e->path, S_ISDIR(src.st_mode))
                                    : negative_errno();
                if (r < 0)
                        return r;
        }
        ns_fd_path(from, e->source_fd);
        if (mount(from, e->path, "none", MS_BIND | (e->mode == MOUNT_BIND ? 0 : MS_REC), NULL) < 0)
                return negative_errno();
        return 0;
}

/*
 * The empty, mode 000, read-only nodes bound over inaccessible paths: a
 * directory, a character device 0:0 (opening it fails with ENXIO, even for
 * root) and a regular file for the rest. Their tmpfs is made on /proc just
 * long enough to fill it, then moved over "/": mounted there it stays in the
 * namespace, so binds from it work, but no path reaches it, since a lookup
 * starts at the root it covers.
 */
static int make_inaccessible_nodes(struct plan *p)
{
        /* not nodev: opening the 0:0 device then fails as systemd's does, with ENXIO */
        unsigned long flags = MS_NOSUID | MS_NOEXEC;
        int fd;

        if (mount("tmpfs", "/proc", "tmpfs", flags, "mode=0755,size=16k,nr_inodes=16") < 0)
                return negative_errno();
        fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || mkdirat(fd, "dir", 0) < 0 || mknodat(fd, "reg", S_IFREG, 0) < 0 ||
            (mknodat(fd, "chr", S_IFCHR, makedev(0, 0)) < 0 &&
             mknodat(fd, "chr", S_IFREG, 0) < 0) ||
            mount("none", "/proc", "none", MS_BIND | MS_REMOUNT | MS_RDONLY | flags, NULL) < 0 ||
            mount("/proc", "/", "none", MS_MOVE, NULL) < 0) {
                int r = negative_errno();

                safe_close(fd);
                (void)umount2("/proc", MNT_DETACH);
                return r;
        }
        p->nodes_fd = fd;
        return 0;
}

static int drop_inaccessible_nodes(struct plan *p)
{
        char path[NS_FD_PATH_MAX];

        if (p->nodes_fd < 0)
                return 0;
        ns_fd_path(path, p->nodes_fd);
        if (umount2(path, MNT_DETACH) < 0)
                return negative_errno();
        p->nodes_fd = safe_close(p->nodes_fd);
        return 0;
}

static int mount_inaccessible(struct plan *p, struct entry *e)
{
        char from[NS_FD_PATH_MAX + 8];
        struct stat st;
        int r;

        if (lstat(e->path, &st) < 0)
                return skip_if_ignored(e, negative_errno());
        if (p->nodes_fd < 0 && (r = make_inaccessible_nodes(p)) < 0)
                return r;
        (void)snprintf(from, sizeof(from), "/proc/self/fd/%d/%s", p->nodes_fd,
                       S_ISDIR(st.st_mode)                          ? "dir"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "chr"
                                                                    : "reg");
        if (mount(from, e->path, "none", MS_BIND, NULL) < 0)
                return negative_errno();
        return 0;
}

/* Read-only and read-write paths become mounts of their own, so their flags
 * can differ from their parent's. */
static int mount_itself(struct entry *e)
{
        int r = ns_is_mount_point(e->path);

        if (r < 0)
                return skip_if_ignored(e, r);
        if (r > 0)
                return 0;
        if (mount(e->path, e->path, "none", MS_BIND | MS_REC, NULL) < 0)
                return negative_errno();
        return 0;
}

static int apply_one(struct plan *p, struct entry *e)
{
        switch (e->mode) {
        case MOUNT_INACCESSIBLE:
                return mount_inaccessible(p, e);
        case MOUNT_BIND:
        case MOUNT_BIND_RECURSIVE:
        case MOUNT_BIND_DEV:
                return mount_bind(e);
        case MOUNT_PRIVATE_TMP:
                return mount_fs(e, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        case MOUNT_PRIVATE_DEV:
                return ns_dev_mount(e->path, &p->dev, p->c->private_ipc);
        case MOUNT_SYSFS:
                /* sysfs shows the network devices of the mounter's network namespace */
                return mount_fs(e, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        case MOUNT_PROCFS:
                /* a proc of the mounter's pid namespace: the caller is already inside it */
                return mount_fs(e, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, e->data);
        case MOUNT_TMPFS:
                return mount_fs(e, "tmpfs", e->flags, e->data);
        default:
                return mount_itself(e);
        }
}

/* Second pass: read-only flags, recursively but for the subtrees other
 * entries set up; a private /dev alone, not its pts and shm. */
static int flip_read_only(struct plan *p, enum ns_step *step)
{
        _cleanup_free_ char **deny = calloc(p->n + 1, sizeof(char *));

        if (!deny)
                return -ENOMEM;
        for (size_t i = 0; i < p->n; i++)
                deny[i] = p->v[i].path;
        for (size_t i = 0; i < p->n; i++) {
                struct entry *e = &p->v[i];
                bool ro = entry_read_only(e), recursive;
                int r;

                if (e->skipped || (!ro && e->mode != MOUNT_PRIVATE_DEV))
                        continue;
                recursive = ro && e->mode != MOUNT_TMPFS && e->mode != MOUNT_INACCESSIBLE;
                r = ns_remount_read_only(p->mountinfo_fd, e->path, recursive, deny, p->n);
                if (r < 0) {
                        *step = e->step;
                        return r;
                }
        }
        return 0;
}

/* pivot_root(".", ".") tucks the old root under the new one; detaching it
 * leaves only the new. Where "/" is no mount point (sockjail itself in a
 * chroot) pivot_root fails with EINVAL: move the new root over it instead. */
static int enter_root(const char *root)
{
        if (chdir(root) < 0)
                return negative_errno();
        if (syscall(SYS_pivot_root, ".", ".") == 0) {
                if (umount2(".", MNT_DETACH) < 0)
                        return negative_errno();
        } else if (errno != EINVAL || mount(".", "/", "none", MS_MOVE, NULL) < 0 ||
                   chroot(".") < 0) {
                return negative_errno();
        }
        return chdir("/") < 0 ? negative_errno() : 0;
}

static int apply(struct plan *p, enum ns_step *step)
{
        int r;

        for (size_t i = 0; i < p->n; i++) {
                *step = p->v[i].step;
                r = apply_one(p, &p->v[i]);
                if (r < 0)
                        return r;
        }
        *step = NS_STEP_INACCESSIBLE_NODES;
        r = drop_inaccessible_nodes(p);
        if (r >= 0)
                r = flip_read_only(p, step);
        if (r < 0 || !p->root[0])
                return r;
        *step = NS_STEP_ROOT_DIRECTORY;
        return enter_root(p->root);
}

/* root_directory, resolved on the host and made a mount point (pivot_root wants one). */
static int prepare_root(struct plan *p)
{
        char resolved[PATH_MAX];
        struct stat st;
        int r;

        if (!p->c->root_directory || p->instance) {
                p->root = strdup("");
                return p->root ? 0 : -ENOMEM;
        }
        if (!realpath(p->c->root_directory, resolved) || stat(resolved, &st) < 0)
                return negative_errno();
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        p->root = strdup(streq(resolved, "/") ? "" : resolved);
        if (!p->root)
                return -ENOMEM;
        r = p->root[0] ? ns_is_mount_point(p->root) : 1;
        if (r == 0 && mount(p->root, p->root, "none", MS_BIND | MS_REC, NULL) < 0)
                return negative_errno();
        return r < 0 ? r : 0;
}

static void plan_done(struct plan *p)
{
        for (size_t i = 0; i < p->n; i++)
                entry_done(&p->v[i]);
        free(p->v);
        free(p->root);
        safe_close(p->mountinfo_fd);
        safe_close(p->nodes_fd);
        ns_dev_sources_close(&p->dev);
}

/*
 * An instance's share of the plan: a proc of its pid namespace and its /tmp.
 * The proc shows processes only (procfs subset=pid, systemd's ProcSubset=pid):
 * none of the kernel's files that /proc's protections would have to cover
 * again, one mount per instance instead of a dozen.
 */
static int keep_instance_entries(struct plan *p)
{
        size_t k = 0;
        int r = 0;

        for (size_t i = 0; i < p->n; i++) {
                struct entry *e = &p->v[i];

                if (e->mode == MOUNT_PROCFS && p->c->private_pid && r >= 0) {
                        r = append_option(&e->data, "subset=pid");
                        p->v[k++] = *e;
                } else if (e->mode == MOUNT_PRIVATE_TMP) {
                        p->v[k++] = *e;
                } else {
                        entry_done(e);
                }
        }
        p->n = k;
        return r;
}

static int mount_plan(const struct ns_config *c, bool instance, enum ns_step *step)
{
        struct plan p = {.c = c,
                         .instance = instance,
                         .mountinfo_fd = -1,
                         .nodes_fd = -1,
                         .dev = NS_DEV_SOURCES_INIT};
        int r;

        /* before anything covers /proc (inaccessible_paths: /proc would) */
        *step = NS_STEP_MOUNTINFO;
        p.mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        r = p.mountinfo_fd < 0 ? negative_errno() : 0;
        if (r >= 0) {
                *step = NS_STEP_ROOT_DIRECTORY;
                r = prepare_root(&p);
        }
        if (r >= 0)
                r = add_all(&p, step);
        if (r >= 0 && instance)
                r = keep_instance_entries(&p);
        if (r >= 0) {
                normalize(&p);
                r = apply(&p, step);
        }
        plan_done(&p);
        return r;
}

static int mount_all(const struct ns_config *c, enum ns_step *step)
{
        return mount_plan(c, false, step);
}

int ns_setup_instance(const struct ns_config *c, enum ns_step *ret_step)
{
        enum ns_step step = NS_STEP_LOOPBACK;
        int r = c->private_network ? ns_loopback_up() : 0;

        if (r >= 0 && ns_wants_mount_ns(c)) {
                step = NS_STEP_PROPAGATION;
                r = mount("none", "/", "none", MS_REC | MS_SLAVE, NULL) < 0 ? negative_errno() : 0;
                if (r >= 0)
                        r = mount_plan(c, true, &step);
        }
        if (ret_step)
                *ret_step = r < 0 ? step : NS_STEP_NONE;
        return r;
}

/* ---- the whole set-up ---- */

static bool want_loopback(const struct ns_config *c)
{
        return c->private_network;
}

static bool want_hostname(const struct ns_config *c)
{
        return c->hostname != NULL;
}

static int loopback_up(const struct ns_config *c, enum ns_step *step)
{
        (void)c;
        (void)step;
        return ns_loopback_up();
}

/* Only in a UTS namespace of our own: the host's name is not ours to change. */
static int set_hostname(const struct ns_config *c, enum ns_step *step)
{
        (void)step;
        if (!c->private_uts)
                return -EINVAL;
        if (sethostname(c->hostname, strlen(c->hostname)) < 0)
                return negative_errno();
        return 0;
}

/* Slave, not private: host mounts still show up inside, ours never leak out.
 * The kernel ignores source and type here; "none" keeps valgrind quiet. */
static int mount_propagation(const struct ns_config *c, enum ns_step *step)
{
        (void)c;
        (void)step;
        if (mount("none", "/", "none", MS_REC | MS_SLAVE, NULL) < 0)
                return negative_errno();
        return 0;
}

static const struct setup_step {
        enum ns_step step;
        bool (*wanted)(const struct ns_config *c);
        int (*run)(const struct ns_config *c, enum ns_step *step); /* may name another step */
} setup_steps[] = {
        {NS_STEP_LOOPBACK, want_loopback, loopback_up},
        {NS_STEP_HOSTNAME, want_hostname, set_hostname},
        {NS_STEP_PROPAGATION, ns_wants_mount_ns, mount_propagation},
        {NS_STEP_MOUNTINFO, ns_wants_mount_ns, mount_all},
};

int ns_setup(const struct ns_config *c, enum ns_step *ret_step)
{
        for (size_t i = 0; i < ELEMENTSOF(setup_steps); i++) {
                const struct setup_step *s = &setup_steps[i];
                enum ns_step step = s->step;
                int r;

                if (!s->wanted(c))
                        continue;
                r = s->run(c, &step);
                if (r < 0) {
                        if (ret_step)
                                *ret_step = step;
                        return r;
                }
        }
        if (ret_step)
                *ret_step = NS_STEP_NONE;
        return 0;
}

int ns_enter_working_directory(const struct ns_config *c, enum ns_step *ret_step)
{
        if (ret_step)
                *ret_step = NS_STEP_WORKING_DIRECTORY;
        if (!c->working_directory || chdir(c->working_directory) == 0 ||
            c->working_directory_missing_ok)
                return 0;
        return negative_errno();
}
