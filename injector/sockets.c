/* SPDX-License-Identifier: MIT */
#include "injector/sockets.h"

#include <mqueue.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "common/util.h"
#include "injector/sockopt.h"

static int sock_type(enum spec_listen_type t)
{
        switch (t) {
        case SPEC_LISTEN_DATAGRAM:
                return SOCK_DGRAM;
        case SPEC_LISTEN_SEQPACKET:
                return SOCK_SEQPACKET;
        case SPEC_LISTEN_NETLINK:
                return SOCK_RAW;
        case SPEC_LISTEN_STREAM:
        default:
                return SOCK_STREAM;
        }
}

static bool is_ip(int family)
{
        return family == AF_INET || family == AF_INET6;
}

/* As systemd's socket_open_fds(): the protocol follows the socket type. */
int sock_protocol(const struct spec_socket *u, const struct spec_listen *l)
{
        if (l->type == SPEC_LISTEN_NETLINK)
                return l->protocol;
        if (!is_ip(addr_family(&l->addr)))
                return 0;
        if (l->type == SPEC_LISTEN_DATAGRAM && u->socket_protocol == IPPROTO_UDPLITE)
                return IPPROTO_UDPLITE;
        if (l->type != SPEC_LISTEN_DATAGRAM && u->socket_protocol == IPPROTO_SCTP)
                return IPPROTO_SCTP;
        return 0;
}

