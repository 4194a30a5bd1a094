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

enum spec_listen_type {
        SPEC_LISTEN_STREAM,
        SPEC_LISTEN_DATAGRAM,
        SPEC_LISTEN_SEQPACKET,
};

struct spec_listen {
        enum spec_listen_type type;
        struct addr addr;
        char *text; /* as written, for messages */
        struct spec_mark mark;
};

enum spec_bind_ipv6_only {
        SPEC_BIND_IPV6_DEFAULT, /* leave net.ipv6.bindv6only in charge */
        SPEC_BIND_IPV6_BOTH,
        SPEC_BIND_IPV6_ONLY,
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
        enum spec_bind_ipv6_only bind_ipv6_only;
        uid_t socket_user; /* (uid_t)-1: unchanged */
        gid_t socket_group;
        mode_t socket_mode;
        mode_t directory_mode;
        bool remove_on_stop;
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

struct spec_service {
        char **exec;     /* argv, NULL-terminated; exec[0] as written */
        char *exec_path; /* exec[0] resolved against PATH */
        struct spec_mark exec_mark;
        enum spec_start start;
        enum spec_stdio standard_input;  /* default: null, as systemd */
        enum spec_stdio standard_output; /* default: inherit (socket with inetd stdin) */
        bool upstart_events;
        char **environment; /* "VAR=value", NULL-terminated */
};

struct spec {
        char *path;
        struct spec_socket *sockets;
        size_t n_sockets;
        struct spec_service service;
        struct ns_config ns;
        struct pol_config pol;
        char *user; /* as written, for the plan; NULL: the invoking user */
        char *group;
        struct pol_filter *filter;      /* compiled at load time */
        struct spec_mark *filter_marks; /* one per policy.system_call_filter entry */
        struct spec_mark user_mark;
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

/* Print the resolved plan (sockjail check). */
int spec_print(const struct spec *s, FILE *out);

/* Total number of listening fds the spec makes. */
size_t spec_n_fds(const struct spec *s);
