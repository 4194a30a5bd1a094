/* SPDX-License-Identifier: MIT */
/*
 * The event loops' small parts (the supervisor's and Accept=yes's): an fd
 * added to an epoll set under a tag, and a one-shot timerfd armed for a span.
 */
#pragma once

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "common/util.h"

static inline int loop_add(int epfd, int fd, uint32_t events, uint64_t tag)
{
        struct epoll_event ev = {.events = events, .data.u64 = tag};

        return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? negative_errno() : 0;
}

/* Arm timerfd once, usec from now; 0 or UINT64_MAX (infinity) disarms it, as
 * systemd reads those timeouts. */
static inline void loop_timer(int timerfd, uint64_t usec)
{
        struct itimerspec its = {{0, 0}, {0, 0}};

        if (usec != UINT64_MAX && usec > 0) {
                its.it_value.tv_sec = (time_t)(usec / 1000000);
                its.it_value.tv_nsec = (long)(usec % 1000000) * 1000;
        }
        (void)timerfd_settime(timerfd, 0, &its, NULL);
}
