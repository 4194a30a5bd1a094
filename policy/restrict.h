/* SPDX-License-Identifier: MIT */
/*
 * Internal to policy/: the restrictions that look at a system call's
 * arguments (address families, namespaces, personality, write+execute
 * memory, realtime scheduling, set-user-ID and set-group-ID modes), as
 * libseccomp rules added to one architecture's filter context.
 */
#pragma once

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/pol.h"

enum pol_special {
        SPECIAL_NONE,
        SPECIAL_FAMILY,      /* socket, socketpair: the family */
        SPECIAL_SOCKETCALL,  /* x86's multiplexer: its arguments sit in memory */
        SPECIAL_CLONE,       /* clone: CLONE_NEW* flags */
        SPECIAL_CLONE3,      /* clone3: its flags sit in memory */
        SPECIAL_UNSHARE,     /* unshare: CLONE_NEW* flags */
        SPECIAL_SETNS,       /* setns: the namespace type */
        SPECIAL_PERSONALITY, /* personality: PER_LINUX and queries */
        SPECIAL_MMAP,        /* mmap, mmap2: PROT_WRITE and PROT_EXEC together */
        SPECIAL_MPROTECT,    /* mprotect, pkey_mprotect: PROT_EXEC */
        SPECIAL_SHMAT,       /* shmat: SHM_EXEC */
        SPECIAL_SCHED,       /* sched_setscheduler: realtime policies */
        SPECIAL_SCHED_ATTR,  /* sched_setattr: its policy sits in memory */
        SPECIAL_MODE,        /* chmod, mkdir, mknod, creat, ...: S_ISUID, S_ISGID */
        SPECIAL_OPEN,        /* open, openat: O_CREAT or O_TMPFILE with a set-id mode */
        SPECIAL_OPENAT2,     /* openat2: its mode sits in memory */
};

struct pol_special_call {
        const char *name;
        enum pol_special kind;
        unsigned arg;  /* the argument looked at */
        unsigned arg2; /* SPECIAL_OPEN: the mode's argument */
};

/* Every syscall some restriction looks at, n of them. */
const struct pol_special_call *pol_special_calls(size_t *ret_n);

/* Whether c turns on the restriction that kind belongs to. */
bool pol_special_active(const struct pol_config *c, enum pol_special kind);

/* The active restriction on syscall name under c, or SPECIAL_NONE. */
enum pol_special pol_special_kind(const struct pol_config *c, const char *name);

/* One architecture's context, and its default action: a rule with that action is left out. */
struct pol_rule_ctx {
        scmp_filter_ctx ctx;
        uint32_t def;
        uint32_t arch; /* SCMP_ARCH_* of ctx */
};

/* Add a rule, unless it would only restate the default (libseccomp refuses those). */
int pol_rule_add(const struct pol_rule_ctx *rc, uint32_t act, int nr, unsigned n,
                 const struct scmp_arg_cmp *cmp);

/*
 * The rules for syscall nr (called name) under the restriction kind, where
 * base is the action the filter gives the syscall itself. A restriction only
 * narrows: a syscall base does not allow keeps base alone.
 */
int pol_special_rules(const struct pol_rule_ctx *rc, const struct pol_config *c,
                      const struct pol_special_call *call, int nr, uint32_t base);

/*
 * For sockjail check: the note after an allowed syscall's line, and the
 * errno it gets instead when the restriction takes the whole call (or -1).
 */
const char *pol_special_note(const struct pol_config *c, enum pol_special kind, int *ret_errno);

/* Whether family af may be created under c. */
bool pol_family_allowed(const struct pol_config *c, int af);

/* The namespace line of sockjail check. */
void pol_namespaces_describe(const struct pol_config *c, FILE *out);
