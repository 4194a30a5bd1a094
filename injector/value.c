/* SPDX-License-Identifier: MIT */
/*
 * systemd's value syntax (parse_boolean, parse_size, parse_sec, parse_mode, safe_atou), a little
 * stricter: no value may start or end with white space (YAML already trims plain scalars, so a
 * quoted " 5s" is a mistake), numbers take no '+', and fractions are exact integer arithmetic.
 */
#include "injector/value.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

#define WHITESPACE " \t\n\r"
#define DIGITS "0123456789"
#define USEC_PER_SEC UINT64_C(1000000)
#define SUGGEST_MAX_LEN 128

struct unit {
        const char *suffix;
        uint64_t factor;
};

/* A decimal number as written: whole part and the digits after the point, if any. */
struct number {
        uint64_t whole;
        const char *frac;
        size_t n_frac;
};

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* Non-empty and without white space at either end. */
static bool trimmed(const char *s)
{
        size_t l = s ? strlen(s) : 0;

        return l > 0 && !strchr(WHITESPACE, s[0]) && !strchr(WHITESPACE, s[l - 1]);
}

/* Digits at *p (at least one), moving *p past all of them even when the value overflows. */
static int parse_digits(const char **p, uint64_t *ret)
{
        const char *s = *p;
        uint64_t v = 0;
        bool over = false;

        if (!is_digit(*s))
                return -EINVAL;
        for (; is_digit(*s); s++)
                if (!over && (__builtin_mul_overflow(v, 10, &v) ||
                              __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v)))
                        over = true;
        *p = s;
        *ret = v;
        return over ? -ERANGE : 0;
}

/* The whole string as digits: -EINVAL for anything else, -ERANGE past UINT64_MAX. */
static int parse_all_digits(const char *s, uint64_t *ret)
{
        int r = parse_digits(&s, ret);

        if (r == -EINVAL || *s != 0)
                return -EINVAL;
        return r;
}

/* "<digits>[.<digits>]" at *p. "5." and ".5" are refused: a point needs digits on both sides. */
static int parse_number(const char **p, struct number *ret)
{
        const char *s = *p;
        int r;

        if (s[0] == '-' && is_digit(s[1]))
                return -ERANGE; /* systemd: a negative amount is out of range, not malformed */
        r = parse_digits(&s, &ret->whole);
        if (r < 0)
                return r;
        ret->frac = NULL;
        ret->n_frac = 0;
        if (*s == '.') {
                ret->frac = ++s;
                ret->n_frac = strspn(s, DIGITS);
                if (ret->n_frac == 0)
                        return -EINVAL;
                s += ret->n_frac;
        }
        *p = s;
        return 0;
}

/*
 * n * factor, rounded down. The fraction is folded in from its last digit: each step is
 * floor((d * factor + carry) / 10), and nested floors of this shape are exact, so "1.5K" is
 * exactly 1536 with no floating point. factor * 10 must fit in 64 bits (it does for every unit).
 */
static int number_scale(const struct number *n, uint64_t factor, uint64_t *ret)
{
        uint64_t v, frac = 0;

        for (size_t i = n->n_frac; i > 0; i--)
                frac = ((uint64_t)(n->frac[i - 1] - '0') * factor + frac) / 10;
        if (__builtin_mul_overflow(n->whole, factor, &v) || __builtin_add_overflow(v, frac, &v))
                return -ERANGE;
        *ret = v;
        return 0;
}

static int add_checked(uint64_t *total, uint64_t v)
{
        return __builtin_add_overflow(*total, v, total) ? -ERANGE : 0;
}

