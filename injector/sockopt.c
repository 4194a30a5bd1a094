/* SPDX-License-Identifier: MIT */
#include "injector/sockopt.h"

#include <linux/netlink.h>
#include <linux/sctp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/xattr.h>

#include "common/util.h"

#define USEC_PER_SEC 1000000

/* The sockets an option exists for. */
enum {
        W_IP4 = 1 << 0,
        W_IP6 = 1 << 1,
        W_TCP = 1 << 2, /* IP stream sockets but SCTP */
        W_SCTP = 1 << 3,
        W_UNIX = 1 << 4,
        W_NETLINK = 1 << 5,
        W_VSOCK = 1 << 6,
        W_IP = W_IP4 | W_IP6,
        W_ANY = 0x7f,
};

/* How the value is read from struct spec_socket, and when it is set at all. */
enum kind {
        K_ALWAYS, /* 1, always */
        K_BOOL,   /* bool, when true */
        K_INT,    /* int, when >= 0 */
        K_UINT,   /* unsigned, when > 0 */
        K_SEC,    /* uint64_t microseconds, when > 0, in whole seconds */
        K_IS_US,  /* 1, when timestamping is us */
        K_IS_NS,  /* 1, when timestamping is ns */
};

struct int_opt {
        const char *step;
        size_t offset;
        unsigned where;
        int level, name;
        enum kind kind;
};

#define OPT(w, level, name, kind, field)                                                           \
        {                                                                                          \
                "set " #name " on", offsetof(struct spec_socket, field), w, level, name, kind      \
        }

static const struct int_opt before_bind[] = {
        OPT(W_IP, SOL_SOCKET, SO_REUSEADDR, K_ALWAYS, name),
        OPT(W_IP, SOL_SOCKET, SO_REUSEPORT, K_BOOL, reuse_port),
        OPT(W_IP4, IPPROTO_IP, IP_FREEBIND, K_BOOL, free_bind),
        OPT(W_IP6, IPPROTO_IPV6, IPV6_FREEBIND, K_BOOL, free_bind),
        OPT(W_IP4, IPPROTO_IP, IP_TRANSPARENT, K_BOOL, transparent),
        OPT(W_IP6, IPPROTO_IPV6, IPV6_TRANSPARENT, K_BOOL, transparent),
};

static const struct int_opt after_bind[] = {
        OPT(W_TCP, IPPROTO_TCP, TCP_NODELAY, K_BOOL, no_delay),
        OPT(W_SCTP, IPPROTO_SCTP, SCTP_NODELAY, K_BOOL, no_delay),
        OPT(W_ANY, SOL_SOCKET, SO_KEEPALIVE, K_BOOL, keep_alive),
        OPT(W_TCP, IPPROTO_TCP, TCP_KEEPIDLE, K_SEC, keep_alive_time_usec),
        OPT(W_TCP, IPPROTO_TCP, TCP_KEEPINTVL, K_SEC, keep_alive_interval_usec),
        OPT(W_TCP, IPPROTO_TCP, TCP_KEEPCNT, K_UINT, keep_alive_probes),
        OPT(W_TCP, IPPROTO_TCP, TCP_DEFER_ACCEPT, K_SEC, defer_accept_usec),
        OPT(W_ANY, SOL_SOCKET, SO_BROADCAST, K_BOOL, broadcast),
        /* The kernel takes these two on unix and netlink sockets only. */
        OPT(W_UNIX | W_NETLINK, SOL_SOCKET, SO_PASSCRED, K_BOOL, pass_credentials),
        OPT(W_UNIX | W_NETLINK, SOL_SOCKET, SO_PASSSEC, K_BOOL, pass_security),
        OPT(W_IP4, IPPROTO_IP, IP_PKTINFO, K_BOOL, pass_packet_info),
        OPT(W_IP6, IPPROTO_IPV6, IPV6_RECVPKTINFO, K_BOOL, pass_packet_info),
        OPT(W_NETLINK, SOL_NETLINK, NETLINK_PKTINFO, K_BOOL, pass_packet_info),
        OPT(W_ANY, SOL_SOCKET, SO_TIMESTAMP, K_IS_US, timestamping),
        OPT(W_ANY, SOL_SOCKET, SO_TIMESTAMPNS, K_IS_NS, timestamping),
        /* IP_TOS sets the socket's priority from the TOS: priority comes after it. */
        OPT(W_IP4, IPPROTO_IP, IP_TOS, K_INT, ip_tos),
        OPT(W_IP6, IPPROTO_IPV6, IPV6_TCLASS, K_INT, ip_tos),
        OPT(W_ANY, SOL_SOCKET, SO_PRIORITY, K_INT, priority),
        OPT(W_ANY, SOL_SOCKET, SO_MARK, K_INT, so_mark),
        OPT(W_IP4, IPPROTO_IP, IP_TTL, K_INT, ip_ttl),
        OPT(W_IP6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, K_INT, ip_ttl),
};

static unsigned where_of(const struct spec_socket *u, const struct spec_listen *l)
{
        unsigned w;

        switch (addr_family(&l->addr)) {
        case AF_INET:
                w = W_IP4;
                break;
        case AF_INET6:
                w = W_IP6;
                break;
        case AF_UNIX:
                return W_UNIX;
        case AF_NETLINK:
                return W_NETLINK;
        default:
                return W_VSOCK;
        }
        if (l->type == SPEC_LISTEN_STREAM)
                w |= sock_protocol(u, l) == IPPROTO_SCTP ? W_SCTP : W_TCP;
        return w;
}

