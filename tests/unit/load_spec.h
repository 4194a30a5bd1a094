/* SPDX-License-Identifier: MIT */
/* Shared by the unit tests (include after cmocka.h): load a spec from
 * printf-style text, or fail the test with the spec's own message. */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "injector/spec.h"

_printf_(2, 3) static inline void load(struct spec *s, const char *fmt, ...)
{
        struct spec_error err = {{0}};
        char text[4096];
        va_list ap;
        int r;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        assert_int_equal(spec_init(s), 0);
        r = spec_load_string(s, "t.yaml", text, strlen(text), &err);
        if (r >= 0)
                r = spec_finish(s, &err);
        if (r < 0)
                fail_msg("%s", err.message);
}
