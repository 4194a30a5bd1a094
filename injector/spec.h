/* SPDX-License-Identifier: MIT */
/*
 * The spec: a YAML file parsed and validated into an immutable plan. Four
 * sections mirror the code: sockets (injector), service (supervisor), sandbox
 * (ns/), policy (policy/). Keys are the snake_case of systemd's directives.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "injector/address.h"
#include "ns/ns.h"
#include "policy/pol.h"

#define SPEC_MAX_FILE_SIZE (1024 * 1024)
#define SPEC_MAX_SOCKETS 1024
#define SPEC_MAX_LISTENS 4096
/* The service's PATH, as systemd gives it. */
#define SPEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct spec_mark {
        unsigned line, column; /* 1-based; 0 when made from the command line */
};

/* One fd each, in the order written, whatever the kind (as systemd passes them). */
enum spec_listen_type {
        SPEC_LISTEN_STREAM,
        SPEC_LISTEN_DATAGRAM,
        SPEC_LISTEN_SEQPACKET,
        SPEC_LISTEN_NETLINK, /* addr: a sockaddr_nl with the groups; protocol: NETLINK_* */
        SPEC_LISTEN_FIFO,    /* text: the path */
        SPEC_LISTEN_SPECIAL, /* text: the path */
        SPEC_LISTEN_MQUEUE,  /* text: the queue name, "/name" */
};

struct spec_listen {
        enum spec_listen_type type;
        struct addr addr; /* the socket kinds; AF_UNSPEC for the others */
        int protocol;     /* listen_netlink: the netlink family */
        char *text;       /* as written: the address, path or queue name */
        struct spec_mark mark;
};

/* The kinds that are sockets: stream, datagram, sequential packet, netlink. */
static inline bool spec_listen_is_socket(const struct spec_listen *l)
{
        return l->type <= SPEC_LISTEN_NETLINK;
}

enum spec_timestamping {
        SPEC_TIMESTAMPING_OFF,
        SPEC_TIMESTAMPING_US, /* SO_TIMESTAMP */
        SPEC_TIMESTAMPING_NS, /* SO_TIMESTAMPNS */
};

enum spec_bind_ipv6_only {
        SPEC_BIND_IPV6_DEFAULT, /* leave net.ipv6.bindv6only in charge */
        SPEC_BIND_IPV6_BOTH,
        SPEC_BIND_IPV6_ONLY,
};

/* The socket unit's own commands, in the order sockjail runs them. */
enum spec_exec {
        SPEC_EXEC_START_PRE,  /* before the sockets are made */
        SPEC_EXEC_START_POST, /* after they are bound */
        SPEC_EXEC_STOP_PRE,   /* before they are closed */
        SPEC_EXEC_STOP_POST,  /* after they are closed and removed */
        SPEC_EXEC_N,
};

/* One command line of exec_start_pre and friends: systemd's ExecStartPre= syntax. */
struct spec_command {
        char *line;          /* as written, for messages */
        char **argv;         /* NULL-terminated, prefixes and an '@' program taken off */
        char *path;          /* the program, resolved against PATH when the spec is read */
        bool ignore_failure; /* '-' prefix */
        struct spec_mark mark;
};

struct spec_commands {
        struct spec_command *v;
        size_t n;
};

struct spec_socket {
        char *name;   /* the unit's name, the key under sockets: */
        char *fdname; /* file_descriptor_name; default: name */
        struct spec_listen *listens;
        size_t n_listens;
        unsigned backlog;
        bool reuse_port;
        bool free_bind;
        bool no_delay;
        bool keep_alive;
        /* Socket options (sockopt.c): the value after ";" leaves the kernel's default. */
        uint64_t keep_alive_time_usec;     /* TCP_KEEPIDLE, whole seconds; 0 */
        uint64_t keep_alive_interval_usec; /* TCP_KEEPINTVL, whole seconds; 0 */
        unsigned keep_alive_probes;        /* TCP_KEEPCNT; 0 */
        uint64_t defer_accept_usec;        /* TCP_DEFER_ACCEPT, whole seconds; 0 */
        int priority;                      /* SO_PRIORITY; -1 */
        uint64_t receive_buffer;           /* SO_RCVBUF(FORCE); 0 */
        uint64_t send_buffer;              /* SO_SNDBUF(FORCE); 0 */
        int ip_tos;                        /* IP_TOS, IPV6_TCLASS; -1 */
        int ip_ttl;                        /* IP_TTL, IPV6_UNICAST_HOPS; -1 */
        int so_mark;                       /* mark: SO_MARK; -1 */
        bool transparent;
        bool broadcast;
        bool pass_credentials;
        bool pass_security;
        bool pass_packet_info;
        enum spec_timestamping timestamping;
        char *tcp_congestion;                      /* TCP_CONGESTION; NULL */
        char *bind_to_device;                      /* SO_BINDTODEVICE; NULL */
        int socket_protocol;                       /* 0, IPPROTO_UDPLITE or IPPROTO_SCTP */
        bool writable;                             /* listen_special: O_RDWR */
        uint64_t pipe_size;                        /* F_SETPIPE_SZ on FIFOs; 0 */
        uint64_t mq_max_messages, mq_message_size; /* 0 */
        char **symlinks;                           /* NULL-terminated, or NULL */
        char *smack_label, *smack_label_ip_in, *smack_label_ip_out;
        bool selinux_context_from_net;
        /* Parsed and shown by check; the behaviour comes with Accept=yes (issue 6). */
        bool accept;
        bool flush_pending;
        unsigned max_connections;             /* default 64 */
        unsigned max_connections_per_source;  /* default (and 0): max_connections */
        uint64_t trigger_limit_interval_usec; /* default 2s */
        unsigned trigger_limit_burst;         /* default 20, 200 with accept */
        enum spec_bind_ipv6_only bind_ipv6_only;
        uid_t socket_user; /* (uid_t)-1: unchanged */
        gid_t socket_group;
        mode_t socket_mode;
        mode_t directory_mode;
        bool remove_on_stop;
        struct spec_commands exec[SPEC_EXEC_N]; /* exec_start_pre ... exec_stop_post */
        uint64_t timeout_usec;                  /* timeout_sec; 0 or UINT64_MAX: none */
        struct spec_mark mark;
};

