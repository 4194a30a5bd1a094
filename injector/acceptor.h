/* SPDX-License-Identifier: MIT */
/*
 * Accept=yes on the host side: sockjail accepts every connection itself, in
 * the host's network namespace, enforces max_connections,
 * max_connections_per_source and the trigger limit as systemd's socket unit
 * does, and hands the connection to the spawner inside the sandbox
 * (spawner.h), which it starts on the first connection and keeps. It never
 * waits for an instance: a connection costs it an accept and a sendmsg.
 */
#pragma once

#include "injector/supervisor.h"

/* sup_run() for a spec with accept: yes; the same contract. Ends on SIGTERM or
 * SIGINT (instances stopped per kill_mode, exit 0) or when a trigger limit is
 * hit (no more connections are taken; once the instances have ended, exit 1). */
int acc_run(const struct sup_params *p, int *ret_exit_code, char *err, size_t err_size);
