/* SPDX-License-Identifier: MIT */
/*
 * systemd's RateLimit: at most burst events per interval, the window starting
 * with its first event. interval or burst 0: no limit; interval UINT64_MAX
 * (infinity): one window for ever. Used for the start
 * limit (start_limit_*) and the sockets' trigger limit (trigger_limit_*).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct ratelimit {
        uint64_t begin; /* CLOCK_MONOTONIC microseconds; 0: no window yet */
        unsigned n;
};

static inline uint64_t ratelimit_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Count one event; false once this window has had burst of them already. */
static inline bool ratelimit_below(struct ratelimit *rl, uint64_t interval, unsigned burst)
{
        uint64_t now = ratelimit_now();

        if (interval == 0 || burst == 0)
                return true;
        if (rl->begin == 0 || (interval != UINT64_MAX && now - rl->begin > interval)) {
                rl->begin = now;
                rl->n = 0;
        }
        return rl->n++ < burst;
}