enum spec_start {
        SPEC_START_ON_DEMAND,
        SPEC_START_IMMEDIATE,
};

enum spec_stdio {
        SPEC_STDIO_INHERIT, /* stdout: a copy of stdin when that is the socket, else sockjail's */
        SPEC_STDIO_NULL,
        SPEC_STDIO_SOCKET,
        SPEC_STDIO_JOURNAL, /* stdout: sockjail's own, which stands in for systemd's journal */
};

/* systemd.service(5) Restart=, in the order of its table's columns. */
enum spec_restart {
        SPEC_RESTART_NO,
        SPEC_RESTART_ON_SUCCESS,
        SPEC_RESTART_ON_FAILURE,
        SPEC_RESTART_ON_ABNORMAL,
        SPEC_RESTART_ON_WATCHDOG,
        SPEC_RESTART_ON_ABORT,
        SPEC_RESTART_ALWAYS,
};

/* systemd.kill(5) KillMode=, mapped to the sandbox's pid namespace. */
enum spec_kill_mode {
        SPEC_KILL_CONTROL_GROUP,
        SPEC_KILL_MIXED,
        SPEC_KILL_PROCESS,
        SPEC_KILL_NONE,
};

/* SuccessExitStatus= and kin: exit codes 0-255 and signals 1-64, as bit sets. */
struct spec_exit_status {
        uint64_t codes[4];
        uint64_t signals; /* bit n-1 for signal n */
};

/* systemd.service(5) Type=: when the service counts as started (notify.h). */
enum spec_type {
        SPEC_TYPE_SIMPLE,  /* once forked */
        SPEC_TYPE_EXEC,    /* once execve() worked */
        SPEC_TYPE_NOTIFY,  /* at READY=1 */
        SPEC_TYPE_FORKING, /* when the first process exits 0, leaving its daemon */
        SPEC_TYPE_ONESHOT, /* done when it exits 0 */
        _SPEC_TYPE_MAX,
};

/* systemd.service(5) NotifyAccess=; unset: main with notify, a watchdog or an
 * fd store, else none. */
enum spec_notify_access {
        SPEC_NOTIFY_ACCESS_UNSET,
        SPEC_NOTIFY_ACCESS_NONE,
        SPEC_NOTIFY_ACCESS_MAIN,
        SPEC_NOTIFY_ACCESS_EXEC,
        SPEC_NOTIFY_ACCESS_ALL,
        _SPEC_NOTIFY_ACCESS_MAX,
};

struct spec_service {
        char **exec;     /* argv, NULL-terminated; exec[0] as written */
        char *exec_path; /* exec[0] resolved against PATH */
        struct spec_mark exec_mark;
        enum spec_start start;
        enum spec_stdio standard_input;  /* default: null, as systemd */
        enum spec_stdio standard_output; /* default: inherit (socket with inetd stdin) */
        bool upstart_events;
        char **environment; /* "VAR=value", NULL-terminated */
        enum spec_type type;
        enum spec_notify_access notify_access;
        uint64_t watchdog_usec;             /* watchdog_sec; 0: none */
        unsigned file_descriptor_store_max; /* 0: no fd store */
        enum spec_restart restart;
        uint64_t restart_usec;       /* restart_sec, default 100ms */
        uint64_t timeout_start_usec; /* 0 or VAL_INFINITY: no limit; default 90s */
        uint64_t timeout_stop_usec;
        uint64_t start_limit_interval_usec; /* 0: no start limit; default 10s */
        unsigned start_limit_burst;         /* default 5 */
        enum spec_kill_mode kill_mode;
        int kill_signal;       /* default SIGTERM */
        int final_kill_signal; /* default SIGKILL */
        bool send_sighup;
        struct spec_exit_status success_exit_status;
        struct spec_exit_status restart_prevent_exit_status;
        struct spec_exit_status restart_force_exit_status;
};