/* "create an SCTP socket for 127.0.0.1:80: Protocol not supported" names what is missing. */
static const char *create_step(const struct spec_listen *l, int protocol, int error)
{
        if (protocol == IPPROTO_SCTP)
                return "create an SCTP socket for";
        if (protocol == IPPROTO_UDPLITE)
                return "create a UDP-Lite socket for";
        if (l->type == SPEC_LISTEN_NETLINK)
                return "create a netlink socket for";
        if (addr_family(&l->addr) == AF_VSOCK && error == ENODEV)
                return "create a vsock socket (no vsock transport has this socket type) for";
        if (addr_family(&l->addr) == AF_VSOCK && error == EAFNOSUPPORT)
                return "create a vsock socket (this kernel has no AF_VSOCK) for";
        return "create a socket for";
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

static bool chown_wanted(const struct spec_socket *u)
{
        return u->socket_user != (uid_t)-1 || u->socket_group != (gid_t)-1;
}

static int finish_path(const struct spec_socket *u, const char *path, struct sock_error *err)
{
        if (chmod(path, u->socket_mode) < 0) {
                err->step = "chmod";
                return negative_errno();
        }
        if (chown_wanted(u) && lchown(path, u->socket_user, u->socket_group) < 0) {
                err->step = "chown";
                return negative_errno();
        }
        return 0;
}

static int open_socket(struct sock_set *set, struct sock_fd *sf, struct sock_error *err)
{
        const struct spec_listen *l = sf->listen;
        const struct spec_socket *u = sf->unit;
        const char *path = addr_unix_path(&l->addr);
        int protocol = sock_protocol(u, l), r;

        sf->fd = socket(addr_family(&l->addr), sock_type(l->type) | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        protocol);
        if (sf->fd < 0)
                return (err->step = create_step(l, protocol, errno), negative_errno());
        r = sock_opts_before_bind(sf->fd, u, l, err);
        if (r >= 0 && path)
                r = prepare_path(set, u, path, err);
        if (r < 0)
                return r;
        if (bind(sf->fd, &l->addr.u.sa, l->addr.size) < 0)
                return (err->step = "bind", negative_errno());
        sf->made_file = sf->own_node = path != NULL;
        if (path && (r = finish_path(u, path, err)) < 0)
                return r;
        r = sock_opts_after_bind(sf->fd, u, l, err);
        if (r >= 0 && (l->type == SPEC_LISTEN_STREAM || l->type == SPEC_LISTEN_SEQPACKET) &&
            listen(sf->fd, (int)u->backlog) < 0)
                return (err->step = "listen on", negative_errno());
        return r;
}

/* Mode and owner of a node we hold open, as for socket files. */
static int finish_fd(const struct spec_socket *u, int fd, struct sock_error *err)
{
        if (fchmod(fd, u->socket_mode) < 0) {
                err->step = "chmod";
                return negative_errno();
        }
        if (chown_wanted(u) && fchown(fd, u->socket_user, u->socket_group) < 0) {
                err->step = "chown";
                return negative_errno();
        }
        return 0;
}

/* As systemd's fifo_address_create(): an existing FIFO is used, anything else refused. */
static int open_fifo(struct sock_set *set, struct sock_fd *sf, struct sock_error *err)
{
        const char *path = sf->listen->text;
        struct stat st;
        int r = make_parents(set, path, sf->unit->directory_mode, err);

        if (r < 0)
                return r;
        if (mkfifo(path, sf->unit->socket_mode) == 0)
                sf->made_file = true;
        else if (errno != EEXIST)
                return (err->step = "create the FIFO", negative_errno());
        sf->fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
        if (sf->fd < 0)
                return (err->step = "open the FIFO", negative_errno());
        if (fstat(sf->fd, &st) < 0)
                return (err->step = "inspect", negative_errno());
        if (!S_ISFIFO(st.st_mode))
                return (err->step = "use (it exists and is not a FIFO)", -EEXIST);
        sf->own_node = true;
        r = finish_fd(sf->unit, sf->fd, err);
        return r < 0 ? r : sock_opts_fifo(sf->fd, sf->unit, err);
}

/* As systemd's special_address_create(): a character device or a regular file
 * (in /proc or /sys), read-only unless writable. */
static int open_special(struct sock_fd *sf, struct sock_error *err)
{
        int flags = sf->unit->writable ? O_RDWR : O_RDONLY;
        struct stat st;

        sf->fd = open(sf->listen->text, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
        if (sf->fd < 0)
                return (err->step = "open", negative_errno());
        if (fstat(sf->fd, &st) < 0)
                return (err->step = "inspect", negative_errno());
        if (!S_ISCHR(st.st_mode) && !S_ISREG(st.st_mode))
                return (err->step = "use (it is not a character device or a regular file)",
                        -EEXIST);
        return 0;
}

/* As systemd's mq_address_create(); an existing queue is used as it is. */
static int open_mqueue(struct sock_fd *sf, struct sock_error *err)
{
        const struct spec_socket *u = sf->unit;
        struct mq_attr attr = {.mq_maxmsg = (long)u->mq_max_messages,
                               .mq_msgsize = (long)u->mq_message_size};
        bool sized = u->mq_max_messages > 0 && u->mq_message_size > 0;
        int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;

        sf->fd = mq_open(sf->listen->text, flags | O_CREAT | O_EXCL, u->socket_mode,
                         sized ? &attr : NULL);
        if (sf->fd >= 0)
                sf->made_file = true;
        else if (errno == EEXIST)
                sf->fd = mq_open(sf->listen->text, flags);
        if (sf->fd < 0)
                return (err->step = "create the message queue", negative_errno());
        sf->own_node = true;
        return finish_fd(u, sf->fd, err);
}

static int open_one(struct sock_set *set, struct sock_fd *sf, struct sock_error *err)
{
        switch (sf->listen->type) {
        case SPEC_LISTEN_FIFO:
                return open_fifo(set, sf, err);
        case SPEC_LISTEN_SPECIAL:
                return open_special(sf, err);
        case SPEC_LISTEN_MQUEUE:
                return open_mqueue(sf, err);
        default:
                return open_socket(set, sf, err);
        }
}

/* The path a unit's symlinks point to: its one unix socket path or FIFO. */
static const struct sock_fd *link_target(const struct sock_set *set, const struct spec_socket *u,
                                         const char **ret_path)
{
        for (size_t i = 0; i < set->n; i++) {
                const struct sock_fd *sf = &set->fds[i];

                if (sf->unit != u)
                        continue;
                *ret_path = sf->listen->type == SPEC_LISTEN_FIFO ? sf->listen->text
                            : spec_listen_is_socket(sf->listen)  ? addr_unix_path(&sf->listen->addr)
                                                                 : NULL;
                if (*ret_path)
                        return sf;
        }
        return NULL;
}

/* A symlink already there is fine when it points at target; with remove_on_stop
 * whatever else is there goes, as in systemd's socket_symlink(). */
static int make_link(struct sock_set *set, const struct spec_socket *u, const char *target,
                     const char *link)
{
        char buf[PATH_MAX];
        ssize_t n;
        char **v;

        if (symlink(target, link) < 0) {
                if (errno != EEXIST)
                        return negative_errno();
                n = readlink(link, buf, sizeof(buf) - 1);
                if (n >= 0 && (buf[n] = '\0', streq(buf, target)))
                        return 0;
                if (!u->remove_on_stop || unlink(link) < 0 || symlink(target, link) < 0)
                        return -EEXIST;
        }
        v = reallocarray(set->made_links, set->n_made_links + 1, sizeof(char *));
        if (!v)
                return (void)unlink(link), -ENOMEM;
        set->made_links = v;
        v[set->n_made_links] = strdup(link);
        if (!v[set->n_made_links])
                return (void)unlink(link), -ENOMEM;
        set->n_made_links++;
        return 0;
}

static int make_links(struct sock_set *set, const struct spec_socket *u, struct sock_error *err)
{
        const struct sock_fd *sf;
        const char *target = NULL;

        if (!u->symlinks)
                return 0;
        sf = link_target(set, u, &target);
        if (!sf) /* spec_finish() refuses this */
                return -EINVAL;
        err->listen = sf->listen;
        for (size_t i = 0; u->symlinks[i]; i++) {
                int r = make_parents(set, u->symlinks[i], u->directory_mode, err);

                if (r >= 0)
                        r = make_link(set, u, target, u->symlinks[i]);
                if (r < 0) {
                        snprintf(err->text, sizeof(err->text), "create the symlink %s to",
                                 u->symlinks[i]);
                        err->step = err->text;
                        return r;
                }
        }
        err->listen = NULL;
        return 0;
}

/* With start: on-demand the supervisor waits for EPOLLIN on every fd: a file
 * epoll refuses (/dev/null, a regular file) fails now, before anything starts. */
static int check_watchable(int epfd, int fd, struct sock_error *err)
{
        struct epoll_event ev = {.events = EPOLLIN};

        if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
                return 0;
        err->step = "watch (start: on-demand; use start: immediate for a file that cannot be "
                    "watched)";
        return negative_errno();
}

static int open_unit(struct sock_set *set, const struct spec_socket *u, int epfd,
                     struct sock_error *err)
{
        for (size_t j = 0; j < u->n_listens; j++) {
                struct sock_fd *sf = &set->fds[set->n++];
                int r;

                *sf = (struct sock_fd){.fd = -1, .unit = u, .listen = &u->listens[j]};
                r = open_one(set, sf, err);
                if (r >= 0)
                        r = check_watchable(epfd, sf->fd, err);
                if (r < 0) {
                        err->listen = sf->listen;
                        return r;
                }
        }
        return make_links(set, u, err);
}

int sock_open_all(const struct spec *s, struct sock_set *ret, struct sock_error *err)
{
        struct sock_set set = {0};
        size_t n = spec_n_fds(s);
        _cleanup_close_ int epfd = -1;

        *err = (struct sock_error){0};
        if (s->service.start == SPEC_START_ON_DEMAND) {
                epfd = epoll_create1(EPOLL_CLOEXEC);
                if (epfd < 0)
                        return (err->step = "create an epoll fd for", negative_errno());
        }
        set.fds = calloc(n ? n : 1, sizeof(*set.fds));
        if (!set.fds)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_sockets; i++) {
                int r = open_unit(&set, &s->sockets[i], epfd, err);

                if (r < 0) {
                        sock_close_all(&set, true, true);
                        return r;
                }
        }
        *ret = set;
        return 0;
}

static void remove_node(const struct sock_fd *sf)
{
        const struct spec_listen *l = sf->listen;

        if (l->type == SPEC_LISTEN_FIFO)
                (void)unlink(l->text);
        else if (l->type == SPEC_LISTEN_MQUEUE)
                (void)mq_unlink(l->text);
        else if (spec_listen_is_socket(l) && addr_unix_path(&l->addr))
                (void)unlink(addr_unix_path(&l->addr));
}

/* On a normal stop remove_on_stop takes every symlink of the unit, as in systemd. */
static void remove_unit_links(const struct spec_socket *u)
{
        for (size_t i = 0; u->remove_on_stop && u->symlinks && u->symlinks[i]; i++)
                (void)unlink(u->symlinks[i]);
}

void sock_close_all(struct sock_set *set, bool remove_files, bool all)
{
        bool removed_any = all;

        for (size_t i = 0; i < set->n; i++) {
                struct sock_fd *sf = &set->fds[i];

                sf->fd = safe_close(sf->fd);
                if (remove_files &&
                    (all ? sf->made_file : sf->own_node && sf->unit->remove_on_stop)) {
                        remove_node(sf);
                        removed_any = true;
                }
                if (remove_files && !all && (i == 0 || set->fds[i - 1].unit != sf->unit))
                        remove_unit_links(sf->unit);
        }
        for (size_t i = 0; i < set->n_made_links; i++) {
                if (remove_files && all)
                        (void)unlink(set->made_links[i]);
                free(set->made_links[i]);
        }
        /* Deepest first; rmdir fails harmlessly on a directory someone else filled. */
        for (size_t i = set->n_made_dirs; i > 0; i--) {
                if (remove_files && removed_any)
                        (void)rmdir(set->made_dirs[i - 1]);
                free(set->made_dirs[i - 1]);
        }
        free(set->made_links);
        free(set->made_dirs);
        free(set->fds);
        *set = (struct sock_set){0};
}
