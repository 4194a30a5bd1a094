/* SPDX-License-Identifier: MIT */
/*
 * sockjail convert. A unit file is read with systemd's rules (sections,
 * Key=Value, "#" and ";" comments, backslash continuations), each assignment
 * is dispatched through the directive table below, and the result is written
 * as YAML with every value double-quoted, so that no YAML typing applies.
 */
#include "injector/convert.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/util.h"
#include "injector/value.h"

#define CONV_MAX_FILE_SIZE (1024 * 1024)
#define WHITESPACE " \t\n\r"
#define NOTE_VALUE_MAX 40 /* longer values are cut short in comments */

#define D(n, sec, tgt, k, st, f)                                                                   \
        {                                                                                          \
                .name = n, .section = sec, .target = tgt, .key = k, .status = st, .flags = f       \
        }
#define SOCK(n, k, f) D(n, "Socket", CONV_SOCKETS, k, CONV_KEY, f)
#define SVC(n, tgt, k, f) D(n, "Service", tgt, k, CONV_KEY, f)
#define SVC_LATER(n, tgt, k, f) D(n, "Service", tgt, k, CONV_LATER, f)
#define SVC_NONE(n, w)                                                                             \
        {                                                                                          \
                .name = n, .section = "Service", .target = CONV_SERVICE, .status = CONV_NONE,      \
                .why = w                                                                           \
        }

/* Keep in step with spec.c's *_keys and *_later tables: tests/unit/test_convert.c
 * parses a spec with each CONV_KEY key and expects each CONV_LATER one refused
 * as "not supported yet". */
