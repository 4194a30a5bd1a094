/* SPDX-License-Identifier: MIT */
/*
 * ns: the sandbox's namespaces. Which ones to create (clone flags), the id maps
 * of a user namespace, loopback up in a new network namespace, the mount set-up
 * inside a new mount namespace, and the tiny init that reaps in a pid namespace.
 *
 * Library rules: never prints, never exits; returns 0 or -errno.
 * Functions marked "child side" run between clone and execve: they must not
 * allocate from the heap, print or call exit().
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* protect_system: which parts of the file system hierarchy are made read-only. */
enum ns_protect_system {
        NS_PROTECT_SYSTEM_NO,
        NS_PROTECT_SYSTEM_YES,    /* /usr, /boot, /efi */
        NS_PROTECT_SYSTEM_FULL,   /* and /etc */
        NS_PROTECT_SYSTEM_STRICT, /* all of /, but /dev, /proc, /sys and the homes */
        _NS_PROTECT_SYSTEM_MAX,
};

/* protect_home: what becomes of /home, /root and /run/user. */
enum ns_protect_home {
        NS_PROTECT_HOME_NO,
        NS_PROTECT_HOME_YES, /* inaccessible */
        NS_PROTECT_HOME_READ_ONLY,
        NS_PROTECT_HOME_TMPFS, /* an empty read-only tmpfs on each */
        _NS_PROTECT_HOME_MAX,
};

/* protect_proc: proc's hidepid= ("default" mounts without it). */
enum ns_protect_proc {
        NS_PROTECT_PROC_DEFAULT,
        NS_PROTECT_PROC_NOACCESS,
        NS_PROTECT_PROC_INVISIBLE,
        NS_PROTECT_PROC_PTRACEABLE,
        _NS_PROTECT_PROC_MAX,
};

/* One bind_paths or bind_read_only_paths entry, "[-]SRC[:DST[:rbind|norbind]]". */
struct ns_bind {
        char *source;      /* a host path */
        char *destination; /* inside root_directory, if any */
        bool read_only;
        bool recursive;      /* rbind, the default */
        bool ignore_missing; /* "-": no source, no mount */
};

/* One temporary_file_system entry, "PATH[:OPTIONS]". */
struct ns_tmpfs {
        char *path;
        char *options; /* mount options as written; NULL: the defaults */
};

struct ns_config {
        bool private_network; /* CLONE_NEWNET; only lo, brought up */
        bool private_mounts;  /* CLONE_NEWNS; "/" made MS_REC|MS_SLAVE */
        bool private_pid;     /* CLONE_NEWPID; fresh /proc when a mount ns exists */
        bool private_ipc;     /* CLONE_NEWIPC */
        bool private_uts;     /* CLONE_NEWUTS (systemd: ProtectHostname=) */
        bool private_tmp;     /* tmpfs on /tmp and /var/tmp; implies a mount ns */
        bool private_users;   /* CLONE_NEWUSER, caller mapped to root inside */
        bool user_namespace;  /* CLONE_NEWUSER, caller mapped to itself (set for rootless runs) */
        uid_t outer_uid;      /* the ids mapped, when a user ns is made */
        gid_t outer_gid;

        /* The keys below follow systemd.exec(5); any of them implies a mount ns. */
        bool private_devices; /* a minimal read-only /dev of its own */
        char *hostname;       /* set in the new UTS namespace; NULL: keep the host's */
        enum ns_protect_system protect_system;
        enum ns_protect_home protect_home;
        enum ns_protect_proc protect_proc;
        bool protect_kernel_tunables; /* /proc/sys, /sys and friends read-only */
        bool protect_kernel_modules;  /* /usr/lib/modules inaccessible */
        bool protect_kernel_logs;     /* /proc/kmsg, /dev/kmsg inaccessible */
        bool protect_control_groups;  /* /sys/fs/cgroup read-only */
        char **read_only_paths;       /* NULL-terminated, "-" and "+" prefixes as written */
        char **read_write_paths;
        char **inaccessible_paths;
        struct ns_bind *binds;
        size_t n_binds;
        struct ns_tmpfs *tmpfs;
        size_t n_tmpfs;
        char *root_directory;    /* pivot_root into it once the mounts are made; NULL: "/" */
        char *working_directory; /* an absolute path, or "~" until the spec resolves it */
        bool working_directory_missing_ok; /* written with a "-" prefix */
};

