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

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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
        bool restrict_namespaces; /* deny unshare/setns/clone of any CLONE_NEW* */
        bool lock_personality;
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
int pol_errno_from_name(const char *name);      /* "EPERM" or "1" -> 1 */

struct pol_filter; /* a compiled seccomp program */

/*
 * Compile c's seccomp filter for the native architecture (foreign ABIs such
 * as x32 and i386 kill the process). On an unknown syscall, group or errno
 * returns -EINVAL and sets *ret_bad_entry to the index of the entry in
 * c->system_call_filter and *ret_bad_word to a malloc'd copy of the word.
 * Other invalid settings (an address family >= AF_MAX, an error number
 * outside 0..4095) give -EINVAL with *ret_bad_entry = SIZE_MAX and
 * *ret_bad_word = NULL. ret_bad_entry and ret_bad_word may be NULL.
 */
int pol_filter_build(const struct pol_config *c, struct pol_filter **ret, size_t *ret_bad_entry,
                     char **ret_bad_word);
void pol_filter_free(struct pol_filter *f);
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
        _POL_STEP_MAX,
};
const char *pol_step_name(enum pol_step step);

/*
 * Child side, right before execve: setgroups/setgid/setuid, empty every
 * capability set but what capability_bounding_set keeps (bounding, ambient,
 * inheritable, effective, permitted), PR_SET_NO_NEW_PRIVS, then load f (may be
 * NULL for no filter; a filter forces no_new_privs as systemd does). No heap
 * allocation. On failure returns -errno and sets *ret_step.
 */
int pol_apply(const struct pol_config *c, const struct pol_filter *f, enum pol_step *ret_step);