static const struct conv_directive directives[] = {
        /* [Socket]: every directive of systemd.socket(5) */
        SOCK("ListenStream", "listen_stream", CONV_LIST),
        SOCK("ListenDatagram", "listen_datagram", CONV_LIST),
        SOCK("ListenSequentialPacket", "listen_sequential_packet", CONV_LIST),
        SOCK("ListenFIFO", "listen_fifo", CONV_LIST),
        SOCK("ListenSpecial", "listen_special", CONV_LIST),
        SOCK("ListenNetlink", "listen_netlink", CONV_LIST),
        SOCK("ListenMessageQueue", "listen_message_queue", CONV_LIST),
        {.name = "ListenUSBFunction",
         .section = "Socket",
         .target = CONV_SOCKETS,
         .key = "listen_usb_function",
         .status = CONV_NONE,
         .why = "sockjail refuses it: it needs a FunctionFS mount and USBFunctionDescriptors="},
        SOCK("SocketProtocol", "socket_protocol", 0),
        SOCK("BindIPv6Only", "bind_ipv6_only", 0),
        SOCK("Backlog", "backlog", 0),
        SOCK("BindToDevice", "bind_to_device", 0),
        SOCK("SocketUser", "socket_user", 0),
        SOCK("SocketGroup", "socket_group", 0),
        SOCK("SocketMode", "socket_mode", 0),
        SOCK("DirectoryMode", "directory_mode", 0),
        SOCK("Accept", "accept", 0),
        SOCK("Writable", "writable", 0),
        SOCK("FlushPending", "flush_pending", 0),
        SOCK("MaxConnections", "max_connections", 0),
        SOCK("MaxConnectionsPerSource", "max_connections_per_source", 0),
        SOCK("KeepAlive", "keep_alive", 0),
        SOCK("KeepAliveTimeSec", "keep_alive_time_sec", 0),
        SOCK("KeepAliveIntervalSec", "keep_alive_interval_sec", 0),
        SOCK("KeepAliveProbes", "keep_alive_probes", 0),
        SOCK("NoDelay", "no_delay", 0),
        SOCK("Priority", "priority", 0),
        SOCK("DeferAcceptSec", "defer_accept_sec", 0),
        SOCK("ReceiveBuffer", "receive_buffer", 0),
        SOCK("SendBuffer", "send_buffer", 0),
        SOCK("IPTOS", "ip_tos", 0),
        SOCK("IPTTL", "ip_ttl", 0),
        SOCK("Mark", "mark", 0),
        SOCK("ReusePort", "reuse_port", 0),
        SOCK("SmackLabel", "smack_label", 0),
        SOCK("SmackLabelIPIn", "smack_label_ip_in", 0),
        SOCK("SmackLabelIPOut", "smack_label_ip_out", 0),
        SOCK("SELinuxContextFromNet", "selinux_context_from_net", 0),
        SOCK("PipeSize", "pipe_size", 0),
        SOCK("MessageQueueMaxMessages", "message_queue_max_messages", 0),
        SOCK("MessageQueueMessageSize", "message_queue_message_size", 0),
        SOCK("FreeBind", "free_bind", 0),
        SOCK("Transparent", "transparent", 0),
        SOCK("Broadcast", "broadcast", 0),
        SOCK("PassCredentials", "pass_credentials", 0),
        SOCK("PassSecurity", "pass_security", 0),
        SOCK("PassPacketInfo", "pass_packet_info", 0),
        SOCK("Timestamping", "timestamping", 0),
        SOCK("TCPCongestion", "tcp_congestion", 0),
        SOCK("ExecStartPre", "exec_start_pre", CONV_LIST | CONV_COMMANDS),
        SOCK("ExecStartPost", "exec_start_post", CONV_LIST | CONV_COMMANDS),
        SOCK("ExecStopPre", "exec_stop_pre", CONV_LIST | CONV_COMMANDS),
        SOCK("ExecStopPost", "exec_stop_post", CONV_LIST | CONV_COMMANDS),
        SOCK("TimeoutSec", "timeout_sec", 0),
        {.name = "Service",
         .section = "Socket",
         .target = CONV_SOCKETS,
         .key = "service",
         .status = CONV_NONE,
         .why = "names the service unit, which the spec's service section is"},
        SOCK("RemoveOnStop", "remove_on_stop", 0),
        SOCK("Symlinks", "symlinks", CONV_LIST | CONV_WORDS),
        SOCK("FileDescriptorName", "file_descriptor_name", 0),
        SOCK("TriggerLimitIntervalSec", "trigger_limit_interval_sec", 0),
        SOCK("TriggerLimitBurst", "trigger_limit_burst", 0),

        /* [Service]: systemd.service(5), and systemd.exec(5) as far as the spec goes */
        SVC("ExecStart", CONV_SERVICE, "exec", CONV_EXEC),
        {.name = "StandardInput",
         .section = "Service",
         .target = CONV_SERVICE,
         .key = "standard_input",
         .status = CONV_KEY,
         .values = "null|socket"},
        {.name = "StandardOutput",
         .section = "Service",
         .target = CONV_SERVICE,
         .key = "standard_output",
         .status = CONV_KEY,
         .values = "inherit|null|socket|journal"},
        SVC("Environment", CONV_SERVICE, "environment", CONV_LIST | CONV_WORDS),
        {.name = "Type",
         .section = "Service",
         .target = CONV_SERVICE,
         .key = "type",
         .status = CONV_KEY,
         .values = "simple|exec|notify|forking|oneshot"},
        {.name = "Restart",
         .section = "Service",
         .target = CONV_SERVICE,
         .key = "restart",
         .status = CONV_KEY,
         .values = "no|on-success|on-failure|on-abnormal|on-watchdog|on-abort|always"},
        SVC("RestartSec", CONV_SERVICE, "restart_sec", 0),
        SVC("TimeoutStartSec", CONV_SERVICE, "timeout_start_sec", 0),
        SVC("TimeoutStopSec", CONV_SERVICE, "timeout_stop_sec", 0),
        {.name = "KillMode",
         .section = "Service",
         .target = CONV_SERVICE,
         .key = "kill_mode",
         .status = CONV_KEY,
         .values = "control-group|mixed|process|none"},
        SVC("KillSignal", CONV_SERVICE, "kill_signal", 0),
        SVC("FinalKillSignal", CONV_SERVICE, "final_kill_signal", 0),
        SVC("SendSIGHUP", CONV_SERVICE, "send_sighup", 0),
        SVC("WatchdogSec", CONV_SERVICE, "watchdog_sec", 0),
        {.name = "NotifyAccess",
         .section = "Service",
         .target = CONV_SERVICE,
         .key = "notify_access",
         .status = CONV_KEY,
         .values = "none|main|exec|all"},
        SVC("FileDescriptorStoreMax", CONV_SERVICE, "file_descriptor_store_max", 0),
        SVC("SuccessExitStatus", CONV_SERVICE, "success_exit_status", CONV_LIST),
        SVC("RestartPreventExitStatus", CONV_SERVICE, "restart_prevent_exit_status", CONV_LIST),
        SVC("RestartForceExitStatus", CONV_SERVICE, "restart_force_exit_status", CONV_LIST),
        SVC("StartLimitIntervalSec", CONV_SERVICE, "start_limit_interval_sec", 0),
        SVC("StartLimitBurst", CONV_SERVICE, "start_limit_burst", 0),
        SVC_LATER("StandardError", CONV_SERVICE, "standard_error", 0),
        SVC_NONE("ExecStartPre", "sockjail runs only ExecStart="),
        SVC_NONE("ExecStartPost", "sockjail runs only ExecStart="),
        SVC_NONE("ExecCondition", "sockjail runs only ExecStart="),
        SVC_NONE("ExecReload", "sockjail has no reload; send the service a signal instead"),
        SVC_NONE("ExecStop", "sockjail stops the service with SIGTERM"),
        SVC_NONE("ExecStopPost", "sockjail runs only ExecStart="),
        SVC_NONE("RemainAfterExit", "sockjail ends when the service does"),
        SVC_NONE("PIDFile", "sockjail knows its service's pid"),
        SVC_NONE("Sockets", "the spec's sockets section says which sockets the service gets"),

        SVC("PrivateNetwork", CONV_SANDBOX, "private_network", 0),
        SVC("PrivateMounts", CONV_SANDBOX, "private_mounts", 0),
        SVC("PrivateIPC", CONV_SANDBOX, "private_ipc", 0),
        SVC("PrivateTmp", CONV_SANDBOX, "private_tmp", 0),
        SVC("PrivateUsers", CONV_SANDBOX, "private_users", 0),
        SVC("ProtectHostname", CONV_SANDBOX, "protect_hostname", 0),
        SVC("PrivateDevices", CONV_SANDBOX, "private_devices", 0),
        SVC("ProtectSystem", CONV_SANDBOX, "protect_system", 0),
        SVC("ProtectHome", CONV_SANDBOX, "protect_home", 0),
        SVC("ProtectProc", CONV_SANDBOX, "protect_proc", 0),
        SVC("ProtectKernelTunables", CONV_SANDBOX, "protect_kernel_tunables", 0),
        SVC("ProtectKernelModules", CONV_SANDBOX, "protect_kernel_modules", 0),
        SVC("ProtectKernelLogs", CONV_SANDBOX, "protect_kernel_logs", 0),
        SVC("ProtectControlGroups", CONV_SANDBOX, "protect_control_groups", 0),
        SVC("ReadOnlyPaths", CONV_SANDBOX, "read_only_paths", CONV_LIST | CONV_WORDS),
        SVC("ReadWritePaths", CONV_SANDBOX, "read_write_paths", CONV_LIST | CONV_WORDS),
        SVC("InaccessiblePaths", CONV_SANDBOX, "inaccessible_paths", CONV_LIST | CONV_WORDS),
        SVC("BindPaths", CONV_SANDBOX, "bind_paths", CONV_LIST | CONV_WORDS),
        SVC("BindReadOnlyPaths", CONV_SANDBOX, "bind_read_only_paths", CONV_LIST | CONV_WORDS),
        SVC("TemporaryFileSystem", CONV_SANDBOX, "temporary_file_system", CONV_LIST | CONV_WORDS),
        SVC("RootDirectory", CONV_SANDBOX, "root_directory", 0),
        SVC("WorkingDirectory", CONV_SANDBOX, "working_directory", 0),
        SVC_LATER("ExecPaths", CONV_SANDBOX, "exec_paths", CONV_LIST | CONV_WORDS),
        SVC_LATER("NoExecPaths", CONV_SANDBOX, "no_exec_paths", CONV_LIST | CONV_WORDS),
        SVC_LATER("ProcSubset", CONV_SANDBOX, "proc_subset", 0),
        SVC_LATER("MountAPIVFS", CONV_SANDBOX, "mount_api_vfs", 0),
        SVC_LATER("MountFlags", CONV_SANDBOX, "mount_flags", 0),
        SVC_LATER("RootImage", CONV_SANDBOX, "root_image", 0),
        SVC_LATER("NetworkNamespacePath", CONV_SANDBOX, "network_namespace_path", 0),
        SVC_LATER("IPCNamespacePath", CONV_SANDBOX, "ipc_namespace_path", 0),

        SVC("User", CONV_POLICY, "user", 0),
        SVC("Group", CONV_POLICY, "group", 0),
        SVC("NoNewPrivileges", CONV_POLICY, "no_new_privileges", 0),
        SVC("CapabilityBoundingSet", CONV_POLICY, "capability_bounding_set",
            CONV_LIST | CONV_EMPTY_LIST),
        SVC("RestrictAddressFamilies", CONV_POLICY, "restrict_address_families",
            CONV_LIST | CONV_EMPTY_NULL),
        SVC("RestrictNamespaces", CONV_POLICY, "restrict_namespaces", 0),
        SVC("LockPersonality", CONV_POLICY, "lock_personality", 0),
        SVC("SystemCallFilter", CONV_POLICY, "system_call_filter", CONV_LIST | CONV_EMPTY_LIST),
        SVC("SystemCallErrorNumber", CONV_POLICY, "system_call_error_number", 0),
        SVC("SupplementaryGroups", CONV_POLICY, "supplementary_groups", CONV_LIST | CONV_WORDS),
        SVC("UMask", CONV_POLICY, "umask", 0),
        SVC("EnvironmentFile", CONV_POLICY, "environment_file", CONV_LIST),
        SVC("UnsetEnvironment", CONV_POLICY, "unset_environment", CONV_LIST | CONV_WORDS),
        SVC("PassEnvironment", CONV_POLICY, "pass_environment", CONV_LIST | CONV_WORDS),
        SVC("AmbientCapabilities", CONV_POLICY, "ambient_capabilities",
            CONV_LIST | CONV_EMPTY_LIST),
        SVC("SecureBits", CONV_POLICY, "secure_bits", CONV_LIST | CONV_EMPTY_LIST),
        SVC("SystemCallArchitectures", CONV_POLICY, "system_call_architectures", CONV_LIST),
        SVC("SystemCallLog", CONV_POLICY, "system_call_log", CONV_LIST | CONV_EMPTY_LIST),
        SVC("MemoryDenyWriteExecute", CONV_POLICY, "memory_deny_write_execute", 0),
        SVC("RestrictRealtime", CONV_POLICY, "restrict_realtime", 0),
        SVC("RestrictSUIDSGID", CONV_POLICY, "restrict_suid_sgid", 0),
        SVC("LimitCPU", CONV_POLICY, "limit_cpu", 0),
        SVC("LimitFSIZE", CONV_POLICY, "limit_fsize", 0),
        SVC("LimitDATA", CONV_POLICY, "limit_data", 0),
        SVC("LimitSTACK", CONV_POLICY, "limit_stack", 0),
        SVC("LimitCORE", CONV_POLICY, "limit_core", 0),
        SVC("LimitRSS", CONV_POLICY, "limit_rss", 0),
        SVC("LimitNOFILE", CONV_POLICY, "limit_nofile", 0),
        SVC("LimitAS", CONV_POLICY, "limit_as", 0),
        SVC("LimitNPROC", CONV_POLICY, "limit_nproc", 0),
        SVC("LimitMEMLOCK", CONV_POLICY, "limit_memlock", 0),
        SVC("LimitLOCKS", CONV_POLICY, "limit_locks", 0),
        SVC("LimitSIGPENDING", CONV_POLICY, "limit_sigpending", 0),
        SVC("LimitMSGQUEUE", CONV_POLICY, "limit_msgqueue", 0),
        SVC("LimitNICE", CONV_POLICY, "limit_nice", 0),
        SVC("LimitRTPRIO", CONV_POLICY, "limit_rtprio", 0),
        SVC("LimitRTTIME", CONV_POLICY, "limit_rttime", 0),
        SVC("Nice", CONV_POLICY, "nice", 0),
        SVC("OOMScoreAdjust", CONV_POLICY, "oom_score_adjust", 0),
        SVC_LATER("DynamicUser", CONV_POLICY, "dynamic_user", 0),
};

