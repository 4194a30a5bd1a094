/* SPDX-License-Identifier: MIT */
/*
 * ns: which namespaces to make, the raw clone into them, and the id maps of a
 * user namespace. The path keys' syntax lives in config.c, the mounts in
 * mount.c (and path.c, remount.c, dev.c), loopback in net.c, the init in init.c.
 */
#include "ns/ns.h"

#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/msg.h"
#include "common/util.h"

/* The only flags ns_clone() accepts: anything else would make it less than a fork. */
#define NS_CLONE_ALLOWED                                                                           \
        (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
         CLONE_NEWPID | CLONE_NEWNET)

void ns_config_init(struct ns_config *c)
{
        *c = (struct ns_config){
                .private_network = true,
                .private_mounts = true,
                .private_pid = true,
                .private_ipc = true,
                .private_uts = true,
                .private_tmp = true,
                /* Not systemd's defaults: a service run by root is host uid 0, which owns
                 * root's files whatever its capabilities (the escape suite shows it). */
                .private_devices = true,
                .protect_system = NS_PROTECT_SYSTEM_STRICT,
                .protect_home = NS_PROTECT_HOME_READ_ONLY,
                .protect_kernel_tunables = true,
                .protect_kernel_modules = true,
                .protect_kernel_logs = true,
                .protect_control_groups = true,
                .private_users = false,
                /* Rootless: only a user namespace lets an ordinary user make the others. */
                .user_namespace = geteuid() != 0,
                .outer_uid = getuid(),
                .outer_gid = getgid(),
        };
}

int ns_clone_flags(const struct ns_config *c)
{
        int flags = 0;

        if (c->private_network)
                flags |= CLONE_NEWNET;
        if (ns_wants_mount_ns(c))
                flags |= CLONE_NEWNS;
        if (c->private_pid)
                flags |= CLONE_NEWPID;
        if (c->private_ipc)
                flags |= CLONE_NEWIPC;
        if (c->private_uts)
                flags |= CLONE_NEWUTS;
        if (c->private_users || c->user_namespace)
                flags |= CLONE_NEWUSER;
        return flags;
}

/*
 * The raw system call, not glibc's clone(): we want fork semantics (same stack,
 * returns twice) and glibc's clone() wants a new stack and a function. With all
 * pointer arguments NULL only the position of the flags matters: first on
 * x86_64 and every CLONE_BACKWARDS arch (arm, arm64, riscv, ppc, ...), second
 * on s390 and cris (CLONE_BACKWARDS2). CLONE_BACKWARDS3 (microblaze) adds a
 * stack-size argument after the stack, still after the flags.
 */
pid_t ns_clone(int flags)
{
        unsigned long f;
        long pid;

        if (flags & ~NS_CLONE_ALLOWED)
                return -EINVAL;
        f = (unsigned long)(unsigned int)flags | SIGCHLD;
#if defined(__s390__) || defined(__CRIS__)
        pid = syscall(SYS_clone, NULL, f, NULL, NULL, NULL);
#else
        pid = syscall(SYS_clone, f, NULL, NULL, NULL, NULL);
#endif
        if (pid < 0)
                return negative_errno();
        return (pid_t)pid;
}

/* Append v in decimal at p; returns the end. No stdio: callers size buf for it. */
static char *put_uint(char *p, unsigned long v)
{
        char tmp[24];
        size_t n = 0;

        do
                tmp[n++] = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        while (n > 0)
                *p++ = tmp[--n];
        return p;
}

static char *put_str(char *p, const char *s)
{
        while (*s)
                *p++ = *s++;
        return p;
}

/* One write(): the kernel takes a map only whole, in a single write. */
static int write_proc_file(pid_t pid, const char *name, const char *text)
{
        char path[64], *p = path;
        size_t n = strlen(text);
        ssize_t k;

        if (strlen(name) > 16)
                return -EINVAL;
        p = put_str(put_uint(put_str(p, "/proc/"), (unsigned long)pid), "/");
        *put_str(p, name) = '\0';
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        k = write(fd, text, n);
        if (k < 0)
                return negative_errno();
        return (size_t)k == n ? 0 : -EIO;
}

