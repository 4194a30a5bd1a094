/* SPDX-License-Identifier: MIT */
/*
 * ns: private_devices, systemd's PrivateDevices=. A tmpfs on /dev with only
 * the API pseudo devices (null zero full random urandom tty), the pseudo-TTY
 * subsystem (pts, ptmx), shm and mqueue, and the usual links to /proc/self/fd.
 * The nodes are the host's, bind-mounted (which also works in a user
 * namespace, where mknod may not make them); the host's are opened before
 * anything is mounted, since the new /dev covers them.
 */
#include "ns/internal.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "common/util.h"

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
        const char *name, *target;
} dev_links[] = {
        {"fd", "/proc/self/fd"},
        {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"},
};

/* An O_PATH fd of /dev/NAME when it is what we want there, else -1. */
static int open_source(const char *name, mode_t type)
{
        char path[64];
        struct stat st;
        int fd;

        (void)snprintf(path, sizeof(path), "/dev/%s", name);
        fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -1;
        if (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != type)
                return safe_close(fd);
        return fd;
}

void ns_dev_sources_open(struct ns_dev_sources *d)
{
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(d->nodes); i++)
                d->nodes[i] = open_source(dev_nodes[i], S_IFCHR);
        d->ptmx_symlink = lstat("/dev/ptmx", &st) == 0 && S_ISLNK(st.st_mode);
        d->ptmx = d->ptmx_symlink ? -1 : open_source("ptmx", S_IFCHR);
        d->pts = open_source("pts", S_IFDIR);
        d->shm = open_source("shm", S_IFDIR);
        d->mqueue = open_source("mqueue", S_IFDIR);
}

void ns_dev_sources_close(struct ns_dev_sources *d)
{
        for (size_t i = 0; i < ELEMENTSOF(d->nodes); i++)
                d->nodes[i] = safe_close(d->nodes[i]);
        d->ptmx = safe_close(d->ptmx);
        d->pts = safe_close(d->pts);
        d->shm = safe_close(d->shm);
        d->mqueue = safe_close(d->mqueue);
}

/* Bind the source fd on dev/NAME, made first: a directory or an empty file. */
static int bind_node(const char *dev, const char *name, int fd, bool directory)
{
        char at[PATH_MAX], from[NS_FD_PATH_MAX];
        int r;

        if (fd < 0) /* not on the host: not here either */
                return 0;
        if ((size_t)snprintf(at, sizeof(at), "%s/%s", dev, name) >= sizeof(at))
                return -ENAMETOOLONG;
        r = ns_make_mount_point(at, directory);
        if (r < 0)
                return r;
        ns_fd_path(from, fd);
        return mount(from, at, "none", MS_BIND, NULL) < 0 ? negative_errno() : 0;
}

/* A private IPC namespace gets its own message queues, else the host's. */
static int mount_mqueue(const char *dev, const struct ns_dev_sources *d, bool private_ipc)
{
        char at[PATH_MAX];

        if (!private_ipc)
                return bind_node(dev, "mqueue", d->mqueue, true);
        if ((size_t)snprintf(at, sizeof(at), "%s/mqueue", dev) >= sizeof(at))
                return -ENAMETOOLONG;
        if (mkdir(at, 0755) < 0)
                return negative_errno();
        if (mount("mqueue", at, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return negative_errno();
        return 0;
}

static int make_links(const char *dev, bool ptmx_symlink)
{
        char at[PATH_MAX];

        for (size_t i = 0; i < ELEMENTSOF(dev_links); i++) {
                (void)snprintf(at, sizeof(at), "%s/%s", dev, dev_links[i].name);
                if (symlink(dev_links[i].target, at) < 0)
                        return negative_errno();
        }
        (void)snprintf(at, sizeof(at), "%s/ptmx", dev);
        if (ptmx_symlink && symlink("pts/ptmx", at) < 0)
                return negative_errno();
        return 0;
}

int ns_dev_mount(const char *path, const struct ns_dev_sources *d, bool private_ipc)
{
        int r = ns_mkdir_p(path, 0755);

        if (r < 0)
                return r;
        /* nodev as well: every node in it is a bind mount of the host's */
        if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_STRICTATIME,
                  "mode=0755,size=4m") < 0)
                return negative_errno();
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes) && r >= 0; i++)
                r = bind_node(path, dev_nodes[i], d->nodes[i], false);
        if (r >= 0)
                r = bind_node(path, "pts", d->pts, true);
        if (r >= 0)
                r = bind_node(path, "ptmx", d->ptmx, false);
        if (r >= 0)
                r = bind_node(path, "shm", d->shm, true);
        if (r >= 0)
                r = mount_mqueue(path, d, private_ipc);
        if (r >= 0)
                r = make_links(path, d->ptmx_symlink);
        return r;
}