const struct conv_directive *conv_directives(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(directives);
        return directives;
}

static const struct conv_directive *directive_find(const char *section, const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(directives); i++)
                if (streq(directives[i].section, section) && streq(directives[i].name, name))
                        return &directives[i];
        return NULL;
}

static const struct conv_directive *directive_by_key(const char *key)
{
        for (size_t i = 0; i < ELEMENTSOF(directives); i++)
                if (directives[i].key && streq(directives[i].key, key))
                        return &directives[i];
        return NULL;
}

/* ---- a growing string; the first failed allocation sticks, checked at the end ---- */

struct buf {
        char *p;
        size_t n, size;
        bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
        if (b->oom)
                return;
        if (b->n + n + 1 > b->size) {
                size_t size = (b->n + n + 1) * 2;
                char *p = realloc(b->p, size);

                if (!p) {
                        b->oom = true;
                        return;
                }
                b->p = p;
                b->size = size;
        }
        memcpy(b->p + b->n, s, n);
        b->n += n;
        b->p[b->n] = '\0';
}

static void buf_addc(struct buf *b, char c)
{
        buf_add(b, &c, 1);
}

static void buf_adds(struct buf *b, const char *s)
{
        buf_add(b, s, strlen(s));
}

/* The string built, "" when nothing was added, NULL after a failed allocation. */
static char *buf_take(struct buf *b)
{
        if (b->oom) {
                free(b->p);
                *b = (struct buf){0};
                return NULL;
        }
        if (!b->p)
                return strdup("");
        b->n = b->size = 0;
        return TAKE_PTR(b->p);
}

