/* SPDX-License-Identifier: MIT */
/*
 * ns: the set-up inside the new namespaces (child side): lo up, then the
 * mounts, each one a step the parent can name when it fails.
 */
#include "ns/ns.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include "common/util.h"

static bool has_mount_ns(const struct ns_config *c)
{
        return c->private_mounts || c->private_tmp;
}

static bool want_loopback(const struct ns_config *c)
{
        return c->private_network;
}

static bool want_tmp(const struct ns_config *c)
{
        return c->private_tmp;
}

static bool want_proc(const struct ns_config *c)
{
        return has_mount_ns(c) && c->private_pid;
}

static bool want_sys(const struct ns_config *c)
{
        return has_mount_ns(c) && c->private_network;
}

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                    const char *data)
{
        if (mount(src, dst, type, flags, data) < 0)
                return negative_errno();
        return 0;
}

/* Slave, not private: host mounts still show up inside, ours never leak out.
 * The kernel ignores source and type here; "none" keeps valgrind quiet. */
static int mount_propagation(void)
{
        return do_mount("none", "/", "none", MS_REC | MS_SLAVE, NULL);
}

static int mount_tmpfs(const char *where)
{
        return do_mount("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

/* /var/tmp only if it is a real directory: a symlink points at a /tmp already made private. */
static int mount_private_tmp(void)
{
        struct stat st;
        int r;

        r = mount_tmpfs("/tmp");
        if (r < 0)
                return r;
        if (lstat("/var/tmp", &st) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISDIR(st.st_mode))
                return 0;
        return mount_tmpfs("/var/tmp");
}

/* A proc of the mounter's pid namespace: the caller must already be inside it. */
static int mount_proc(void)
{
        return do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* sysfs shows the network devices of the mounter's network namespace. */
static int mount_sys(void)
{
        return do_mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        NULL);
}

static const struct setup_step {
        enum ns_step step;
        bool (*wanted)(const struct ns_config *c);
        int (*run)(void);
} setup_steps[] = {
        {NS_STEP_LOOPBACK, want_loopback, ns_loopback_up},
        {NS_STEP_PROPAGATION, has_mount_ns, mount_propagation},
        {NS_STEP_TMP, want_tmp, mount_private_tmp},
        {NS_STEP_PROC, want_proc, mount_proc},
        {NS_STEP_SYS, want_sys, mount_sys},
};

/*
 * Child side, right after clone (and after the parent wrote the id maps):
 * the steps in order, stopping at the first failure.
 */
int ns_setup(const struct ns_config *c, enum ns_step *ret_step)
{
        for (size_t i = 0; i < ELEMENTSOF(setup_steps); i++) {
                const struct setup_step *s = &setup_steps[i];
                int r;

                if (!s->wanted(c))
                        continue;
                r = s->run();
                if (r < 0) {
                        if (ret_step)
                                *ret_step = s->step;
                        return r;
                }
        }
        if (ret_step)
                *ret_step = NS_STEP_NONE;
        return 0;
}
