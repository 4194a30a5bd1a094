/* SPDX-License-Identifier: MIT */
/*
 * policy: what the service may do once it runs. Id switching and capability
 * sets (libcap-ng), no_new_privs, and a seccomp filter (libseccomp) built from
 * systemd-style rules: "@group", "name", "~name name", "name:errno".
 *
 * Library rules: never prints, never exits; returns 0 or -errno. The filter is
 * compiled before fork (pol_filter_build); the child only loads it.
 */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

/* One resource limit (systemd's Limit*= keys), set only when given. */
struct pol_rlimit {
        bool set;
        struct rlimit value; /* RLIM_INFINITY for "infinity" */
};

#define POL_RLIMIT_MAX 16 /* RLIMIT_CPU .. RLIMIT_RTTIME, systemd's sixteen */
#define POL_MAX_ARCHITECTURES 4

/* The namespace types restrict_namespaces names (systemd's seven; not CLONE_NEWTIME). */
#define POL_NAMESPACES_ALL                                                                         \
        (CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID |              \
         CLONE_NEWUSER | CLONE_NEWUTS)

struct pol_config {
        bool change_ids; /* switch to uid/gid/groups below */
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary groups (owned), n_groups of them */
        size_t n_groups;
        bool no_new_privileges;
        uint64_t capability_bounding_set; /* bit n keeps capability n; 0 = none */
        /*
         * system_call_filter: systemd's syntax, entry by entry, in order. An
         * entry is a space-separated list of names and @groups, each with an
         * optional ":errno" (name or number); a leading "~" makes it a deny
         * list. As in systemd, if the first entry starts with "~" the filter
         * is a deny list (default allow), otherwise an allow list (default:
         * system_call_error_number, or kill the process when that is 0).
         */
        char **system_call_filter; /* owned */
        size_t n_system_call_filter;
        int system_call_error_number; /* errno for denied calls; 0 = SIGSYS */
        /* restrict_address_families: allow list, or deny list if deny_families */
        bool restrict_families;
        bool deny_families;
        int *families; /* AF_* numbers (owned) */
        size_t n_families;
        bool restrict_namespaces;       /* deny unshare/setns/clone of CLONE_NEW* ... */
        unsigned long allow_namespaces; /* ... but these CLONE_NEW* flags (systemd's list form) */
        bool lock_personality;
        /*
         * ambient_capabilities: when given, those of these that
         * capability_bounding_set keeps; when not, every kept capability is
         * ambient too, so that a service run as another user holds what it keeps.
         */
        bool ambient_given;
        uint64_t ambient_capabilities;
        unsigned secure_bits; /* SECBIT_* for PR_SET_SECUREBITS; 0: left alone */
        /* system_call_architectures: ABIs allowed besides the native one (SCMP_ARCH_*). */
        uint32_t architectures[POL_MAX_ARCHITECTURES];
        size_t n_architectures;
        /* system_call_log: entries in system_call_filter's syntax; "~" first inverts. */
        char **system_call_log; /* owned */
        size_t n_system_call_log;
        bool memory_deny_write_execute;
        bool restrict_realtime;
        bool restrict_suid_sgid;
        /* The process, set up before the ids change (raising needs privileges). */
        mode_t umask;                              /* default 0022 */
        struct pol_rlimit rlimits[POL_RLIMIT_MAX]; /* indexed by RLIMIT_* */
        bool nice_given;
        int nice; /* -20..19 */
        bool oom_score_adjust_given;
        int oom_score_adjust; /* -1000..1000 */
};

/* The default profile (policy/profiles/default.yaml): keep ids, no capabilities,
 * no_new_privs, AF_UNIX only, no namespaces, locked personality, and
 * "@system-service" "~@keyring" "~io_uring_setup io_uring_enter
 * io_uring_register userfaultfd process_vm_readv process_vm_writev" with EPERM. */
int pol_config_init(struct pol_config *c);
void pol_config_done(struct pol_config *c);

