/* SPDX-License-Identifier: MIT */
/*
 * The spec parser: walks the YAML tree section by section, dispatching every
 * key through a table. Values use systemd's syntax (value.h); errors say
 * FILE:LINE:COLUMN and what was expected.
 */
#include "injector/spec.h"

#include <ctype.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/strv.h"
#include "common/util.h"
#include "injector/commands.h"
#include "injector/notify.h"
#include "injector/profile.h"
#include "injector/spec_policy.h"
#include "injector/value.h"
#include "injector/ytree.h"

struct pctx {
        struct spec *s;
        const char *file;
        struct spec_error *err;
        const char *key; /* the key being read, for messages */
        bool in_profile; /* reading a policy profile's file */
};

typedef int (*key_fn)(struct pctx *c, const struct ynode *v, void *field);

struct key {
        const char *name;
        key_fn fn;
        size_t offset;
};

/* A systemd directive sockjail knows of but does not implement yet. */
struct later {
        const char *name;
};

_printf_(3, 4) static int fail(struct pctx *c, const struct ynode *n, const char *fmt, ...)
{
        char msg[384];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (n && n->line > 0)
                snprintf(c->err->message, sizeof(c->err->message), "%s:%u:%u: %s", c->file, n->line,
                         n->column, msg);
        else
                snprintf(c->err->message, sizeof(c->err->message), "%s: %s", c->file, msg);
        return -EINVAL;
}

static int fail_at(struct pctx *c, const struct spec_mark *m, const char *msg)
{
        struct ynode n = {.line = m->line, .column = m->column};

        return fail(c, &n, "%s", msg);
}

static int scalar(struct pctx *c, const struct ynode *v, const char **ret)
{
        *ret = "";
        if (v->type != YNODE_SCALAR)
                return fail(c, v, "'%s' takes a single value, not %s", c->key,
                            ynode_type_name(v->type));
        *ret = v->value;
        return 0;
}

/* Call fn on each item: a list's scalars, or a lone scalar as a list of one. */
static int each_item(struct pctx *c, const struct ynode *v, void *field,
                     int (*fn)(struct pctx *c, const struct ynode *item, void *field))
{
        if (v->type == YNODE_MAP)
                return fail(c, v, "'%s' takes a value or a list, not a mapping", c->key);
        if (v->type == YNODE_SCALAR)
                return fn(c, v, field);
        for (size_t i = 0; i < v->n_kids; i++) {
                const struct ynode *item = v->kids[i];
                int r;

                if (item->type != YNODE_SCALAR)
                        return fail(c, item, "items of '%s' must be scalars, not %s", c->key,
                                    ynode_type_name(item->type));
                r = fn(c, item, field);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int p_bool(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        r = val_bool(s);
        if (r < 0)
                return fail(c, v,
                            "'%s' takes a boolean (yes/no, true/false, on/off, 1/0), not '%s'",
                            c->key, s);
        *(bool *)field = r;
        return 0;
}

static int p_mode(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (val_mode(s, field) < 0)
                return fail(c, v, "'%s' takes an octal file mode such as \"0660\", not '%s'",
                            c->key, s);
        return 0;
}

static int p_backlog(struct pctx *c, const struct ynode *v, void *field)
{
        uint64_t u;
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (val_uint(s, 0, INT32_MAX, &u) < 0)
                return fail(c, v, "'%s' takes a number from 0 to %d, not '%s'", c->key, INT32_MAX,
                            s);
        *(unsigned *)field = (unsigned)u;
        return 0;
}

/* The characters sd_listen_fds_with_names() can carry: printable ASCII, no ':'. */
static bool fdname_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > 255)
                return false;
        for (; *s; s++)
                if (*s <= ' ' || *s >= 127 || *s == ':')
                        return false;
        return true;
}

static int p_fdname(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        char *dup;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (!fdname_valid(s))
                return fail(c, v,
                            "'%s' takes 1 to 255 printable characters without ':' or spaces, "
                            "not '%s'",
                            c->key, s);
        dup = strdup(s);
        if (!dup)
                return -ENOMEM;
        free(*(char **)field);
        *(char **)field = dup;
        return 0;
}

static int lookup_user(const char *s, uid_t *ret_uid, gid_t *ret_gid)
{
        struct passwd *pw;
        uint64_t u;

        if (val_uint(s, 0, UINT32_MAX - 1, &u) >= 0) {
                pw = getpwuid((uid_t)u);
                *ret_uid = (uid_t)u;
                *ret_gid = pw ? pw->pw_gid : (gid_t)u;
                return 0;
        }
        pw = getpwnam(s);
        if (!pw)
                return -ESRCH;
        *ret_uid = pw->pw_uid;
        *ret_gid = pw->pw_gid;
        return 0;
}

static int lookup_group(const char *s, gid_t *ret)
{
        struct group *gr;
        uint64_t u;

        if (val_uint(s, 0, UINT32_MAX - 1, &u) >= 0) {
                *ret = (gid_t)u;
                return 0;
        }
        gr = getgrnam(s);
        if (!gr)
                return -ESRCH;
        *ret = gr->gr_gid;
        return 0;
}

static int p_socket_user(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        gid_t gid;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (lookup_user(s, field, &gid) < 0)
                return fail(c, v, "unknown user '%s'", s);
        return 0;
}

static int p_socket_group(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (lookup_group(s, field) < 0)
                return fail(c, v, "unknown group '%s'", s);
        return 0;
}

static int p_bind_ipv6_only(struct pctx *c, const struct ynode *v, void *field)
{
        static const char *const names[] = {"default", "both", "ipv6-only"};
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i])) {
                        *(enum spec_bind_ipv6_only *)field = (enum spec_bind_ipv6_only)i;
                        return 0;
                }
        return fail(c, v, "'%s' takes default, both or ipv6-only, not '%s'", c->key, s);
}

static const char *addr_error(int r)
{
        switch (r) {
        case -ERANGE:
                return "port or CID out of range";
        case -ENAMETOOLONG:
                return "path too long for a unix socket";
        case -ENODEV:
                return "no such network interface";
        default:
                return "expected a port, v.w.x.y:port, [ipv6]:port, /path, @abstract or "
                       "vsock:cid:port";
        }
}

static void listens_reset(struct spec_socket *u)
{
        for (size_t i = 0; i < u->n_listens; i++)
                free(u->listens[i].text);
        free(u->listens);
        u->listens = NULL;
        u->n_listens = 0;
}

static int listen_add(struct spec *s, struct spec_socket *u, enum spec_listen_type type,
                      const char *text, const struct addr *a, struct spec_mark mark)
{
        struct spec_listen *l;

        if (spec_n_fds(s) >= SPEC_MAX_LISTENS)
                return -E2BIG;
        l = reallocarray(u->listens, u->n_listens + 1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        u->listens = l;
        l = &u->listens[u->n_listens];
        *l = (struct spec_listen){.type = type, .addr = *a, .mark = mark, .text = strdup(text)};
        if (!l->text)
                return -ENOMEM;
        u->n_listens++;
        return 0;
}

static int check_listen_type(enum spec_listen_type type, const struct addr *a)
{
        if (type == SPEC_LISTEN_SEQPACKET && addr_family(a) != AF_UNIX)
                return -EPROTOTYPE;
        return 0;
}

/* Absolute, no ".." component, as systemd's path_simplify_and_warn() wants a path. */
static bool path_valid(const char *s)
{
        if (s[0] != '/' || strlen(s) >= PATH_MAX)
                return false;
        for (const char *p = s; (p = strstr(p, "/..")); p += 3)
                if (p[3] == '/' || p[3] == '\0')
                        return false;
        return true;
}

/* mq_overview(7): "/name", the name 1 to NAME_MAX bytes without another '/'. */
static bool mq_name_valid(const char *s)
{
        size_t n = strlen(s);

        return s[0] == '/' && n >= 2 && n <= NAME_MAX + 1 && !strchr(s + 1, '/');
}

/* systemd's netlink_family_table; a number is taken as it is, as there. */
static const char *const netlink_families[] = {
        [NETLINK_ROUTE] = "route",
        [NETLINK_FIREWALL] = "firewall",
        [NETLINK_INET_DIAG] = "inet-diag",
        [NETLINK_NFLOG] = "nflog",
        [NETLINK_XFRM] = "xfrm",
        [NETLINK_SELINUX] = "selinux",
        [NETLINK_ISCSI] = "iscsi",
        [NETLINK_AUDIT] = "audit",
        [NETLINK_FIB_LOOKUP] = "fib-lookup",
        [NETLINK_CONNECTOR] = "connector",
        [NETLINK_NETFILTER] = "netfilter",
        [NETLINK_IP6_FW] = "ip6-fw",
        [NETLINK_DNRTMSG] = "dnrtmsg",
        [NETLINK_KOBJECT_UEVENT] = "kobject-uevent",
        [NETLINK_GENERIC] = "generic",
        [NETLINK_SCSITRANSPORT] = "scsitransport",
        [NETLINK_ECRYPTFS] = "ecryptfs",
        [NETLINK_RDMA] = "rdma",
        [NETLINK_CRYPTO] = "crypto",
        [NETLINK_SMC] = "smc",
};
#define NETLINK_FAMILY_MAX 31 /* the kernel's MAX_LINKS - 1 */

/* "FAMILY [GROUP]": the family by name or number, the multicast groups as nl_groups. */
static int netlink_parse(const char *s, struct addr *a, int *ret_family)
{
        size_t len = strcspn(s, " \t");
        const char *rest = s + len + strspn(s + len, " \t");
        uint64_t family = UINT64_MAX, groups = 0;
        char word[32];

        if (len == 0 || len >= sizeof(word))
                return -EINVAL;
        memcpy(word, s, len);
        word[len] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(netlink_families); i++)
                if (netlink_families[i] && streq(word, netlink_families[i]))
                        family = i;
        if (family == UINT64_MAX && val_uint(word, 0, NETLINK_FAMILY_MAX, &family) < 0)
                return -EINVAL;
        if (*rest && val_uint(rest, 0, UINT32_MAX, &groups) < 0)
                return -EINVAL;
        *a = (struct addr){.size = sizeof(struct sockaddr_nl)};
        a->u.storage.ss_family = AF_NETLINK;
        ((struct sockaddr_nl *)&a->u.storage)->nl_groups = (uint32_t)groups;
        *ret_family = (int)family;
        return 0;
}

/* What an item of a listen_* key names: an address, a path, a queue, a netlink family. */
static int listen_target(struct pctx *c, const struct ynode *item, enum spec_listen_type type,
                         struct addr *a, int *protocol)
{
        const char *s = item->value;
        int r;

