/* SPDX-License-Identifier: MIT */
#include "injector/sockets.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>

#include "common/util.h"

static int sock_type(enum spec_listen_type t)
{
        switch (t) {
        case SPEC_LISTEN_DATAGRAM:
                return SOCK_DGRAM;
        case SPEC_LISTEN_SEQPACKET:
                return SOCK_SEQPACKET;
        case SPEC_LISTEN_STREAM:
        default:
                return SOCK_STREAM;
        }
}

static int set_int(int fd, int level, int name, int value, const char *step, struct sock_error *err)
{
        if (setsockopt(fd, level, name, &value, sizeof(value)) == 0)
                return 0;
        err->step = step;
        return negative_errno();
}

static bool is_ip(int family)
{
        return family == AF_INET || family == AF_INET6;
}

/* Options that must be set before bind(). */
static int apply_bind_options(int fd, const struct spec_socket *u, const struct spec_listen *l,
                              struct sock_error *err)
{
        int family = addr_family(&l->addr), r = 0;

        if (is_ip(family))
                r = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "set SO_REUSEADDR on", err);
        if (r >= 0 && u->reuse_port)
                r = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1, "set SO_REUSEPORT on", err);
        if (r >= 0 && family == AF_INET6 && u->bind_ipv6_only != SPEC_BIND_IPV6_DEFAULT)
                r = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, u->bind_ipv6_only == SPEC_BIND_IPV6_ONLY,
                            "set IPV6_V6ONLY on", err);
        if (r >= 0 && u->free_bind && family == AF_INET)
                r = set_int(fd, IPPROTO_IP, IP_FREEBIND, 1, "set IP_FREEBIND on", err);
        if (r >= 0 && u->free_bind && family == AF_INET6)
                r = set_int(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1, "set IPV6_FREEBIND on", err);
        return r;
}

/* Options that may come after bind(). */
static int apply_options(int fd, const struct spec_socket *u, const struct spec_listen *l,
                         struct sock_error *err)
{
        bool tcp = is_ip(addr_family(&l->addr)) && l->type == SPEC_LISTEN_STREAM;
        int r = 0;

        if (u->no_delay && tcp)
                r = set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "set TCP_NODELAY on", err);
        if (r >= 0 && u->keep_alive)
                r = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "set SO_KEEPALIVE on", err);
        return r;
}

/* Create the missing parents of path with directory_mode, remembering each
 * one so that a failure or remove_on_stop can take them away again. */
static int make_parents(struct sock_set *set, const char *path, mode_t mode, struct sock_error *err)
{
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                char **dirs;

                *slash = '\0';
                if (mkdir(p, mode) < 0) {
                        if (errno != EEXIST) {
                                err->step = "create the directory of";
                                return negative_errno();
                        }
                        *slash = '/';
                        continue;
                }
                dirs = reallocarray(set->made_dirs, set->n_made_dirs + 1, sizeof(char *));
                if (!dirs)
                        return -ENOMEM;
                set->made_dirs = dirs;
                dirs[set->n_made_dirs] = strdup(p);
                if (!dirs[set->n_made_dirs])
                        return -ENOMEM;
                set->n_made_dirs++;
                *slash = '/';
        }
        return 0;
}

/* systemd replaces a stale socket at the path; anything else stays untouched. */
static int clear_path(const char *path, struct sock_error *err)
{
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : (err->step = "inspect", negative_errno());
        if (!S_ISSOCK(st.st_mode)) {
                err->step = "replace (it exists and is not a socket)";
                return -EEXIST;
        }
        if (unlink(path) < 0) {
                err->step = "remove the stale socket";
                return negative_errno();
        }
        return 0;
}

static int prepare_path(struct sock_set *set, const struct spec_socket *u, const char *path,
                        struct sock_error *err)
{
        int r = make_parents(set, path, u->directory_mode, err);

        return r < 0 ? r : clear_path(path, err);
}

static int finish_path(const struct spec_socket *u, const char *path, struct sock_error *err)
{
        if (chmod(path, u->socket_mode) < 0) {
                err->step = "chmod";
                return negative_errno();
        }
        if ((u->socket_user != (uid_t)-1 || u->socket_group != (gid_t)-1) &&
            lchown(path, u->socket_user, u->socket_group) < 0) {
                err->step = "chown";
                return negative_errno();
        }
        return 0;
}

static int open_one(struct sock_set *set, struct sock_fd *sf, struct sock_error *err)
{
        const struct spec_listen *l = sf->listen;
        const struct spec_socket *u = sf->unit;
        const char *path = addr_unix_path(&l->addr);
        int r;

        sf->fd =
                socket(addr_family(&l->addr), sock_type(l->type) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (sf->fd < 0)
                return (err->step = "create a socket for", negative_errno());
        r = apply_bind_options(sf->fd, u, l, err);
        if (r >= 0 && path)
                r = prepare_path(set, u, path, err);
        if (r < 0)
                return r;
        if (bind(sf->fd, &l->addr.u.sa, l->addr.size) < 0)
                return (err->step = "bind", negative_errno());
        sf->made_file = path != NULL;
        if (path && (r = finish_path(u, path, err)) < 0)
                return r;
        r = apply_options(sf->fd, u, l, err);
        if (r >= 0 && l->type != SPEC_LISTEN_DATAGRAM && listen(sf->fd, (int)u->backlog) < 0)
                return (err->step = "listen on", negative_errno());
        return r;
}

int sock_open_all(const struct spec *s, struct sock_set *ret, struct sock_error *err)
{
        struct sock_set set = {0};
        size_t n = spec_n_fds(s);

        *err = (struct sock_error){0};
        set.fds = calloc(n ? n : 1, sizeof(*set.fds));
        if (!set.fds)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_sockets; i++)
                for (size_t j = 0; j < s->sockets[i].n_listens; j++) {
                        struct sock_fd *sf = &set.fds[set.n++];
                        int r;

                        *sf = (struct sock_fd){.fd = -1,
                                               .unit = &s->sockets[i],
                                               .listen = &s->sockets[i].listens[j]};
                        r = open_one(&set, sf, err);
                        if (r < 0) {
                                err->listen = sf->listen;
                                sock_close_all(&set, true, true);
                                return r;
                        }
                }
        *ret = set;
        return 0;
}

void sock_close_all(struct sock_set *set, bool remove_files, bool all)
{
        bool removed_any = all;

        for (size_t i = 0; i < set->n; i++) {
                struct sock_fd *sf = &set->fds[i];

                sf->fd = safe_close(sf->fd);
                if (remove_files && sf->made_file && (all || sf->unit->remove_on_stop)) {
                        (void)unlink(addr_unix_path(&sf->listen->addr));
                        removed_any = true;
                }
        }
        /* Deepest first; rmdir fails harmlessly on a directory someone else filled. */
        for (size_t i = set->n_made_dirs; i > 0; i--) {
                if (remove_files && removed_any)
                        (void)rmdir(set->made_dirs[i - 1]);
                free(set->made_dirs[i - 1]);
        }
        free(set->made_dirs);
        free(set->fds);
        *set = (struct sock_set){0};
}