/* systemd's parse_boolean() words. */
int val_bool(const char *s)
{
        static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
        static const char *const no[] = {"0", "no", "n", "false", "f", "off"};

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

/*
 * Biggest unit first, as systemd's parse_size(): each component must use a smaller unit than the
 * one before ("1G 512M"), "" means bytes. Returns the index of the unit matching s, from start.
 */
static const struct unit size_units[] = {
        {"E", UINT64_C(1) << 60},
        {"P", UINT64_C(1) << 50},
        {"T", UINT64_C(1) << 40},
        {"G", UINT64_C(1) << 30},
        {"M", UINT64_C(1) << 20},
        {"K", UINT64_C(1) << 10},
        {"B", 1},
        {"", 1},
};

static size_t size_unit(const char *s, size_t start)
{
        size_t i;

        for (i = start; i < ELEMENTSOF(size_units); i++)
                if (startswith(s, size_units[i].suffix))
                        break;
        return i;
}

/* One "<number>[ ]<unit>[B]" component at *p, added to *total; *start is the next unit allowed. */
static int size_component(const char **p, size_t *start, uint64_t *total)
{
        struct number n;
        uint64_t v;
        size_t i;
        int r = parse_number(p, &n);

        if (r < 0)
                return r;
        *p += strspn(*p, WHITESPACE);
        i = size_unit(*p, *start);
        if (i >= ELEMENTSOF(size_units))
                return -EINVAL;
        *p += strlen(size_units[i].suffix);
        if (size_units[i].factor > 1 && **p == 'B')
                (*p)++; /* "64KB": the header promises an optional B */
        *start = i + 1;
        r = number_scale(&n, size_units[i].factor, &v);
        return r < 0 ? r : add_checked(total, v);
}

int val_size(const char *s, uint64_t *ret)
{
        uint64_t total = 0;
        size_t start = 0;

        if (!trimmed(s) || !ret)
                return -EINVAL;
        do {
                s += strspn(s, WHITESPACE);
                int r = size_component(&s, &start, &total);

                if (r < 0)
                        return r;
        } while (*s);
        *ret = total;
        return 0;
}

/* systemd.time(7) units, in the order systemd tries them: a longer spelling before its prefix. */
#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
static const struct unit time_units[] = {
        {"seconds", USEC_PER_SEC},
        {"second", USEC_PER_SEC},
        {"sec", USEC_PER_SEC},
        {"s", USEC_PER_SEC},
        {"minutes", USEC_PER_MINUTE},
        {"minute", USEC_PER_MINUTE},
        {"min", USEC_PER_MINUTE},
        {"months", 2629800 * USEC_PER_SEC},
        {"month", 2629800 * USEC_PER_SEC},
        {"M", 2629800 * USEC_PER_SEC},
        {"msec", 1000},
        {"ms", 1000},
        {"m", USEC_PER_MINUTE},
        {"hours", USEC_PER_HOUR},
        {"hour", USEC_PER_HOUR},
        {"hr", USEC_PER_HOUR},
        {"h", USEC_PER_HOUR},
        {"days", USEC_PER_DAY},
        {"day", USEC_PER_DAY},
        {"d", USEC_PER_DAY},
        {"weeks", 7 * USEC_PER_DAY},
        {"week", 7 * USEC_PER_DAY},
        {"w", 7 * USEC_PER_DAY},
        {"years", 31557600 * USEC_PER_SEC},
        {"year", 31557600 * USEC_PER_SEC},
        {"y", 31557600 * USEC_PER_SEC},
        {"usec", 1},
        {"us", 1},
        {"\xce\xbcs", 1}, /* U+03BC GREEK SMALL LETTER MU */
        {"\xc2\xb5s", 1}, /* U+00B5 MICRO SIGN */
};

static const struct unit *time_unit(const char *s)
{
        for (size_t i = 0; i < ELEMENTSOF(time_units); i++)
                if (startswith(s, time_units[i].suffix))
                        return &time_units[i];
        return NULL;
}

/*
 * One "<number>[ ]<unit>" component at *p, added to *total. Without a unit it is seconds, and
 * then the number must end the string or be followed by a space: "12.34.56" and "5x" are refused,
 * "5min20s" and "1 2" (three seconds) are not, as in systemd.
 */
static int time_component(const char **p, uint64_t *total)
{
        static const struct unit seconds = {"", USEC_PER_SEC};
        const struct unit *u;
        const char *end;
        struct number n;
        uint64_t v;
        int r = parse_number(p, &n);

        if (r < 0)
                return r;
        end = *p;
        *p += strspn(*p, WHITESPACE);
        u = time_unit(*p);
        if (!u && *p == end && **p != 0)
                return -EINVAL;
        if (!u)
                u = &seconds;
        *p += strlen(u->suffix);
        r = number_scale(&n, u->factor, &v);
        return r < 0 ? r : add_checked(total, v);
}

int val_timespan(const char *s, uint64_t *ret)
{
        uint64_t total = 0;

        if (!trimmed(s) || !ret)
                return -EINVAL;
        if (streq(s, "infinity")) {
                *ret = VAL_INFINITY;
                return 0;
        }
        do {
                s += strspn(s, WHITESPACE);
                int r = time_component(&s, &total);

                if (r < 0)
                        return r;
        } while (*s);
        if (total == VAL_INFINITY)
                return -ERANGE; /* only "infinity" may mean infinity */
        *ret = total;
        return 0;
}

/* Octal digits only, as systemd's parse_mode(): no "0o", no sign, no spaces. */
int val_mode(const char *s, mode_t *ret)
{
        unsigned v = 0;
        bool over = false;

        if (!s || !*s || !ret)
                return -EINVAL;
        for (const char *c = s; *c; c++) {
                if (*c < '0' || *c > '7')
                        return -EINVAL;
                v = v * 8 + (unsigned)(*c - '0');
                if (v > 07777) {
                        over = true;
                        v = 07777; /* keep scanning for junk without overflowing */
                }
        }
        if (over)
                return -ERANGE;
        *ret = (mode_t)v;
        return 0;
}

/*
 * Decimal digits, nothing else: no spaces, no '+', no "0x". As systemd's safe_atou(), a minus
 * sign before a non-zero number is -ERANGE and "-0" is 0.
 */
int val_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
        bool neg;
        uint64_t v;
        int r;

        if (!s || !ret)
                return -EINVAL;
        neg = s[0] == '-';
        r = parse_all_digits(s + neg, &v);
        if (r < 0)
                return r;
        if ((neg && v != 0) || v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* Decimal digits after an optional '-'; the magnitude may be 2^63 only when negative. */
int val_int(const char *s, int64_t min, int64_t max, int64_t *ret)
{
        bool neg;
        uint64_t m;
        int64_t v;
        int r;

        if (!s || !ret)
                return -EINVAL;
        neg = s[0] == '-';
        r = parse_all_digits(s + neg, &m);
        if (r < 0)
                return r;
        if (m > (uint64_t)INT64_MAX + neg)
                return -ERANGE;
        if (neg)
                v = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
        else
                v = (int64_t)m;
        if (v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* Levenshtein distance, two rows; callers keep b shorter than SUGGEST_MAX_LEN. */
static unsigned edit_distance(const char *a, size_t al, const char *b, size_t bl)
{
        unsigned row[SUGGEST_MAX_LEN + 1];

        for (size_t j = 0; j <= bl; j++)
                row[j] = (unsigned)j;
        for (size_t i = 1; i <= al; i++) {
                unsigned diag = row[0];

                row[0] = (unsigned)i;
                for (size_t j = 1; j <= bl; j++) {
                        unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[bl];
}

/*
 * Lower is better; UINT_MAX is no match. An edit distance of at most 2 scores itself, but only if
 * it leaves part of the word standing ("x" suggests nothing); a word of 3 or more characters that
 * starts a candidate scores 3, after every near spelling.
 */
static unsigned suggest_score(const char *word, size_t wl, const char *cand)
{
        size_t cl = strlen(cand);

        if (cl < SUGGEST_MAX_LEN && wl <= cl + 2 && cl <= wl + 2) {
                unsigned d = edit_distance(word, wl, cand, cl);

                if (d <= 2 && d < wl)
                        return d;
        }
        if (wl >= 3 && cl > wl && strncmp(cand, word, wl) == 0)
                return 3;
        return UINT_MAX;
}

const char *val_suggest(const char *word, const char *const *candidates, size_t n)
{
        const char *best = NULL;
        unsigned best_score = UINT_MAX;
        size_t wl;

        if (!word || !candidates)
                return NULL;
        wl = strlen(word);
        for (size_t i = 0; i < n; i++) {
                unsigned score = candidates[i] ? suggest_score(word, wl, candidates[i]) : UINT_MAX;

                if (score < best_score) {
                        best = candidates[i];
                        best_score = score;
                }
        }
        return best;
}

const char *val_format_span(uint64_t usec, char *buf, size_t size)
{
        if (usec == VAL_INFINITY)
                return "infinity";
        if (usec % 1000000 == 0)
                snprintf(buf, size, "%llus", (unsigned long long)(usec / 1000000));
        else
                snprintf(buf, size, "%llums", (unsigned long long)(usec / 1000));
        return buf;
}
