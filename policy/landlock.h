/* SPDX-License-Identifier: MIT */
/* Internal to policy/: Landlock's network rights, for the sockets we pass in. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "policy/pol.h"

/* Whether c forbids new AF_INET and AF_INET6 sockets: then TCP through the
 * passed sockets is closed too (connect and bind), where Landlock can. */
bool pol_denies_inet(const struct pol_config *c);

/* The kernel's Landlock ABI version, 0 without Landlock. */
int pol_landlock_abi(void);

/* Child side, after no_new_privs: deny TCP connect and bind to this process
 * and its children. 0 when applied, 1 when the kernel cannot (ABI < 4). */
int pol_landlock_deny_tcp(void);

/* One line for sockjail check. */
void pol_landlock_describe(const struct pol_config *c, FILE *out);
