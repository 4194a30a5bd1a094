/* SPDX-License-Identifier: MIT */
/*
 * Policy profiles: `policy: {profile: NAME}` starts the policy from the file
 * NAME.yaml, found in this order:
 *
 *   1. each directory of $SOCKJAIL_PROFILE_PATH (colon-separated), if set;
 *   2. BINDIR/../share/sockjail/profiles, BINDIR holding the sockjail binary
 *      (where `make install` puts them);
 *   3. BINDIR/../policy/profiles: the source tree, for a binary built in it.
 */
#pragma once

#include <stddef.h>

#define PROFILE_PATH_ENV "SOCKJAIL_PROFILE_PATH"

/* The file of profile name (malloc'd). -EINVAL: not a name (letters, digits,
 * '-', '_', at most 64); -ENOENT: no directory has it. */
int profile_find(const char *name, char **ret_path);

/* "default, strict": the profiles found, sorted, for a message; "" if none. */
void profile_names(char *buf, size_t size);