/* Append s (owned, freed on failure) to the NULL-terminated *v of *n strings. */
static int strv_add(char ***v, size_t *n, char *s)
{
        char **nv;

        if (!s)
                return -ENOMEM;
        nv = reallocarray(*v, *n + 2, sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[(*n)++] = s;
        nv[*n] = NULL;
        *v = nv;
        return 0;
}

static void strv_clear(char ***v, size_t *n)
{
        for (size_t i = 0; i < *n; i++)
                free((*v)[i]);
        free(*v);
        *v = NULL;
        *n = 0;
}

static char *strip(char *s)
{
        size_t n;

        s += strspn(s, WHITESPACE);
        n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* ---- unit files ---- */

struct entry {
        char *section;       /* NULL outside any valid section */
        char *key;           /* NULL when the line is not an assignment */
        char *value;         /* the value, or the whole line when key is NULL */
        const char *problem; /* why a line that is not an assignment is ignored */
        unsigned line;
};

struct unit {
        const char *name;         /* file name, %n: "echo@a.socket" */
        char *stem;               /* %N: "echo@a" */
        char *prefix;             /* %p: "echo" */
        char *instance;           /* %i: "a"; "" when there is none */
        char *instance_unescaped; /* %I */
        struct entry *entries;
        size_t n_entries;
};

struct reader {
        struct unit *u;
        char *section;
        struct buf line; /* the logical line, continuations joined */
        bool continued;
        unsigned first; /* its first physical line */
};

static int entry_add(struct reader *rd, const char *key, const char *value, const char *problem)
{
        struct entry *e = reallocarray(rd->u->entries, rd->u->n_entries + 1, sizeof(*e));

        if (!e)
                return -ENOMEM;
        rd->u->entries = e;
        e = &e[rd->u->n_entries++];
        *e = (struct entry){.problem = problem, .line = rd->first};
        e->section = rd->section ? strdup(rd->section) : NULL;
        e->key = key ? strdup(key) : NULL;
        e->value = strdup(value);
        if ((rd->section && !e->section) || (key && !e->key) || !e->value)
                return -ENOMEM;
        return 0;
}

static int section_line(struct reader *rd, char *l)
{
        size_t n = strlen(l);

        free(rd->section);
        rd->section = NULL;
        if (n < 3 || l[n - 1] != ']' || memchr(l + 1, '[', n - 2) || memchr(l + 1, ']', n - 2))
                return entry_add(rd, NULL, l, "not a valid [Section] header");
        rd->section = strndup(l + 1, n - 2);
        return rd->section ? 0 : -ENOMEM;
}

/* One logical line, as systemd's config parser reads it. */
static int logical_line(struct reader *rd, char *l)
{
        char *eq;

        l = strip(l);
        if (!*l || *l == '#' || *l == ';')
                return 0;
        if (*l == '[')
                return section_line(rd, l);
        eq = strchr(l, '=');
        if (!eq)
                return entry_add(rd, NULL, l, "not a Key=Value line");
        if (!rd->section)
                return entry_add(rd, NULL, l, "an assignment outside any valid [Section]");
        *eq = '\0';
        return entry_add(rd, strip(l), strip(eq + 1), NULL);
}

/* A backslash that is not itself escaped at the end of the line continues it. */
static bool ends_escaped(const char *s, size_t n)
{
        bool escaped = false;

        for (size_t i = 0; i < n; i++)
                escaped = !escaped && s[i] == '\\';
        return escaped;
}

static int physical_line(struct reader *rd, const char *s, size_t n, unsigned line)
{
        int r;

        if (n > 0 && s[n - 1] == '\r')
                n--;
        if (rd->continued) {
                size_t ws = 0;

                /* systemd skips comment and blank lines inside a continuation */
                while (ws < n && strchr(WHITESPACE, s[ws]))
                        ws++;
                if (ws == n || s[ws] == '#' || s[ws] == ';')
                        return 0;
        } else {
                rd->first = line;
        }
        buf_add(&rd->line, s, n);
        rd->continued = ends_escaped(s, n);
        if (rd->line.oom)
                return -ENOMEM;
        if (rd->continued) {
                rd->line.p[rd->line.n - 1] = ' ';
                return 0;
        }
        r = logical_line(rd, rd->line.p ?: (char[]){""});
        rd->line.n = 0;
        if (rd->line.p)
                rd->line.p[0] = '\0';
        return r;
}

static int unit_read(struct unit *u, const struct conv_file *f)
{
        struct reader rd = {.u = u};
        const char *p = f->text, *end = f->text + f->len;
        unsigned line = 0;
        int r = 0;

        while (r >= 0 && p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = (size_t)((nl ? nl : end) - p);

                r = physical_line(&rd, p, n, ++line);
                p += n + (nl != NULL);
        }
        if (r >= 0 && rd.continued) /* a continuation at the end of the file */
                r = logical_line(&rd, rd.line.p);
        free(rd.section);
        free(rd.line.p);
        return r;
}

/* systemd's unit name unescaping, for %I: "-" is "/", "\xNN" a byte. */
static char *unescape_name(const char *s)
{
        struct buf b = {0};

        for (; *s; s++) {
                if (*s == '-') {
                        buf_addc(&b, '/');
                } else if (s[0] == '\\' && s[1] == 'x' && isxdigit((unsigned char)s[2]) &&
                           isxdigit((unsigned char)s[3])) {
                        char hex[3] = {s[2], s[3], 0};

                        buf_addc(&b, (char)strtol(hex, NULL, 16));
                        s += 3;
                } else {
                        buf_addc(&b, *s);
                }
        }
        return buf_take(&b);
}

/* The parts of the unit's name the specifiers take: "foo@bar.socket". */
static int unit_names(struct unit *u, const char *name)
{
        const char *dot = strrchr(name, '.'), *at;

        u->name = name;
        u->stem = strndup(name, dot ? (size_t)(dot - name) : strlen(name));
        if (!u->stem)
                return -ENOMEM;
        at = strchr(u->stem, '@');
        u->prefix = strndup(u->stem, at ? (size_t)(at - u->stem) : strlen(u->stem));
        u->instance = strdup(at ? at + 1 : "");
        u->instance_unescaped = u->instance ? unescape_name(u->instance) : NULL;
        return u->prefix && u->instance && u->instance_unescaped ? 0 : -ENOMEM;
}

static void unit_free(struct unit *u)
{
        for (size_t i = 0; i < u->n_entries; i++) {
                free(u->entries[i].section);
                free(u->entries[i].key);
                free(u->entries[i].value);
        }
        free(u->entries);
        free(u->stem);
        free(u->prefix);
        free(u->instance);
        free(u->instance_unescaped);
        *u = (struct unit){0};
}

static int unit_parse(struct unit *u, const struct conv_file *f)
{
        int r = unit_names(u, f->name);

        if (r >= 0)
                r = unit_read(u, f);
        if (r < 0)
                unit_free(u);
        return r;
}

/* ---- specifiers (systemd.unit(5)) ---- */

/* What specifier c stands for in a one-off conversion; NULL when only systemd
 * knows it, when it runs the unit (%h, %u, %H, ...). System manager paths. */
static const char *specifier(const struct unit *u, char c)
{
        switch (c) {
        case 'n':
                return u->name;
        case 'N':
                return u->stem;
        case 'p':
                return u->prefix;
        case 'i':
                return u->instance[0] ? u->instance : NULL;
        case 'I':
                return u->instance[0] ? u->instance_unescaped : NULL;
        case 't':
                return "/run";
        case 'S':
                return "/var/lib";
        case 'C':
                return "/var/cache";
        case 'L':
                return "/var/log";
        case '%':
                return "%";
        default:
                return NULL;
        }
}

/* Expand the specifiers of s; those left as written are added to kept ("%h %u"). */
static char *expand(const struct unit *u, const char *s, struct buf *kept)
{
        struct buf b = {0};

        for (; *s; s++) {
                const char *v = *s == '%' ? specifier(u, s[1]) : NULL;

                if (*s != '%') {
                        buf_addc(&b, *s);
                } else if (v) {
                        buf_adds(&b, v);
                        s++;
                } else {
                        buf_add(kept, kept->n ? " %" : "%", kept->n ? 2 : 1);
                        buf_add(kept, s + 1, s[1] ? 1 : 0);
                        buf_add(&b, s, s[1] ? 2 : 1);
                        s += s[1] ? 1 : 0;
                }
        }
        return buf_take(&b);
}

/* ---- quoting (systemd.syntax(7)) ---- */

static int hex_digits(const char *s, int n, uint32_t *ret)
{
        uint32_t v = 0;

        for (int i = 0; i < n; i++) {
                if (!isxdigit((unsigned char)s[i]))
                        return -EINVAL;
                v = v * 16 + (uint32_t)(isdigit((unsigned char)s[i])
                                                ? s[i] - '0'
                                                : tolower((unsigned char)s[i]) - 'a' + 10);
        }
        *ret = v;
        return 0;
}

static int put_utf8(struct buf *b, uint32_t u)
{
        char out[4];
        int n;

        if (u == 0 || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
                return -EINVAL;
        if (u < 0x80) {
                out[0] = (char)u;
                n = 1;
        } else if (u < 0x800) {
                out[0] = (char)(0xc0 | (u >> 6));
                n = 2;
        } else if (u < 0x10000) {
                out[0] = (char)(0xe0 | (u >> 12));
                n = 3;
        } else {
                out[0] = (char)(0xf0 | (u >> 18));
                n = 4;
        }
        for (int i = 1; i < n; i++)
                out[i] = (char)(0x80 | ((u >> (6 * (n - 1 - i))) & 0x3f));
        buf_add(b, out, (size_t)n);
        return 0;
}

/* The escape after a backslash at s (systemd's cunescape_one): the number of
 * characters it takes, or -EINVAL for one systemd does not know. */
static int unescape_one(const char *s, struct buf *b)
{
        static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''s ";
        uint32_t v = 0;

        for (size_t i = 0; *s && i + 1 < sizeof(simple); i += 2)
                if (*s == simple[i]) {
                        buf_addc(b, simple[i + 1]);
                        return 1;
                }
        if (*s == 'x' && hex_digits(s + 1, 2, &v) == 0 && v != 0) {
                buf_addc(b, (char)v);
                return 3;
        }
        if ((*s == 'u' && hex_digits(s + 1, 4, &v) == 0) ||
            (*s == 'U' && hex_digits(s + 1, 8, &v) == 0))
                return put_utf8(b, v) < 0 ? -EINVAL : (*s == 'u' ? 5 : 9);
        if (s[0] >= '0' && s[0] <= '7' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
            s[2] <= '7') {
                v = (uint32_t)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
                if (v == 0 || v > 255)
                        return -EINVAL;
                buf_addc(b, (char)v);
                return 3;
        }
        return -EINVAL;
}

/* One word, unquoted and unescaped as systemd's extract_first_word() does for
 * command lines: 1 with *ret set, 0 at the end, -EINVAL for an unbalanced
 * quote. An unknown escape stays as written, as systemd keeps it (with a
 * warning): *odd is set then. */
static int next_word(const char **p, char **ret, bool *odd)
{
        const char *s = *p + strspn(*p, WHITESPACE);
        struct buf b = {0};
        char quote = 0;

        if (!*s)
                return 0;
        for (; *s && (quote || !strchr(WHITESPACE, *s)); s++) {
                int n = *s == '\\' && s[1] ? unescape_one(s + 1, &b) : 0;

                if (*s == '\\' && n > 0) {
                        s += n;
                } else if (*s == '\\') { /* unknown or trailing: kept, with what follows */
                        buf_add(&b, s, s[1] ? 2 : 1);
                        s += s[1] ? 1 : 0;
                        *odd = true;
                } else if (quote && *s == quote) {
                        quote = 0;
                } else if (!quote && (*s == '"' || *s == '\'')) {
                        quote = *s;
                } else {
                        buf_addc(&b, *s);
                }
        }
        *p = s;
        *ret = buf_take(&b);
        if (quote)
                free(TAKE_PTR(*ret));
        return quote ? -EINVAL : *ret ? 1 : -ENOMEM;
}

/* ---- the spec being built ---- */

enum slot { SLOT_TOP, SLOT_SOCKETS, SLOT_SERVICE, SLOT_SANDBOX, SLOT_POLICY, N_SLOTS };

struct item {
        const struct conv_directive *d; /* NULL: a comment */
        char *comment;
        bool raw;     /* a comment without the "convert: " mark */
        char **v;     /* the values, NULL-terminated */
        size_t n;     /* 0: not set, or a list cleared */
        bool cleared; /* a list emptied by an empty assignment */
};

struct conv {
        struct item *items[N_SLOTS];
        size_t n_items[N_SLOTS];
        const struct unit *u;    /* the unit being read */
        const struct entry *e;   /* the entry being read, for comments */
        size_t n_commands;       /* ExecStart= command lines so far */
        const char *last_listen; /* the listen_* key of the last address */
};

static enum slot slot_of(enum conv_target t)
{
        return (enum slot)(t + 1);
}

static struct item *item_new(struct conv *c, enum slot s)
{
        struct item *it = reallocarray(c->items[s], c->n_items[s] + 1, sizeof(*it));

        if (!it)
                return NULL;
        c->items[s] = it;
        it = &it[c->n_items[s]++];
        *it = (struct item){0};
        return it;
}

/* The item of d's key, made at the first assignment so the output keeps that
 * order. The pointer lasts until the next item is added (note() adds one). */
static struct item *item_get(struct conv *c, const struct conv_directive *d)
{
        enum slot s = slot_of(d->target);
        struct item *it;

        for (size_t i = 0; i < c->n_items[s]; i++)
                if (c->items[s][i].d && streq(c->items[s][i].d->key, d->key))
                        return &c->items[s][i];
        it = item_new(c, s);
        if (it)
                it->d = d;
        return it;
}

/* The code point of the UTF-8 sequence at s, its length in *len; -1 (and
 * *len 1) when s does not start a valid, shortest-form sequence. */
static int32_t utf8_decode(const char *s, int *len)
{
        const unsigned char *u = (const unsigned char *)s;
        int n = u[0] < 0x80   ? 1
                : u[0] < 0xc2 ? 0
                : u[0] < 0xe0 ? 2
                : u[0] < 0xf0 ? 3
                : u[0] < 0xf5 ? 4
                              : 0;
        int32_t cp = n == 1 ? u[0] : u[0] & (0x7f >> n);

        *len = 1;
        if (n == 0)
                return -1;
        for (int i = 1; i < n; i++) { /* stops at a NUL, which is no continuation byte */
                if ((u[i] & 0xc0) != 0x80)
                        return -1;
                cp = (cp << 6) | (u[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return -1;
        *len = n;
        return cp;
}

/* A character YAML takes as it is inside a line: its printable set less the
 * line breaks (NEL, LS, PS) and the byte order mark. */
static bool yaml_char(int32_t cp)
{
        return cp == '\t' || (cp >= 0x20 && cp <= 0x7e) ||
               (cp >= 0xa0 && cp <= 0xfffd && cp != 0x2028 && cp != 0x2029 && cp != 0xfeff &&
                !(cp >= 0xd800 && cp <= 0xdfff)) ||
               (cp >= 0x10000 && cp <= 0x10ffff);
}

static bool utf8_valid(const char *s)
{
        int n;

        for (; *s; s += n)
                if (utf8_decode(s, &n) < 0)
                        return false;
        return true;
}

/* Text for a comment: what YAML cannot hold in one becomes '?'; when max is
 * not 0, cut short after at most max bytes, at a character boundary. */
static void note_text(struct buf *b, const char *v, size_t max)
{
        size_t used = 0;
        int n;

        for (; *v; v += n) {
                int32_t cp = utf8_decode(v, &n);

                if (max && used + (size_t)n > max) {
                        buf_adds(b, "...");
                        return;
                }
                if (cp >= 0 && yaml_char(cp))
                        buf_add(b, v, (size_t)n);
                else
                        buf_addc(b, '?');
                used += (size_t)n;
        }
}

/* Add a "# convert: FILE:LINE: Key=Value: message" comment to slot s. */
_printf_(3, 4) static int note(struct conv *c, enum slot s, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        struct buf b = {0};
        struct item *it;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (c->e) {
                char pos[32];

                snprintf(pos, sizeof(pos), ":%u: ", c->e->line);
                note_text(&b, c->u->name, 0);
                buf_adds(&b, pos);
                note_text(&b, c->e->key ?: "", 0);
                buf_adds(&b, c->e->key ? "=" : "'");
                note_text(&b, c->e->value, NOTE_VALUE_MAX);
                buf_adds(&b, c->e->key ? ": " : "': ");
        }
        note_text(&b, msg, 0);
        it = item_new(c, s);
        if (!it) {
                free(b.p);
                return -ENOMEM;
        }
        it->comment = buf_take(&b);
        return it->comment ? 0 : -ENOMEM;
}

static int note_raw(struct conv *c, enum slot s, const char *text)
{
        struct item *it = item_new(c, s);

        if (!it)
                return -ENOMEM;
        it->raw = true;
        it->comment = strdup(text);
        return it->comment ? 0 : -ENOMEM;
}

/* ---- ExecStart= ---- */

struct command {
        char **argv;
        size_t argc;
        char prefixes[8]; /* "-@:+!" as written, in order */
        bool odd_escape;
        bool last; /* no ";" followed */
};

static void command_free(struct command *cmd)
{
        strv_clear(&cmd->argv, &cmd->argc);
}

/* The next command line of an ExecStart= value: 1, or 0 when there is none. */
static int command_next(const char **p, struct command *cmd)
{
        *cmd = (struct command){.last = true};
        for (;;) {
                const char *s = *p + strspn(*p, WHITESPACE);
                char *w = NULL;
                int r;

                *p = s;
                if (s[0] == ';' && (!s[1] || strchr(WHITESPACE, s[1]))) {
                        *p = s + 1;
                        cmd->last = false;
                        return 1;
                }
                if (s[0] == '\\' && s[1] == ';' && (!s[2] || strchr(WHITESPACE, s[2]))) {
                        *p = s + 2;
                        w = strdup(";");
                } else if ((r = next_word(p, &w, &cmd->odd_escape)) <= 0) {
                        return r < 0 ? r : cmd->argc > 0;
                }
                r = strv_add(&cmd->argv, &cmd->argc, w);
                if (r < 0)
                        return r;
        }
}

/* Take the prefixes off the program: each of "-@:" once, and "+" or "!" or "!!". */
static void command_prefixes(struct command *cmd)
{
        char *f = cmd->argv[0], *pre = cmd->prefixes;
        size_t n = 0;

        for (; *f; f++) {
                bool ok;

                if (*f == '!')
                        ok = !strchr(pre, '+') && !strstr(pre, "!!");
                else if (*f == '+')
                        ok = !strchr(pre, '+') && !strchr(pre, '!');
                else
                        ok = strchr("-@:", *f) && !strchr(pre, *f);
                if (!ok)
                        break;
                pre[n++] = *f;
        }
        memmove(cmd->argv[0], f, strlen(f) + 1);
}

/* "$$" is a "$"; "${VAR}" and a lone "$VAR" word are systemd's substitution,
 * which sockjail does not do: true when the argument has one. */
static bool dollars(char *arg)
{
        bool var = arg[0] == '$' && (isalpha((unsigned char)arg[1]) || arg[1] == '_');
        char *o = arg;

        for (const char *p = arg + 1; var && *p; p++)
                var = isalnum((unsigned char)*p) || *p == '_';

        for (char *s = arg; *s; s++) {
                if (s[0] == '$' && s[1] == '$')
                        s++;
                else if (s[0] == '$' && s[1] == '{')
                        var = true;
                *o++ = *s;
        }
        *o = '\0';
        return var;
}

/* What systemd does to the arguments that a spec does not: notes in slot s. */
static int arg_notes(struct conv *c, enum slot s, struct command *cmd)
{
        int r = 0;

        if (cmd->odd_escape)
                r = note(c, s, "unknown escape sequences kept as written, as systemd keeps them");
        for (size_t i = 1; r >= 0 && i < cmd->argc; i++)
                if (!strchr(cmd->prefixes, ':') && dollars(cmd->argv[i]))
                        r = note(c, s,
                                 "sockjail does not substitute variables: '%s' kept as written",
                                 cmd->argv[i]);
        return r;
}

/* service.exec is an argv: the prefixes have no place there. */
static int exec_notes(struct conv *c, struct command *cmd)
{
        static const struct {
                char prefix;
                const char *what;
        } unsupported[] = {
                {'-', "the '-' prefix (a failure counts as success) is not supported: sockjail "
                      "exits with the service's status"},
                {'+', "the '+' prefix (full privileges) is not supported: the command runs "
                      "sandboxed"},
                {'!', "the '!' prefix is not supported: sockjail switches to policy.user itself"},
        };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(unsupported); i++)
                if (strchr(cmd->prefixes, unsupported[i].prefix))
                        r = note(c, SLOT_SERVICE, "%s", unsupported[i].what);
        return r < 0 ? r : arg_notes(c, SLOT_SERVICE, cmd);
}

/* The first command line becomes exec; '@' drops the argv[0] systemd would pass. */
static int exec_take(struct conv *c, const struct conv_directive *d, struct command *cmd)
{
        struct item *it;
        int r = 0;

        if (strchr(cmd->prefixes, '@') && cmd->argc >= 2) {
                r = note(c, SLOT_SERVICE,
                         "the '@' prefix is not supported: the program gets its own path as "
                         "argv[0], not '%s'",
                         cmd->argv[1]);
                free(cmd->argv[1]);
                memmove(cmd->argv + 1, cmd->argv + 2, (cmd->argc - 1) * sizeof(char *));
                cmd->argc--;
        }
        if (r >= 0)
                r = exec_notes(c, cmd);
        it = r < 0 ? NULL : item_get(c, d);
        if (!it)
                return -ENOMEM;
        strv_clear(&it->v, &it->n);
        it->v = TAKE_PTR(cmd->argv);
        it->n = cmd->argc;
        cmd->argc = 0;
        return 0;
}

/* A word for spec.c's command lines, which split at blanks and take '...' and
 * "..." anywhere in a word but no escapes: quoted so it splits back as it is. */
static void put_word(struct buf *b, const char *w)
{
        if (*w && !strpbrk(w, " \t\n'\"")) {
                buf_adds(b, w);
                return;
        }
        buf_addc(b, '"');
        for (; *w; w++)
                if (*w == '"')
                        buf_adds(b, "\"'\"'\""); /* close, '"', open again */
                else
                        buf_addc(b, *w);
        buf_addc(b, '"');
}

/* A socket's command line, for exec_start_pre and friends: they take the
 * prefixes as systemd does, so those stay. */
static int hook_line(struct conv *c, const struct conv_directive *d, struct command *cmd)
{
        struct buf b = {0};
        struct item *it;
        char *line;
        int r = arg_notes(c, SLOT_SOCKETS, cmd);

        buf_adds(&b, cmd->prefixes);
        for (size_t i = 0; i < cmd->argc; i++) {
                if (i > 0)
                        buf_addc(&b, ' ');
                put_word(&b, cmd->argv[i]);
        }
        line = buf_take(&b);
        it = r < 0 || !line ? NULL : item_get(c, d);
        if (!it) {
                free(line);
                return -ENOMEM;
        }
        return strv_add(&it->v, &it->n, line);
}

static int commands_clear(struct conv *c, const struct conv_directive *d)
{
        struct item *it = item_get(c, d);

        if (!it)
                return -ENOMEM;
        strv_clear(&it->v, &it->n);
        it->cleared = true;
        if (d->flags & CONV_EXEC)
                c->n_commands = 0;
        return 0;
}

/* One command line of ExecStart= (only the first one counts) or of a hook. */
static int command_take(struct conv *c, const struct conv_directive *d, struct command *cmd)
{
        enum slot s = slot_of(d->target);

        if (cmd->argc == 0) /* "a ; ; b": systemd refuses the empty one */
                return note(c, s, "an empty command line: left out");
        command_prefixes(cmd);
        if (!cmd->argv[0][0])
                return note(c, s, "no program after the prefix: left out");
        if (strchr(cmd->prefixes, '@') && cmd->argc < 2) /* systemd refuses it too */
                return note(c, s, "'@' needs the program and then argv[0]: left out");
        if (!(d->flags & CONV_EXEC))
                return hook_line(c, d, cmd);
        if (c->n_commands++ == 0)
                return exec_take(c, d, cmd);
        return note(c, s, "sockjail runs one command: command line %zu left out", c->n_commands);
}

static int carry_commands(struct conv *c, const struct conv_directive *d, const char *v)
{
        struct command cmd;
        int r;

        if (!*v) /* an empty value: the commands so far are gone */
                return commands_clear(c, d);
        while ((r = command_next(&v, &cmd)) > 0) {
                r = command_take(c, d, &cmd);
                command_free(&cmd);
                if (r < 0 || cmd.last)
                        return r;
        }
        command_free(&cmd);
        if (r == -EINVAL)
                return note(c, slot_of(d->target),
                            "unbalanced quoting: systemd ignores this "
                            "line, and so does the spec");
        return r;
}

/* ---- one assignment ---- */

static bool is_listen(const char *key)
{
        return startswith(key, "listen_");
}

/* An empty Listen*= clears the addresses of every Listen* directive (systemd.socket(5)). */
static void listen_clear(struct conv *c)
{
        for (size_t i = 0; i < c->n_items[SLOT_SOCKETS]; i++) {
                struct item *it = &c->items[SLOT_SOCKETS][i];

                if (it->d && is_listen(it->d->key)) {
                        strv_clear(&it->v, &it->n);
                        it->cleared = true;
                }
        }
        c->last_listen = NULL;
}

/* systemd passes the fds in the order of the unit; a spec passes them key by
 * key, so an address after one of another listen_* key moves ahead of it. */
static int listen_order(struct conv *c, const struct conv_directive *d)
{
        const char *last = c->last_listen;
        struct item *it = item_get(c, d);

        if (!it)
                return -ENOMEM;
        c->last_listen = d->key;
        if (!last || streq(last, d->key) || it->n == 0)
                return 0;
        return note(c, SLOT_SOCKETS,
                    "the spec passes the fds key by key: this one comes before those of %s, "
                    "unlike under systemd",
                    last);
}

static bool in_values(const char *values, const char *v)
{
        size_t n = strlen(v);

        for (const char *p = values; p; p = strchr(p, '|'), p = p ? p + 1 : NULL)
                if (strncmp(p, v, n) == 0 && (p[n] == '|' || p[n] == '\0'))
                        return true;
        return false;
}

static bool same_as_sockjail(const struct conv_directive *d, const char *v)
{
        if (!d->same)
                return false;
        if (streq(d->same, "no"))
                return val_bool(v) == 0;
        return streq(d->same, v);
}

static int add_words(struct conv *c, struct item *it, const char *v)
{
        enum slot s = slot_of(it->d->target);
        bool odd = false;
        char *w = NULL;
        int r;

        while ((r = next_word(&v, &w, &odd)) > 0)
                if ((r = strv_add(&it->v, &it->n, w)) < 0)
                        return r;
        /* it may move from here on */
        if (r == -EINVAL)
                return note(c, s, "unbalanced quoting: the rest is left out");
        if (r >= 0 && odd)
                r = note(c, s, "unknown escape sequences kept as written, as systemd keeps them");
        return r;
}

static int carry(struct conv *c, const struct conv_directive *d, const char *v)
{
        enum slot s = slot_of(d->target);
        struct item *it;

        if (d->flags & (CONV_EXEC | CONV_COMMANDS))
                return carry_commands(c, d, v);
        if (*v && (d->flags & CONV_BOOL) && val_bool(v) < 0)
                return note(c, s, "sockjail's %s takes only a boolean: not carried over", d->key);
        if (*v && d->values && !in_values(d->values, v))
                return note(c, s, "sockjail's %s takes %s: not carried over", d->key, d->values);
        if (is_listen(d->key) && !*v) {
                listen_clear(c);
                return 0;
        }
        if (is_listen(d->key) && listen_order(c, d) < 0)
                return -ENOMEM;
        it = item_get(c, d);
        if (!it)
                return -ENOMEM;
        if (!(d->flags & CONV_LIST) || !*v) { /* a scalar, or a list cleared */
                strv_clear(&it->v, &it->n);
                it->cleared = !*v;
                return *v ? strv_add(&it->v, &it->n, strdup(v)) : 0;
        }
        if (d->flags & CONV_WORDS)
                return add_words(c, it, v);
        return strv_add(&it->v, &it->n, strdup(v));
}

static int assignment(struct conv *c, const char *own_section)
{
        const struct conv_directive *d = directive_find(own_section, c->e->key);
        enum slot s = streq(own_section, "Socket") ? SLOT_SOCKETS : SLOT_SERVICE;
        _cleanup_free_ char *v = NULL;
        struct buf kept = {0};
        int r;

        if (!d)
                return note(c, s, "not a directive sockjail knows: not carried over");
        if (d->status == CONV_NONE)
                return note(c, slot_of(d->target), "not carried over: %s", d->why);
        if (d->status == CONV_LATER && same_as_sockjail(d, c->e->value))
                return note(c, slot_of(d->target), "what sockjail does anyway");
        if (d->status == CONV_LATER)
                return note(c, slot_of(d->target), "not supported by sockjail yet (%s)", d->key);
        v = expand(c->u, c->e->value, &kept);
        r = kept.oom || !v ? -ENOMEM : 0;
        if (r >= 0 && kept.n)
                r = note(c, s, "%s left as written: systemd fills it in when it runs the unit",
                         kept.p);
        free(kept.p);
        return r < 0 ? r : carry(c, d, v);
}

static int other_section(struct conv *c)
{
        const char *sec = c->e->section;

        if (streq(sec, "Unit"))
                return note(c, SLOT_TOP,
                            "[Unit] settings (dependencies, ordering, conditions) "
                            "have no sockjail equivalent");
        if (streq(sec, "Install"))
                return note(c, SLOT_TOP,
                            "[Install] settings have no sockjail equivalent: "
                            "nothing is enabled");
        return note(c, SLOT_TOP, "section [%s] is not read in a %s file", sec,
                    strrchr(c->u->name, '.') ?: "unit");
}

static int convert_unit(struct conv *c, const struct unit *u, const char *own_section)
{
        int r = 0;

        c->u = u;
        for (size_t i = 0; r >= 0 && i < u->n_entries; i++) {
                c->e = &u->entries[i];
                if (!c->e->key)
                        r = note(c, SLOT_TOP, "%s: ignored", c->e->problem);
                else if (streq(c->e->section, own_section))
                        r = assignment(c, own_section);
                else
                        r = other_section(c);
        }
        c->e = NULL;
        return r;
}

/* ---- after both units ---- */

/* YAML holds text only: a value that is not UTF-8 cannot be written. */
static bool item_valid(const struct item *it)
{
        for (size_t i = 0; i < it->n; i++)
                if (!utf8_valid(it->v[i]))
                        return false;
        return true;
}

/* Whether slot s has a value for a key want() picks; valid: one YAML can hold. */
static bool has_value(const struct conv *c, enum slot s, bool (*want)(const char *key), bool valid)
{
        for (size_t i = 0; i < c->n_items[s]; i++) {
                const struct item *it = &c->items[s][i];

                if (it->d && it->n > 0 && (!valid || item_valid(it)) && want(it->d->key))
                        return true;
        }
        return false;
}

static bool is_fdname(const char *key)
{
        return streq(key, "file_descriptor_name");
}

static bool is_exec(const char *key)
{
        return streq(key, "exec");
}

/* The service a socket activates: its Service=, else the same name. */
static char *service_name(const struct unit *su)
{
        const char *name = NULL;
        char *r = NULL;

        for (size_t i = 0; i < su->n_entries; i++) {
                const struct entry *e = &su->entries[i];

                if (e->key && streq(e->section, "Socket") && streq(e->key, "Service"))
                        name = e->value[0] ? e->value : NULL;
        }
        if (name) /* specifiers only systemd knows stay as written, unreported */
                return expand(su, name, &(struct buf){.oom = true});
        return asprintf(&r, "%s.service", su->stem) < 0 ? NULL : r;
}

/* s made a valid fd name (1 to 255 printable characters, no ':'), or fallback. */
static char *fd_name(const char *s, const char *fallback)
{
        char *name = strndup(s[0] ? s : fallback, 255);

        for (char *p = name; p && *p; p++)
                if ((unsigned char)*p <= ' ' || *p == ':' || (unsigned char)*p >= 127)
                        *p = '_';
        return name;
}

static int finish_sockets(struct conv *c, const struct unit *su)
{
        const struct conv_directive *d = directive_by_key("file_descriptor_name");
        struct item *it;
        int r = 0;

        if (!has_value(c, SLOT_SOCKETS, is_listen, true))
                r = note(c, SLOT_SOCKETS,
                         "nothing to listen on is left: a socket needs a listen_* key");
        if (r < 0 || has_value(c, SLOT_SOCKETS, is_fdname, true) || !d || d->status != CONV_KEY)
                return r;
        r = note(c, SLOT_SOCKETS,
                 "systemd names the fds after the unit when FileDescriptorName= is not set");
        it = r < 0 ? NULL : item_get(c, d);
        if (!it)
                return -ENOMEM;
        strv_clear(&it->v, &it->n);
        return strv_add(&it->v, &it->n, fd_name(su->name, "socket"));
}

static int finish_exec(struct conv *c, const struct unit *su, const struct unit *vu)
{
        _cleanup_free_ char *name = NULL;
        int r;

        if (has_value(c, SLOT_SERVICE, is_exec, true))
                return 0;
        if (has_value(c, SLOT_SERVICE, is_exec, false)) { /* there, but not as text */
                r = 0;
        } else if (vu) {
                r = note(c, SLOT_SERVICE, "no ExecStart= in %s: write the command as exec",
                         vu->name);
        } else {
                name = service_name(su);
                if (!name)
                        return -ENOMEM;
                r = note(c, SLOT_SERVICE,
                         "no ExecStart=: %s was not found next to %s; write the command as exec",
                         name, su->name);
        }
        return r < 0 ? r : note_raw(c, SLOT_SERVICE, "exec: [/path/to/program, args]");
}

/* ---- YAML ---- */

/* A double-quoted YAML string; s is valid UTF-8 (item_has_key). */
static void put_quoted(FILE *f, const char *s)
{
        int n;

        fputc('"', f);
        for (; *s; s += n) {
                int32_t cp = utf8_decode(s, &n);

                if (cp == '"' || cp == '\\')
                        fprintf(f, "\\%c", (char)cp);
                else if (cp == '\t')
                        fputs("\\t", f);
                else if (cp >= 0 && yaml_char(cp))
                        fwrite(s, 1, (size_t)n, f);
                else if (cp >= 0 && cp < 0x100)
                        fprintf(f, "\\x%02x", (unsigned)cp);
                else if (cp >= 0 && cp < 0x10000)
                        fprintf(f, "\\u%04x", (unsigned)cp);
                else if (cp >= 0)
                        fprintf(f, "\\U%08x", (unsigned)cp);
        }
        fputc('"', f);
}

static void put_name(FILE *f, const char *s)
{
        bool plain = isalnum((unsigned char)s[0]) || s[0] == '_';

        for (const char *p = s; *p && plain; p++)
                plain = isalnum((unsigned char)*p) || strchr("_.@-", *p);
        if (plain)
                fputs(s, f);
        else
                put_quoted(f, s);
}

/* Whether the item writes a key (not only a comment, and not a value reset). */
static bool item_has_key(const struct item *it)
{
        return it->d && item_valid(it) &&
               (it->n > 0 || (it->cleared && (it->d->flags & (CONV_EMPTY_LIST | CONV_EMPTY_NULL))));
}

static void put_item(FILE *f, const struct item *it, int indent)
{
        if (!it->d) {
                fprintf(f, "%*s# %s%s\n", indent, "", it->raw ? "" : "convert: ", it->comment);
        } else if (!item_valid(it)) {
                fprintf(f,
                        "%*s# convert: %s: a value is not UTF-8 text, which YAML cannot hold: "
                        "not carried over\n",
                        indent, "", it->d->key);
        } else if (!item_has_key(it)) {
                return;
        } else if (it->n == 0) {
                fprintf(f, "%*s%s: %s\n", indent, "", it->d->key,
                        it->d->flags & CONV_EMPTY_LIST ? "[]" : "null");
        } else if (!(it->d->flags & (CONV_LIST | CONV_EXEC))) {
                fprintf(f, "%*s%s: ", indent, "", it->d->key);
                put_quoted(f, it->v[0]);
                fputc('\n', f);
        } else {
                fprintf(f, "%*s%s:\n", indent, "", it->d->key);
                for (size_t i = 0; i < it->n; i++) {
                        fprintf(f, "%*s- ", indent + 2, "");
                        put_quoted(f, it->v[i]);
                        fputc('\n', f);
                }
        }
}

/* A section with no key would read as null, which a spec refuses: its header
 * is then written as a comment too. */
static void put_slot(FILE *f, const struct conv *c, enum slot s, const char *header,
                     const char *name)
{
        bool keys = false;
        int indent = name ? 4 : 2;

        for (size_t i = 0; i < c->n_items[s]; i++)
                keys = keys || item_has_key(&c->items[s][i]);
        if (!keys && c->n_items[s] == 0)
                return;
        fprintf(f, "%s%s:\n", keys ? "" : "# ", header);
        if (name) {
                fputs(keys ? "  " : "#   ", f);
                put_name(f, name);
                fputs(":\n", f);
        }
        for (size_t i = 0; i < c->n_items[s]; i++)
                put_item(f, &c->items[s][i], indent);
}

static int render(const struct conv *c, const char *sock_name, const struct unit *su,
                  const struct unit *vu, char **ret)
{
        struct buf names = {0};
        size_t size = 0, split;
        FILE *f;

        note_text(&names, su->name, 0); /* "SOCKET\0SERVICE", both made fit for a comment */
        split = names.n + 1;
        buf_add(&names, "", 1);
        note_text(&names, vu ? vu->name : "", 0);
        f = names.oom ? NULL : open_memstream(ret, &size);
        if (!f) {
                free(names.p);
                return -ENOMEM;
        }
        fprintf(f, "# sockjail spec converted from %s%s%s by sockjail convert\n", names.p ?: "",
                vu ? " and " : "", vu ? names.p + split : "");
        for (size_t i = 0; i < c->n_items[SLOT_TOP]; i++)
                put_item(f, &c->items[SLOT_TOP][i], 0);
        put_slot(f, c, SLOT_SOCKETS, "sockets", sock_name);
        put_slot(f, c, SLOT_SERVICE, "service", NULL);
        put_slot(f, c, SLOT_SANDBOX, "sandbox", NULL);
        put_slot(f, c, SLOT_POLICY, "policy", NULL);
        free(names.p);
        if (ferror(f) | fclose(f)) {
                free(TAKE_PTR(*ret));
                return -ENOMEM;
        }
        return 0;
}

static void conv_free(struct conv *c)
{
        for (size_t s = 0; s < N_SLOTS; s++) {
                for (size_t i = 0; i < c->n_items[s]; i++) {
                        free(c->items[s][i].comment);
                        strv_clear(&c->items[s][i].v, &c->items[s][i].n);
                }
                free(c->items[s]);
        }
}

int conv_units(const struct conv_file *socket, const struct conv_file *service, char **ret)
{
        _cleanup_free_ char *sock_name = NULL;
        struct unit su = {0}, vu = {0};
        struct conv c = {0};
        int r;

        r = unit_parse(&su, socket);
        if (r >= 0 && service)
                r = unit_parse(&vu, service);
        if (r >= 0)
                r = convert_unit(&c, &su, "Socket");
        if (r >= 0 && service)
                r = convert_unit(&c, &vu, "Service");
        if (r >= 0)
                r = finish_sockets(&c, &su);
        if (r >= 0)
                r = finish_exec(&c, &su, service ? &vu : NULL);
        if (r >= 0)
                r = (sock_name = fd_name(su.stem, "socket")) ? 0 : -ENOMEM;
        if (r >= 0)
                r = render(&c, sock_name, &su, service ? &vu : NULL, ret);
        conv_free(&c);
        unit_free(&su);
        unit_free(&vu);
        return r;
}

/* ---- files ---- */

/* Read a whole file, regular or not (a pipe is fine), of at most CONV_MAX_FILE_SIZE. */
static int read_all(const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0;

        if (fd < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        buf = malloc(CONV_MAX_FILE_SIZE + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, CONV_MAX_FILE_SIZE + 1 - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                n += (size_t)k;
                if (n > CONV_MAX_FILE_SIZE)
                        return -EFBIG;
        }
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = n;
        return 0;
}

static const char *base_name(const char *path)
{
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

/* The path of the service file next to the socket file; NULL *ret when the
 * name is no file name at all. */
static int service_beside(const char *socket_path, const struct conv_file *sf, char **ret)
{
        _cleanup_free_ char *name = NULL;
        struct unit su = {0};
        int r = unit_parse(&su, sf);

        if (r < 0)
                return r;
        name = service_name(&su);
        unit_free(&su);
        if (!name)
                return -ENOMEM;
        *ret = NULL;
        if (!name[0] || strchr(name, '/'))
                return 0;
        r = asprintf(ret, "%.*s%s", (int)(base_name(socket_path) - socket_path), socket_path, name);
        return r < 0 ? -ENOMEM : 0;
}

int conv_paths(const char *socket_path, const char *service_path, char **ret, char **ret_failed)
{
        _cleanup_free_ char *stext = NULL, *vtext = NULL, *found = NULL;
        struct conv_file sf = {.name = base_name(socket_path)}, vf = {0};
        const char *vpath = service_path;
        int r;

        *ret_failed = NULL;
        r = read_all(socket_path, &stext, &sf.len);
        if (r < 0) {
                *ret_failed = strdup(socket_path);
                return r;
        }
        sf.text = stext;
        if (!vpath && (r = service_beside(socket_path, &sf, &found)) < 0)
                return r;
        vpath = vpath ?: found;
        r = vpath ? read_all(vpath, &vtext, &vf.len) : -ENOENT;
        if (r < 0 && (service_path || r != -ENOENT)) {
                *ret_failed = strdup(vpath);
                return r;
        }
        if (r >= 0) {
                vf.name = base_name(vpath);
                vf.text = vtext;
        }
        return conv_units(&sf, r >= 0 ? &vf : NULL, ret);
}
