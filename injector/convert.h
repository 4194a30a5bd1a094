/* SPDX-License-Identifier: MIT */
/*
 * sockjail convert: a systemd .socket unit, and the .service it activates,
 * turned into a spec. Directives become spec keys through one table, kept in
 * step with spec.c's tables by tests/unit/test_convert.c; whatever cannot be
 * carried over becomes a "# convert: ..." comment in the output, so nothing
 * is dropped without a word.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The spec section a directive's key belongs to. */
enum conv_target {
        CONV_SOCKETS,
        CONV_SERVICE,
        CONV_SANDBOX,
        CONV_POLICY,
};

enum conv_status {
        CONV_KEY,   /* carried over as the spec key */
        CONV_LATER, /* the key is in one of spec.c's *_later tables: a comment */
        CONV_NONE,  /* nothing in a spec does this: a comment saying why */
};

#define CONV_LIST (1u << 0)       /* repeats accumulate; an empty value clears the list */
#define CONV_WORDS (1u << 1)      /* each value holds quoted words, one list item each */
#define CONV_EXEC (1u << 2)       /* command lines (ExecStart=), an argv list */
#define CONV_COMMANDS (1u << 6)   /* command lines (ExecStartPre=, ...), one item per line */
#define CONV_BOOL (1u << 3)       /* sockjail takes only a boolean here */
#define CONV_EMPTY_LIST (1u << 4) /* cleared by an empty value: written as [] */
#define CONV_EMPTY_NULL (1u << 5) /* cleared by an empty value: written as null */

struct conv_directive {
        const char *name;    /* "ListenStream" */
        const char *section; /* the unit file section: "Socket" or "Service" */
        enum conv_target target;
        const char *key; /* "listen_stream"; NULL for some CONV_NONE */
        enum conv_status status;
        unsigned flags;     /* CONV_LIST, ... */
        const char *values; /* CONV_KEY: the only values sockjail takes, "a|b"; NULL: any */
        const char *same;   /* CONV_LATER: the value sockjail's behaviour matches ("no": false) */
        const char *why;    /* CONV_NONE: why there is no key */
};

/* A unit file in memory. name is its file name without directories
 * ("echo.socket"): it gives the unit's name for %n, %N, %p and %i. */
struct conv_file {
        const char *name;
        const char *text;
        size_t len;
};

/* Every directive convert knows, for tests that hold it against spec.c. */
const struct conv_directive *conv_directives(size_t *ret_n);

/* Convert socket and its service (NULL: none was found) into a spec: *ret is a
 * malloc'd YAML text. Anything not carried over is a comment in it, so this
 * fails only for lack of memory. */
int conv_units(const struct conv_file *socket, const struct conv_file *service, char **ret);

/* Read the unit files and convert them. service_path NULL: the service next
 * to the socket file, named by its Service= or after the socket, if it
 * exists. On a read error returns -errno with *ret_failed the path at fault. */
int conv_paths(const char *socket_path, const char *service_path, char **ret, char **ret_failed);
