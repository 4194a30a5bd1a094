/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for injector/address.c (see README.md). Two modes, chosen by the first byte:
 * 0xff feeds the rest to addr_format() as a raw sockaddr; anything else is text for addr_parse(),
 * whose result must format and parse back to the same bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "injector/address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Undo addr_format()'s escapes (\\ and \xNN); the text is trusted to be well formed. */
static size_t unescape(const char *s, char *out)
{
        size_t n = 0;

        while (*s) {
                if (s[0] != '\\') {
                        out[n++] = *s++;
                } else if (s[1] == '\\') {
                        out[n++] = '\\';
                        s += 2;
                } else {
                        char hex[3] = {s[2], s[3], 0};

                        assert(s[1] == 'x' && s[2] && s[3]);
                        out[n++] = (char)strtoul(hex, NULL, 16);
                        s += 4;
                }
        }
        out[n] = 0;
        return n;
}

/*
 * parse -> format -> parse gives the same bytes. Escaped unix names cannot be parsed back
 * (addr_parse() takes names as they are), so for them the escapes must undo to the input.
 */
static void round_trip(const char *s)
{
        struct addr a, b;
        char buf[ADDR_FORMAT_MAX];

        if (addr_parse(s, &a) < 0)
                return;
        assert(a.size <= sizeof(a.u));
        assert(addr_format(&a.u.sa, a.size, buf, sizeof(buf)) == 0);
        assert(strlen(buf) < ADDR_FORMAT_MAX);
        if (addr_family(&a) == AF_UNIX && strchr(buf, '\\')) {
                char raw[ADDR_FORMAT_MAX];

                unescape(buf, raw);
                assert(strcmp(raw, s) == 0);
                return;
        }
        assert(addr_parse(buf, &b) == 0);
        assert(a.size == b.size);
        assert(memcmp(&a.u, &b.u, sizeof(a.u)) == 0);
        if (addr_family(&a) == AF_UNIX && s[0] == '/')
                assert(strcmp(addr_unix_path(&a), s) == 0);
}

/* Any bytes as a sockaddr of any length up to one past sockaddr_un: no crash, bounded text. */
static void format_raw(const uint8_t *data, size_t size)
{
        union addr_sockaddr u;
        char buf[ADDR_FORMAT_MAX], *small;
        size_t n = size < sizeof(u) ? size : sizeof(u);

        memset(&u, 0, sizeof(u));
        memcpy(&u, data, n);
        if (addr_format(&u.sa, (socklen_t)n, buf, sizeof(buf)) == 0)
                assert(strlen(buf) < ADDR_FORMAT_MAX);
        /* A short buffer must fail cleanly: ASan watches the end of an exact-size one. */
        small = malloc(n % 16 + 1);
        if (small) {
                (void)addr_format(&u.sa, (socklen_t)n, small, n % 16 + 1);
                free(small);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s;

        if (size > 0 && data[0] == 0xff) {
                format_raw(data + 1, size - 1);
                return 0;
        }
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        round_trip(s);
        free(s);
        return 0;
}
