/* SPDX-License-Identifier: MIT */
/*
 * value.c: one table per parser, one loop per table. Expected values come from systemd's
 * documentation and test-parse-util.c / test-time-util.c; every fuzz finding becomes a row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "injector/value.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)
#define TiB (GiB * 1024)
#define PiB (TiB * 1024)
#define EiB (PiB * 1024)
#define USEC UINT64_C(1)
#define MSEC (1000 * USEC)
#define SEC (1000 * MSEC)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static const struct bool_row {
        const char *in;
        int ret;
} bool_rows[] = {
        {"1", 1},
        {"yes", 1},
        {"y", 1},
        {"true", 1},
        {"t", 1},
        {"on", 1},
        {"YES", 1},
        {"True", 1},
        {"oN", 1},
        {"Y", 1},
        {"0", 0},
        {"no", 0},
        {"n", 0},
        {"false", 0},
        {"f", 0},
        {"off", 0},
        {"NO", 0},
        {"False", 0},
        {"OFF", 0},
        {"F", 0},
        {"", -EINVAL},
        {"2", -EINVAL},
        {"-1", -EINVAL},
        {"10", -EINVAL},
        {"01", -EINVAL},
        {" yes", -EINVAL},
        {"yes ", -EINVAL},
        {"ye", -EINVAL},
        {"yess", -EINVAL},
        {"tru", -EINVAL},
        {"enable", -EINVAL},
        {"y\n", -EINVAL},
        {"nope", -EINVAL},
};

static void test_bool_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bool_rows); i++) {
                print_message("bool row %zu: '%s'\n", i, bool_rows[i].in);
                assert_int_equal(val_bool(bool_rows[i].in), bool_rows[i].ret);
        }
        assert_int_equal(val_bool(NULL), -EINVAL);
}

/* Shared by size and timespan: {input, return, value}. */
struct u64_row {
        const char *in;
        int ret;
        uint64_t value;
};

static const struct u64_row size_rows[] = {
        {"0", 0, 0},
        {"4096", 0, 4096},
        {"64K", 0, 64 * KiB},
        {"64KB", 0, 64 * KiB},
        {"64 K", 0, 64 * KiB},
        {"1B", 0, 1},
        {"1.5K", 0, 1536},
        {"1.5M", 0, 3 * MiB / 2},
        {"0.5K", 0, 512},
        {"1.0009765625K", 0, 1025},
        {"1.999999999999K", 0, 2047},
        {"1.5", 0, 1},
        {"2G", 0, 2 * GiB},
        {"1T", 0, TiB},
        {"1P", 0, PiB},
        {"1E", 0, EiB},
        {"15E", 0, 15 * EiB},
        {"15.5E", 0, UINT64_C(17870283321406128128)},
        {"15.999E", 0, UINT64_C(18445591152204944769)},
        {"1G 512M", 0, GiB + 512 * MiB},
        {"1G512M", 0, GiB + 512 * MiB},
        {"1GB 512MB", 0, GiB + 512 * MiB},
        {"1K 2", 0, KiB + 2},
        {"1K 2B", 0, KiB + 2},
        {"18446744073709551615", 0, UINT64_MAX},
        {"18446744073709551615B", 0, UINT64_MAX},
        {"16E", -ERANGE, 0},
        {"16.0E", -ERANGE, 0},
        {"18446744073709551616", -ERANGE, 0},
        {"99999999999999999999999K", -ERANGE, 0},
        {"18446744073709551615 1", -EINVAL, 0},
        {"15E 1023P 1023T 1023G 1023M 1023K 1024", -ERANGE, 0},
        {"-1", -ERANGE, 0},
        {"-1K", -ERANGE, 0},
        {"", -EINVAL, 0},
        {" 1K", -EINVAL, 0},
        {"1K ", -EINVAL, 0},
        {"+1", -EINVAL, 0},
        {"-", -EINVAL, 0},
        {"K", -EINVAL, 0},
        {"1X", -EINVAL, 0},
        {"1k", -EINVAL, 0},
        {"1KiB", -EINVAL, 0},
        {"1.K", -EINVAL, 0},
        {".5K", -EINVAL, 0},
        {"1..5K", -EINVAL, 0},
        {"1.5.5K", -EINVAL, 0},
        {"1M 2G", -EINVAL, 0},
        {"1K 1K", -EINVAL, 0},
        {"1 2", -EINVAL, 0},
        {"1KBB", -EINVAL, 0},
        {"0x10", -EINVAL, 0},
        {"1e3", -EINVAL, 0},
        {"infinity", -EINVAL, 0},
};

