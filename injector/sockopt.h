/* SPDX-License-Identifier: MIT */
/*
 * A socket unit's options applied to one fd, with the kernel options systemd
 * uses (src/core/socket.c). Each applies only where the kernel has it (TCP
 * keep-alive tuning on TCP sockets, IP_TOS on IPv4, ...); where it applies, a
 * failure is an error naming the option, not a warning.
 */
#pragma once

#include "injector/sockets.h"

/* Before bind(): SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY, FREEBIND, TRANSPARENT,
 * SO_BINDTODEVICE. */
int sock_opts_before_bind(int fd, const struct spec_socket *u, const struct spec_listen *l,
                          struct sock_error *err);

/* After bind(): everything else a socket takes. */
int sock_opts_after_bind(int fd, const struct spec_socket *u, const struct spec_listen *l,
                         struct sock_error *err);

/* A FIFO's options: pipe_size (F_SETPIPE_SZ) and smack_label. */
int sock_opts_fifo(int fd, const struct spec_socket *u, struct sock_error *err);