        *a = (struct addr){.size = 0};
        switch (type) {
        case SPEC_LISTEN_FIFO:
        case SPEC_LISTEN_SPECIAL:
                return path_valid(s)
                               ? 0
                               : fail(c, item, "'%s' takes an absolute path without '..', not '%s'",
                                      c->key, s);
        case SPEC_LISTEN_MQUEUE:
                return mq_name_valid(s) ? 0
                                        : fail(c, item,
                                               "'%s' takes a queue name: '/' and 1 to 255 "
                                               "characters without '/', not '%s'",
                                               c->key, s);
        case SPEC_LISTEN_NETLINK:
                return netlink_parse(s, a, protocol) >= 0
                               ? 0
                               : fail(c, item,
                                      "'%s' takes a netlink family (route, audit, "
                                      "kobject-uevent, ... or 0 to 31) and an optional "
                                      "multicast group number, not '%s'",
                                      c->key, s);
        default:
                break;
        }
        r = addr_parse(s, a);
        if (r < 0)
                return fail(c, item, "invalid address '%s' in '%s': %s", s, c->key, addr_error(r));
        if (check_listen_type(type, a) < 0)
                return fail(c, item, "'%s' is for unix sockets only (systemd's rule), not '%s'",
                            c->key, s);
        return 0;
}

static int p_listen(struct pctx *c, const struct ynode *item, struct spec_socket *u,
                    enum spec_listen_type type)
{
        struct spec_mark mark = {item->line, item->column};
        int protocol = 0, r;
        struct addr a;

        if (item->value[0] == '\0') { /* the empty string resets the list, as in systemd */
                listens_reset(u);
                return 0;
        }
        r = listen_target(c, item, type, &a, &protocol);
        if (r < 0)
                return r;
        r = listen_add(c->s, u, type, item->value, &a, mark);
        if (r == -E2BIG)
                return fail(c, item, "too many listening addresses (at most %d)", SPEC_MAX_LISTENS);
        if (r >= 0)
                u->listens[u->n_listens - 1].protocol = protocol;
        return r;
}

static int p_stream_item(struct pctx *c, const struct ynode *v, void *u)
{
        return p_listen(c, v, u, SPEC_LISTEN_STREAM);
}
static int p_dgram_item(struct pctx *c, const struct ynode *v, void *u)
{
        return p_listen(c, v, u, SPEC_LISTEN_DATAGRAM);
}
static int p_seqpacket_item(struct pctx *c, const struct ynode *v, void *u)
{
        return p_listen(c, v, u, SPEC_LISTEN_SEQPACKET);
}
static int p_listen_stream(struct pctx *c, const struct ynode *v, void *u)
{
        return each_item(c, v, u, p_stream_item);
}
static int p_listen_datagram(struct pctx *c, const struct ynode *v, void *u)
{
        return each_item(c, v, u, p_dgram_item);
}
static int p_listen_seqpacket(struct pctx *c, const struct ynode *v, void *u)
{
        return each_item(c, v, u, p_seqpacket_item);
}
static int p_fifo_item(struct pctx *c, const struct ynode *v, void *u)
{
        return p_listen(c, v, u, SPEC_LISTEN_FIFO);
}
static int p_special_item(struct pctx *c, const struct ynode *v, void *u)
{
        return p_listen(c, v, u, SPEC_LISTEN_SPECIAL);
}
static int p_netlink_item(struct pctx *c, const struct ynode *v, void *u)
{
        return p_listen(c, v, u, SPEC_LISTEN_NETLINK);
}
static int p_mqueue_item(struct pctx *c, const struct ynode *v, void *u)
{
        return p_listen(c, v, u, SPEC_LISTEN_MQUEUE);
}
static int p_listen_fifo(struct pctx *c, const struct ynode *v, void *u)
{
        return each_item(c, v, u, p_fifo_item);
}
static int p_listen_special(struct pctx *c, const struct ynode *v, void *u)
{
        return each_item(c, v, u, p_special_item);
}
static int p_listen_netlink(struct pctx *c, const struct ynode *v, void *u)
{
        return each_item(c, v, u, p_netlink_item);
}
static int p_listen_mqueue(struct pctx *c, const struct ynode *v, void *u)
{
        return each_item(c, v, u, p_mqueue_item);
}

/* Keys systemd has that cannot mean anything here: refused with the reason. */
static int p_refuse(struct pctx *c, const struct ynode *v, void *field)
{
        (void)field;
        if (streq(c->key, "service"))
                return fail(c, v,
                            "a spec has one service: 'service' (Service=) has no meaning "
                            "here");
        return fail(c, v,
                    "'%s' needs a FunctionFS mount and USBFunctionDescriptors=, not "
                    "supported",
                    c->key);
}

/* A number from min to max, or a message that says so. */
static int number(struct pctx *c, const struct ynode *v, uint64_t min, uint64_t max, uint64_t *ret)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (val_uint(s, min, max, ret) < 0)
                return fail(c, v, "'%s' takes a number from %" PRIu64 " to %" PRIu64 ", not '%s'",
                            c->key, min, max, s);
        return 0;
}

/* priority, mark: systemd's int, where a negative value means unset. */
static int p_int(struct pctx *c, const struct ynode *v, void *field)
{
        uint64_t u;
        int r = number(c, v, 0, INT32_MAX, &u);

        if (r >= 0)
                *(int *)field = (int)u;
        return r;
}

static int p_unsigned(struct pctx *c, const struct ynode *v, void *field)
{
        uint64_t u;
        int r = number(c, v, 0, UINT32_MAX, &u);

        if (r >= 0)
                *(unsigned *)field = (unsigned)u;
        return r;
}

/* The kernel's MAX_TCP_KEEPCNT. */
static int p_keep_alive_probes(struct pctx *c, const struct ynode *v, void *field)
{
        uint64_t u;
        int r = number(c, v, 0, 127, &u);

        if (r >= 0)
                *(unsigned *)field = (unsigned)u;
        return r;
}

/* message_queue_max_messages, message_queue_message_size: mq_maxmsg, mq_msgsize. */
static int p_mq_number(struct pctx *c, const struct ynode *v, void *field)
{
        return number(c, v, 0, INT32_MAX, field);
}

static int p_ip_ttl(struct pctx *c, const struct ynode *v, void *field)
{
        uint64_t u;
        int r = number(c, v, 1, 255, &u);

        if (r >= 0)
                *(int *)field = (int)u;
        return r;
}

/* systemd's ip_tos_table, or a number. */
static int p_ip_tos(struct pctx *c, const struct ynode *v, void *field)
{
        static const struct {
                const char *name;
                int tos;
        } names[] = {{"low-delay", IPTOS_LOWDELAY},
                     {"throughput", IPTOS_THROUGHPUT},
                     {"reliability", IPTOS_RELIABILITY},
                     {"low-cost", IPTOS_LOWCOST}};
        const char *s = NULL;
        uint64_t u;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i].name)) {
                        *(int *)field = names[i].tos;
                        return 0;
                }
        if (val_uint(s, 0, 255, &u) < 0)
                return fail(c, v,
                            "'%s' takes low-delay, throughput, reliability, low-cost or a "
                            "number from 0 to 255, not '%s'",
                            c->key, s);
        *(int *)field = (int)u;
        return 0;
}

/* receive_buffer, send_buffer, pipe_size: base-1024 sizes that fit the kernel's int. */
static int p_buffer_size(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (val_size(s, field) < 0 || *(uint64_t *)field > INT32_MAX)
                return fail(c, v,
                            "'%s' takes a size such as 65536, 64K or 1M, at most 2147483647 "
                            "bytes, not '%s'",
                            c->key, s);
        return 0;
}

/* A time span of whole seconds from min_s to max_s, or 0. */
static int seconds(struct pctx *c, const struct ynode *v, uint64_t min_s, uint64_t max_s,
                   void *field)
{
        const char *s = NULL;
        uint64_t *usec = field;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (val_timespan(s, usec) < 0 ||
            (*usec != 0 && (*usec < min_s * 1000000 || *usec / 1000000 > max_s)))
                return fail(c, v,
                            "'%s' takes a time span from %" PRIu64 "s to %" PRIu64
                            "s, or 0 for the kernel's default, not '%s'",
                            c->key, min_s, max_s, s);
        return 0;
}

/* keep_alive_time_sec, keep_alive_interval_sec: the kernel's MAX_TCP_KEEPIDLE/KEEPINTVL. */
static int p_keep_alive_sec(struct pctx *c, const struct ynode *v, void *field)
{
        return seconds(c, v, 1, 32767, field);
}

static int p_defer_accept_sec(struct pctx *c, const struct ynode *v, void *field)
{
        return seconds(c, v, 1, INT32_MAX, field);
}

static int p_timespan(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (val_timespan(s, field) < 0)
                return fail(c, v, "'%s' takes a time span such as 2s, 500ms or 1min, not '%s'",
                            c->key, s);
        return 0;
}

static int p_timestamping(struct pctx *c, const struct ynode *v, void *field)
{
        static const struct {
                const char *name;
                enum spec_timestamping t;
        } names[] = {{"off", SPEC_TIMESTAMPING_OFF}, {"us", SPEC_TIMESTAMPING_US},
                     {"usec", SPEC_TIMESTAMPING_US}, {"\u00b5s", SPEC_TIMESTAMPING_US},
                     {"ns", SPEC_TIMESTAMPING_NS},   {"nsec", SPEC_TIMESTAMPING_NS}};
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i].name)) {
                        *(enum spec_timestamping *)field = names[i].t;
                        return 0;
                }
        return fail(c, v, "'%s' takes off, us (usec, \u00b5s) or ns (nsec), not '%s'", c->key, s);
}

static int p_socket_protocol(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (streq(s, "udplite"))
                *(int *)field = IPPROTO_UDPLITE;
        else if (streq(s, "sctp"))
                *(int *)field = IPPROTO_SCTP;
        else
                return fail(c, v, "'%s' takes udplite or sctp, not '%s'", c->key, s);
        return 0;
}

/* A word of 1 to max - 1 printable characters without '/' (names the kernel looks up). */
static bool word_valid(const char *s, size_t max)
{
        size_t n = strlen(s);

        if (n == 0 || n >= max || streq(s, ".") || streq(s, ".."))
                return false;
        for (; *s; s++)
                if (*s <= ' ' || *s >= 127 || *s == '/' || *s == ':')
                        return false;
        return true;
}

/* Replace the string at field; the empty string (and "*" for an interface) resets it. */
static int set_word(struct pctx *c, const struct ynode *v, void *field, size_t max,
                    const char *what)
{
        const char *s = NULL;
        char *dup = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (*s && !(streq(c->key, "bind_to_device") && streq(s, "*"))) {
                if (!word_valid(s, max))
                        return fail(c, v, "'%s' takes %s, not '%s'", c->key, what, s);
                dup = strdup(s);
                if (!dup)
                        return -ENOMEM;
        }
        free(*(char **)field);
        *(char **)field = dup;
        return 0;
}

