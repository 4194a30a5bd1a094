/* SPDX-License-Identifier: MIT */
/*
 * systemd's value syntax: booleans, sizes, time spans, file modes, numbers.
 * Every parser returns 0 or -EINVAL (malformed) / -ERANGE (out of range).
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#define VAL_INFINITY UINT64_MAX

/* yes/no/true/false/on/off/1/0/y/n/t/f, any case: returns 1, 0 or -EINVAL. */
int val_bool(const char *s);

/* Base-1024 size: "4096", "64K", "1.5M", "2G" (K M G T P E, optional B). */
int val_size(const char *s, uint64_t *ret);

/* Time span in microseconds: "5min 20s", "300ms", "2h", "1.5s", bare number = seconds,
 * "infinity" = VAL_INFINITY. Units as systemd.time(7): usec us µs, msec ms,
 * seconds second sec s, minutes minute min m, hours hour hr h, days day d,
 * weeks week w, months month M, years year y. */
int val_timespan(const char *s, uint64_t *ret);

/* "90s", "100ms", "infinity": how logs and messages print a time span. Returns buf. */
const char *val_format_span(uint64_t usec, char *buf, size_t size);

/* Octal file mode, at most 07777: "0660", "660". */
int val_mode(const char *s, mode_t *ret);

/* Unsigned decimal number in [min, max]. */
int val_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* Signed decimal number in [min, max]. */
int val_int(const char *s, int64_t min, int64_t max, int64_t *ret);

/* The candidate closest to word (edit distance at most 2, or a prefix), else NULL. */
const char *val_suggest(const char *word, const char *const *candidates, size_t n);
