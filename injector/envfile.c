/* SPDX-License-Identifier: MIT */
/*
 * EnvironmentFile= parsing: systemd's state machine (src/basic/env-file.c),
 * character by character, with a line count for the messages.
 */
#include "injector/envfile.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "common/util.h"

#define BLANKS " \t\n\r"
#define NEWLINES "\n\r"
#define COMMENTS "#;"
#define DQUOTE_ESCAPES "\"\\`$"

enum state {
        PRE_KEY,
        KEY,
        PRE_VALUE,
        VALUE,
        VALUE_ESCAPE,
        SQUOTE,
        DQUOTE,
        DQUOTE_ESCAPE,
        COMMENT,
        COMMENT_ESCAPE,
};

struct text {
        char *p;
        size_t n, size;
        size_t trailing; /* where trailing blanks start, or SIZE_MAX */
};

struct parser {
        enum state state;
        struct text key, value;
        unsigned line, key_line, quote_line;
        envfile_push_fn push;
        void *userdata;
        struct envfile_error *err;
};

_printf_(3, 4) static int syntax_error(struct parser *p, unsigned line, const char *fmt, ...)
{
        va_list ap;

        p->err->line = line;
        va_start(ap, fmt);
        vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int text_add(struct text *t, char c)
{
        if (t->n + 2 > t->size) {
                size_t size = t->size ? t->size * 2 : 64;
                char *np = realloc(t->p, size);

                if (!np)
                        return -ENOMEM;
                t->p = np;
                t->size = size;
        }
        t->p[t->n++] = c;
        t->p[t->n] = '\0';
        return 0;
}

/* Add c, keeping track of where a run of trailing blanks starts. */
static int text_add_tracked(struct text *t, char c)
{
        if (!strchr(BLANKS, c))
                t->trailing = SIZE_MAX;
        else if (t->trailing == SIZE_MAX)
                t->trailing = t->n;
        return text_add(t, c);
}

static void text_strip(struct text *t)
{
        if (t->trailing != SIZE_MAX && t->p) {
                t->n = t->trailing;
                t->p[t->n] = '\0';
        }
        t->trailing = SIZE_MAX;
}

static bool name_valid(const char *s)
{
        if (!s || !*s || (*s >= '0' && *s <= '9'))
                return false;
        for (; *s; s++)
                if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                      (*s >= '0' && *s <= '9')))
                        return false;
        return true;
}

static int push(struct parser *p)
{
        int r;

        text_strip(&p->key);
        if (!name_valid(p->key.p))
                return syntax_error(p, p->key_line, "invalid variable name '%.60s'",
                                    p->key.p ?: "");
        r = p->push(p->userdata, p->key.p, p->value.p ?: "");
        p->key.n = p->value.n = 0;
        if (p->key.p)
                p->key.p[0] = '\0';
        if (p->value.p)
                p->value.p[0] = '\0';
        return r;
}

static int step_key(struct parser *p, char c)
{
        switch (p->state) {
        case PRE_KEY:
                if (strchr(COMMENTS, c))
                        p->state = COMMENT;
                else if (!strchr(BLANKS, c)) {
                        p->state = KEY;
                        p->key_line = p->line;
                        p->key.trailing = SIZE_MAX;
                        return text_add(&p->key, c);
                }
                return 0;
        case KEY:
                if (strchr(NEWLINES, c)) { /* no "=": not an assignment, ignored */
                        p->state = PRE_KEY;
                        p->key.n = 0;
                } else if (c == '=') {
                        p->state = PRE_VALUE;
                        p->value.trailing = SIZE_MAX;
                } else
                        return text_add_tracked(&p->key, c);
                return 0;
        case COMMENT:
                if (c == '\\')
                        p->state = COMMENT_ESCAPE;
                else if (strchr(NEWLINES, c))
                        p->state = PRE_KEY;
                return 0;
        default: /* COMMENT_ESCAPE: a backslash before the newline does not continue a comment */
                p->state = strchr(NEWLINES, c) ? PRE_KEY : COMMENT;
                return 0;
        }
}

static int step_value(struct parser *p, char c)
{
        switch (p->state) {
        case PRE_VALUE:
                if (strchr(NEWLINES, c)) {
                        p->state = PRE_KEY;
                        return push(p);
                }
                if (c == '\'' || c == '"') {
                        p->state = c == '\'' ? SQUOTE : DQUOTE;
                        p->quote_line = p->line;
                } else if (c == '\\')
                        p->state = VALUE_ESCAPE;
                else if (!strchr(BLANKS, c)) {
                        p->state = VALUE;
                        return text_add_tracked(&p->value, c);
                }
                return 0;
        case VALUE:
                if (strchr(NEWLINES, c)) {
                        p->state = PRE_KEY;
                        text_strip(&p->value);
                        return push(p);
                }
                if (c == '\\') {
                        p->state = VALUE_ESCAPE;
                        p->value.trailing = SIZE_MAX;
                        return 0;
                }
                return text_add_tracked(&p->value, c);
        default: /* VALUE_ESCAPE: an escaped newline continues the line */
                p->state = VALUE;
                return strchr(NEWLINES, c) ? 0 : text_add(&p->value, c);
        }
}

