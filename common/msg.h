/* SPDX-License-Identifier: MIT */
/*
 * One fixed-size message over a SOCK_SEQPACKET or datagram socket, with what
 * the kernel carries beside it: an fd (SCM_RIGHTS) and the credentials of a
 * process (SCM_CREDENTIALS). The sandbox's control socket (ns/) and Accept=yes's
 * channels (injector/spawner.c) both speak this.
 */
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include "common/util.h"

/* Send len bytes of buf, with pass_fd attached when >= 0 and the credentials
 * of cred_pid (with our uid and gid) when > 0. 0, or -errno (-EIO: short). */
static inline int msg_send(int fd, const void *buf, size_t len, int flags, int pass_fd,
                           pid_t cred_pid)
{
        union {
                struct cmsghdr align;
                char space[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
        } control = {0};
        struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        struct cmsghdr *c;
        ssize_t k;

        if (pass_fd >= 0 || cred_pid > 0) {
                mh.msg_control = &control;
                mh.msg_controllen = (pass_fd >= 0 ? CMSG_SPACE(sizeof(int)) : 0) +
                                    (cred_pid > 0 ? CMSG_SPACE(sizeof(struct ucred)) : 0);
                c = CMSG_FIRSTHDR(&mh);
                if (pass_fd >= 0) {
                        c->cmsg_level = SOL_SOCKET;
                        c->cmsg_type = SCM_RIGHTS;
                        c->cmsg_len = CMSG_LEN(sizeof(int));
                        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
                        c = CMSG_NXTHDR(&mh, c);
                }
                if (cred_pid > 0) {
                        struct ucred uc = {.pid = cred_pid, .uid = getuid(), .gid = getgid()};

                        c->cmsg_level = SOL_SOCKET;
                        c->cmsg_type = SCM_CREDENTIALS;
                        c->cmsg_len = CMSG_LEN(sizeof(uc));
                        memcpy(CMSG_DATA(c), &uc, sizeof(uc));
                }
        }
        k = sendmsg(fd, &mh, flags | MSG_NOSIGNAL);
        if (k < 0)
                return negative_errno();
        return (size_t)k == len ? 0 : -EIO;
}

/* Receive at most len bytes into buf. The first fd passed lands in *ret_fd
 * (CLOEXEC; -1 for none; others are closed, and all when ret_fd is NULL), the
 * pid the kernel vouches for, as we see it, in *ret_pid (0 for none; the
 * socket needs SO_PASSCRED). Returns the length, 0 at EOF, or -errno. */
static inline ssize_t msg_recv(int fd, void *buf, size_t len, int flags, int *ret_fd,
                               pid_t *ret_pid)
{
        union {
                struct cmsghdr align;
                char space[CMSG_SPACE(sizeof(int) * 4) + CMSG_SPACE(sizeof(struct ucred))];
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = len};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = &control,
                            .msg_controllen = sizeof(control)};
        ssize_t k = recvmsg(fd, &mh, flags | MSG_CMSG_CLOEXEC);
        int got = -1;

        if (ret_pid)
                *ret_pid = 0;
        if (k < 0) {
                k = negative_errno();
                mh.msg_controllen = 0;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_CREDENTIALS &&
                    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)) && ret_pid) {
                        struct ucred uc;

                        memcpy(&uc, CMSG_DATA(c), sizeof(uc));
                        *ret_pid = uc.pid;
                } else if (c->cmsg_type == SCM_RIGHTS) {
                        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                                int one;

                                memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                if (got < 0 && ret_fd)
                                        got = one;
                                else
                                        safe_close(one);
                        }
                }
        }
        if (ret_fd)
                *ret_fd = got;
        return k;
}
