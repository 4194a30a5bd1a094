/* SPDX-License-Identifier: MIT */
/*
 * ns: the network side of the sandbox. A new network namespace has only "lo",
 * and down; the service needs it up for anything on 127.0.0.1 or ::1.
 */
#include "ns/ns.h"

#include <linux/netlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "common/util.h"

/*
 * Child side. SIOCGIFFLAGS/SIOCSIFFLAGS by name: no ifindex lookup, no message
 * to build, no heap. A netlink socket carries the ioctl (the kernel hands
 * interface ioctls of any family to dev_ioctl) and needs no IPv4 in the
 * kernel. Already up is success.
 */
int ns_loopback_up(void)
{
        struct ifreq ifr = {.ifr_name = "lo"};

        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return negative_errno();
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return negative_errno();
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return negative_errno();
        return 0;
}
