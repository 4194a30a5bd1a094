/* SPDX-License-Identifier: MIT */
/*
 * A socket keeps the network namespace it was made in. The service's sockets
 * are the host's, so a passed listening TCP socket can be disconnected
 * (connect AF_UNSPEC) and connected out through the host's network. seccomp
 * cannot tell that socket from an AF_UNIX one; Landlock (ABI 4, Linux 6.7)
 * denies TCP connect and bind by socket type, whatever the fd.
 */
#include "policy/landlock.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"

/* Debian 12's headers stop at ABI 3; the layout and bits are the kernel's ABI. */
struct ruleset_attr_v4 {
        uint64_t handled_access_fs;
        uint64_t handled_access_net;
};
#define ACCESS_NET_BIND_TCP (UINT64_C(1) << 0)
#define ACCESS_NET_CONNECT_TCP (UINT64_C(1) << 1)
#define NET_ABI 4

static bool in_families(const struct pol_config *c, int af)
{
        for (size_t i = 0; i < c->n_families; i++)
                if (c->families[i] == af)
                        return true;
        return false;
}

bool pol_denies_inet(const struct pol_config *c)
{
        if (!c->restrict_families)
                return false;
        if (c->deny_families)
                return in_families(c, AF_INET) && in_families(c, AF_INET6);
        return !in_families(c, AF_INET) && !in_families(c, AF_INET6);
}

int pol_landlock_abi(void)
{
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        return abi < 0 ? 0 : (int)abi;
}

int pol_landlock_deny_tcp(void)
{
        struct ruleset_attr_v4 attr = {
                .handled_access_net = ACCESS_NET_BIND_TCP | ACCESS_NET_CONNECT_TCP,
        };
        int fd, r = 0;

        if (pol_landlock_abi() < NET_ABI)
                return 1;
        /* A ruleset that handles both rights and grants nothing denies them. */
        fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
        if (fd < 0)
                return negative_errno();
        if (syscall(SYS_landlock_restrict_self, fd, 0) < 0)
                r = negative_errno();
        safe_close(fd);
        return r;
}

void pol_landlock_describe(const struct pol_config *c, FILE *out)
{
        int abi = pol_landlock_abi();

        if (pol_denies_inet(c))
                fputs("interface ioctls (0x8910-0x89ff, e.g. SIOCGIFCONF): EPERM\n", out);
        if (!pol_denies_inet(c))
                fputs("tcp through passed sockets: connect and bind allowed\n", out);
        else if (abi >= NET_ABI)
                fprintf(out,
                        "tcp through passed sockets: connect and bind denied (EACCES, "
                        "Landlock ABI %d)\n",
                        abi);
        else
                fprintf(out,
                        "tcp through passed sockets: NOT denied: this kernel's Landlock ABI "
                        "is %d, denying needs %d (Linux 6.7)\n",
                        abi, NET_ABI);
}
