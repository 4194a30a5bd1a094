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

/* The directory of path, reached without a symlink, missing parts made with directory_mode. */
static int open_parent(struct sock_set *set, const struct spec_socket *u, const char *path,
                       struct sp_parent *ret, struct sock_error *err)
{
        int r = sp_open_parent(path, u->directory_mode, &set->made_dirs, ret, err->why,
                               sizeof(err->why));

        if (r < 0)
                err->step = "create the directory of";
        return r;
}

static int refuse_symlink(const char *path, const char *step, struct sock_error *err)
{
        err->step = step;
        snprintf(err->why, sizeof(err->why), "%s is a symbolic link", path);
        return -ELOOP;
}

/* systemd replaces a stale socket at the path; anything else stays untouched. */
static int clear_path(const struct sp_parent *p, struct sock_error *err)
{
        struct stat st;
        int r;

        if (fstatat(p->fd, p->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : (err->step = "inspect", negative_errno());
        if (S_ISLNK(st.st_mode))
                return refuse_symlink(p->path, "replace", err);
        if (!S_ISSOCK(st.st_mode)) {
                err->step = "replace (it exists and is not a socket)";
                return -EEXIST;
        }
        r = sp_unlink_same(p->fd, p->name, &st);
        if (r < 0)
                err->step = "remove the stale socket";
        return r;
}

static bool chown_wanted(const struct spec_socket *u)
{
        return u->socket_user != (uid_t)-1 || u->socket_group != (gid_t)-1;
}

/* Mode and owner of a node we hold an fd of (O_PATH or open), never by its path. */
static int finish_fd(const struct spec_socket *u, int fd, struct sock_error *err)
{
        int r = sp_chmod(fd, u->socket_mode);

        if (r < 0)
                return (err->step = "chmod", r);
        if (chown_wanted(u) && (r = sp_chown(fd, u->socket_user, u->socket_group)) < 0)
                return (err->step = "chown", r);
        return 0;
}

/* bind() to a path: the file lands in the directory we walked to, and is
 * recorded by that directory's fd, its name and its inode. */
static int bind_file(struct sock_set *set, struct sock_fd *sf, const char *path,
                     struct sock_error *err)
{
        const struct addr *a = &sf->listen->addr;
        _cleanup_(sp_parent_done) struct sp_parent p = {.fd = -1};
        _cleanup_close_ int node = -1;
        struct stat st;
        int r = open_parent(set, sf->unit, path, &p, err);

        if (r >= 0)
                r = clear_path(&p, err);
        if (r < 0)
                return r;
        r = sp_bind_unix(sf->fd, &a->u.un, a->size, &p);
        if (r >= 0)
                r = node = sp_open_bound(sf->fd, &p, &st, err->why, sizeof(err->why));
        if (r < 0)
                return (err->step = "bind", r);
        r = sp_entry_init(&sf->node, p.fd, p.name, node);
        if (r < 0)
                return (void)sp_unlink_same(p.fd, p.name, &st), r;
        sf->made_file = sf->own_node = true;
        return finish_fd(sf->unit, node, err);
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
                r = bind_file(set, sf, path, err);
        else if (r >= 0 && bind(sf->fd, &l->addr.u.sa, l->addr.size) < 0)
                r = (err->step = "bind", negative_errno());
        if (r >= 0)
                r = sock_opts_after_bind(sf->fd, u, l, err);
        if (r >= 0 && (l->type == SPEC_LISTEN_STREAM || l->type == SPEC_LISTEN_SEQPACKET) &&
            listen(sf->fd, (int)u->backlog) < 0)
                return (err->step = "listen on", negative_errno());
        return r;
}

/* An O_PATH fd of the FIFO at p, with its stat: a symlink or anything else is refused. */
static int open_fifo_node(const struct sp_parent *p, struct stat *ret, struct sock_error *err)
{
        _cleanup_close_ int fd = openat(p->fd, p->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return (err->step = "open the FIFO", negative_errno());
        if (fstat(fd, ret) < 0)
                return (err->step = "inspect", negative_errno());
        if (S_ISLNK(ret->st_mode))
                return refuse_symlink(p->path, "open the FIFO", err);
        if (!S_ISFIFO(ret->st_mode))
                return (err->step = "use (it exists and is not a FIFO)", -EEXIST);
        return TAKE_FD(fd);
}

/* As systemd's fifo_address_create(): an existing FIFO is used, anything else refused.
 * It is opened through the O_PATH fd that was checked, so nothing else gets opened. */
static int open_fifo(struct sock_set *set, struct sock_fd *sf, struct sock_error *err)
{
        const struct spec_socket *u = sf->unit;
        _cleanup_(sp_parent_done) struct sp_parent p = {.fd = -1};
        _cleanup_close_ int node = -1;
        struct stat st;
        bool made;
        int r = open_parent(set, u, sf->listen->text, &p, err);

        if (r < 0)
                return r;
        made = mkfifoat(p.fd, p.name, u->socket_mode) == 0;
        if (!made && errno != EEXIST)
                return (err->step = "create the FIFO", negative_errno());
        node = open_fifo_node(&p, &st, err);
        if (node < 0)
                return node;
        r = sp_entry_init(&sf->node, p.fd, p.name, node);
        if (r < 0 && made)
                (void)sp_unlink_same(p.fd, p.name, &st);
        if (r < 0)
                return r;
        sf->made_file = made;
        r = sf->fd = sp_reopen(node, O_RDWR | O_NOCTTY | O_NONBLOCK);
        if (r < 0)
                return (sf->fd = -1, err->step = "open the FIFO", r);
        sf->own_node = true;
        r = finish_fd(u, sf->fd, err);
        return r < 0 ? r : sock_opts_fifo(sf->fd, u, err);
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

struct sock_link {
        struct sp_entry entry;
        const struct spec_socket *unit;
        bool made; /* we made it, rather than found it pointing at the target */
};

static bool points_at(int dir_fd, const char *name, const char *target)
{
        char buf[PATH_MAX];
        ssize_t n = readlinkat(dir_fd, name, buf, sizeof(buf) - 1);

        return n >= 0 && (buf[n] = '\0', streq(buf, target));
}

/* A symlink already there is fine when it points at target; with remove_on_stop
 * whatever else is there goes, as in systemd's socket_symlink(). */
static int place_link(const struct spec_socket *u, const char *target, const struct sp_parent *p,
                      bool *ret_made)
{
        *ret_made = symlinkat(target, p->fd, p->name) == 0;
        if (*ret_made)
                return 0;
        if (errno != EEXIST)
                return negative_errno();
        if (points_at(p->fd, p->name, target))
                return 0;
        if (!u->remove_on_stop || unlinkat(p->fd, p->name, 0) < 0 ||
            symlinkat(target, p->fd, p->name) < 0)
                return -EEXIST;
        *ret_made = true;
        return 0;
}

static int record_link(struct sock_set *set, const struct spec_socket *u, const struct sp_parent *p,
                       bool made)
{
        struct sock_link *v = reallocarray(set->links, set->n_links + 1, sizeof(*v));
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (!v)
                return -ENOMEM;
        set->links = v;
        fd = openat(p->fd, p->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISLNK(st.st_mode)) /* replaced already: not ours to record or remove */
                return -EEXIST;
        r = sp_entry_init(&v[set->n_links].entry, p->fd, p->name, fd);
        if (r < 0 && made)
                (void)sp_unlink_same(p->fd, p->name, &st);
        if (r < 0)
                return r;
        v[set->n_links].unit = u;
        v[set->n_links++].made = made;
        return 0;
}

static int make_link(struct sock_set *set, const struct spec_socket *u, const char *target,
                     const char *link, struct sock_error *err)
{
        _cleanup_(sp_parent_done) struct sp_parent p = {.fd = -1};
        bool made = false;
        int r = sp_open_parent(link, u->directory_mode, &set->made_dirs, &p, err->why,
                               sizeof(err->why));

        if (r >= 0)
                r = place_link(u, target, &p, &made);
        return r < 0 ? r : record_link(set, u, &p, made);
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
                int r = make_link(set, u, target, u->symlinks[i], err);

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

/* A node we made or own; a message queue has no directory to hold. */
static void remove_node(const struct sock_fd *sf)
{
        if (sf->listen->type == SPEC_LISTEN_MQUEUE)
                (void)mq_unlink(sf->listen->text);
        else
                (void)sp_entry_remove(&sf->node);
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
                sp_entry_done(&sf->node);
        }
        /* On a normal stop remove_on_stop takes every symlink of the unit, as in systemd. */
        for (size_t i = 0; i < set->n_links; i++) {
                struct sock_link *k = &set->links[i];

                if (remove_files && (all ? k->made : k->unit->remove_on_stop))
                        (void)sp_entry_remove(&k->entry);
                sp_entry_done(&k->entry);
        }
        /* Deepest first; a directory someone else filled or replaced stays. */
        sp_dirs_done(&set->made_dirs, remove_files && removed_any);
        free(set->links);
        free(set->fds);
        *set = (struct sock_set){0};
}

static void add_entry_fds(const struct sp_entry *e, int *fds, size_t max, size_t *k)
{
        const int mine[] = {e->dir_fd, e->fd};

        for (size_t i = 0; e->name && i < ELEMENTSOF(mine); i++, (*k)++)
                if (*k < max)
                        fds[*k] = mine[i];
}

size_t sock_private_fds(const struct sock_set *set, int *fds, size_t max)
{
        size_t k = 0;

        for (size_t i = 0; i < set->n; i++)
                add_entry_fds(&set->fds[i].node, fds, max, &k);
        for (size_t i = 0; i < set->n_links; i++)
                add_entry_fds(&set->links[i].entry, fds, max, &k);
        for (size_t i = 0; i < set->made_dirs.n; i++)
                add_entry_fds(&set->made_dirs.v[i], fds, max, &k);
        return k;
}