/* The secure defaults: every namespace private but users; private /tmp. */
void ns_config_init(struct ns_config *c);

/* Free what the path keys hold and reset them; the booleans stay. */
void ns_config_done(struct ns_config *c);

/* Whether c needs a mount namespace: private_mounts, or any key that mounts. */
bool ns_wants_mount_ns(const struct ns_config *c);

/* CLONE_NEW* flags that c asks for (a mount ns also when ns_wants_mount_ns()). */
int ns_clone_flags(const struct ns_config *c);

/* The names the spec uses ("strict", "read-only", "invisible"); NULL when out of range. */
const char *ns_protect_system_name(enum ns_protect_system v);
const char *ns_protect_home_name(enum ns_protect_home v);
const char *ns_protect_proc_name(enum ns_protect_proc v);

/* The value of a name above (booleans are the caller's to read), or -EINVAL. */
int ns_protect_system_from_name(const char *s);
int ns_protect_home_from_name(const char *s);
int ns_protect_proc_from_name(const char *s);

/* An absolute path with no ".." component (what every path key wants). */
bool ns_path_valid(const char *path);

/* A read_only_paths, read_write_paths or inaccessible_paths entry: "-" (ignore
 * when missing), then "+" (inside root_directory), then a valid path. */
bool ns_access_path_valid(const char *entry);

/* Parse "[-]SRC[:DST[:OPTIONS]]" ("\:" is a colon inside a path). Returns 0,
 * -EINVAL for bad syntax, -ENOMEM. ret owns its strings: ns_bind_done(). */
int ns_bind_parse(const char *text, bool read_only, struct ns_bind *ret);
void ns_bind_done(struct ns_bind *b);

/* Parse "PATH[:OPTIONS]" the same way; ns_tmpfs_done() frees. */
int ns_tmpfs_parse(const char *text, struct ns_tmpfs *ret);
void ns_tmpfs_done(struct ns_tmpfs *t);

/* A hostname sethostname() takes and resolvers accept: 1 to 64 letters,
 * digits, '-' and '.', not starting or ending with '-' or '.'. */
bool ns_hostname_valid(const char *name);

/*
 * fork() into new namespaces: like fork(), returns 0 in the child, the child's
 * pid (as the caller sees it) in the parent, -errno on failure. SIGCHLD is
 * delivered on the child's exit.
 */
pid_t ns_clone(int flags);

/* Parent side: write setgroups/uid_map/gid_map of child pid's user ns. */
int ns_write_id_maps(pid_t pid, const struct ns_config *c);

/* What failed in ns_setup(), for the parent's message. */
enum ns_step {
        NS_STEP_NONE = 0,
        NS_STEP_LOOPBACK,
        NS_STEP_PROPAGATION,
        NS_STEP_TMP,
        NS_STEP_PROC,
        NS_STEP_SYS, /* read-only sysfs on /sys: only the sandbox's interfaces */
        NS_STEP_HOSTNAME,
        NS_STEP_MOUNTINFO, /* open /proc/self/mountinfo, before anything covers /proc */
        NS_STEP_INACCESSIBLE_NODES,
        NS_STEP_DEVICES,
        NS_STEP_BIND,
        NS_STEP_TEMPORARY_FS,
        NS_STEP_READ_ONLY_PATHS,
        NS_STEP_READ_WRITE_PATHS,
        NS_STEP_INACCESSIBLE_PATHS,
        NS_STEP_PROTECT_SYSTEM_YES,
        NS_STEP_PROTECT_SYSTEM_FULL,
        NS_STEP_PROTECT_SYSTEM_STRICT,
        NS_STEP_PROTECT_HOME_YES,
        NS_STEP_PROTECT_HOME_READ_ONLY,
        NS_STEP_PROTECT_HOME_TMPFS,
        NS_STEP_PROTECT_KERNEL_TUNABLES,
        NS_STEP_PROTECT_KERNEL_MODULES,
        NS_STEP_PROTECT_KERNEL_LOGS,
        NS_STEP_PROTECT_CONTROL_GROUPS,
        NS_STEP_ROOT_DIRECTORY,
        NS_STEP_WORKING_DIRECTORY,
        _NS_STEP_MAX,
};