static int p_bind_to_device(struct pctx *c, const struct ynode *v, void *field)
{
        return set_word(c, v, field, IF_NAMESIZE,
                        "a network interface name (1 to 15 characters, no '/', ':' or spaces)");
}

static int p_tcp_congestion(struct pctx *c, const struct ynode *v, void *field)
{
        return set_word(c, v, field, 16, "a congestion control name such as cubic or bbr");
}

static int p_smack_label(struct pctx *c, const struct ynode *v, void *field)
{
        return set_word(c, v, field, 256, "a SMACK label (1 to 255 characters, no '/' or spaces)");
}

static int symlink_item(struct pctx *c, const struct ynode *v, void *field)
{
        if (v->value[0] == '\0') { /* the empty string resets the list, as in systemd */
                strv_free(*(char ***)field);
                *(char ***)field = NULL;
                return 0;
        }
        if (!path_valid(v->value))
                return fail(c, v, "'%s' takes absolute paths without '..', not '%s'", c->key,
                            v->value);
        return strv_push(field, v->value);
}

static int p_symlinks(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, symlink_item);
}

static int p_commands(struct pctx *c, const struct ynode *v, void *field);

#define SOCK_KEY(n, f, field)                                                                      \
        {                                                                                          \
                n, f, offsetof(struct spec_socket, field)                                          \
        }
static const struct key socket_keys[] = {
        SOCK_KEY("listen_stream", p_listen_stream, name),
        SOCK_KEY("listen_datagram", p_listen_datagram, name),
        SOCK_KEY("listen_sequential_packet", p_listen_seqpacket, name),
        SOCK_KEY("backlog", p_backlog, backlog),
        SOCK_KEY("reuse_port", p_bool, reuse_port),
        SOCK_KEY("free_bind", p_bool, free_bind),
        SOCK_KEY("no_delay", p_bool, no_delay),
        SOCK_KEY("keep_alive", p_bool, keep_alive),
        SOCK_KEY("bind_ipv6_only", p_bind_ipv6_only, bind_ipv6_only),
        SOCK_KEY("file_descriptor_name", p_fdname, fdname),
        SOCK_KEY("socket_user", p_socket_user, socket_user),
        SOCK_KEY("socket_group", p_socket_group, socket_group),
        SOCK_KEY("socket_mode", p_mode, socket_mode),
        SOCK_KEY("directory_mode", p_mode, directory_mode),
        SOCK_KEY("remove_on_stop", p_bool, remove_on_stop),
        SOCK_KEY("exec_start_pre", p_commands, exec[SPEC_EXEC_START_PRE]),
        SOCK_KEY("exec_start_post", p_commands, exec[SPEC_EXEC_START_POST]),
        SOCK_KEY("exec_stop_pre", p_commands, exec[SPEC_EXEC_STOP_PRE]),
        SOCK_KEY("exec_stop_post", p_commands, exec[SPEC_EXEC_STOP_POST]),
        SOCK_KEY("timeout_sec", p_timespan, timeout_usec),
        SOCK_KEY("listen_fifo", p_listen_fifo, name),
        SOCK_KEY("listen_special", p_listen_special, name),
        SOCK_KEY("listen_netlink", p_listen_netlink, name),
        SOCK_KEY("listen_message_queue", p_listen_mqueue, name),
        SOCK_KEY("listen_usb_function", p_refuse, name),
        SOCK_KEY("socket_protocol", p_socket_protocol, socket_protocol),
        SOCK_KEY("bind_to_device", p_bind_to_device, bind_to_device),
        SOCK_KEY("writable", p_bool, writable),
        SOCK_KEY("keep_alive_time_sec", p_keep_alive_sec, keep_alive_time_usec),
        SOCK_KEY("keep_alive_interval_sec", p_keep_alive_sec, keep_alive_interval_usec),
        SOCK_KEY("keep_alive_probes", p_keep_alive_probes, keep_alive_probes),
        SOCK_KEY("priority", p_int, priority),
        SOCK_KEY("defer_accept_sec", p_defer_accept_sec, defer_accept_usec),
        SOCK_KEY("receive_buffer", p_buffer_size, receive_buffer),
        SOCK_KEY("send_buffer", p_buffer_size, send_buffer),
        SOCK_KEY("ip_tos", p_ip_tos, ip_tos),
        SOCK_KEY("ip_ttl", p_ip_ttl, ip_ttl),
        SOCK_KEY("mark", p_int, so_mark),
        SOCK_KEY("transparent", p_bool, transparent),
        SOCK_KEY("broadcast", p_bool, broadcast),
        SOCK_KEY("pass_credentials", p_bool, pass_credentials),
        SOCK_KEY("pass_security", p_bool, pass_security),
        SOCK_KEY("pass_packet_info", p_bool, pass_packet_info),
        SOCK_KEY("timestamping", p_timestamping, timestamping),
        SOCK_KEY("tcp_congestion", p_tcp_congestion, tcp_congestion),
        SOCK_KEY("pipe_size", p_buffer_size, pipe_size),
        SOCK_KEY("message_queue_max_messages", p_mq_number, mq_max_messages),
        SOCK_KEY("message_queue_message_size", p_mq_number, mq_message_size),
        SOCK_KEY("symlinks", p_symlinks, symlinks),
        SOCK_KEY("smack_label", p_smack_label, smack_label),
        SOCK_KEY("smack_label_ip_in", p_smack_label, smack_label_ip_in),
        SOCK_KEY("smack_label_ip_out", p_smack_label, smack_label_ip_out),
        SOCK_KEY("selinux_context_from_net", p_bool, selinux_context_from_net),
        SOCK_KEY("accept", p_bool, accept),
        SOCK_KEY("flush_pending", p_bool, flush_pending),
        SOCK_KEY("max_connections", p_unsigned, max_connections),
        SOCK_KEY("max_connections_per_source", p_unsigned, max_connections_per_source),
        SOCK_KEY("trigger_limit_interval_sec", p_timespan, trigger_limit_interval_usec),
        SOCK_KEY("trigger_limit_burst", p_unsigned, trigger_limit_burst),
        SOCK_KEY("service", p_refuse, name),
};

static const struct later socket_later[] = {};

/* Parse a command line the way a user types it: whitespace, '…' and "…". */
static int split_words(const char *s, char ***ret)
{
        _cleanup_free_ char *buf = malloc(strlen(s) + 1);
        char **v = calloc(1, sizeof(char *));
        size_t n = 0;

        if (!buf || !v) {
                free(v);
                return -ENOMEM;
        }
        while (*s) {
                char quote = 0, *o = buf, **nv;

                s += strspn(s, " \t\n");
                if (!*s)
                        break;
                for (; *s && (quote || !strchr(" \t\n", *s)); s++) {
                        if (!quote && (*s == '"' || *s == '\''))
                                quote = *s;
                        else if (quote && *s == quote)
                                quote = 0;
                        else
                                *o++ = *s;
                }
                *o = '\0';
                if (quote) {
                        strv_free(v);
                        return -EINVAL;
                }
                nv = reallocarray(v, n + 2, sizeof(*v));
                if (!nv) {
                        strv_free(v);
                        return -ENOMEM;
                }
                v = nv;
                v[n + 1] = NULL;
                v[n] = strdup(buf);
                if (!v[n]) {
                        strv_free(v);
                        return -ENOMEM;
                }
                n++;
        }
        *ret = v;
        return (int)n;
}

static void command_free(struct spec_command *cmd)
{
        free(cmd->line);
        strv_free(cmd->argv);
        free(cmd->path);
}

static void commands_reset(struct spec_commands *l)
{
        for (size_t i = 0; i < l->n; i++)
                command_free(&l->v[i]);
        free(l->v);
        *l = (struct spec_commands){0};
}

static int resolve_program(struct pctx *c, const char *name, const struct spec_mark *m, char **ret);

/* Take systemd's prefixes off the first word, and with '@' the program word
 * off argv, which then starts with the given argv[0]. */
static int command_argv(struct pctx *c, const struct ynode *v, struct spec_command *cmd)
{
        char **w = cmd->argv;
        unsigned flags;
        size_t skip = hook_prefix(w[0], &flags), n = 0;
        int r;

        memmove(w[0], w[0] + skip, strlen(w[0] + skip) + 1);
        if (w[0][0] == '\0')
                return fail(c, v, "no program after the prefix in '%s'", c->key);
        if ((flags & HOOK_ARGV0) && !w[1])
                return fail(c, v, "'@' in '%s' needs the program and then argv[0]", c->key);
        r = resolve_program(c, w[0], &cmd->mark, &cmd->path);
        if (r < 0)
                return r;
        if (flags & HOOK_ARGV0) {
                while (w[n])
                        n++;
                free(w[0]);
                memmove(w, w + 1, n * sizeof(char *)); /* w[1] ... w[n - 1] and the NULL */
        }
        cmd->ignore_failure = flags & HOOK_IGNORE_FAILURE;
        return 0;
}

/* One command line, split as exec's string form; resolved now, as exec is. */
static int p_command_item(struct pctx *c, const struct ynode *v, void *field)
{
        struct spec_command cmd = {.mark = {v->line, v->column}}, *nv = NULL;
        struct spec_commands *l = field;
        int r;

        if (v->value[0] == '\0') { /* the empty string resets the list, as in systemd */
                commands_reset(l);
                return 0;
        }
        r = split_words(v->value, &cmd.argv);
        if (r == -EINVAL)
                return fail(c, v, "unbalanced quote in '%s'", c->key);
        if (r == 0)
                r = fail(c, v, "'%s' takes command lines, not a blank one", c->key);
        if (r > 0)
                r = command_argv(c, v, &cmd);
        if (r >= 0 && !(cmd.line = strdup(v->value)))
                r = -ENOMEM;
        if (r >= 0 && !(nv = reallocarray(l->v, l->n + 1, sizeof(*nv))))
                r = -ENOMEM;
        if (r < 0) {
                command_free(&cmd);
                return r;
        }
        l->v = nv;
        l->v[l->n++] = cmd;
        return 0;
}

static int p_commands(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, p_command_item);
}

static int p_exec_item(struct pctx *c, const struct ynode *v, void *field)
{
        (void)c;
        return strv_push(field, v->value);
}

static int p_exec(struct pctx *c, const struct ynode *v, void *field)
{
        char ***exec = field;
        int r;

        strv_free(*exec);
        *exec = NULL;
        c->s->service.exec_mark = (struct spec_mark){v->line, v->column};
        if (v->type == YNODE_SCALAR) {
                r = split_words(v->value, exec);
                if (r == -EINVAL)
                        return fail(c, v, "unbalanced quote in 'exec'");
                return r < 0 ? r : 0;
        }
        return each_item(c, v, field, p_exec_item);
}

