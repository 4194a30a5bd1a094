/* SPDX-License-Identifier: MIT */
/*
 * A small YAML tree with positions, built from libyaml's events so that
 * anchors, aliases, duplicate keys and oversized input are refused before
 * the spec reads a single key.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define YTREE_MAX_DEPTH 32
#define YTREE_MAX_NODES 200000

enum ynode_type {
        YNODE_SCALAR,
        YNODE_SEQ,
        YNODE_MAP,
};

struct ynode {
        enum ynode_type type;
        unsigned line, column; /* 1-based */
        char *value;           /* scalars */
        bool plain;            /* unquoted scalar */
        struct ynode **kids;   /* seq: items; map: key, value, key, value, ... */
        size_t n_kids;
};

struct ytree_error {
        unsigned line, column;
        char message[256];
};

/* Parse one YAML document. *ret is NULL for an empty stream. */
int ytree_load(const char *text, size_t len, struct ynode **ret, struct ytree_error *err);
void ytree_free(struct ynode *n);

/* A plain scalar that YAML reads as null: "", "~", "null". */
bool ynode_is_null(const struct ynode *n);

/* "a scalar", "a list", "a mapping": for messages. */
const char *ynode_type_name(enum ynode_type t);