/* Human name of a step ("bring up lo", "mount tmpfs on /tmp", ...). */
const char *ns_step_name(enum ns_step step);

/*
 * Inside the new namespaces, in the sandbox's init (pid 1 when private_pid is
 * set), before the service is forked: lo up, the hostname, then the mounts in
 * systemd's order (private /tmp, /dev, /proc, /sys, binds and temporary file
 * systems, then read-only, read-write and inaccessible paths, all sorted by
 * path), the read-only flags flipped last, and finally the switch into
 * root_directory. The init is long-lived, so this may allocate; it never
 * prints. On failure returns -errno and sets *ret_step.
 */
int ns_setup(const struct ns_config *c, enum ns_step *ret_step);

/*
 * Child side, Accept=yes with instance_isolation per-connection: in fresh
 * namespaces cloned inside a sandbox ns_setup() made, lo up and, in a new
 * mount namespace, the part of the plan that is the instance's own: a proc of
 * its pid namespace with /proc's protections, and the private /tmp.
 */
int ns_setup_instance(const struct ns_config *c, enum ns_step *ret_step);

/*
 * Service side, after fork and before the policy: chdir to working_directory
 * (nothing when unset: the service keeps the init's directory). A failure is
 * ignored when the path was written with "-". Returns 0 or -errno, with
 * *ret_step set to NS_STEP_WORKING_DIRECTORY.
 */
int ns_enter_working_directory(const struct ns_config *c, enum ns_step *ret_step);

/* Child side: bring up "lo" in the current network namespace. */
int ns_loopback_up(void);

/* Messages on the control socket: FAIL, STARTED and EXIT from the sandbox to
 * the supervisor, KILL from the supervisor to the init. */
enum ns_msg_kind {
        NS_MSG_FAIL = 1, /* step = a caller-defined step, value = -errno */
        NS_MSG_STARTED,  /* value = the service's pid as the sandbox sees it */
        NS_MSG_EXIT,     /* value = the service's wait status */
        NS_MSG_KILL,     /* step = enum ns_kill_scope, value = the signal */
        NS_MSG_MAINPID,  /* type forking: value = the daemon now main, as the sandbox sees it */
};

/* Whom NS_MSG_KILL signals. */
enum ns_kill_scope {
        NS_KILL_MAIN = 1, /* the service's main process */
        NS_KILL_ALL,      /* every process of the sandbox but the init (pid 1: kill(-1)) */
};

struct ns_msg {
        int32_t kind;
        int32_t step;
        int32_t value;
};

/*
 * Send m, vouched for by the process about: the kernel's SCM_CREDENTIALS carry
 * about's pid, which the supervisor reads in its own pid namespace (so it needs
 * no search of /proc, and about may exit right after). The init may name any
 * process of its pid namespace (it holds CAP_SYS_ADMIN there); should the
 * kernel refuse, m goes with the sender's own pid. about 0: the sender.
 */
int ns_msg_send(int fd, const struct ns_msg *m, pid_t about);

/*
 * Receive one message, without blocking. *ret_pid is the pid the kernel
 * vouches for, as the receiver sees it (the fd needs SO_PASSCRED), or 0.
 * Returns sizeof(*m), 0 at EOF, or -errno (-EAGAIN when none is waiting).
 */
ssize_t ns_msg_recv(int fd, struct ns_msg *m, pid_t *ret_pid);

/*
 * Child side: the sandbox's init. Blocks and forwards SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2 (sent to the init by the supervisor) to service;
 * reaps every child (it is pid 1 or a child subreaper); when ctl_fd hangs up
 * (the supervisor died) it SIGKILLs everything it can see and returns.
 * {NS_MSG_KILL, scope, signal} from the supervisor sends signal to the main
 * process or to every other process of the sandbox.
 * When service exits it sends {NS_MSG_EXIT, 0, wait status} on ctl_fd, kills
 * what is left of its children with SIGKILL and returns the exit code the
 * caller should _exit() with (status, or 128+signal).
 */
int ns_init_run(int ctl_fd, pid_t service);

/* ns_init_run for a service of type forking: when service exits 0 and left a
 * process behind (reparented to the init), that process becomes the main one,
 * reported as {NS_MSG_MAINPID, 0, its pid}; its exit ends the service. */
#define NS_INIT_FORKING 1U
int ns_init_run_flags(int ctl_fd, pid_t service, unsigned flags);
