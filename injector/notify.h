/* SPDX-License-Identifier: MIT */
/*
 * Readiness and the notification protocol (sd_notify(3)): service.type says
 * when the service counts as started; a notify socket on the host, bound into
 * the sandbox, takes READY=1, STATUS=, MAINPID=, WATCHDOG=1, FDSTORE=1 and the
 * rest from the processes notify_access admits; the fd store keeps the fds a
 * service hands over and passes them to its next instance; the ready-fd writer
 * tells a script when the sockets listen and when the service is ready.
 *
 * Everything the supervisor has to watch sits behind one fd (ntf_fd()): add it
 * to the event loop and call ntf_dispatch() when it is readable.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "injector/spec.h"
#include "injector/supervisor.h"

struct sock_set;
struct act_plan;

/* Inside the sandbox the notify socket sits where it sits on the host: the
 * runtime directory is bound onto itself, read-write. */
#define NTF_SOCKET_NAME "notify"
/* systemd's NOTIFY_BUFFER_MAX: one message, fds aside. */
#define NTF_MESSAGE_MAX 4096
/* How many fds one message may carry (systemd takes up to 768 per message). */
#define NTF_FDS_PER_MESSAGE 64

const char *ntf_type_name(enum spec_type t);
const char *ntf_access_name(enum spec_notify_access a);
/* The value of a name above, or -EINVAL. */
int ntf_type_from_name(const char *s);
int ntf_access_from_name(const char *s);

/* The access in effect for these keys (resolves SPEC_NOTIFY_ACCESS_UNSET). */
enum spec_notify_access ntf_access_effective(enum spec_notify_access a, enum spec_type t,
                                             uint64_t watchdog_usec, unsigned fdstore_max);

/* One datagram's assignments. Strings point into the buffer given to ntf_msg_parse(). */
struct ntf_msg {
        bool ready, reloading, stopping, barrier;
        bool watchdog;         /* WATCHDOG=1 */
        bool watchdog_trigger; /* WATCHDOG=trigger */
        bool fdstore, fdstore_remove;
        int fdpoll;             /* FDPOLL=: -1 unset, 0 or 1 */
        const char *status;     /* STATUS= */
        const char *fdname;     /* FDNAME=, a valid fd name */
        pid_t mainpid;          /* MAINPID=; 0 unset */
        uint64_t extend_usec;   /* EXTEND_TIMEOUT_USEC=; UINT64_MAX unset */
        uint64_t watchdog_usec; /* WATCHDOG_USEC=; UINT64_MAX unset */
        int errno_value;        /* ERRNO=; -1 unset */
        const char *invalid;    /* the first assignment with a bad value (it is ignored) */
};

/*
 * Parse one datagram of "NAME=value" lines (buf is changed: lines are cut at
 * their newlines). Unknown names are ignored, as systemd does; a bad value
 * leaves its field unset and is named in ret->invalid. Returns -EBADMSG for
 * an empty message or one with a NUL byte in it (systemd ignores those).
 */
int ntf_msg_parse(char *buf, size_t len, struct ntf_msg *ret);

/* An fd name systemd accepts: 1 to 255 printable ASCII characters, no ':'. */
bool ntf_fdname_valid(const char *s);

/* What ntf_dispatch() and the lifecycle calls report, as a bit set. */
enum ntf_event {
        NTF_EVENT_READY = 1 << 0,     /* started as service.type defines it */
        NTF_EVENT_RELOADING = 1 << 1, /* RELOADING=1 */
        NTF_EVENT_STOPPING = 1 << 2,  /* STOPPING=1 */
        NTF_EVENT_WATCHDOG = 1 << 3,  /* missed pings: send SIGABRT, stop (a watchdog failure) */
        NTF_EVENT_EXTEND = 1 << 4,    /* EXTEND_TIMEOUT_USEC=: see ntf_extend_usec() */
        NTF_EVENT_MAINPID = 1 << 5,   /* the main process changed (MAINPID=) */
};

struct ntf;

/* Read s's keys; no fd is opened yet. log is the supervisor's. */
int ntf_new(const struct spec *s, void (*log)(enum sup_level level, const char *fmt, ...),
            struct ntf **ret);
/* Close everything, remove the socket and the runtime directory. NULL is fine. */
void ntf_free(struct ntf *n);

/* --ready-fd: write the JSON lines to fd (not closed by ntf_free). */
void ntf_set_ready_fd(struct ntf *n, int fd);

/*
 * Before the sandbox: when the service may talk (notify_access other than
 * none), make the runtime directory and the notify socket in it, and add a
 * bind of the directory to s->ns so the same path works inside. Returns 0
 * (nothing to do included) or -errno with *ret_what naming the object.
 */
int ntf_open(struct ntf *n, struct spec *s, const char **ret_what);

/* The fd to watch (an epoll fd over the socket, the watchdog timer and the
 * stored fds); -1 when there is nothing to watch. */
int ntf_fd(const struct ntf *n);

/* The fds only sockjail may hold (for the sandbox's init to close); returns
 * how many were written to fds (at most max). */
size_t ntf_private_fds(const struct ntf *n, int *fds, size_t max);

/* The sockets listen: write {"event":"listening",...} to the ready fd. */
int ntf_listening(struct ntf *n, const struct sock_set *set);

/* Add NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID and the stored fds (after the
 * sockets, with their names) to the next instance's plan. */
int ntf_plan(struct ntf *n, struct act_plan *plan);

/* A new sandbox runs (init_pid as sockjail sees it): per-instance state is
 * reset. Returns events (READY for type simple). */
unsigned ntf_sandbox_started(struct ntf *n, pid_t init_pid);
/* NS_MSG_STARTED: the service's execve() worked; inner_pid is its pid in the
 * sandbox, host_pid the same as sockjail sees it (0: unknown, looked up).
 * Starts the watchdog. Returns events (READY for type exec). */
unsigned ntf_service_started(struct ntf *n, pid_t inner_pid, pid_t host_pid);
/* Type forking: the parent exited 0 and inner_pid (host_pid, or 0), its
 * daemon, is now the main process. Returns events (READY). */
unsigned ntf_service_forked(struct ntf *n, pid_t inner_pid, pid_t host_pid);
/* The service ended with wait_status: the watchdog stops. Returns events
 * (READY for a oneshot or forking service that exited 0). */
unsigned ntf_service_exited(struct ntf *n, int wait_status);

/* Read what is pending; *ret_events gets the events. Returns 0 or -errno. */
int ntf_dispatch(struct ntf *n, unsigned *ret_events);

/* Whether the watchdog killed this instance (its exit is a watchdog failure). */
bool ntf_watchdog_fired(const struct ntf *n);
/* The last EXTEND_TIMEOUT_USEC= (0: none this instance). */
uint64_t ntf_extend_usec(const struct ntf *n);
/* Whether READY=1 (or the type's equivalent) came for this instance. */
bool ntf_ready(const struct ntf *n);
/* How many fds the store holds. */
size_t ntf_stored(const struct ntf *n);