static const struct u64_row timespan_rows[] = {
        {"0", 0, 0},
        {"1", 0, SEC},
        {"5min 20s", 0, 320 * SEC},
        {"5min20s", 0, 320 * SEC},
        {"5 min 20 s", 0, 320 * SEC},
        {"1.5s", 0, 1500 * MSEC},
        {"1.5min", 0, 90 * SEC},
        {"300ms", 0, 300 * MSEC},
        {"300msec", 0, 300 * MSEC},
        {"2h", 0, 2 * HOUR},
        {"1hr", 0, HOUR},
        {"2 hours", 0, 2 * HOUR},
        {"1h 30min", 0, HOUR + 30 * MIN},
        {"1d", 0, DAY},
        {"2days", 0, 2 * DAY},
        {"1w", 0, 7 * DAY},
        {"1 week", 0, 7 * DAY},
        {"1M", 0, 2629800 * SEC},
        {"1month", 0, 2629800 * SEC},
        {"2 months", 0, 2 * 2629800 * SEC},
        {"1y", 0, 31557600 * SEC},
        {"1 year", 0, 31557600 * SEC},
        {"5m", 0, 5 * MIN},
        {"5ms", 0, 5 * MSEC},
        {"3 seconds 4 msec", 0, 3 * SEC + 4 * MSEC},
        {"3second", 0, 3 * SEC},
        {"3sec", 0, 3 * SEC},
        {"10us", 0, 10},
        {"10usec", 0, 10},
        {"10\xc2\xb5s", 0, 10},
        {"10\xce\xbcs", 0, 10},
        {"0.000001s", 0, 1},
        {"0.0000001s", 0, 0},
        {"1.0000001s", 0, SEC},
        {"0.5us", 0, 0},
        {"1 2", 0, 3 * SEC},
        {"5s5", 0, 10 * SEC},
        {"5min 20", 0, 320 * SEC},
        {"infinity", 0, VAL_INFINITY},
        {"18446744073709551614us", 0, UINT64_MAX - 1},
        {"584542y", 0, UINT64_C(18446742619200000000)},
        {"18446744073709551615us", -ERANGE, 0},
        {"18446744073709551616", -ERANGE, 0},
        {"18446744073709551615", -ERANGE, 0},
        {"584543y", -ERANGE, 0},
        {"584542y 1y", -ERANGE, 0},
        {"-5s", -ERANGE, 0},
        {"-0", -ERANGE, 0},
        {"", -EINVAL, 0},
        {" 5s", -EINVAL, 0},
        {"5s ", -EINVAL, 0},
        {"+5s", -EINVAL, 0},
        {"-", -EINVAL, 0},
        {"5x", -EINVAL, 0},
        {"5 x", -EINVAL, 0},
        {"5.", -EINVAL, 0},
        {"5.s", -EINVAL, 0},
        {".5s", -EINVAL, 0},
        {"5.5.5", -EINVAL, 0},
        {"s", -EINVAL, 0},
        {"5 s s", -EINVAL, 0},
        {"5MIN", -EINVAL, 0},
        {"5mins", -EINVAL, 0},
        {"5sec1", 0, 6 * SEC},
        {"infinity ", -EINVAL, 0},
        {"Infinity", -EINVAL, 0},
        {"infinityx", -EINVAL, 0},
        {"5s infinity", -EINVAL, 0},
        {"0x10", -EINVAL, 0},
        {"1e3", -EINVAL, 0},
};

static void check_u64_table(const char *what, const struct u64_row *rows, size_t n,
                            int (*parse)(const char *, uint64_t *))
{
        for (size_t i = 0; i < n; i++) {
                uint64_t v = 0xdeadbeef;

                print_message("%s row %zu: '%s'\n", what, i, rows[i].in);
                assert_int_equal(parse(rows[i].in, &v), rows[i].ret);
                if (rows[i].ret == 0)
                        assert_int_equal(v, rows[i].value);
                else
                        assert_int_equal(v, 0xdeadbeef); /* untouched on error */
        }
}

static void test_size_table(void **state)
{
        uint64_t v;

        (void)state;
        check_u64_table("size", size_rows, ELEMENTSOF(size_rows), val_size);
        assert_int_equal(val_size(NULL, &v), -EINVAL);
        assert_int_equal(val_size("1", NULL), -EINVAL);
}