static int p_start(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (streq(s, "on-demand"))
                *(enum spec_start *)field = SPEC_START_ON_DEMAND;
        else if (streq(s, "immediate"))
                *(enum spec_start *)field = SPEC_START_IMMEDIATE;
        else
                return fail(c, v, "'start' takes on-demand or immediate, not '%s'", s);
        return 0;
}

/* inetd: yes is standard_input: socket (stdout follows it); no leaves null. */
static int p_inetd(struct pctx *c, const struct ynode *v, void *field)
{
        bool on = false;
        int r = p_bool(c, v, &on);

        if (r >= 0)
                *(enum spec_stdio *)field = on ? SPEC_STDIO_SOCKET : SPEC_STDIO_NULL;
        return r;
}

static int p_stdio(struct pctx *c, const struct ynode *v, void *field)
{
        static const char *const names[] = {"inherit", "null", "socket", "journal"};
        bool is_input = streq(c->key, "standard_input");
        size_t first = is_input ? 1 : 0, last = is_input ? 2 : 3;
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        /* systemd's StandardInput= has no "inherit": stdin is null or the socket. */
        for (size_t i = first; i <= last; i++)
                if (streq(s, names[i])) {
                        *(enum spec_stdio *)field = (enum spec_stdio)i;
                        return 0;
                }
        return fail(c, v, "'%s' takes %s, not '%s'", c->key,
                    is_input ? "null or socket" : "inherit, null, socket or journal", s);
}

static int p_env_item(struct pctx *c, const struct ynode *v, void *field)
{
        const char *eq = strchr(v->value, '=');

        if (!eq || !spec_env_name_valid(v->value, (size_t)(eq - v->value)))
                return fail(c, v, "'%s' takes VAR=value assignments, not '%s'", c->key, v->value);
        return strv_push(field, v->value);
}

static int p_environment(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, p_env_item);
}

static const char *const restart_names[] = {
        "no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always",
};
static const char *const kill_mode_names[] = {"control-group", "mixed", "process", "none"};

const char *spec_restart_name(enum spec_restart r)
{
        return (size_t)r < ELEMENTSOF(restart_names) ? restart_names[r] : "?";
}

const char *spec_kill_mode_name(enum spec_kill_mode m)
{
        return (size_t)m < ELEMENTSOF(kill_mode_names) ? kill_mode_names[m] : "?";
}

/* One of names, stored as its index in an enum field. */
static int p_word(struct pctx *c, const struct ynode *v, void *field, const char *const *names,
                  size_t n, const char *expected)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (streq(s, names[i])) {
                        *(int *)field = (int)i;
                        return 0;
                }
        return fail(c, v, "'%s' takes %s, not '%s'", c->key, expected, s);
}

static int p_restart(struct pctx *c, const struct ynode *v, void *field)
{
        return p_word(c, v, field, restart_names, ELEMENTSOF(restart_names),
                      "no, on-success, on-failure, on-abnormal, on-watchdog, on-abort or always");
}

static int p_kill_mode(struct pctx *c, const struct ynode *v, void *field)
{
        return p_word(c, v, field, kill_mode_names, ELEMENTSOF(kill_mode_names),
                      "control-group, mixed, process or none");
}

/* SIGTERM, TERM or 15, as systemd's signal_from_string. */
static int signal_from_string(const char *s)
{
        uint64_t u;

        if (val_uint(s, 1, SIGRTMAX, &u) == 0)
                return (int)u;
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        for (int sig = 1; sig < SIGRTMIN; sig++)
                if (sigabbrev_np(sig) && streq(s, sigabbrev_np(sig)))
                        return sig;
        return -EINVAL;
}

static int p_signal(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s), sig;

        if (r < 0)
                return r;
        sig = signal_from_string(s);
        if (sig < 0)
                return fail(c, v, "'%s' takes a signal such as SIGTERM or 15, not '%s'", c->key, s);
        *(int *)field = sig;
        return 0;
}

/* Each item holds exit codes (0-255) and signal names, separated by spaces. */
static int p_exit_status_item(struct pctx *c, const struct ynode *v, void *field)
{
        struct spec_exit_status *set = field;
        char **words = NULL;
        uint64_t code;
        int r = split_words(v->value, &words), sig;

        if (r == 0) /* the empty string resets the list, as in systemd */
                memset(set, 0, sizeof(*set));
        for (size_t i = 0; r > 0 && words[i]; i++) {
                if (val_uint(words[i], 0, 255, &code) == 0)
                        set->codes[code / 64] |= UINT64_C(1) << (code % 64);
                else if (!isdigit((unsigned char)words[i][0]) &&
                         (sig = signal_from_string(words[i])) > 0)
                        set->signals |= UINT64_C(1) << (sig - 1);
                else
                        r = fail(c, v,
                                 "'%s' takes exit codes from 0 to 255 and signal names, not '%s'",
                                 c->key, words[i]);
        }
        strv_free(words);
        if (r == -EINVAL && !c->err->message[0])
                return fail(c, v, "unbalanced quote in '%s'", c->key);
        return r < 0 ? r : 0;
}

static int p_exit_status(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, p_exit_status_item);
}

bool spec_exit_status_has(const struct spec_exit_status *set, int wait_status)
{
        if (WIFEXITED(wait_status)) {
                int code = WEXITSTATUS(wait_status);

                return set->codes[code / 64] & (UINT64_C(1) << (code % 64));
        }
        if (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) <= 64)
                return set->signals & (UINT64_C(1) << (WTERMSIG(wait_status) - 1));
        return false;
}

static int p_burst(struct pctx *c, const struct ynode *v, void *field)
{
        uint64_t u;
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (val_uint(s, 0, UINT32_MAX, &u) < 0)
                return fail(c, v, "'%s' takes a number from 0 to %u, not '%s'", c->key, UINT32_MAX,
                            s);
        *(unsigned *)field = (unsigned)u;
        return 0;
}

/* type, notify_access: a word of systemd's (notify.c has the names). */
static int p_type(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r >= 0 && (r = ntf_type_from_name(s)) < 0)
                return fail(c, v, "'type' takes simple, exec, notify, forking or oneshot, not '%s'",
                            s);
        if (r >= 0)
                *(enum spec_type *)field = (enum spec_type)r;
        return r < 0 ? r : 0;
}

static int p_notify_access(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r >= 0 && (r = ntf_access_from_name(s)) < 0)
                return fail(c, v, "'notify_access' takes none, main, exec or all, not '%s'", s);
        if (r >= 0)
                *(enum spec_notify_access *)field = (enum spec_notify_access)r;
        return r < 0 ? r : 0;
}

#define SVC_KEY(n, f, field)                                                                       \
        {                                                                                          \
                n, f, offsetof(struct spec_service, field)                                         \
        }
static const struct key service_keys[] = {
        SVC_KEY("exec", p_exec, exec),
        SVC_KEY("start", p_start, start),
        SVC_KEY("standard_input", p_stdio, standard_input),
        SVC_KEY("standard_output", p_stdio, standard_output),
        SVC_KEY("inetd", p_inetd, standard_input),
        SVC_KEY("upstart_events", p_bool, upstart_events),
        SVC_KEY("environment", p_environment, environment),
        SVC_KEY("restart", p_restart, restart),
        SVC_KEY("restart_sec", p_timespan, restart_usec),
        SVC_KEY("timeout_start_sec", p_timespan, timeout_start_usec),
        SVC_KEY("timeout_stop_sec", p_timespan, timeout_stop_usec),
        SVC_KEY("kill_mode", p_kill_mode, kill_mode),
        SVC_KEY("kill_signal", p_signal, kill_signal),
        SVC_KEY("final_kill_signal", p_signal, final_kill_signal),
        SVC_KEY("send_sighup", p_bool, send_sighup),
        SVC_KEY("success_exit_status", p_exit_status, success_exit_status),
        SVC_KEY("restart_prevent_exit_status", p_exit_status, restart_prevent_exit_status),
        SVC_KEY("restart_force_exit_status", p_exit_status, restart_force_exit_status),
        SVC_KEY("start_limit_interval_sec", p_timespan, start_limit_interval_usec),
        SVC_KEY("start_limit_burst", p_burst, start_limit_burst),
        SVC_KEY("type", p_type, type),
        SVC_KEY("notify_access", p_notify_access, notify_access),
        SVC_KEY("watchdog_sec", p_timespan, watchdog_usec),
        SVC_KEY("file_descriptor_store_max", p_unsigned, file_descriptor_store_max),
};

static const struct later service_later[] = {
        {"standard_error"},
};

static int replace_string(char **field, const char *s)
{
        char *dup = s[0] ? strdup(s) : NULL;

        if (s[0] && !dup)
                return -ENOMEM;
        free(*field);
        *field = dup;
        return 0;
}

/* Not systemd's: the name inside the service's own UTS namespace. */
static int p_hostname(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (s[0] && !ns_hostname_valid(s))
                return fail(c, v,
                            "'%s' takes 1 to 64 letters, digits, '-' and '.', not first or last "
                            "'-' or '.', not '%s'",
                            c->key, s);
        return replace_string(field, s);
}

/* protect_system, protect_home: a boolean (no or yes), or one of their words. */
static int bool_or_word(struct pctx *c, const struct ynode *v, int (*from_name)(const char *),
                        const char *words, int *ret)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        r = val_bool(s);
        if (r < 0)
                r = from_name(s);
        if (r < 0)
                return fail(c, v, "'%s' takes a boolean, %s, not '%s'", c->key, words, s);
        *ret = r;
        return 0;
}

static int p_protect_system(struct pctx *c, const struct ynode *v, void *field)
{
        int value = 0;
        int r = bool_or_word(c, v, ns_protect_system_from_name, "full or strict", &value);

        *(enum ns_protect_system *)field = (enum ns_protect_system)value;
        return r;
}

static int p_protect_home(struct pctx *c, const struct ynode *v, void *field)
{
        int value = 0;
        int r = bool_or_word(c, v, ns_protect_home_from_name, "read-only or tmpfs", &value);

        *(enum ns_protect_home *)field = (enum ns_protect_home)value;
        return r;
}

static int p_protect_proc(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        r = ns_protect_proc_from_name(s);
        if (r < 0)
                return fail(c, v, "'%s' takes noaccess, invisible, ptraceable or default, not '%s'",
                            c->key, s);
        *(enum ns_protect_proc *)field = (enum ns_protect_proc)r;
        return 0;
}

/* An item of a path list: entries separated by spaces ('...' and "..." quote
 * one), each handed to add, which returns -EINVAL for a bad one. */
