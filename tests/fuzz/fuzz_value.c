/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for injector/value.c (see README.md). The first byte picks the parser, the
 * rest is the text. Each parser is checked against what it promises: its return codes, its range,
 * a value that prints and parses back the same, and libc's strto*() where the syntax agrees.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "injector/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool only(const char *s, const char *set)
{
        return *s && s[strspn(s, set)] == 0;
}

static void check_bool(const char *s)
{
        int r = val_bool(s);

        assert(r == 0 || r == 1 || r == -EINVAL);
}

static void check_size(const char *s)
{
        char buf[32];
        uint64_t v, w;
        int r = val_size(s, &v);

        assert(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r < 0)
                return;
        (void)snprintf(buf, sizeof(buf), "%" PRIu64 "B", v);
        assert(val_size(buf, &w) == 0 && w == v);
}

static void check_timespan(const char *s)
{
        char buf[32];
        uint64_t v, w;
        int r = val_timespan(s, &v);

        assert(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r < 0 || v == VAL_INFINITY)
                return;
        (void)snprintf(buf, sizeof(buf), "%" PRIu64 "us", v);
        assert(val_timespan(buf, &w) == 0 && w == v);
        (void)snprintf(buf, sizeof(buf), "%" PRIu64 "s %" PRIu64 "us", v / 1000000, v % 1000000);
        assert(val_timespan(buf, &w) == 0 && w == v);
}

static void check_mode(const char *s)
{
        mode_t m, n;
        int r = val_mode(s, &m);

        assert(r == 0 || r == -EINVAL || r == -ERANGE);
        if (only(s, "01234567")) {
                unsigned long want;

                errno = 0;
                want = strtoul(s, NULL, 8);
                assert(r == ((errno == ERANGE || want > 07777) ? -ERANGE : 0));
                assert(r < 0 || m == want);
        } else {
                assert(r == -EINVAL);
        }
        if (r == 0) {
                char buf[16];

                (void)snprintf(buf, sizeof(buf), "%o", (unsigned)m);
                assert(val_mode(buf, &n) == 0 && n == m);
        }
}

/* Bounds from the input's length, so the range checks see both sides. */
static void check_uint(const char *s, size_t len)
{
        uint64_t v, lo = len % 3 ? 0 : 10, hi = len % 2 ? UINT64_MAX : 1000;
        int r = val_uint(s, lo, hi, &v);

        assert(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0)
                assert(v >= lo && v <= hi);
        if (only(s, "0123456789")) {
                unsigned long long want;

                errno = 0;
                want = strtoull(s, NULL, 10);
                if (errno == ERANGE || want < lo || want > hi)
                        assert(r == -ERANGE);
                else
                        assert(r == 0 && v == want);
        }
}

static void check_int(const char *s, size_t len)
{
        int64_t v, lo = len % 3 ? INT64_MIN : -1000, hi = len % 2 ? INT64_MAX : 1000;
        int r = val_int(s, lo, hi, &v);

        assert(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0)
                assert(v >= lo && v <= hi);
        if (only(s[0] == '-' ? s + 1 : s, "0123456789")) {
                long long want;

                errno = 0;
                want = strtoll(s, NULL, 10);
                if (errno == ERANGE || want < lo || want > hi)
                        assert(r == -ERANGE);
                else
                        assert(r == 0 && v == want);
        }
}

static void check_suggest(const char *s)
{
        static const char *const keys[] = {
                "listen_stream", "listen_datagram", "backlog", "port", "type", NULL, "accept", "a"};
        const char *got = val_suggest(s, keys, ELEMENTSOF(keys));
        bool found = !got;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                found = found || got == keys[i];
                if (keys[i] && streq(s, keys[i]))
                        assert(got == keys[i]); /* an exact match always wins */
        }
        assert(found);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s;

        if (size == 0)
                return 0;
        s = malloc(size);
        if (!s)
                return 0;
        memcpy(s, data + 1, size - 1);
        s[size - 1] = 0;
        switch (data[0] % 7) {
        case 0:
                check_bool(s);
                break;
        case 1:
                check_size(s);
                break;
        case 2:
                check_timespan(s);
                break;
        case 3:
                check_mode(s);
                break;
        case 4:
                check_uint(s, size);
                break;
        case 5:
                check_int(s, size);
                break;
        default:
                check_suggest(s);
                break;
        }
        free(s);
        return 0;
}