static void test_timespan_table(void **state)
{
        uint64_t v;

        (void)state;
        check_u64_table("timespan", timespan_rows, ELEMENTSOF(timespan_rows), val_timespan);
        assert_int_equal(val_timespan(NULL, &v), -EINVAL);
        assert_int_equal(val_timespan("1", NULL), -EINVAL);
}

static const struct mode_row {
        const char *in;
        int ret;
        mode_t mode;
} mode_rows[] = {
        {"0660", 0, 0660},
        {"660", 0, 0660},
        {"0", 0, 0},
        {"7777", 0, 07777},
        {"07777", 0, 07777},
        {"00007777", 0, 07777},
        {"4755", 0, 04755},
        {"10000", -ERANGE, 0},
        {"77777", -ERANGE, 0},
        {"777777777777777777777777", -ERANGE, 0},
        {"77777777777777777777777x", -EINVAL, 0},
        {"0o660", -EINVAL, 0},
        {"0x1ff", -EINVAL, 0},
        {"8", -EINVAL, 0},
        {"0669", -EINVAL, 0},
        {"", -EINVAL, 0},
        {" 660", -EINVAL, 0},
        {"660 ", -EINVAL, 0},
        {"-1", -EINVAL, 0},
        {"+660", -EINVAL, 0},
        {"u+rwx", -EINVAL, 0},
        {"rw-rw----", -EINVAL, 0},
};

static void test_mode_table(void **state)
{
        mode_t m;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(mode_rows); i++) {
                m = 0123;
                print_message("mode row %zu: '%s'\n", i, mode_rows[i].in);
                assert_int_equal(val_mode(mode_rows[i].in, &m), mode_rows[i].ret);
                assert_int_equal(m, mode_rows[i].ret == 0 ? mode_rows[i].mode : 0123);
        }
        assert_int_equal(val_mode(NULL, &m), -EINVAL);
        assert_int_equal(val_mode("1", NULL), -EINVAL);
}

static const struct uint_row {
        const char *in;
        uint64_t min, max;
        int ret;
        uint64_t value;
} uint_rows[] = {
        {"0", 0, UINT64_MAX, 0, 0},
        {"42", 0, UINT64_MAX, 0, 42},
        {"007", 0, UINT64_MAX, 0, 7},
        {"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
        {"10", 10, 20, 0, 10},
        {"20", 10, 20, 0, 20},
        {"-0", 0, UINT64_MAX, 0, 0},
        {"4294967294", 0, UINT32_MAX - 1, 0, UINT32_MAX - 1},
        {"4294967295", 0, UINT32_MAX - 1, -ERANGE, 0},
        {"18446744073709551616", 0, UINT64_MAX, -ERANGE, 0},
        {"99999999999999999999999", 0, UINT64_MAX, -ERANGE, 0},
        {"9", 10, 20, -ERANGE, 0},
        {"21", 10, 20, -ERANGE, 0},
        {"-1", 0, UINT64_MAX, -ERANGE, 0},
        {"-0", 1, 2, -ERANGE, 0},
        {"", 0, UINT64_MAX, -EINVAL, 0},
        {"-", 0, UINT64_MAX, -EINVAL, 0},
        {"+1", 0, UINT64_MAX, -EINVAL, 0},
        {" 1", 0, UINT64_MAX, -EINVAL, 0},
        {"1 ", 0, UINT64_MAX, -EINVAL, 0},
        {"1\n", 0, UINT64_MAX, -EINVAL, 0},
        {"--1", 0, UINT64_MAX, -EINVAL, 0},
        {"0x10", 0, UINT64_MAX, -EINVAL, 0},
        {"1e3", 0, UINT64_MAX, -EINVAL, 0},
        {"1.0", 0, UINT64_MAX, -EINVAL, 0},
        {"1K", 0, UINT64_MAX, -EINVAL, 0},
        {"\xd9\xa1", 0, UINT64_MAX, -EINVAL, 0}, /* ARABIC-INDIC DIGIT ONE */
        {"99999999999999999999x", 0, UINT64_MAX, -EINVAL, 0},
};

static void test_uint_table(void **state)
{
        uint64_t v;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(uint_rows); i++) {
                const struct uint_row *row = &uint_rows[i];

                v = 0xdeadbeef;
                print_message("uint row %zu: '%s'\n", i, row->in);
                assert_int_equal(val_uint(row->in, row->min, row->max, &v), row->ret);
                assert_int_equal(v, row->ret == 0 ? row->value : 0xdeadbeef);
        }
        assert_int_equal(val_uint(NULL, 0, 1, &v), -EINVAL);
        assert_int_equal(val_uint("1", 0, 1, NULL), -EINVAL);
}