/* "INSIDE OUTSIDE 1\n": one id, mapped to itself or to root. */
static int write_map(pid_t pid, const char *file, bool to_root, unsigned long outer)
{
        char line[64], *p = line;

        p = put_uint(p, to_root ? 0 : outer);
        p = put_uint(put_str(p, " "), outer);
        *put_str(p, " 1\n") = '\0';
        return write_proc_file(pid, file, line);
}

/*
 * Map the caller's ids into pid's user namespace: to root (private_users) or
 * to themselves (user_namespace). setgroups is denied first because an
 * unprivileged writer may not write gid_map otherwise; a kernel without the
 * file (before 3.19) needs no deny. Nothing to do without a user namespace.
 */
int ns_write_id_maps(pid_t pid, const struct ns_config *c)
{
        int r;

        if (pid <= 0)
                return -EINVAL;
        if (!c->private_users && !c->user_namespace)
                return 0;
        r = write_proc_file(pid, "setgroups", "deny");
        if (r < 0 && r != -ENOENT)
                return r;
        r = write_map(pid, "uid_map", c->private_users, c->outer_uid);
        if (r < 0)
                return r;
        return write_map(pid, "gid_map", c->private_users, c->outer_gid);
}

const char *ns_step_name(enum ns_step step)
{
        static const char *const names[_NS_STEP_MAX] = {
                [NS_STEP_NONE] = "set up namespaces",
                [NS_STEP_LOOPBACK] = "bring up lo",
                [NS_STEP_PROPAGATION] = "make / a slave mount",
                [NS_STEP_TMP] = "mount tmpfs on /tmp",
                [NS_STEP_PROC] = "mount /proc",
                [NS_STEP_SYS] = "mount /sys",
                [NS_STEP_HOSTNAME] = "set the hostname",
                [NS_STEP_MOUNTINFO] = "open /proc/self/mountinfo",
                [NS_STEP_INACCESSIBLE_NODES] = "make the inaccessible nodes",
                [NS_STEP_DEVICES] = "set up the private /dev",
                [NS_STEP_BIND] = "bind-mount a bind_paths or bind_read_only_paths entry",
                [NS_STEP_TEMPORARY_FS] = "mount a temporary_file_system entry",
                [NS_STEP_READ_ONLY_PATHS] = "make a read_only_paths entry read-only",
                [NS_STEP_READ_WRITE_PATHS] = "keep a read_write_paths entry writable",
                [NS_STEP_INACCESSIBLE_PATHS] = "make an inaccessible_paths entry inaccessible",
                [NS_STEP_PROTECT_SYSTEM_YES] = "make /usr and /boot read-only",
                [NS_STEP_PROTECT_SYSTEM_FULL] = "make /usr, /boot and /etc read-only",
                [NS_STEP_PROTECT_SYSTEM_STRICT] = "make / read-only",
                [NS_STEP_PROTECT_HOME_YES] = "make /home, /root and /run/user inaccessible",
                [NS_STEP_PROTECT_HOME_READ_ONLY] = "make /home, /root and /run/user read-only",
                [NS_STEP_PROTECT_HOME_TMPFS] = "mount tmpfs on /home, /root and /run/user",
                [NS_STEP_PROTECT_KERNEL_TUNABLES] = "make the kernel tunables read-only",
                [NS_STEP_PROTECT_KERNEL_MODULES] = "make /usr/lib/modules inaccessible",
                [NS_STEP_PROTECT_KERNEL_LOGS] = "make /proc/kmsg and /dev/kmsg inaccessible",
                [NS_STEP_PROTECT_CONTROL_GROUPS] = "make /sys/fs/cgroup read-only",
                [NS_STEP_ROOT_DIRECTORY] = "switch to root_directory",
                [NS_STEP_WORKING_DIRECTORY] = "change to working_directory",
        };

        if ((unsigned)step >= ELEMENTSOF(names) || !names[step])
                return "unknown step";
        return names[step];
}

int ns_msg_send(int fd, const struct ns_msg *m, pid_t about)
{
        /* the kernel may refuse to vouch for about: then m goes as our own */
        if (about > 0 && msg_send(fd, m, sizeof(*m), 0, -1, about) == 0)
                return 0;
        return msg_send(fd, m, sizeof(*m), 0, -1, 0);
}

ssize_t ns_msg_recv(int fd, struct ns_msg *m, pid_t *ret_pid)
{
        return msg_recv(fd, m, sizeof(*m), MSG_DONTWAIT, NULL, ret_pid);
}