/* Name lookups for the spec parser; -EINVAL when unknown. */
int pol_family_from_name(const char *name);     /* "AF_UNIX" -> 1 */
const char *pol_family_to_name(int af);         /* NULL if unknown */
int pol_capability_from_name(const char *name); /* "CAP_NET_BIND_SERVICE" or "net_bind_service" */
/* "CAP_CHOWN" for 0, into buf; a number for one libcap-ng does not know. */
const char *pol_capability_to_name(unsigned cap, char *buf, size_t size);
int pol_errno_from_name(const char *name);      /* "EPERM" or "1" -> 1 */
int pol_secure_bit_from_name(const char *name); /* "noroot" -> SECBIT_NOROOT */
int pol_namespace_from_name(
        const char *name); /* "net" -> CLONE_NEWNET (cgroup ipc net mnt pid user uts) */
int pol_rlimit_from_name(
        const char *name); /* "nofile" -> RLIMIT_NOFILE (systemd's Limit* suffix) */
const char *pol_rlimit_to_name(int resource); /* RLIMIT_NOFILE -> "nofile"; NULL if unknown */
/* systemd's architecture names native, x86-64, x86, x32: the SCMP_ARCH_* token,
 * 0 for the native one (always allowed), -EINVAL when unknown. */
int64_t pol_architecture_from_name(const char *name);

struct pol_filter; /* a compiled seccomp program */

/*
 * Compile c's seccomp filter for the native architecture and those of
 * c->architectures (other ABIs, such as x32 and i386, kill the process). On an
 * unknown syscall, group or errno returns -EINVAL and sets *ret_bad_entry to
 * the index of the entry in c->system_call_filter, or n_system_call_filter
 * plus its index in c->system_call_log, and *ret_bad_word to a malloc'd copy
 * of the word.
 * Other invalid settings (an address family >= AF_MAX, an error number
 * outside 0..4095) give -EINVAL with *ret_bad_entry = SIZE_MAX and
 * *ret_bad_word = NULL. ret_bad_entry and ret_bad_word may be NULL.
 */
int pol_filter_build(const struct pol_config *c, struct pol_filter **ret, size_t *ret_bad_entry,
                     char **ret_bad_word);
void pol_filter_free(struct pol_filter *f);
/* pol_filter_build()'s errors without the compiling, which takes milliseconds:
 * a spec is checked at once, its filter compiled once its sockets listen. */
int pol_filter_check(const struct pol_config *c, size_t *ret_bad_entry, char **ret_bad_word);
/* Child side: load f into the calling thread (no_new_privs must be set). No allocation. */
int pol_filter_load(const struct pol_filter *f);

/* Print the resolved plan: ids, capabilities, families, every syscall with its action. */
int pol_describe(const struct pol_config *c, FILE *out);

enum pol_step {
        POL_STEP_NONE = 0,
        POL_STEP_GROUPS,
        POL_STEP_GID,
        POL_STEP_UID,
        POL_STEP_CAPS,
        POL_STEP_NO_NEW_PRIVS,
        POL_STEP_PERSONALITY,
        POL_STEP_SECCOMP,
        POL_STEP_LANDLOCK,
        POL_STEP_OOM_SCORE_ADJUST,
        POL_STEP_NICE,
        POL_STEP_RLIMITS,
        POL_STEP_SECURE_BITS,
        _POL_STEP_MAX,
};
const char *pol_step_name(enum pol_step step);

/*
 * Child side, right before execve: oom_score_adj, nice, resource limits and
 * umask while still privileged; setgroups/setgid, secure bits, setuid; empty
 * every capability set but what capability_bounding_set keeps (bounding,
 * inheritable, effective, permitted; ambient: see ambient_capabilities),
 * PR_SET_NO_NEW_PRIVS, then load f (may be NULL for no filter; a filter forces
 * no_new_privs as systemd does). No heap allocation. On failure returns -errno
 * and sets *ret_step.
 */
int pol_apply(const struct pol_config *c, const struct pol_filter *f, enum pol_step *ret_step);

/*
 * pol_apply() but for the filter, which the caller loads later with
 * pol_filter_load() (filter_follows: set no_new_privs for it). Accept=yes's
 * spawner does this once; each instance it forks only loads the filter.
 */
int pol_apply_but_filter(const struct pol_config *c, bool filter_follows, enum pol_step *ret_step);