/* The value to set, or -1 when the spec leaves the kernel's default. */
static int64_t value_of(const struct spec_socket *u, const struct int_opt *o)
{
        const char *p = (const char *)u + o->offset;

        switch (o->kind) {
        case K_ALWAYS:
                return 1;
        case K_BOOL:
                return *(const bool *)p ? 1 : -1;
        case K_INT:
                return *(const int *)p >= 0 ? *(const int *)p : -1;
        case K_UINT:
                return *(const unsigned *)p > 0 ? (int64_t) * (const unsigned *)p : -1;
        case K_SEC:
                return *(const uint64_t *)p > 0 ? (int64_t)(*(const uint64_t *)p / USEC_PER_SEC)
                                                : -1;
        case K_IS_US:
                return *(const enum spec_timestamping *)p == SPEC_TIMESTAMPING_US ? 1 : -1;
        case K_IS_NS:
        default:
                return *(const enum spec_timestamping *)p == SPEC_TIMESTAMPING_NS ? 1 : -1;
        }
}

static int set_int(int fd, int level, int name, int value, const char *step, struct sock_error *err)
{
        if (setsockopt(fd, level, name, &value, sizeof(value)) == 0)
                return 0;
        err->step = step;
        return negative_errno();
}

static int apply_table(int fd, const struct spec_socket *u, const struct spec_listen *l,
                       const struct int_opt *opts, size_t n, struct sock_error *err)
{
        unsigned where = where_of(u, l);

        for (size_t i = 0; i < n; i++) {
                int64_t v = (opts[i].where & where) ? value_of(u, &opts[i]) : -1;
                int r = v < 0 ? 0
                              : set_int(fd, opts[i].level, opts[i].name, (int)v, opts[i].step, err);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* A string option, with the value in the message: "set TCP_CONGESTION 'x' on". */
static int set_string(int fd, int level, int name, const char *option, const char *value,
                      struct sock_error *err)
{
        if (setsockopt(fd, level, name, value, (socklen_t)strlen(value) + 1) == 0)
                return 0;
        snprintf(err->text, sizeof(err->text), "set %s '%s' on", option, value);
        err->step = err->text;
        return negative_errno();
}

int sock_opts_before_bind(int fd, const struct spec_socket *u, const struct spec_listen *l,
                          struct sock_error *err)
{
        unsigned where = where_of(u, l);
        int r = apply_table(fd, u, l, before_bind, ELEMENTSOF(before_bind), err);

        if (r >= 0 && (where & W_IP6) && u->bind_ipv6_only != SPEC_BIND_IPV6_DEFAULT)
                r = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, u->bind_ipv6_only == SPEC_BIND_IPV6_ONLY,
                            "set IPV6_V6ONLY on", err);
        /* systemd binds IP sockets only to the device. */
        if (r >= 0 && (where & W_IP) && u->bind_to_device)
                r = set_string(fd, SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE",
                               u->bind_to_device, err);
        return r;
}

/* SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN; without, SO_RCVBUF, as systemd. */
static int set_buffer(int fd, int force, int plain, uint64_t size, const char *step,
                      struct sock_error *err)
{
        int v = (int)size;

        if (size == 0 || setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) == 0)
                return 0;
        return set_int(fd, SOL_SOCKET, plain, v, step, err);
}

static int set_smack(int fd, const char *attr, const char *label, struct sock_error *err)
{
        if (!label || fsetxattr(fd, attr, label, strlen(label), 0) == 0)
                return 0;
        snprintf(err->text, sizeof(err->text), "set %s '%s' on", attr, label);
        err->step = err->text;
        return negative_errno();
}

int sock_opts_after_bind(int fd, const struct spec_socket *u, const struct spec_listen *l,
                         struct sock_error *err)
{
        int r = apply_table(fd, u, l, after_bind, ELEMENTSOF(after_bind), err);

        if (r >= 0)
                r = set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, u->receive_buffer, "set SO_RCVBUF on",
                               err);
        if (r >= 0)
                r = set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, u->send_buffer, "set SO_SNDBUF on",
                               err);
        if (r >= 0 && u->tcp_congestion && (where_of(u, l) & W_TCP))
                r = set_string(fd, IPPROTO_TCP, TCP_CONGESTION, "TCP_CONGESTION", u->tcp_congestion,
                               err);
        if (r >= 0)
                r = set_smack(fd, "security.SMACK64IPIN", u->smack_label_ip_in, err);
        if (r >= 0)
                r = set_smack(fd, "security.SMACK64IPOUT", u->smack_label_ip_out, err);
        return r;
}

int sock_opts_fifo(int fd, const struct spec_socket *u, struct sock_error *err)
{
        if (u->pipe_size > 0 && fcntl(fd, F_SETPIPE_SZ, (int)u->pipe_size) < 0) {
                err->step = "set the pipe size (F_SETPIPE_SZ) of";
                return negative_errno();
        }
        return set_smack(fd, "security.SMACK64", u->smack_label, err);
}
