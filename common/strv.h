/* SPDX-License-Identifier: MIT */
/*
 * NULL-terminated string vectors (argv, envp, path lists): the handful of
 * helpers the spec, the sandbox set-up and the activation all need.
 */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static inline size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

static inline void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

/* Append a copy of s, keeping the vector NULL-terminated. */
static inline int strv_push(char ***v, const char *s)
{
        size_t n = strv_length(*v);
        char **nv = reallocarray(*v, n + 2, sizeof(char *));

        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[n] = strdup(s);
        nv[n + 1] = NULL;
        return nv[n] ? 0 : -ENOMEM;
}