static const struct int_row {
        const char *in;
        int64_t min, max;
        int ret;
        int64_t value;
} int_rows[] = {
        {"0", INT64_MIN, INT64_MAX, 0, 0},
        {"-0", INT64_MIN, INT64_MAX, 0, 0},
        {"42", INT64_MIN, INT64_MAX, 0, 42},
        {"-42", INT64_MIN, INT64_MAX, 0, -42},
        {"-007", INT64_MIN, INT64_MAX, 0, -7},
        {"9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX},
        {"-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN},
        {"-10", -10, 10, 0, -10},
        {"10", -10, 10, 0, 10},
        {"9223372036854775808", INT64_MIN, INT64_MAX, -ERANGE, 0},
        {"-9223372036854775809", INT64_MIN, INT64_MAX, -ERANGE, 0},
        {"18446744073709551615", INT64_MIN, INT64_MAX, -ERANGE, 0},
        {"-18446744073709551616", INT64_MIN, INT64_MAX, -ERANGE, 0},
        {"-11", -10, 10, -ERANGE, 0},
        {"11", -10, 10, -ERANGE, 0},
        {"", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"-", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"+5", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"--5", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"- 5", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {" 5", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"5 ", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"5-", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"0x5", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"-1.5", INT64_MIN, INT64_MAX, -EINVAL, 0},
};

static void test_int_table(void **state)
{
        int64_t v;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(int_rows); i++) {
                const struct int_row *row = &int_rows[i];

                v = 12345;
                print_message("int row %zu: '%s'\n", i, row->in);
                assert_int_equal(val_int(row->in, row->min, row->max, &v), row->ret);
                assert_true(v == (row->ret == 0 ? row->value : 12345));
        }
        assert_int_equal(val_int(NULL, 0, 1, &v), -EINVAL);
        assert_int_equal(val_int("1", 0, 1, NULL), -EINVAL);
}

static const char *const keys[] = {
        "listen_stream",
        "listen_datagram",
        "listen_sequential_packet",
        "backlog",
        "accept",
        "socket_mode",
        "service",
        "type",
        "port",
        "bind_ipv6_only",
};

static const struct suggest_row {
        const char *word;
        const char *want; /* NULL: no suggestion */
} suggest_rows[] = {
        {"listen_streem", "listen_stream"},
        {"listen_stream", "listen_stream"},
        {"Listen_Stream", "listen_stream"},
        {"listen_streams", "listen_stream"},
        {"backlgo", "backlog"},
        {"bakclog", "backlog"},
        {"acept", "accept"},
        {"tpye", "type"},
        {"types", "type"},
        {"prot", "port"},
        {"soket_mode", "socket_mode"},
        {"listen", "listen_stream"},
        {"listen_d", "listen_datagram"},
        {"sock", "socket_mode"},
        {"bind", "bind_ipv6_only"},
        {"x", NULL},
        {"ty", NULL},
        {"li", NULL},
        {"", NULL},
        {"zzzzzz", NULL},
        {"listen_stream_extra_long_typo", NULL},
        {"servicesss", NULL},
};

static void test_suggest_table(void **state)
{
        static const char *const with_null[] = {NULL, "port", NULL};
        char longword[400];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(suggest_rows); i++) {
                const char *got = val_suggest(suggest_rows[i].word, keys, ELEMENTSOF(keys));

                print_message("suggest row %zu: '%s'\n", i, suggest_rows[i].word);
                if (suggest_rows[i].want)
                        assert_string_equal(got, suggest_rows[i].want);
                else
                        assert_null(got);
        }
        assert_null(val_suggest(NULL, keys, ELEMENTSOF(keys)));
        assert_null(val_suggest("port", NULL, 3));
        assert_null(val_suggest("port", keys, 0));
        assert_string_equal(val_suggest("prot", with_null, ELEMENTSOF(with_null)), "port");
        memset(longword, 'a', sizeof(longword) - 1);
        longword[sizeof(longword) - 1] = 0;
        assert_null(val_suggest(longword, keys, ELEMENTSOF(keys)));
        assert_string_equal(val_suggest(longword + 390, (const char *const[]){longword}, 1),
                            longword);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bool_table),     cmocka_unit_test(test_size_table),
                cmocka_unit_test(test_timespan_table), cmocka_unit_test(test_mode_table),
                cmocka_unit_test(test_uint_table),     cmocka_unit_test(test_int_table),
                cmocka_unit_test(test_suggest_table),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
