/* SPDX-License-Identifier: MIT */
#include "injector/ytree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <yaml.h>

#include "common/util.h"

struct builder {
        yaml_parser_t parser;
        struct ytree_error *err;
        size_t n_nodes;
};

static void ytree_eventp(yaml_event_t *e)
{
        yaml_event_delete(e);
}
#define _cleanup_event_ _cleanup_(ytree_eventp)

_printf_(3, 4) static int fail(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
        va_list ap;

        b->err->line = (unsigned)m->line + 1;
        b->err->column = (unsigned)m->column + 1;
        va_start(ap, fmt);
        vsnprintf(b->err->message, sizeof(b->err->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int next(struct builder *b, yaml_event_t *e)
{
        if (yaml_parser_parse(&b->parser, e))
                return 0;
        memset(e, 0, sizeof(*e));
        return fail(b, &b->parser.problem_mark, "%s%s%s", b->parser.problem ?: "syntax error",
                    b->parser.context ? " " : "", b->parser.context ?: "");
}

void ytree_free(struct ynode *n)
{
        if (!n)
                return;
        for (size_t i = 0; i < n->n_kids; i++)
                ytree_free(n->kids[i]);
        free(n->kids);
        free(n->value);
        free(n);
}

static struct ynode *node_new(struct builder *b, enum ynode_type t, const yaml_mark_t *m)
{
        struct ynode *n;

        if (++b->n_nodes > YTREE_MAX_NODES) {
                fail(b, m, "too many nodes (at most %d)", YTREE_MAX_NODES);
                return NULL;
        }
        n = calloc(1, sizeof(*n));
        if (!n) {
                fail(b, m, "out of memory");
                return NULL;
        }
        n->type = t;
        n->line = (unsigned)m->line + 1;
        n->column = (unsigned)m->column + 1;
        return n;
}

static int add_kid(struct builder *b, struct ynode *parent, struct ynode *kid)
{
        struct ynode **k = reallocarray(parent->kids, parent->n_kids + 1, sizeof(struct ynode *));

        if (!k) {
                ytree_free(kid);
                return fail(b, &b->parser.mark, "out of memory");
        }
        parent->kids = k;
        parent->kids[parent->n_kids++] = kid;
        return 0;
}

/* Keys must be scalars and unique; checked as each pair completes. */
static int check_key(struct builder *b, const struct ynode *map, const struct ynode *key)
{
        yaml_mark_t m = {.line = key->line - 1, .column = key->column - 1};

        if (key->type != YNODE_SCALAR)
                return fail(b, &m, "a mapping key must be a scalar, not %s",
                            ynode_type_name(key->type));
        for (size_t i = 0; i + 1 < map->n_kids; i += 2)
                if (streq(map->kids[i]->value, key->value))
                        return fail(b, &m, "duplicate key '%s' (first at line %u)", key->value,
                                    map->kids[i]->line);
        return 0;
}

static int build(struct builder *b, yaml_event_t *e, unsigned depth, struct ynode **ret);

static int build_collection(struct builder *b, struct ynode *n, yaml_event_type_t end,
                            unsigned depth)
{
        for (;;) {
                _cleanup_event_ yaml_event_t e = {0};
                struct ynode *kid = NULL;
                int r = next(b, &e);

                if (r < 0)
                        return r;
                if (e.type == end)
                        return 0;
                r = build(b, &e, depth + 1, &kid);
                if (r < 0 || !kid)
                        return r < 0 ? r : -EINVAL;
                if (n->type == YNODE_MAP && n->n_kids % 2 == 0) {
                        r = check_key(b, n, kid);
                        if (r < 0) {
                                ytree_free(kid);
                                return r;
                        }
                }
                r = add_kid(b, n, kid);
                if (r < 0)
                        return r;
        }
}

static int build_scalar(struct builder *b, const yaml_event_t *e, struct ynode *n)
{
        const char *v = (const char *)e->data.scalar.value;
        size_t len = e->data.scalar.length;

        if (strlen(v) != len)
                return fail(b, &e->start_mark, "NUL byte in a value");
        n->value = strndup(v, len);
        if (!n->value)
                return fail(b, &e->start_mark, "out of memory");
        n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return 0;
}

static int build(struct builder *b, yaml_event_t *e, unsigned depth, struct ynode **ret)
{
        const yaml_char_t *anchor = NULL;
        enum ynode_type t;
        struct ynode *n;
        int r;

        if (depth > YTREE_MAX_DEPTH)
                return fail(b, &e->start_mark, "nested too deeply (at most %d levels)",
                            YTREE_MAX_DEPTH);
        switch (e->type) {
        case YAML_SCALAR_EVENT:
                anchor = e->data.scalar.anchor;
                t = YNODE_SCALAR;
                break;
        case YAML_SEQUENCE_START_EVENT:
                anchor = e->data.sequence_start.anchor;
                t = YNODE_SEQ;
                break;
        case YAML_MAPPING_START_EVENT:
                anchor = e->data.mapping_start.anchor;
                t = YNODE_MAP;
                break;
        case YAML_ALIAS_EVENT:
                return fail(b, &e->start_mark, "aliases (*%s) are not allowed in a spec",
                            (const char *)e->data.alias.anchor);
        default:
                return fail(b, &e->start_mark, "unexpected YAML event");
        }
        if (anchor)
                return fail(b, &e->start_mark, "anchors (&%s) are not allowed in a spec",
                            (const char *)anchor);
        n = node_new(b, t, &e->start_mark);
        if (!n)
                return -EINVAL;
        if (t == YNODE_SCALAR)
                r = build_scalar(b, e, n);
        else
                r = build_collection(
                        b, n, t == YNODE_SEQ ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT,
                        depth);
        if (r < 0) {
                ytree_free(n);
                return r;
        }
        *ret = n;
        return 0;
}

/* Read events up to the document's root node; NULL root for an empty stream. */
static int load_document(struct builder *b, struct ynode **ret)
{
        for (;;) {
                _cleanup_event_ yaml_event_t e = {0};
                int r = next(b, &e);

                if (r < 0)
                        return r;
                switch (e.type) {
                case YAML_STREAM_START_EVENT:
                case YAML_DOCUMENT_START_EVENT:
                        continue;
                case YAML_STREAM_END_EVENT:
                        *ret = NULL;
                        return 0;
                default:
                        return build(b, &e, 0, ret);
                }
        }
}

/* After the root: the document must end and no second one may follow. */
static int expect_end(struct builder *b)
{
        for (;;) {
                _cleanup_event_ yaml_event_t e = {0};
                int r = next(b, &e);

                if (r < 0)
                        return r;
                if (e.type == YAML_STREAM_END_EVENT)
                        return 0;
                if (e.type == YAML_DOCUMENT_START_EVENT)
                        return fail(b, &e.start_mark, "a spec holds one YAML document");
        }
}

int ytree_load(const char *text, size_t len, struct ynode **ret, struct ytree_error *err)
{
        struct builder b = {.err = err};
        struct ynode *root = NULL;
        int r;

        memset(err, 0, sizeof(*err));
        if (!yaml_parser_initialize(&b.parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
        r = load_document(&b, &root);
        if (r >= 0 && root)
                r = expect_end(&b);
        yaml_parser_delete(&b.parser);
        if (r < 0) {
                ytree_free(root);
                return r;
        }
        *ret = root;
        return 0;
}

bool ynode_is_null(const struct ynode *n)
{
        return n->type == YNODE_SCALAR && n->plain &&
               (n->value[0] == '\0' || streq(n->value, "~") || streq(n->value, "null"));
}

const char *ynode_type_name(enum ynode_type t)
{
        switch (t) {
        case YNODE_SCALAR:
                return "a scalar";
        case YNODE_SEQ:
                return "a list";
        case YNODE_MAP:
                return "a mapping";
        }
        return "a node";
}