/* Whether wait status (as waitpid gives it) is in set. */
bool spec_exit_status_has(const struct spec_exit_status *set, int wait_status);

/* "no", "on-failure", ...; "control-group", ... */
const char *spec_restart_name(enum spec_restart r);
const char *spec_kill_mode_name(enum spec_kill_mode m);

/*
 * The policy keys the injector carries out itself: the environment (built by
 * activation.c: PATH, pass_environment, service.environment, environment,
 * the files' assignments, the protocol's variables, then unset_environment),
 * supplementary groups (merged into pol.groups by spec_finish), the profile.
 */
struct spec_policy {
        char **environment;       /* "VAR=value", NULL-terminated, or NULL */
        char **environment_files; /* as written, "-" prefix included */
        char **file_environment;  /* the files' "VAR=value", read at load, in order */
        char **pass_environment;  /* names */
        char **unset_environment; /* names, or VAR=value to remove only that */
        gid_t *supplementary_groups;
        size_t n_supplementary_groups;
        char *profile;               /* the profile's name, NULL: none */
        char *profile_path;          /* the file it came from */
        struct spec_mark *log_marks; /* one per pol.system_call_log entry */
        uint64_t ambient_named;      /* capabilities ambient_capabilities names to add */
        struct spec_mark ambient_mark, groups_mark;
};

/* Keys whose place spec_finish() may need for an error, wherever they stand. */
enum spec_marked {
        SPEC_MARK_TYPE,
        SPEC_MARK_RESTART,
        SPEC_MARK_START,
        SPEC_MARK_WATCHDOG,
        SPEC_MARK_FDSTORE,
        SPEC_MARK_UPSTART,
        SPEC_MARK_ISOLATION,
        _SPEC_MARK_MAX,
};

/* Accept=yes: where the per-connection instances run. */
enum spec_isolation {
        SPEC_ISOLATION_SHARED,         /* one sandbox, instances forked in it */
        SPEC_ISOLATION_PER_CONNECTION, /* fresh net, ipc, pid namespaces and /tmp each */
};

struct spec {
        char *path;
        struct spec_socket *sockets;
        size_t n_sockets;
        struct spec_service service;
        struct ns_config ns;
        struct pol_config pol;
        struct spec_policy policy;
        char *user; /* as written, for the plan; NULL: the invoking user */
        char *group;
        struct pol_filter *filter;      /* compiled at load time */
        struct spec_mark *filter_marks; /* one per policy.system_call_filter entry */
        struct spec_mark user_mark;
        /* where keys that checks of the whole spec refuse were written (spec_marked) */
        struct spec_mark marks[_SPEC_MARK_MAX];
        /* Accept=yes (spec_finish): every socket accepts, one instance per connection */
        bool accept;
        enum spec_isolation isolation; /* sandbox.instance_isolation */
};

/* Where a spec error is reported: "FILE:LINE:COLUMN: message". */
struct spec_error {
        char message[512];
};

/* Fill s with every default (no sockets, no exec). */
int spec_init(struct spec *s);
void spec_done(struct spec *s);

/* Parse and validate the file at path. On a spec error returns -EINVAL with
 * err->message set; other failures return -errno with the message set too. */
int spec_load(struct spec *s, const char *path, struct spec_error *err);

/* Parse from memory (tests, fuzzing); name stands in for the file name. */
int spec_load_string(struct spec *s, const char *name, const char *text, size_t len,
                     struct spec_error *err);

/* Replace service.exec with argv (sockjail run SPEC -- CMD ARGS). */
int spec_set_exec(struct spec *s, char *const *argv, struct spec_error *err);

/* Checks that need the whole spec (exec present, fd name syntax, inetd needs one
 * socket, the filter compiles); called by spec_load, and again by callers that
 * change the spec afterwards. */
int spec_finish(struct spec *s, struct spec_error *err);

/* Add a listen address to socket unit name (created if missing); for run -l. */
int spec_add_listen(struct spec *s, const char *unit, enum spec_listen_type type,
                    const char *address, struct spec_error *err);

/* Compile the seccomp filter into s->filter (spec_finish() checked its words;
 * this takes milliseconds, so run does it once the sockets listen). */
int spec_compile_filter(struct spec *s, struct spec_error *err);

/* Print the resolved plan (sockjail check). */
int spec_print(const struct spec *s, FILE *out);

/* Total number of listening fds the spec makes. */
size_t spec_n_fds(const struct spec *s);