static int path_words(struct pctx *c, const struct ynode *v, const char *expected,
                      int (*add)(struct pctx *c, const struct ynode *v, const char *word,
                                 void *field),
                      void *field)
{
        char **words = NULL;
        int n = split_words(v->value, &words), r = 0;

        if (n == -EINVAL)
                return fail(c, v, "unbalanced quote in '%s'", c->key);
        if (n < 0)
                return n;
        for (int i = 0; i < n && r >= 0; i++) {
                r = add(c, v, words[i], field);
                if (r == -EINVAL)
                        r = fail(c, v, "'%s' takes %s, not '%s'", c->key, expected, words[i]);
        }
        strv_free(words);
        return r;
}

static int add_access_path(struct pctx *c, const struct ynode *v, const char *word, void *field)
{
        (void)c;
        (void)v;
        return ns_access_path_valid(word) ? strv_push(field, word) : -EINVAL;
}

static int access_path_item(struct pctx *c, const struct ynode *v, void *field)
{
        if (v->value[0] == '\0') {
                strv_free(*(char ***)field);
                *(char ***)field = NULL;
                return 0;
        }
        return path_words(c, v, "absolute paths without '..', each may start with '-' then '+'",
                          add_access_path, field);
}

/* read_only_paths, read_write_paths, inaccessible_paths */
static int p_access_paths(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, access_path_item);
}

static int add_bind(struct pctx *c, const struct ynode *v, const char *word, void *field)
{
        struct ns_config *ns = field;
        struct ns_bind b, *nb;
        int r = ns_bind_parse(word, streq(c->key, "bind_read_only_paths"), &b);

        (void)v;
        if (r < 0)
                return r;
        nb = reallocarray(ns->binds, ns->n_binds + 1, sizeof(*nb));
        if (!nb) {
                ns_bind_done(&b);
                return -ENOMEM;
        }
        ns->binds = nb;
        ns->binds[ns->n_binds++] = b;
        return 0;
}

/* As in systemd, the empty string drops the binds of both keys. */
static int bind_item(struct pctx *c, const struct ynode *v, void *field)
{
        struct ns_config *ns = field;

        if (v->value[0] == '\0') {
                for (size_t i = 0; i < ns->n_binds; i++)
                        ns_bind_done(&ns->binds[i]);
                ns->n_binds = 0;
                return 0;
        }
        return path_words(c, v, "[-]SOURCE[:DESTINATION[:rbind|norbind]] with absolute paths",
                          add_bind, field);
}

/* bind_paths, bind_read_only_paths */
static int p_binds(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, bind_item);
}

static int add_tmpfs(struct pctx *c, const struct ynode *v, const char *word, void *field)
{
        struct ns_config *ns = field;
        struct ns_tmpfs t, *nt;
        int r = ns_tmpfs_parse(word, &t);

        (void)c;
        (void)v;
        if (r < 0)
                return r;
        nt = reallocarray(ns->tmpfs, ns->n_tmpfs + 1, sizeof(*nt));
        if (!nt) {
                ns_tmpfs_done(&t);
                return -ENOMEM;
        }
        ns->tmpfs = nt;
        ns->tmpfs[ns->n_tmpfs++] = t;
        return 0;
}

static int tmpfs_item(struct pctx *c, const struct ynode *v, void *field)
{
        struct ns_config *ns = field;

        if (v->value[0] == '\0') {
                for (size_t i = 0; i < ns->n_tmpfs; i++)
                        ns_tmpfs_done(&ns->tmpfs[i]);
                ns->n_tmpfs = 0;
                return 0;
        }
        return path_words(c, v, "PATH[:OPTIONS] with an absolute path", add_tmpfs, field);
}

static int p_temporary_file_system(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, tmpfs_item);
}

static int p_root_directory(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (s[0] && !ns_path_valid(s))
                return fail(c, v, "'%s' takes an absolute path without '..', not '%s'", c->key, s);
        return replace_string(field, s);
}

/* "~" stays until spec_finish() knows the service's user. */
static int p_working_directory(struct pctx *c, const struct ynode *v, void *field)
{
        struct ns_config *ns = field;
        const char *s = NULL, *path;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        ns->working_directory_missing_ok = s[0] == '-';
        path = &s[s[0] == '-' ? 1 : 0];
        if (!(s[0] == '\0' || streq(path, "~") || ns_path_valid(path)))
                return fail(c, v,
                            "'%s' takes ~ or an absolute path without '..', either may "
                            "start with '-', not '%s'",
                            c->key, s);
        return replace_string(&ns->working_directory, path);
}

static int p_instance_isolation(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        (void)field;
        if (r < 0)
                return r;
        if (streq(s, "shared"))
                c->s->isolation = SPEC_ISOLATION_SHARED;
        else if (streq(s, "per-connection"))
                c->s->isolation = SPEC_ISOLATION_PER_CONNECTION;
        else
                return fail(c, v, "'%s' takes shared or per-connection, not '%s'", c->key, s);
        return 0;
}

#define NS_KEY(n, field)                                                                           \
        {                                                                                          \
                n, p_bool, offsetof(struct ns_config, field)                                       \
        }
#define NS_FIELD(field) offsetof(struct ns_config, field)
static const struct key sandbox_keys[] = {
        NS_KEY("private_network", private_network),
        NS_KEY("private_mounts", private_mounts),
        NS_KEY("private_pid", private_pid),
        NS_KEY("private_ipc", private_ipc),
        NS_KEY("private_tmp", private_tmp),
        NS_KEY("private_users", private_users),
        NS_KEY("protect_hostname", private_uts),
        NS_KEY("private_devices", private_devices),
        {"hostname", p_hostname, NS_FIELD(hostname)},
        {"protect_system", p_protect_system, NS_FIELD(protect_system)},
        {"protect_home", p_protect_home, NS_FIELD(protect_home)},
        {"protect_proc", p_protect_proc, NS_FIELD(protect_proc)},
        NS_KEY("protect_kernel_tunables", protect_kernel_tunables),
        NS_KEY("protect_kernel_modules", protect_kernel_modules),
        NS_KEY("protect_kernel_logs", protect_kernel_logs),
        NS_KEY("protect_control_groups", protect_control_groups),
        {"read_only_paths", p_access_paths, NS_FIELD(read_only_paths)},
        {"read_write_paths", p_access_paths, NS_FIELD(read_write_paths)},
        {"inaccessible_paths", p_access_paths, NS_FIELD(inaccessible_paths)},
        {"bind_paths", p_binds, 0},
        {"bind_read_only_paths", p_binds, 0},
        {"temporary_file_system", p_temporary_file_system, 0},
        {"root_directory", p_root_directory, NS_FIELD(root_directory)},
        {"working_directory", p_working_directory, 0},
        {"instance_isolation", p_instance_isolation, 0},
};

static const struct later sandbox_later[] = {
        {"exec_paths"},
        {"no_exec_paths"},
        {"proc_subset"},
        {"mount_api_vfs"},
        {"mount_flags"},
        {"root_image"},
        {"network_namespace_path"},
        {"ipc_namespace_path"},
};

static int p_user(struct pctx *c, const struct ynode *v, void *field)
{
        struct pol_config *p = field;
        const char *s = NULL;
        gid_t gid;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (lookup_user(s, &p->uid, &gid) < 0)
                return fail(c, v, "unknown user '%s'", s);
        if (!c->s->group) /* an explicit group wins, wherever it stands */
                p->gid = gid;
        free(c->s->user);
        c->s->user = strdup(s);
        c->s->user_mark = (struct spec_mark){v->line, v->column};
        p->change_ids = true;
        return c->s->user ? 0 : -ENOMEM;
}

static int p_group(struct pctx *c, const struct ynode *v, void *field)
{
        struct pol_config *p = field;
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (lookup_group(s, &p->gid) < 0)
                return fail(c, v, "unknown group '%s'", s);
        if (!p->change_ids) /* a group alone keeps the user */
                p->uid = geteuid();
        p->change_ids = true;
        free(c->s->group);
        c->s->group = strdup(s);
        return c->s->group ? 0 : -ENOMEM;
}