static int step_quoted(struct parser *p, char c)
{
        switch (p->state) {
        case SQUOTE:
                if (c == '\'') {
                        p->state = PRE_VALUE;
                        return 0;
                }
                return text_add(&p->value, c);
        case DQUOTE:
                if (c == '"')
                        p->state = PRE_VALUE;
                else if (c == '\\')
                        p->state = DQUOTE_ESCAPE;
                else
                        return text_add(&p->value, c);
                return 0;
        default: /* DQUOTE_ESCAPE: \" \\ \` \$ keep the character, \newline goes, others stay */
                p->state = DQUOTE;
                if (strchr(DQUOTE_ESCAPES, c))
                        return text_add(&p->value, c);
                if (c == '\n')
                        return 0;
                int r = text_add(&p->value, '\\');
                return r < 0 ? r : text_add(&p->value, c);
        }
}

static int step(struct parser *p, char c)
{
        switch (p->state) {
        case PRE_KEY:
        case KEY:
        case COMMENT:
        case COMMENT_ESCAPE:
                return step_key(p, c);
        case PRE_VALUE:
        case VALUE:
        case VALUE_ESCAPE:
                return step_value(p, c);
        default:
                return step_quoted(p, c);
        }
}

/* The length of the UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
        size_t len = *s < 0x80         ? 1
                     : (*s >> 5) == 6  ? 2
                     : (*s >> 4) == 14 ? 3
                     : (*s >> 3) == 30 ? 4
                                       : 0;
        uint32_t cp;

        if (len == 0 || len > n)
                return 0;
        if (len == 1)
                return 1;
        cp = *s & (0x7f >> len);
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        return len;
}

static int check_bytes(struct parser *p, const char *text, size_t len)
{
        unsigned line = 1;

        for (size_t i = 0; i < len;) {
                size_t k = utf8_len((const unsigned char *)text + i, len - i);

                if (text[i] == '\0')
                        return syntax_error(p, line, "NUL byte");
                if (k == 0)
                        return syntax_error(p, line, "invalid UTF-8");
                line += text[i] == '\n';
                i += k;
        }
        return 0;
}

static int finish(struct parser *p)
{
        switch (p->state) {
        case SQUOTE:
        case DQUOTE:
        case DQUOTE_ESCAPE:
                return syntax_error(p, p->quote_line, "unterminated %s quote",
                                    p->state == SQUOTE ? "single" : "double");
        case VALUE:
                text_strip(&p->value);
                return push(p);
        case PRE_VALUE:
        case VALUE_ESCAPE:
                return push(p);
        default:
                return 0;
        }
}

int envfile_parse(const char *text, size_t len, envfile_push_fn push_fn, void *userdata,
                  struct envfile_error *err)
{
        struct parser p = {.line = 1, .push = push_fn, .userdata = userdata, .err = err};
        int r;

        *err = (struct envfile_error){0};
        r = check_bytes(&p, text, len);
        for (size_t i = 0; r >= 0 && i < len; i++) {
                r = step(&p, text[i]);
                p.line += text[i] == '\n';
        }
        if (r >= 0)
                r = finish(&p);
        free(p.key.p);
        free(p.value.p);
        return r;
}

static int load_error(struct envfile_error *err, int r, const char *what)
{
        snprintf(err->message, sizeof(err->message), "%s", what ?: strerror(-r));
        return r;
}

int envfile_load(const char *path, envfile_push_fn push_fn, void *userdata,
                 struct envfile_error *err)
{
        /* O_NONBLOCK: a FIFO must not hang the load; it is refused below. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        ssize_t n;

        *err = (struct envfile_error){0};
        if (fd < 0 || fstat(fd, &st) < 0)
                return load_error(err, negative_errno(), NULL);
        if (!S_ISREG(st.st_mode))
                return load_error(err, -EINVAL, "not a regular file");
        if (st.st_size > ENVFILE_MAX_SIZE)
                return load_error(err, -EFBIG, "larger than 1048576 bytes");
        buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return load_error(err, -ENOMEM, NULL);
        n = read(fd, buf, (size_t)st.st_size + 1);
        if (n < 0)
                return load_error(err, negative_errno(), NULL);
        if (n > st.st_size)
                return load_error(err, -EFBIG, "larger than 1048576 bytes");
        return envfile_parse(buf, (size_t)n, push_fn, userdata, err);
}
