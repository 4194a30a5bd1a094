/* SPDX-License-Identifier: MIT */
/*
 * The policy keys of systemd.exec(5) beyond ids, capabilities and the system
 * call filter: supplementary groups, umask, the environment keys, ambient
 * capabilities, secure bits, architectures, the log list, the memory,
 * realtime, set-id and namespace restrictions, the sixteen limit_* keys,
 * nice and oom_score_adjust. spec.c dispatches them here (p_policy_key) and
 * reports what comes back; the values follow systemd's syntax.
 */
#pragma once

#include <stdbool.h>

#include "injector/spec.h"
#include "injector/ytree.h"

struct spec_key_error {
        const struct ynode *at; /* the node at fault; NULL: the key's value */
        char message[384];
};

/* A valid environment variable name: the n bytes at s, [A-Za-z_][A-Za-z0-9_]*. */
bool spec_env_name_valid(const char *s, size_t n);

/* Whether key is one of these. */
bool spec_policy_has_key(const char *key);

/* Parse key's value v into s (a key given again replaces what it set before, as a
 * profile's keys are replaced by the spec's). 0, -ENOMEM, or -EINVAL with err set. */
int spec_policy_key(struct spec *s, const char *key, const struct ynode *v,
                    struct spec_key_error *err);

/* The checks that need the whole spec: ambient capabilities within the bounding
 * set, supplementary groups merged into s->pol.groups. On -EINVAL, *ret_mark is
 * where (line 0: nowhere in particular) and msg says what. */
int spec_policy_finish(struct spec *s, struct spec_mark *ret_mark, char *msg, size_t size);

void spec_policy_done(struct spec_policy *p);

/* For sockjail check: the profile, environment keys and supplementary groups. */
void spec_policy_print(const struct spec *s, FILE *out);
