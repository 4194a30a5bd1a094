/* SPDX-License-Identifier: MIT */
/*
 * The spec parser: walks the YAML tree section by section, dispatching every
 * key through a table. Values use systemd's syntax (value.h); errors say
 * FILE:LINE:COLUMN and what was expected.
 */
#include "injector/spec.h"

#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/util.h"
#include "injector/value.h"
#include "injector/ytree.h"

struct pctx {
        struct spec *s;
        const char *file;
        struct spec_error *err;
        const char *key; /* the key being read, for messages */
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

static int p_listen(struct pctx *c, const struct ynode *item, struct spec_socket *u,
                    enum spec_listen_type type)
{
        struct spec_mark mark = {item->line, item->column};
        struct addr a;
        int r;

        if (item->value[0] == '\0') { /* the empty string resets the list, as in systemd */
                listens_reset(u);
                return 0;
        }
        r = addr_parse(item->value, &a);
        if (r < 0)
                return fail(c, item, "invalid address '%s' in '%s': %s", item->value, c->key,
                            addr_error(r));
        if (check_listen_type(type, &a) < 0)
                return fail(c, item, "'%s' is for unix sockets only (systemd's rule), not '%s'",
                            c->key, item->value);
        r = listen_add(c->s, u, type, item->value, &a, mark);
        if (r == -E2BIG)
                return fail(c, item, "too many listening addresses (at most %d)", SPEC_MAX_LISTENS);
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
};

static const struct later socket_later[] = {
        {"listen_fifo"},
        {"listen_special"},
        {"listen_netlink"},
        {"listen_message_queue"},
        {"listen_usb_function"},
        {"socket_protocol"},
        {"bind_to_device"},
        {"accept"},
        {"writable"},
        {"flush_pending"},
        {"max_connections"},
        {"max_connections_per_source"},
        {"keep_alive_time_sec"},
        {"keep_alive_interval_sec"},
        {"keep_alive_probes"},
        {"priority"},
        {"defer_accept_sec"},
        {"receive_buffer"},
        {"send_buffer"},
        {"ip_tos"},
        {"ip_ttl"},
        {"mark"},
        {"transparent"},
        {"broadcast"},
        {"pass_credentials"},
        {"pass_security"},
        {"pass_packet_info"},
        {"timestamping"},
        {"tcp_congestion"},
        {"exec_start_pre"},
        {"exec_start_post"},
        {"exec_stop_pre"},
        {"exec_stop_post"},
        {"timeout_sec"},
        {"symlinks"},
        {"smack_label"},
        {"smack_label_ip_in"},
        {"smack_label_ip_out"},
        {"selinux_context_from_net"},
        {"pipe_size"},
        {"message_queue_max_messages"},
        {"message_queue_message_size"},
        {"service"},
        {"trigger_limit_interval_sec"},
        {"trigger_limit_burst"},
};

static void strv_free(char **v);

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

static void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

static int strv_push(char ***v, const char *s)
{
        size_t n = 0;
        char **nv;

        while (*v && (*v)[n])
                n++;
        nv = reallocarray(*v, n + 2, sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[n] = strdup(s);
        nv[n + 1] = NULL;
        return nv[n] ? 0 : -ENOMEM;
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

static bool env_name_valid(const char *s, size_t n)
{
        if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

static int p_env_item(struct pctx *c, const struct ynode *v, void *field)
{
        const char *eq = strchr(v->value, '=');

        if (!eq || !env_name_valid(v->value, (size_t)(eq - v->value)))
                return fail(c, v, "'%s' takes VAR=value assignments, not '%s'", c->key, v->value);
        return strv_push(field, v->value);
}

static int p_environment(struct pctx *c, const struct ynode *v, void *field)
{
        return each_item(c, v, field, p_env_item);
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
        SVC_KEY("upstart_events", p_bool, upstart_events),
        SVC_KEY("environment", p_environment, environment),
};

static const struct later service_later[] = {
        {"type"},
        {"restart"},
        {"restart_sec"},
        {"timeout_start_sec"},
        {"timeout_stop_sec"},
        {"kill_mode"},
        {"kill_signal"},
        {"final_kill_signal"},
        {"send_sighup"},
        {"watchdog_sec"},
        {"notify_access"},
        {"file_descriptor_store_max"},
        {"success_exit_status"},
        {"restart_prevent_exit_status"},
        {"restart_force_exit_status"},
        {"start_limit_interval_sec"},
        {"start_limit_burst"},
        {"standard_error"},
        {"working_directory"},
};

#define NS_KEY(n, field)                                                                           \
        {                                                                                          \
                n, p_bool, offsetof(struct ns_config, field)                                       \
        }
static const struct key sandbox_keys[] = {
        NS_KEY("private_network", private_network), NS_KEY("private_mounts", private_mounts),
        NS_KEY("private_pid", private_pid),         NS_KEY("private_ipc", private_ipc),
        NS_KEY("private_tmp", private_tmp),         NS_KEY("private_users", private_users),
        NS_KEY("protect_hostname", private_uts),
};

static const struct later sandbox_later[] = {
        {"private_devices"},
        {"hostname"},
        {"protect_system"},
        {"protect_home"},
        {"protect_kernel_tunables"},
        {"protect_kernel_modules"},
        {"protect_kernel_logs"},
        {"protect_control_groups"},
        {"protect_proc"},
        {"read_only_paths"},
        {"read_write_paths"},
        {"inaccessible_paths"},
        {"bind_paths"},
        {"bind_read_only_paths"},
        {"temporary_file_system"},
        {"root_directory"},
        {"working_directory"},
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
        POL_KEY("restrict_namespaces", p_bool, restrict_namespaces),
        POL_KEY("lock_personality", p_bool, lock_personality),
        {"system_call_filter", p_filter, 0},
        POL_KEY("system_call_error_number", p_errno, system_call_error_number),
};

static const struct later policy_later[] = {
        {"supplementary_groups"},
        {"umask"},
        {"environment"},
        {"environment_file"},
        {"unset_environment"},
        {"pass_environment"},
        {"ambient_capabilities"},
        {"secure_bits"},
        {"system_call_architectures"},
        {"system_call_log"},
        {"memory_deny_write_execute"},
        {"restrict_realtime"},
        {"restrict_suid_sgid"},
        {"nice"},
        {"oom_score_adjust"},
        {"profile"},
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
        };
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
                        r = parse_map(c, v,
                                      &(struct section){"policy", policy_keys,
                                                        ELEMENTSOF(policy_keys), policy_later,
                                                        ELEMENTSOF(policy_later)},
                                      &s->pol);
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
        ns_config_init(&s->ns);
        return pol_config_init(&s->pol);
}

void spec_done(struct spec *s)
{
        for (size_t i = 0; i < s->n_sockets; i++) {
                listens_reset(&s->sockets[i]);
                free(s->sockets[i].name);
                free(s->sockets[i].fdname);
        }
        free(s->sockets);
        strv_free(s->service.exec);
        strv_free(s->service.environment);
        free(s->service.exec_path);
        pol_filter_free(s->filter);
        pol_config_done(&s->pol);
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

/* execve() does not search PATH: resolve the program now, so that a typo fails
 * before any socket exists. */
static int resolve_exec(struct pctx *c)
{
        struct spec_service *svc = &c->s->service;
        struct ynode mark = at(&svc->exec_mark);
        const char *name = svc->exec[0];
        char buf[4096];

        free(svc->exec_path);
        svc->exec_path = NULL;
        if (strchr(name, '/')) {
                if (access(name, X_OK) < 0)
                        return fail(c, &mark, "cannot execute '%s': %s", name, strerror(errno));
                svc->exec_path = strdup(name);
                return svc->exec_path ? 0 : -ENOMEM;
        }
        for (const char *p = SPEC_DEFAULT_PATH; *p;) {
                size_t len = strcspn(p, ":");

                snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name);
                if (access(buf, X_OK) == 0) {
                        svc->exec_path = strdup(buf);
                        return svc->exec_path ? 0 : -ENOMEM;
                }
                p += len + (p[len] == ':');
        }
        return fail(c, &mark, "'%s' not found in PATH (%s)", name, SPEC_DEFAULT_PATH);
}

static int check_inetd(struct pctx *c)
{
        struct spec *s = c->s;

        if (s->service.standard_output == SPEC_STDIO_SOCKET &&
            s->service.standard_input != SPEC_STDIO_SOCKET)
                return fail(c, NULL, "standard_output: socket needs standard_input: socket");
        if (s->service.standard_input == SPEC_STDIO_SOCKET && spec_n_fds(s) != 1)
                return fail(c, NULL,
                            "standard_input: socket needs exactly one listening socket, the "
                            "spec has %zu",
                            spec_n_fds(s));
        return 0;
}

static int compile_filter(struct pctx *c)
{
        struct spec *s = c->s;
        _cleanup_free_ char *word = NULL;
        size_t bad = 0;
        int r;

        pol_filter_free(s->filter);
        s->filter = NULL;
        r = pol_filter_build(&s->pol, &s->filter, &bad, &word);
        if (r >= 0)
                return 0;
        if (r == -EINVAL && s->filter_marks && bad < s->pol.n_system_call_filter)
                return fail(c,
                            &(struct ynode){.line = s->filter_marks[bad].line,
                                            .column = s->filter_marks[bad].column},
                            "unknown system call, group or errno '%s' in system_call_filter",
                            word ?: "?");
        if (r == -EINVAL && word)
                return fail(c, NULL, "unknown system call, group or errno '%s' in the policy",
                            word);
        return fail(c, NULL, "cannot build the seccomp filter: %s", strerror(-r));
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

static int check_sockets(struct pctx *c)
{
        struct spec *s = c->s;

        for (size_t i = 0; i < s->n_sockets; i++)
                if (s->sockets[i].n_listens == 0)
                        return fail_at(c, &s->sockets[i].mark,
                                       "this socket has no listen_stream, listen_datagram or "
                                       "listen_sequential_packet");
        if (s->n_sockets == 0 && s->service.start == SPEC_START_ON_DEMAND)
                return fail(c, NULL,
                            "no sockets, so nothing to wait for: add a socket, or set "
                            "service.start: immediate");
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
                r = check_inetd(&c);
        if (r >= 0)
                r = check_sockets(&c);
        if (r >= 0)
                r = check_ids(&c);
        if (r >= 0)
                r = compile_filter(&c);
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
