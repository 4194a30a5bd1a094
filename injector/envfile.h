/* SPDX-License-Identifier: MIT */
/*
 * systemd's EnvironmentFile= syntax: KEY=VALUE lines; blank lines, lines
 * without "=" and lines starting with "#" or ";" ignored; a value unquoted
 * (backslash escapes, line continuation, surrounding blanks dropped),
 * '...' (verbatim) or "..." (shell double-quote escapes), quotes may span
 * lines. Stricter than systemd, which skips what it cannot use: an invalid
 * name, an unterminated quote, invalid UTF-8 or a NUL byte is an error with
 * its line.
 */
#pragma once

#include <stddef.h>

#define ENVFILE_MAX_SIZE (1024 * 1024)

struct envfile_error {
        unsigned line; /* 1-based; 0 for the file as a whole */
        char message[160];
};

/* Called with each assignment in file order; a negative return stops the parse. */
typedef int (*envfile_push_fn)(void *userdata, const char *key, const char *value);

/* Parse text. On a syntax error returns -EINVAL with err set; else 0 or push's error. */
int envfile_parse(const char *text, size_t len, envfile_push_fn push, void *userdata,
                  struct envfile_error *err);

/* Read and parse the file at path, a regular file of at most ENVFILE_MAX_SIZE
 * bytes. On failure err->message says why, with err->line 0 when the file as
 * a whole is at fault (-errno when it cannot be read). */
int envfile_load(const char *path, envfile_push_fn push, void *userdata, struct envfile_error *err);
