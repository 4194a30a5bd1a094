/* SPDX-License-Identifier: MIT */
/* Internal to policy/: the process attributes (oom_score_adj, nice, limits, umask). */
#pragma once

#include <stdio.h>

#include "policy/pol.h"

/* Child side, first of all: oom_score_adj, nice, resource limits, umask. No allocation. */
int pol_process_apply(const struct pol_config *c, enum pol_step *ret_step);

/* Lines for sockjail check. */
void pol_process_describe(const struct pol_config *c, FILE *out);
void pol_secure_bits_describe(unsigned bits, FILE *out);
