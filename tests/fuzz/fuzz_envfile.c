/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for injector/envfile.c (see README.md). The input is an
 * environment file. Checks: only documented return codes, error lines within
 * the text, valid names, and that the assignments written back in double
 * quotes (with \" \\ \` \$ escaped) parse to the same list.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "injector/envfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct list {
        char *text; /* "K=V\n" each, as written back */
        size_t n, size;
        char *flat; /* "K=V\0" each, as parsed */
        size_t flat_n, flat_size;
};

static void add(char **buf, size_t *n, size_t *size, const char *s, size_t len)
{
        if (*n + len + 1 > *size) {
                *size = (*n + len + 1) * 2;
                *buf = realloc(*buf, *size);
                assert(*buf);
        }
        memcpy(*buf + *n, s, len);
        *n += len;
        (*buf)[*n] = '\0';
}

static int collect(void *userdata, const char *key, const char *value)
{
        struct list *l = userdata;

        assert(key[0] && !(key[0] >= '0' && key[0] <= '9'));
        assert(strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
               strlen(key));
        add(&l->flat, &l->flat_n, &l->flat_size, key, strlen(key) + 1);
        add(&l->flat, &l->flat_n, &l->flat_size, value, strlen(value) + 1);
        add(&l->text, &l->n, &l->size, key, strlen(key));
        add(&l->text, &l->n, &l->size, "=\"", 2);
        for (const char *p = value; *p; p++) {
                if (strchr("\"\\`$", *p))
                        add(&l->text, &l->n, &l->size, "\\", 1);
                add(&l->text, &l->n, &l->size, p, 1);
        }
        add(&l->text, &l->n, &l->size, "\"\n", 2);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct list a = {0}, b = {0};
        struct envfile_error err;
        unsigned lines = 1;
        int r = envfile_parse((const char *)data, size, collect, &a, &err);

        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        assert(r == 0 || r == -EINVAL);
        if (r < 0) {
                assert(err.line >= 1 && err.line <= lines && err.message[0]);
        } else if (a.text) {
                assert(envfile_parse(a.text, a.n, collect, &b, &err) == 0);
                assert(a.flat_n == b.flat_n && memcmp(a.flat, b.flat, a.flat_n) == 0);
        }
        free(a.text);
        free(a.flat);
        free(b.text);
        free(b.flat);
        return 0;
}
