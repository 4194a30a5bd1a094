/* SPDX-License-Identifier: MIT */
/*
 * The socket units' own commands: exec_start_pre, exec_start_post,
 * exec_stop_pre and exec_stop_post, run where systemd runs a socket unit's
 * ExecStartPre= and friends. They run on the host, not sandboxed, one at a
 * time, each bounded by its unit's timeout_sec.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "injector/spec.h"
#include "injector/supervisor.h"

/* systemd's executable prefixes (systemd.service(5), "Special executable prefixes"). */
enum {
        HOOK_IGNORE_FAILURE = 1 << 0, /* '-': a failure is logged and ignored */
        HOOK_ARGV0 = 1 << 1,          /* '@': the second word is argv[0] */
        HOOK_NO_EXPAND = 1 << 2,      /* ':': sockjail never expands anyway */
        HOOK_PRIVILEGED = 1 << 3,     /* '+': the commands have sockjail's privileges anyway */
        HOOK_NO_SETUID = 1 << 4,      /* '!' */
        HOOK_AMBIENT = 1 << 5,        /* '!!' */
};

/* The length of the prefix of a command line's first word, its flags in *ret_flags.
 * As systemd: each prefix once, '+' and '!' exclude each other, a repeat ends it. */
size_t hook_prefix(const char *word, unsigned *ret_flags);

/* "exec_start_pre" ... "exec_stop_post". */
const char *hook_phase_name(enum spec_exec phase);

/* A timeout for messages: "90s", "1500ms", "infinity" (also for 0, which disables it). */
void hook_format_timespan(uint64_t usec, char *buf, size_t size);

/* How a command ended: "exited with status 3", "killed by signal 9 (SIGKILL)". */
void hook_format_status(int status, char *buf, size_t size);

/* One sockjail run: which units' commands are due in each phase. */
struct hook_run {
        const struct spec *spec;
        void (*log)(enum sup_level level, const char *fmt, ...)
                __attribute__((format(printf, 2, 3)));
        unsigned char state[SPEC_MAX_SOCKETS]; /* per unit: how far its start got */
};

void hook_init(struct hook_run *h, const struct spec *s,
               void (*log)(enum sup_level level, const char *fmt, ...)
                       __attribute__((format(printf, 2, 3))));

/*
 * Run one phase: unit by unit in spec order, each unit's commands in order,
 * as far as its first failure (a '-' command's failure is logged and
 * ignored). Call every phase in order whatever happened: a phase knows which
 * units are due, as systemd would have it. exec_stop_pre runs for the units
 * whose sockets were made (or tried: every unit, once exec_start_pre has
 * succeeded), except one stopped during its exec_start_post; exec_stop_post
 * also for units whose start went no further than exec_start_pre, but never
 * for the one whose exec_start_pre failed.
 *
 * A stop signal (SIGTERM, SIGINT, SIGHUP, SIGQUIT; blocked from the first
 * command on, and left blocked so that one arriving between commands waits
 * for the next command or the supervisor) makes the running command stop:
 * SIGTERM to its process group, SIGKILL after timeout_sec or at a second
 * signal. A timeout does the same.
 *
 * The start phases return 0, 1 when a stop signal ended the start, or a
 * negative errno when a command failed (logged); the stop phases return 0.
 */
int hook_run_phase(struct hook_run *h, enum spec_exec phase);