static int cap_item(struct pctx *c, const struct ynode *v, void *field)
{
        _cleanup_free_ char *words = strdup(v->value);
        uint64_t *set = field;
        char *save = NULL;
        bool invert = words && words[0] == '~';

        if (!words)
                return -ENOMEM;
        if (invert)
                *set = ~UINT64_C(0);
        for (char *w = strtok_r(words + invert, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                int cap = pol_capability_from_name(w);

                if (cap < 0 || cap >= 64)
                        return fail(c, v, "unknown capability '%s' in '%s'", w, c->key);
                if (invert)
                        *set &= ~(UINT64_C(1) << cap);
                else
                        *set |= UINT64_C(1) << cap;
        }
        return 0;
}

static int p_caps(struct pctx *c, const struct ynode *v, void *field)
{
        *(uint64_t *)field = 0;
        return each_item(c, v, field, cap_item);
}

static int family_item(struct pctx *c, const struct ynode *v, void *field)
{
        _cleanup_free_ char *words = strdup(v->value);
        struct pol_config *p = field;
        char *save = NULL, *w;
        bool invert = words && words[0] == '~';

        if (!words)
                return -ENOMEM;
        if (invert && p->n_families == 0)
                p->deny_families = true;
        for (w = strtok_r(words + invert, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                int af = streq(w, "none") ? -1 : pol_family_from_name(w);
                int *n;

                if (af == -1 && streq(w, "none"))
                        continue; /* "none": an allow list with nothing in it */
                if (af < 0)
                        return fail(c, v, "unknown address family '%s'", w);
                n = reallocarray(p->families, p->n_families + 1, sizeof(int));
                if (!n)
                        return -ENOMEM;
                p->families = n;
                p->families[p->n_families++] = af;
        }
        return 0;
}

static int p_families(struct pctx *c, const struct ynode *v, void *field)
{
        struct pol_config *p = field;

        free(p->families);
        p->families = NULL;
        p->n_families = 0;
        p->deny_families = false;
        p->restrict_families = !ynode_is_null(v);
        if (!p->restrict_families)
                return 0;
        return each_item(c, v, field, family_item);
}

static int filter_item(struct pctx *c, const struct ynode *v, void *field)
{
        struct pol_config *p = field;
        struct spec_mark *m;
        char **e;

        if (v->value[0] == '\0')
                return 0;
        e = reallocarray(p->system_call_filter, p->n_system_call_filter + 1, sizeof(char *));
        if (!e)
                return -ENOMEM;
        p->system_call_filter = e;
        m = reallocarray(c->s->filter_marks, p->n_system_call_filter + 1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        c->s->filter_marks = m;
        m[p->n_system_call_filter] = (struct spec_mark){v->line, v->column};
        e[p->n_system_call_filter] = strdup(v->value);
        if (!e[p->n_system_call_filter])
                return -ENOMEM;
        p->n_system_call_filter++;
        return 0;
}

static int p_filter(struct pctx *c, const struct ynode *v, void *field)
{
        struct pol_config *p = field;

        for (size_t i = 0; i < p->n_system_call_filter; i++)
                free(p->system_call_filter[i]);
        p->n_system_call_filter = 0;
        return each_item(c, v, field, filter_item);
}

static int p_errno(struct pctx *c, const struct ynode *v, void *field)
{
        const char *s = NULL;
        int r = scalar(c, v, &s);

        if (r < 0)
                return r;
        if (streq(s, "kill")) {
                *(int *)field = 0;
                return 0;
        }
        r = pol_errno_from_name(s);
        if (r <= 0)
                return fail(c, v, "'%s' takes an errno name such as EPERM, or kill, not '%s'",
                            c->key, s);
        *(int *)field = r;
        return 0;
}

/* The keys of spec_policy.c: parsed there, reported here. */
static int p_policy_key(struct pctx *c, const struct ynode *v, void *field)
{
        struct spec_key_error e;
        int r = spec_policy_key(c->s, c->key, v, &e);

        (void)field;
        return r == -EINVAL ? fail(c, e.at ?: v, "%s", e.message) : r;
}

/* The profile itself is read first of all (parse_policy); here only its place is checked. */
static int p_profile(struct pctx *c, const struct ynode *v, void *field)
{
        (void)field;
        if (c->in_profile)
                return fail(c, v, "a profile cannot name another profile");
        return 0;
}

#define POL_KEY(n, f, field)                                                                       \
        {                                                                                          \
                n, f, offsetof(struct pol_config, field)                                           \
        }
static const struct key policy_keys[] = {
        {"user", p_user, 0},
        {"group", p_group, 0},
        POL_KEY("no_new_privileges", p_bool, no_new_privileges),
        POL_KEY("capability_bounding_set", p_caps, capability_bounding_set),
        {"restrict_address_families", p_families, 0},
        {"restrict_namespaces", p_policy_key, 0},
        POL_KEY("lock_personality", p_bool, lock_personality),
        {"system_call_filter", p_filter, 0},
        POL_KEY("system_call_error_number", p_errno, system_call_error_number),
        {"profile", p_profile, 0},
        {"supplementary_groups", p_policy_key, 0},
        POL_KEY("umask", p_mode, umask),
        {"environment", p_policy_key, 0},
        {"environment_file", p_policy_key, 0},
        {"unset_environment", p_policy_key, 0},
        {"pass_environment", p_policy_key, 0},
        {"ambient_capabilities", p_policy_key, 0},
        {"secure_bits", p_policy_key, 0},
        {"system_call_architectures", p_policy_key, 0},
        {"system_call_log", p_policy_key, 0},
        POL_KEY("memory_deny_write_execute", p_bool, memory_deny_write_execute),
        POL_KEY("restrict_realtime", p_bool, restrict_realtime),
        POL_KEY("restrict_suid_sgid", p_bool, restrict_suid_sgid),
        {"limit_cpu", p_policy_key, 0},
        {"limit_fsize", p_policy_key, 0},
        {"limit_data", p_policy_key, 0},
        {"limit_stack", p_policy_key, 0},
        {"limit_core", p_policy_key, 0},
        {"limit_rss", p_policy_key, 0},
        {"limit_nofile", p_policy_key, 0},
        {"limit_as", p_policy_key, 0},
        {"limit_nproc", p_policy_key, 0},
        {"limit_memlock", p_policy_key, 0},
        {"limit_locks", p_policy_key, 0},
        {"limit_sigpending", p_policy_key, 0},
        {"limit_msgqueue", p_policy_key, 0},
        {"limit_nice", p_policy_key, 0},
        {"limit_rtprio", p_policy_key, 0},
        {"limit_rttime", p_policy_key, 0},
        {"nice", p_policy_key, 0},
        {"oom_score_adjust", p_policy_key, 0},
};

static const struct later policy_later[] = {
        {"dynamic_user"},
};

struct section {
        const char *what; /* "socket 'http'", "service", ... */
        const struct key *keys;
        size_t n_keys;
        const struct later *later;
        size_t n_later;
};

static const char *suggest(const char *word, const struct section *sec)
{
        const char *cands[128];
        size_t n = 0;

        for (size_t i = 0; i < sec->n_keys && n < ELEMENTSOF(cands); i++)
                cands[n++] = sec->keys[i].name;
        for (size_t i = 0; i < sec->n_later && n < ELEMENTSOF(cands); i++)
                cands[n++] = sec->later[i].name;
        return val_suggest(word, cands, n);
}

static int unknown_key(struct pctx *c, const struct ynode *k, const struct section *sec)
{
        const char *hint;

        for (size_t i = 0; i < sec->n_later; i++)
                if (streq(k->value, sec->later[i].name))
                        return fail(c, k, "'%s' in %s is not supported by this sockjail yet",
                                    k->value, sec->what);
        hint = suggest(k->value, sec);
        if (hint)
                return fail(c, k, "unknown key '%s' in %s (did you mean '%s'?)", k->value,
                            sec->what, hint);
        return fail(c, k, "unknown key '%s' in %s", k->value, sec->what);
}

/* Remember where a key of enum spec_marked was written. */
static void mark_key(struct pctx *c, const struct ynode *k)
{
        static const char *const names[_SPEC_MARK_MAX] = {
                [SPEC_MARK_TYPE] = "type",
                [SPEC_MARK_RESTART] = "restart",
                [SPEC_MARK_START] = "start",
                [SPEC_MARK_WATCHDOG] = "watchdog_sec",
                [SPEC_MARK_FDSTORE] = "file_descriptor_store_max",
                [SPEC_MARK_UPSTART] = "upstart_events",
                [SPEC_MARK_ISOLATION] = "instance_isolation",
        };

        for (size_t i = 0; i < _SPEC_MARK_MAX; i++)
                if (streq(k->value, names[i]))
                        c->s->marks[i] = (struct spec_mark){k->line, k->column};
}

static int parse_map(struct pctx *c, const struct ynode *map, const struct section *sec, void *obj)
{
        if (map->type != YNODE_MAP)
                return fail(c, map, "%s must be a mapping, not %s", sec->what,
                            ynode_type_name(map->type));
        for (size_t i = 0; i + 1 < map->n_kids; i += 2) {
                const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
                const struct key *key = NULL;
                int r;

                for (size_t j = 0; j < sec->n_keys && !key; j++)
                        if (streq(k->value, sec->keys[j].name))
                                key = &sec->keys[j];
                if (!key)
                        return unknown_key(c, k, sec);
                c->key = key->name;
                mark_key(c, k);
                r = key->fn(c, v, (char *)obj + key->offset);
                if (r < 0)
                        return r == -EINVAL ? r : fail(c, v, "%s", strerror(-r));
        }
        return 0;
}

static void socket_init(struct spec_socket *u)
{
        *u = (struct spec_socket){
                .backlog = SOMAXCONN,
                .socket_user = (uid_t)-1,
                .socket_group = (gid_t)-1,
                .socket_mode = 0666,
                .directory_mode = 0755,
                .timeout_usec = 90000000, /* systemd's DefaultTimeoutStartSec= */
                .priority = -1,
                .ip_tos = -1,
                .ip_ttl = -1,
                .so_mark = -1,
                .max_connections = 64,
                .trigger_limit_interval_usec = 2000000,
                .trigger_limit_burst = UINT_MAX, /* unset: 20, or 200 with accept (finish) */
        };
}

static void socket_free(struct spec_socket *u)
{
        listens_reset(u);
        free(u->name);
        free(u->fdname);
        free(u->tcp_congestion);
        free(u->bind_to_device);
        free(u->smack_label);
        free(u->smack_label_ip_in);
        free(u->smack_label_ip_out);
        strv_free(u->symlinks);
        for (size_t k = 0; k < SPEC_EXEC_N; k++)
                commands_reset(&u->exec[k]);
}

static int socket_new(struct spec *s, const char *name, struct spec_socket **ret)
{
        struct spec_socket *u;

        if (s->n_sockets >= SPEC_MAX_SOCKETS)
                return -E2BIG;
        u = reallocarray(s->sockets, s->n_sockets + 1, sizeof(*u));
        if (!u)
                return -ENOMEM;
        s->sockets = u;
        u = &s->sockets[s->n_sockets];
        socket_init(u);
        u->name = strdup(name);
        if (!u->name)
                return -ENOMEM;
        s->n_sockets++;
        *ret = u;
        return 0;
}

static int parse_sockets(struct pctx *c, const struct ynode *map)
{
        char what[300];

        if (map->type != YNODE_MAP)
                return fail(c, map, "'sockets' must map socket names to their settings");
        for (size_t i = 0; i + 1 < map->n_kids; i += 2) {
                const struct ynode *k = map->kids[i];
                struct spec_socket *u;
                int r;

                if (!fdname_valid(k->value))
                        return fail(c, k,
                                    "socket name '%s' is not a valid fd name (1 to 255 "
                                    "printable characters, no ':' or spaces)",
                                    k->value);
                r = socket_new(c->s, k->value, &u);
                if (r == -E2BIG)
                        return fail(c, k, "too many sockets (at most %d)", SPEC_MAX_SOCKETS);
                if (r < 0)
                        return r;
                u->mark = (struct spec_mark){k->line, k->column};
                snprintf(what, sizeof(what), "socket '%s'", k->value);
                r = parse_map(c, map->kids[i + 1],
                              &(struct section){what, socket_keys, ELEMENTSOF(socket_keys),
                                                socket_later, ELEMENTSOF(socket_later)},
                              u);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_file(const char *path, char **ret, size_t *ret_len);
static int compile_filter(struct pctx *c);

static const struct section policy_section = {"policy", policy_keys, ELEMENTSOF(policy_keys),
                                              policy_later, ELEMENTSOF(policy_later)};

/* A profile's file: a spec with a policy section and nothing else. */
static int parse_profile(struct pctx *c, const struct ynode *root)
{
        if (!root || root->type != YNODE_MAP)
                return fail(c, root, "a profile is a mapping with one section, policy");
        for (size_t i = 0; i + 1 < root->n_kids; i += 2) {
                const struct ynode *k = root->kids[i];
                int r;

                if (!streq(k->value, "policy"))
                        return fail(c, k, "a profile holds a policy section only, not '%s'",
                                    k->value);
                if ((r = parse_map(c, root->kids[i + 1], &policy_section, &c->s->pol)) < 0)
                        return r;
        }
        /* Its filter must compile on its own, so that an error names the profile's file. */
        return compile_filter(c);
}

static int load_profile(struct pctx *c, const struct ynode *v)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *saved = c->file, *name = NULL;
        struct spec_policy *p = &c->s->policy;
        struct ytree_error yerr;
        struct ynode *root = NULL;
        char names[256];
        size_t len = 0;
        int r;

        c->key = "profile";
        if ((r = scalar(c, v, &name)) < 0)
                return r;
        r = profile_find(name, &path);
        if (r == -EINVAL)
                return fail(c, v, "'profile' takes a name (letters, digits, '-', '_'), not '%s'",
                            name);
        profile_names(names, sizeof(names));
        if (r == -ENOENT)
                return fail(c, v, "unknown profile '%s' (%s%s)", name,
                            names[0] ? "available: " : "none found: set " PROFILE_PATH_ENV, names);
        if (r < 0 || (r = read_file(path, &text, &len)) < 0)
                return fail(c, v, "cannot read profile '%s': %s", name, strerror(-r));
        if (ytree_load(text, len, &root, &yerr) < 0) {
                snprintf(c->err->message, sizeof(c->err->message), "%s:%u:%u: %s", path, yerr.line,
                         yerr.column, yerr.message);
                return -EINVAL;
        }
        c->file = path;
        c->in_profile = true;
        r = parse_profile(c, root);
        c->file = saved;
        c->in_profile = false;
        ytree_free(root);
        if (r < 0)
                return r;
        free(p->profile);
        free(p->profile_path);
        p->profile = strdup(name);
        p->profile_path = TAKE_PTR(path);
        return p->profile ? 0 : -ENOMEM;
}

/* The profile first, wherever its key stands; then the spec's own keys, each
 * replacing the profile's. */
static int parse_policy(struct pctx *c, const struct ynode *map)
{
        for (size_t i = 0; map->type == YNODE_MAP && i + 1 < map->n_kids; i += 2) {
                int r = 0;

                if (streq(map->kids[i]->value, "profile"))
                        r = load_profile(c, map->kids[i + 1]);
                if (r < 0)
                        return r;
        }
        return parse_map(c, map, &policy_section, &c->s->pol);
}

static int parse_root(struct pctx *c, const struct ynode *root)
{
        static const char *const sections[] = {"sockets", "service", "sandbox", "policy"};
        struct spec *s = c->s;

        if (!root)
                return fail(c, NULL, "empty spec: expected a mapping with sockets and service");
        if (root->type != YNODE_MAP)
                return fail(c, root, "a spec is a mapping of sockets, service, sandbox and policy");
        for (size_t i = 0; i + 1 < root->n_kids; i += 2) {
                const struct ynode *k = root->kids[i], *v = root->kids[i + 1];
                int r;

                if (streq(k->value, "sockets"))
                        r = parse_sockets(c, v);
                else if (streq(k->value, "service"))
                        r = parse_map(c, v,
                                      &(struct section){"service", service_keys,
                                                        ELEMENTSOF(service_keys), service_later,
                                                        ELEMENTSOF(service_later)},
                                      &s->service);
                else if (streq(k->value, "sandbox"))
                        r = parse_map(c, v,
                                      &(struct section){"sandbox", sandbox_keys,
                                                        ELEMENTSOF(sandbox_keys), sandbox_later,
                                                        ELEMENTSOF(sandbox_later)},
                                      &s->ns);
                else if (streq(k->value, "policy"))
                        r = parse_policy(c, v);
                else {
                        const char *hint = val_suggest(k->value, sections, ELEMENTSOF(sections));
                        return fail(c, k, "unknown section '%s'%s%s%s", k->value,
                                    hint ? " (did you mean '" : "", hint ?: "", hint ? "'?)" : "");
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int spec_init(struct spec *s)
{
        *s = (struct spec){0};
        s->service.start = SPEC_START_ON_DEMAND;
        s->service.standard_input = SPEC_STDIO_NULL;
        s->service.standard_output = SPEC_STDIO_INHERIT;
        s->service.restart_usec = 100000;
        s->service.timeout_start_usec = 90 * UINT64_C(1000000);
        s->service.timeout_stop_usec = 90 * UINT64_C(1000000);
        s->service.start_limit_interval_usec = 10 * UINT64_C(1000000);
        s->service.start_limit_burst = 5;
        s->service.kill_signal = SIGTERM;
        s->service.final_kill_signal = SIGKILL;
        ns_config_init(&s->ns);
        return pol_config_init(&s->pol);
}

void spec_done(struct spec *s)
{
        for (size_t i = 0; i < s->n_sockets; i++)
                socket_free(&s->sockets[i]);
        free(s->sockets);
        strv_free(s->service.exec);
        strv_free(s->service.environment);
        free(s->service.exec_path);
        pol_filter_free(s->filter);
        pol_config_done(&s->pol);
        spec_policy_done(&s->policy);
        ns_config_done(&s->ns);
        free(s->filter_marks);
        free(s->user);
        free(s->group);
        free(s->path);
        *s = (struct spec){0};
}

size_t spec_n_fds(const struct spec *s)
{
        size_t n = 0;

        for (size_t i = 0; i < s->n_sockets; i++)
                n += s->sockets[i].n_listens;
        return n;
}

static struct ynode at(const struct spec_mark *m)
{
        return (struct ynode){.line = m->line, .column = m->column};
}

/* execve() does not search PATH: resolve a program now, so that a typo fails
 * before any socket exists. */
static int resolve_program(struct pctx *c, const char *name, const struct spec_mark *m, char **ret)
{
        struct ynode mark = at(m);
        char buf[4096];

        *ret = NULL;
        if (strchr(name, '/')) {
                if (access(name, X_OK) < 0)
                        return fail(c, &mark, "cannot execute '%s': %s", name, strerror(errno));
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        for (const char *p = SPEC_DEFAULT_PATH; *p;) {
                size_t len = strcspn(p, ":");

                snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name);
                if (access(buf, X_OK) == 0) {
                        *ret = strdup(buf);
                        return *ret ? 0 : -ENOMEM;
                }
                p += len + (p[len] == ':');
        }
        return fail(c, &mark, "'%s' not found in PATH (%s)", name, SPEC_DEFAULT_PATH);
}

static int resolve_exec(struct pctx *c)
{
        struct spec_service *svc = &c->s->service;

        free(svc->exec_path);
        return resolve_program(c, svc->exec[0], &svc->exec_mark, &svc->exec_path);
}

static int check_inetd(struct pctx *c)
{
        struct spec *s = c->s;

        if (s->service.standard_output == SPEC_STDIO_SOCKET &&
            s->service.standard_input != SPEC_STDIO_SOCKET)
                return fail(c, NULL, "standard_output: socket needs standard_input: socket");
        if (s->service.standard_input == SPEC_STDIO_SOCKET && !s->accept && spec_n_fds(s) != 1)
                return fail(c, NULL,
                            "standard_input: socket needs exactly one listening socket, the "
                            "spec has %zu",
                            spec_n_fds(s));
        return 0;
}

/* The filter's words and settings, each error where it was written (the
 * compiling waits for spec_compile_filter()). */
static int compile_filter(struct pctx *c)
{
        struct spec *s = c->s;
        _cleanup_free_ char *word = NULL;
        size_t bad = 0;
        int r;

        pol_filter_free(s->filter);
        s->filter = NULL;
        r = pol_filter_check(&s->pol, &bad, &word);
        if (r >= 0)
                return 0;
        if (r == -EINVAL && s->filter_marks && bad < s->pol.n_system_call_filter)
                return fail(c,
                            &(struct ynode){.line = s->filter_marks[bad].line,
                                            .column = s->filter_marks[bad].column},
                            "unknown system call, group or errno '%s' in system_call_filter",
                            word ?: "?");
        bad -= s->pol.n_system_call_filter; /* system_call_log's entries come after */
        if (r == -EINVAL && s->policy.log_marks && bad < s->pol.n_system_call_log)
                return fail(c,
                            &(struct ynode){.line = s->policy.log_marks[bad].line,
                                            .column = s->policy.log_marks[bad].column},
                            "unknown system call or group '%s' in system_call_log", word ?: "?");
        if (r == -EINVAL && word)
                return fail(c, NULL, "unknown system call, group or errno '%s' in the policy",
                            word);
        return fail(c, NULL, "cannot build the seccomp filter: %s", strerror(-r));
}

/* The policy keys' checks that need the whole spec, after check_ids. */
static int check_policy(struct pctx *c)
{
        struct spec_mark m;
        char msg[384];
        int r = spec_policy_finish(c->s, &m, msg, sizeof(msg));

        if (r != -EINVAL)
                return r < 0 ? fail(c, NULL, "%s", strerror(-r)) : 0;
        return m.line ? fail_at(c, &m, msg) : fail(c, NULL, "%s", msg);
}

/* As systemd's User=: the user's supplementary groups come along. */
static int user_groups(struct spec *s)
{
        int n = 64;

        for (;;) {
                gid_t *g = reallocarray(NULL, (size_t)n, sizeof(gid_t));
                int want = n;

                if (!g)
                        return -ENOMEM;
                if (getgrouplist(s->user, s->pol.gid, g, &want) >= 0) {
                        free(s->pol.groups);
                        s->pol.groups = g;
                        s->pol.n_groups = (size_t)want;
                        return 0;
                }
                free(g);
                if (want <= n || want > 65536)
                        return -E2BIG;
                n = want;
        }
}

static int check_ids(struct pctx *c)
{
        struct spec *s = c->s;

        if (!s->pol.change_ids)
                return 0;
        if (geteuid() != 0 && (s->pol.uid != geteuid() || s->pol.gid != getegid()))
                return fail_at(c, &s->user_mark, "switching to another user or group needs root");
        if (s->user && !isdigit((unsigned char)s->user[0]) && user_groups(s) < 0)
                return fail_at(c, &s->user_mark, "cannot read this user's groups");
        return 0;
}

/* The file system nodes symlinks can point to: unix socket paths and FIFOs. */
static size_t path_nodes(const struct spec_socket *u)
{
        size_t n = 0;

        for (size_t i = 0; i < u->n_listens; i++)
                n += u->listens[i].type == SPEC_LISTEN_FIFO ||
                     (spec_listen_is_socket(&u->listens[i]) && addr_unix_path(&u->listens[i].addr));
        return n;
}

/* Why sockjail cannot honour this socket's settings here, or NULL. */
static const char *socket_refusal(const struct spec_socket *u, char *buf, size_t size)
{
        bool smack = access("/sys/fs/smackfs", F_OK) == 0;

        if (!smack && (u->smack_label || u->smack_label_ip_in || u->smack_label_ip_out))
                return "smack_label, smack_label_ip_in and smack_label_ip_out need SMACK, and "
                       "this kernel has none (no /sys/fs/smackfs)";
        if (u->selinux_context_from_net)
                return access("/sys/fs/selinux/enforce", F_OK) < 0
                               ? "selinux_context_from_net needs SELinux, which is not enabled"
                               : "selinux_context_from_net is not supported yet (it needs "
                                 "Accept=yes)";
        if (u->symlinks && path_nodes(u) != 1) {
                snprintf(buf, size,
                         "symlinks need exactly one unix socket path or FIFO in the socket, it "
                         "has %zu (systemd's rule)",
                         path_nodes(u));
                return buf;
        }
        if (!u->mq_max_messages != !u->mq_message_size)
                return "message_queue_max_messages and message_queue_message_size go together: "
                       "set both or neither";
        return NULL;
}

/* Refusals, and the defaults that depend on other keys (as systemd's socket_add_extras). */
static int check_socket(struct pctx *c, struct spec_socket *u)
{
        char buf[160], msg[400];
        const char *why;

        if (u->n_listens == 0)
                return fail_at(c, &u->mark,
                               "this socket has nothing to listen on (listen_stream, "
                               "listen_datagram, listen_sequential_packet, listen_fifo, "
                               "listen_special, listen_netlink or listen_message_queue)");
        if (u->trigger_limit_burst == UINT_MAX)
                u->trigger_limit_burst = u->accept ? 200 : 20;
        if (u->max_connections_per_source == 0)
                u->max_connections_per_source = u->max_connections;
        why = socket_refusal(u, buf, sizeof(buf));
        if (!why)
                return 0;
        snprintf(msg, sizeof(msg), "socket '%s': %s", u->name, why);
        return fail_at(c, &u->mark, msg);
}

static bool listen_accepts(const struct spec_listen *l)
{
        return l->type == SPEC_LISTEN_STREAM || l->type == SPEC_LISTEN_SEQPACKET;
}

/*
 * accept: yes serves connections: it is ignored on a socket of datagram
 * sockets and FIFOs only (systemd.socket(5)), refused next to one, and one
 * spec runs one service: either every socket accepts or none does.
 */
static int check_accept_sockets(struct pctx *c)
{
        struct spec *s = c->s;
        const struct spec_socket *plain = NULL;

        s->accept = false;
        for (size_t i = 0; i < s->n_sockets; i++) {
                struct spec_socket *u = &s->sockets[i];
                size_t n = 0;

                for (size_t j = 0; j < u->n_listens; j++)
                        n += listen_accepts(&u->listens[j]);
                if (u->accept && n == 0)
                        u->accept = false; /* datagram sockets and FIFOs ignore it */
                else if (u->accept && n < u->n_listens)
                        return fail_at(c, &u->mark,
                                       "accept: yes serves stream and sequential-packet sockets; "
                                       "this socket's other kinds would need a service of their "
                                       "own: put them in another spec");
                if (u->accept)
                        s->accept = true;
                else
                        plain = u;
        }
        if (s->accept && plain)
                return fail_at(c, &plain->mark,
                               "this socket does not accept while others do: one spec runs one "
                               "service, per connection (accept: yes) or for all its sockets; "
                               "put them in separate specs");
        return 0;
}

/* What an instance per connection cannot have, said where the key stands. */
static int check_accept_service(struct pctx *c)
{
        const struct spec_service *svc = &c->s->service;
        enum spec_marked at = _SPEC_MARK_MAX;
        const char *why = NULL;
        char msg[256];

        if (!c->s->accept)
                return c->s->isolation == SPEC_ISOLATION_PER_CONNECTION
                               ? fail_at(c, &c->s->marks[SPEC_MARK_ISOLATION],
                                         "instance_isolation needs a socket with accept: yes")
                               : 0;
        if (svc->type != SPEC_TYPE_SIMPLE && svc->type != SPEC_TYPE_EXEC)
                why = "service.type: only simple and exec", at = SPEC_MARK_TYPE;
        else if (svc->restart != SPEC_RESTART_NO)
                why = "restart: the connection is gone when an instance ends",
                at = SPEC_MARK_RESTART;
        else if (svc->file_descriptor_store_max > 0)
                why = "file_descriptor_store_max: it needs type notify", at = SPEC_MARK_FDSTORE;
        else if (svc->watchdog_usec > 0)
                why = "watchdog_sec: it needs type notify", at = SPEC_MARK_WATCHDOG;
        else if (svc->start == SPEC_START_IMMEDIATE)
                why = "start: immediate: an instance starts with its connection",
                at = SPEC_MARK_START;
        else if (svc->upstart_events)
                why = "upstart_events: an instance gets its connection, not the listening sockets",
                at = SPEC_MARK_UPSTART;
        if (!why)
                return 0;
        snprintf(msg, sizeof(msg), "with accept: yes (one instance per connection), %s", why);
        return fail_at(c, &c->s->marks[at], msg);
}

static int check_sockets(struct pctx *c)
{
        struct spec *s = c->s;

        for (size_t i = 0; i < s->n_sockets; i++) {
                int r = check_socket(c, &s->sockets[i]);

                if (r < 0)
                        return r;
        }
        if (s->n_sockets == 0 && s->service.start == SPEC_START_ON_DEMAND)
                return fail(c, NULL,
                            "no sockets, so nothing to wait for: add a socket, or set "
                            "service.start: immediate");
        return 0;
}

/* working_directory: "~" is the home of the service's user, as systemd's. */
static int resolve_home(struct pctx *c)
{
        struct ns_config *ns = &c->s->ns;
        uid_t uid = c->s->pol.change_ids ? c->s->pol.uid : geteuid();
        struct passwd *pw = getpwuid(uid);

        if (pw && pw->pw_dir && ns_path_valid(pw->pw_dir))
                return replace_string(&ns->working_directory, pw->pw_dir);
        if (!ns->working_directory_missing_ok)
                return fail(c, NULL, "working_directory: ~ but uid %u has no home directory",
                            (unsigned)uid);
        return replace_string(&ns->working_directory, "");
}

static int check_sandbox(struct pctx *c)
{
        const struct ns_config *ns = &c->s->ns;

        if (ns->hostname && !ns->private_uts)
                return fail(c, NULL,
                            "hostname needs a UTS namespace of its own: protect_hostname: yes");
        if (ns->working_directory && streq(ns->working_directory, "~"))
                return resolve_home(c);
        return 0;
}

int spec_finish(struct spec *s, struct spec_error *err)
{
        struct pctx c = {.s = s, .file = s->path ?: "sockjail", .err = err};
        int r;

        if (!s->service.exec || !s->service.exec[0])
                return fail(&c, NULL,
                            "no service.exec: nothing to run (give one in the spec or "
                            "after --)");
        r = resolve_exec(&c);
        if (r >= 0)
                r = check_accept_sockets(&c);
        if (r >= 0)
                r = check_accept_service(&c);
        if (r >= 0)
                r = check_inetd(&c);
        if (r >= 0)
                r = check_sockets(&c);
        if (r >= 0)
                r = check_ids(&c);
        if (r >= 0)
                r = check_policy(&c);
        if (r >= 0)
                r = check_sandbox(&c);
        if (r >= 0)
                r = compile_filter(&c);
        return r;
}

int spec_compile_filter(struct spec *s, struct spec_error *err)
{
        int r;

        if (s->filter)
                return 0;
        r = pol_filter_build(&s->pol, &s->filter, NULL, NULL);
        if (r < 0)
                snprintf(err->message, sizeof(err->message),
                         "%s: cannot build the seccomp filter: %s", s->path ?: "sockjail",
                         strerror(-r));
        return r;
}

int spec_load_string(struct spec *s, const char *name, const char *text, size_t len,
                     struct spec_error *err)
{
        struct pctx c = {.s = s, .file = name, .err = err};
        struct ytree_error yerr;
        struct ynode *root = NULL;
        int r;

        free(s->path);
        s->path = strdup(name);
        if (!s->path)
                return -ENOMEM;
        r = ytree_load(text, len, &root, &yerr);
        if (r < 0) {
                snprintf(err->message, sizeof(err->message), "%s:%u:%u: %s", name, yerr.line,
                         yerr.column, yerr.message);
                return r;
        }
        r = parse_root(&c, root);
        ytree_free(root);
        return r;
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        ssize_t n;

        if (fd < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size > SPEC_MAX_FILE_SIZE)
                return -EFBIG;
        buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        n = read(fd, buf, (size_t)st.st_size + 1);
        if (n < 0)
                return negative_errno();
        if (n > st.st_size)
                return -EFBIG;
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = (size_t)n;
        return 0;
}

int spec_load(struct spec *s, const char *path, struct spec_error *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        err->message[0] = '\0';
        r = read_file(path, &text, &len);
        if (r == -EFBIG)
                snprintf(err->message, sizeof(err->message), "%s: larger than %d bytes", path,
                         SPEC_MAX_FILE_SIZE);
        else if (r == -EINVAL)
                snprintf(err->message, sizeof(err->message), "%s: not a regular file", path);
        else if (r < 0)
                snprintf(err->message, sizeof(err->message), "%s: %s", path, strerror(-r));
        if (r < 0)
                return r == -EFBIG ? -EINVAL : r;
        r = spec_load_string(s, path, text, len, err);
        if (r < 0)
                return r;
        return 0;
}

int spec_set_exec(struct spec *s, char *const *argv, struct spec_error *err)
{
        char **v = NULL;

        (void)err;
        for (size_t i = 0; argv[i]; i++)
                if (strv_push(&v, argv[i]) < 0) {
                        strv_free(v);
                        return -ENOMEM;
                }
        strv_free(s->service.exec);
        s->service.exec = v;
        s->service.exec_mark = (struct spec_mark){0};
        return 0;
}

int spec_add_listen(struct spec *s, const char *unit, enum spec_listen_type type,
                    const char *address, struct spec_error *err)
{
        struct pctx c = {.s = s, .file = "sockjail", .err = err};
        struct spec_socket *u = NULL;
        struct addr a;
        int r;

        if (!fdname_valid(unit))
                return fail(&c, NULL,
                            "'%s' is not a valid fd name (1 to 255 printable "
                            "characters, no ':' or spaces)",
                            unit);
        for (size_t i = 0; i < s->n_sockets && !u; i++)
                if (streq(s->sockets[i].name, unit))
                        u = &s->sockets[i];
        if (!u && (r = socket_new(s, unit, &u)) < 0)
                return r;
        r = addr_parse(address, &a);
        if (r < 0)
                return fail(&c, NULL, "invalid address '%s': %s", address, addr_error(r));
        if (check_listen_type(type, &a) < 0)
                return fail(&c, NULL, "sequential packet sockets are unix sockets only");
        return listen_add(s, u, type, address, &a, (struct spec_mark){0});
}
