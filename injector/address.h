/* SPDX-License-Identifier: MIT */
/*
 * Socket addresses in systemd's ListenStream= syntax: a port alone, v.w.x.y:z,
 * [x]:y, [x]:y%dev, /path, @abstract, vsock:x:y.
 */
#pragma once

#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>

union addr_sockaddr {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
        struct sockaddr_vm vm;
        struct sockaddr_storage storage;
};

struct addr {
        union addr_sockaddr u;
        socklen_t size; /* what to pass to bind() */
};

/*
 * Parse s. A port alone means [::]:port when the kernel has IPv6, else
 * 0.0.0.0:port. Port 0 is accepted (the kernel picks one; sockjail's
 * extension for tests). Returns 0, -EINVAL (malformed), -ERANGE (port or
 * CID out of range), -ENAMETOOLONG (path longer than sun_path), -ENODEV
 * (unknown interface after %).
 */
int addr_parse(const char *s, struct addr *ret);

/*
 * Format any sockaddr the way addr_parse() reads it back ("[::1]:80", "@name"). The IPv6 scope
 * is printed as a number ("[fe80::1]:80%2"). In unix names a backslash and bytes outside
 * printable ASCII are escaped (as \\ and \xNN), which addr_parse() does not undo. An unnamed
 * unix socket prints as "<unnamed>". Returns 0, -EINVAL (size wrong for the family),
 * -EAFNOSUPPORT, or -ENOSPC (buf too small; buf untouched).
 */
int addr_format(const struct sockaddr *sa, socklen_t size, char *buf, size_t bufsize);

/* A unix socket in the file system: its path; NULL for everything else. */
const char *addr_unix_path(const struct addr *a);

/* Family of a (AF_INET, AF_INET6, AF_UNIX, AF_VSOCK). */
static inline int addr_family(const struct addr *a)
{
        return a->u.sa.sa_family;
}

/* Longest string addr_format() writes, NUL included: "@" and a 109-byte unix name, every byte
 * escaped as \xNN. */
#define ADDR_FORMAT_MAX 440
