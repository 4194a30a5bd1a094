/* SPDX-License-Identifier: MIT */
/*
 * escape: the escape suite's attacker. Run as the service inside a sandbox,
 * it tries every way out we know of and prints one line per attempt:
 *
 *   NAME=RESULT   RESULT is the errno name (EPERM, EAFNOSUPPORT, ...), "ok"
 *                 when the attempt worked (it is undone at once where it
 *                 touched shared state), "signal:SIGSYS" when the attempt's
 *                 process was killed, or a list of names for the attempts
 *                 that read something (network interfaces).
 *
 *   escape            run every attempt, in table order
 *   escape list       print the attempts' names
 *   escape NAME...    run the named attempts
 *
 * It refuses to run attempts while it holds any capability: then they would
 * not be attempts but actions on the system it runs on.
 *
 * Each attempt runs in its own forked child, bounded by alarm(5): a seccomp
 * kill, a hang or a success (a new namespace, a chroot, a personality) stays
 * in that child. The child hands its result back through a pipe.
 *
 * Targets on the host side come from the environment (the test sets them):
 *   ESCAPE_TCP_PORT, ESCAPE_UDP_PORT  host listeners on 127.0.0.1 (default 9)
 *   ESCAPE_UNIX_PATH      a host daemon's socket (default /run/systemd/private)
 *   ESCAPE_UNIX_ABSTRACT  a host abstract socket name (default sockjail-escape)
 *   ESCAPE_BLOCKDEV       a host block device (default: the disk under "/")
 *
 * Attempts are chosen so that a success does no lasting harm: host-wide files
 * are only opened for writing, never written; namespaced ones get their own
 * value back; privileged calls get arguments that fail right after the
 * permission check (e.g. pivot_root("/", "/"), delete_module of no module).
 */
#include <arpa/inet.h>
#include <asm/unistd.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/quota.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ATTEMPT_TIMEOUT_SEC 5
#define CONNECT_TIMEOUT_MS 2000
#define RESULT_MAX 512
#define DEFAULT_PORT 9 /* discard */
#define I386_NR_GETPID 20
#define ONE_GIB (1UL << 30)

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct attempt {
        const char *name;
        const char *(*run)(void); /* runs in the child; returns the result text */
};

/* ---- results ------------------------------------------------------------ */

static char text[RESULT_MAX]; /* the child's result when it is not a constant */

static const char *errname(int err)
{
        const char *name = err ? strerrorname_np(err) : "ok";

        if (name)
                return name;
        snprintf(text, sizeof(text), "E%d", err);
        return text;
}

/* r is a syscall's return value: negative means errno says why. */
static const char *outcome(long r)
{
        return r < 0 ? errname(errno) : "ok";
}

/* The same for calls that return a new fd, which is closed again. */
static const char *fd_outcome(long fd)
{
        int err = errno;

        if (fd < 0)
                return errname(err);
        close((int)fd);
        return "ok";
}

/* Closes fd, then says how r (a call on fd) went. */
static const char *close_outcome(int fd, long r)
{
        int err = errno;

        close(fd);
        return r < 0 ? errname(err) : "ok";
}

/* A step before the attempt proper failed: "step:ERRNO". */
static const char *step_failed(const char *step, int err)
{
        const char *name = strerrorname_np(err);

        snprintf(text, sizeof(text), "%s:%s", step, name ? name : "?");
        return text;
}

/* Appends name (at most len bytes) to the list in text: "lo,eth0". */
static void name_add(const char *name, size_t len)
{
        size_t used = strlen(text);

        snprintf(text + used, sizeof(text) - used, "%s%.*s", used ? "," : "", (int)len, name);
}

static int env_int(const char *name, int fallback)
{
        const char *v = getenv(name);

        return v && *v ? atoi(v) : fallback;
}

static const char *env_str(const char *name, const char *fallback)
{
        const char *v = getenv(name);

        return v && *v ? v : fallback;
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                n = -errno;
        else
                buf[n] = '\0';
        close(fd);
        return n;
}

/* ---- new sockets: only AF_UNIX may be made ------------------------------- */

static const char *new_socket(long family, int type, int protocol)
{
        return fd_outcome(syscall(SYS_socket, family, type | SOCK_CLOEXEC, protocol));
}

static const char *socket_inet(void)
{
        return new_socket(AF_INET, SOCK_STREAM, 0);
}

static const char *socket_inet6(void)
{
        return new_socket(AF_INET6, SOCK_STREAM, 0);
}

static const char *socket_netlink_route(void)
{
        return new_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
}

static const char *socket_packet(void)
{
        return new_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
}

static const char *socket_raw_inet(void)
{
        return new_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
}

static const char *socket_vsock(void)
{
        return new_socket(AF_VSOCK, SOCK_STREAM, 0);
}

/* The kernel reads the family as an int: bits above 32 must not carry
 * AF_INET past a filter that compares the whole register. */
static const char *socket_inet_high_bits(void)
{
        return new_socket((1L << 32) | AF_INET, SOCK_STREAM, 0);
}

static const char *socketpair_inet(void)
{
        int sv[2];
        long r = syscall(SYS_socketpair, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
        int err = errno;

        if (r < 0)
                return errname(err);
        close(sv[0]);
        close(sv[1]);
        return "ok";
}

/* ---- AF_UNIX: allowed, but only to what the sandbox can see ---------------- */

static const char *unix_connect(const char *name, bool abstract)
{
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        size_t skip = abstract ? 1 : 0; /* an abstract name starts with a NUL */
        size_t len = strnlen(name, sizeof(un.sun_path) - 1 - skip);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int r;

        if (fd < 0)
                return step_failed("socket", errno);
        memcpy(un.sun_path + skip, name, len);
        r = connect(fd, (struct sockaddr *)&un,
                    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + skip + len));
        return close_outcome(fd, r);
}

/* A host daemon's root-only socket (docker, systemd, containerd...): a
 * service that acts as host root through it has left the sandbox. */
static const char *unix_connect_host_path(void)
{
        return unix_connect(env_str("ESCAPE_UNIX_PATH", "/run/systemd/private"), false);
}

/* Abstract names belong to a network namespace: the host's are not ours. */
static const char *unix_connect_host_abstract(void)
{
        return unix_connect(env_str("ESCAPE_UNIX_ABSTRACT", "sockjail-escape"), true);
}

/* ---- the passed sockets: they live in the host's network namespace -------- */

static int sockopt_int(int fd, int opt)
{
        int v;
        socklen_t len = sizeof(v);

        return getsockopt(fd, SOL_SOCKET, opt, &v, &len) == 0 ? v : -1;
}

/* The first passed inet socket of this type (SOCK_STREAM or SOCK_DGRAM). */
static int passed_socket(int type)
{
        int n = env_int("LISTEN_FDS", 0);

        for (int fd = 3; fd < 3 + n; fd++) {
                int family = sockopt_int(fd, SO_DOMAIN);
                if ((family == AF_INET || family == AF_INET6) && sockopt_int(fd, SO_TYPE) == type)
                        return fd;
        }
        return -1;
}

/* 127.0.0.1 or ::1 (the socket's own family) at port. */
static socklen_t loopback(int family, int port, struct sockaddr_storage *ss)
{
        memset(ss, 0, sizeof(*ss));
        if (family == AF_INET6) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
                in6->sin6_addr = in6addr_loopback;
                return sizeof(*in6);
        }
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof(*in);
}

/* connect() that waits for a non-blocking socket; returns 0 or an errno. */
static int connect_wait(int fd, const struct sockaddr_storage *ss, socklen_t len)
{
        struct pollfd p = {.fd = fd, .events = POLLOUT};

        if (connect(fd, (const struct sockaddr *)ss, len) == 0)
                return 0;
        if (errno != EINPROGRESS)
                return errno;
        if (poll(&p, 1, CONNECT_TIMEOUT_MS) <= 0)
                return ETIMEDOUT;
        return sockopt_int(fd, SO_ERROR);
}

/* connect(AF_UNSPEC) on a TCP socket is a disconnect: a listening socket
 * stops listening and is left bound but free to connect. */
static int disconnect(int fd)
{
        struct sockaddr sa = {.sa_family = AF_UNSPEC};

        return connect(fd, &sa, sizeof(sa)) < 0 ? errno : 0;
}

/* The socket is shared with the host and later attempts: make it listen again. */
static void relisten(int fd)
{
        disconnect(fd);
        listen(fd, SOMAXCONN);
}

/* A dup of the passed TCP socket: the same socket under a number no
 * fd-based seccomp rule could know. -1 if there is none. */
static int passed_stream_dup(void)
{
        int fd = passed_socket(SOCK_STREAM);

        return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* A listening socket cannot connect as it is. */
static const char *fd3_connect(void)
{
        int fd = passed_stream_dup();
        struct sockaddr_storage ss;
        int err;

        if (fd < 0)
                return "no-passed-socket";
        err = connect_wait(fd, &ss, loopback(sockopt_int(fd, SO_DOMAIN), 1, &ss));
        if (err == 0)
                relisten(fd);
        close(fd);
        return errname(err);
}

/* The real way out through a passed TCP socket: disconnect it, then connect
 * it to a host port. It is routed in the host's namespace, not ours. */
static const char *fd3_unlisten_connect(void)
{
        static const char marker[] = "sockjail-escape tcp\n";
        int fd = passed_stream_dup();
        int port = env_int("ESCAPE_TCP_PORT", DEFAULT_PORT);
        struct sockaddr_storage ss;
        int err;

        if (fd < 0)
                return "no-passed-socket";
        err = disconnect(fd);
        if (err == 0) {
                err = connect_wait(fd, &ss, loopback(sockopt_int(fd, SO_DOMAIN), port, &ss));
                if (err == 0)
                        send(fd, marker, sizeof(marker) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
                relisten(fd);
        }
        close(fd);
        return errname(err);
}

/* A passed UDP socket sends from the host's namespace too. */
static const char *udp_sendto_host(void)
{
        static const char marker[] = "sockjail-escape udp\n";
        int fd = passed_socket(SOCK_DGRAM);
        struct sockaddr_storage ss;
        socklen_t len;

        if (fd < 0)
                return "no-passed-socket";
        len = loopback(sockopt_int(fd, SO_DOMAIN), env_int("ESCAPE_UDP_PORT", DEFAULT_PORT), &ss);
        return outcome(
                sendto(fd, marker, sizeof(marker) - 1, MSG_DONTWAIT, (struct sockaddr *)&ss, len));
}

/* SIOCGIFCONF answers for the socket's namespace: on a passed socket, the
 * host's interfaces and their addresses. */
static const char *ifaces_fd3_ioctl(void)
{
        struct ifreq reqs[64];
        struct ifconf ifc = {.ifc_len = sizeof(reqs), .ifc_req = reqs};
        int fd = passed_socket(SOCK_STREAM);

        if (fd < 0)
                return "no-passed-socket";
        if (ioctl(fd, SIOCGIFCONF, &ifc) < 0)
                return errname(errno);
        text[0] = '\0';
        for (size_t i = 0; i < (size_t)ifc.ifc_len / sizeof(reqs[0]); i++)
                name_add(reqs[i].ifr_name, strnlen(reqs[i].ifr_name, IFNAMSIZ));
        return text;
}

/* ---- network interfaces seen from inside: only lo ------------------------- */

static const char *ifaces_sys(void)
{
        DIR *d = opendir("/sys/class/net");
        struct dirent *e;

        if (!d)
                return errname(errno);
        text[0] = '\0';
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        name_add(e->d_name, strlen(e->d_name));
        closedir(d);
        return text;
}

/* /proc/net/dev: two header lines, then "  name: counters". */
static const char *ifaces_proc(void)
{
        static char dev[16384];
        ssize_t n = read_file("/proc/net/dev", dev, sizeof(dev));
        char *line, *save = NULL;
        int i = 0;

        if (n < 0)
                return errname((int)-n);
        text[0] = '\0';
        for (line = strtok_r(dev, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
                char *colon = strchr(line, ':');
                if (i < 2 || !colon)
                        continue;
                line += strspn(line, " ");
                name_add(line, (size_t)(colon - line));
        }
        return text;
}

static const char *ifaces_if_nameindex(void)
{
        struct if_nameindex *ifs = if_nameindex();

        if (!ifs)
                return errname(errno);
        text[0] = '\0';
        for (struct if_nameindex *i = ifs; i->if_index; i++)
                name_add(i->if_name, strlen(i->if_name));
        if_freenameindex(ifs);
        return text;
}

/* ---- other processes --------------------------------------------------------- */

static const char *ptrace_traceme(void)
{
        return outcome(syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0));
}

/* pid 1 is the sandbox's init. */
static const char *ptrace_attach_init(void)
{
        long r = syscall(SYS_ptrace, PTRACE_ATTACH, 1, 0, 0);
        int err = errno;

        if (r < 0)
                return errname(err);
        waitpid(1, NULL, __WALL);
        syscall(SYS_ptrace, PTRACE_DETACH, 1, 0, 0);
        return "ok";
}

/* Reads a byte of the parent (our fork twin: the address is valid there). */
static const char *process_vm_readv_ppid(void)
{
        static char secret = 's';
        char got;
        struct iovec local = {.iov_base = &got, .iov_len = 1};
        struct iovec remote = {.iov_base = &secret, .iov_len = 1};

        return outcome(syscall(SYS_process_vm_readv, getppid(), &local, 1, &remote, 1, 0));
}

/* ---- mounts and roots ---------------------------------------------------------- */

static const char *mount_tmpfs(void)
{
        char dir[] = "/tmp/escape-mnt.XXXXXX";
        long r;
        int err;

        if (!mkdtemp(dir))
                return step_failed("mkdtemp", errno);
        r = mount("escape", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k");
        err = errno;
        if (r == 0)
                umount2(dir, MNT_DETACH);
        rmdir(dir);
        return r < 0 ? errname(err) : "ok";
}

/* The sandbox's mount namespace is shared with the other attempts: put /proc back. */
static const char *umount_proc(void)
{
        if (umount2("/proc", MNT_DETACH) < 0)
                return errname(errno);
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        return "ok";
}

/* With the permission, "/" onto "/" fails with EBUSY: the root never moves. */
static const char *pivot_root_self(void)
{
        return outcome(syscall(SYS_pivot_root, "/", "/"));
}

static const char *chroot_tmp(void)
{
        return outcome(chroot("/tmp"));
}

/* ---- namespaces -------------------------------------------------------------- */

static const char *unshare_flag(long flag)
{
        return outcome(syscall(SYS_unshare, flag));
}

static const char *unshare_net(void)
{
        return unshare_flag(CLONE_NEWNET);
}

static const char *unshare_mnt(void)
{
        return unshare_flag(CLONE_NEWNS);
}

static const char *unshare_user(void)
{
        return unshare_flag(CLONE_NEWUSER);
}

static const char *unshare_pid(void)
{
        return unshare_flag(CLONE_NEWPID);
}

static const char *unshare_ipc(void)
{
        return unshare_flag(CLONE_NEWIPC);
}

static const char *unshare_uts(void)
{
        return unshare_flag(CLONE_NEWUTS);
}

static const char *unshare_cgroup(void)
{
        return unshare_flag(CLONE_NEWCGROUP);
}

static const char *unshare_time(void)
{
        return unshare_flag(CLONE_NEWTIME);
}

/* Opening the namespace file is fine; joining must not be. */
static const char *setns_net(void)
{
        int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return step_failed("open", errno);
        return close_outcome(fd, syscall(SYS_setns, fd, CLONE_NEWNET));
}

/* Raw clone without CLONE_VM behaves like fork: the child returns 0 here. */
static const char *clone_newuser(void)
{
        long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        int err = errno;

        if (pid == 0)
                _exit(0);
        if (pid < 0)
                return errname(err);
        waitpid((pid_t)pid, NULL, 0);
        return "ok";
}

/* struct clone_args as of CLONE_ARGS_SIZE_VER0 (linux/sched.h clashes with sched.h). */
struct clone_args_v0 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static const char *clone3_newuser(void)
{
        struct clone_args_v0 args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
        long pid = syscall(SYS_clone3, &args, sizeof(args));
        int err = errno;

        if (pid == 0)
                _exit(0);
        if (pid < 0)
                return errname(err);
        waitpid((pid_t)pid, NULL, 0);
        return "ok";
}

/* ---- kernel interfaces ---------------------------------------------------------- */

/* "return 0" as a socket filter: loadable without privileges where bpf is allowed. */
static const char *bpf_prog_load(void)
{
        struct bpf_insn prog[] = {
                {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
                {.code = BPF_JMP | BPF_EXIT},
        };
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        attr.insns = (uint64_t)(uintptr_t)prog;
        attr.insn_cnt = sizeof(prog) / sizeof(prog[0]);
        attr.license = (uint64_t)(uintptr_t) "GPL";
        return fd_outcome(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)));
}

static const char *keyctl_session(void)
{
        return outcome(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

static const char *add_key_user(void)
{
        return outcome(
                syscall(SYS_add_key, "user", "sockjail-escape", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}

static const char *request_key_user(void)
{
        return outcome(syscall(SYS_request_key, "user", "sockjail-escape", NULL, 0));
}

/* An unknown architecture in the flags: EINVAL right after the permission check. */
static const char *kexec_load_bogus(void)
{
        return outcome(syscall(SYS_kexec_load, 0, 0, NULL, 0x7fffUL << 16));
}

/* An empty image: refused after the permission check. */
static const char *init_module_empty(void)
{
        return outcome(syscall(SYS_init_module, "", 0, ""));
}

static const char *finit_module_null(void)
{
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return step_failed("open", errno);
        return close_outcome(fd, syscall(SYS_finit_module, fd, "", 0));
}

static const char *delete_module_none(void)
{
        return outcome(syscall(SYS_delete_module, "sockjail_escape_none", O_NONBLOCK));
}

/* A software counter on ourselves, user space only: allowed to anyone at
 * perf_event_paranoid <= 2, so only the filter stands in the way. */
static const char *perf_event_open_self(void)
{
        struct perf_event_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.type = PERF_TYPE_SOFTWARE;
        attr.size = sizeof(attr);
        attr.config = PERF_COUNT_SW_CPU_CLOCK;
        attr.disabled = 1;
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        return fd_outcome(syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

static const char *userfaultfd_new(void)
{
        return fd_outcome(syscall(SYS_userfaultfd, O_CLOEXEC));
}

/* struct io_uring_params is 120 bytes; all zero asks for the defaults
 * (linux/io_uring.h pulls in linux/fs.h, which clashes with sys/mount.h). */
static const char *io_uring_setup_one(void)
{
        uint32_t params[30];

        memset(params, 0, sizeof(params));
        return fd_outcome(syscall(SYS_io_uring_setup, 1, params));
}

/* "shocker": a handle of the host's root file system opened without a path. */
static const char *open_by_handle_at_root(void)
{
        _Alignas(struct file_handle) unsigned char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
        struct file_handle *fh = (struct file_handle *)buf;
        int mount_id, root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        long fd;

        if (root < 0)
                return step_failed("open", errno);
        memset(buf, 0, sizeof(buf));
        fh->handle_bytes = MAX_HANDLE_SZ;
        if (name_to_handle_at(AT_FDCWD, "/", fh, &mount_id, 0) < 0) {
                fh->handle_bytes = 8; /* any handle: the filter decides first */
                fh->handle_type = 1;
        }
        fd = syscall(SYS_open_by_handle_at, root, fh, O_RDONLY | O_CLOEXEC);
        close(root);
        return fd_outcome(fd);
}

/* Harmless alone (only open_by_handle_at can use a handle): reported. */
static const char *name_to_handle_at_tmp(void)
{
        _Alignas(struct file_handle) unsigned char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
        struct file_handle *fh = (struct file_handle *)buf;
        int mount_id;

        fh->handle_bytes = MAX_HANDLE_SZ;
        return outcome(name_to_handle_at(AT_FDCWD, "/tmp", fh, &mount_id, 0));
}

static const char *personality_linux32(void)
{
        return outcome(syscall(SYS_personality, PER_LINUX32));
}

static const char *personality_read_implies_exec(void)
{
        return outcome(syscall(SYS_personality, PER_LINUX | READ_IMPLIES_EXEC));
}

/* ---- privileges ------------------------------------------------------------------ */

static const char *capset_sys_admin(void)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
        const uint32_t bit = 1U << CAP_SYS_ADMIN; /* CAP_SYS_ADMIN < 32: word 0 */

        memset(data, 0, sizeof(data));
        if (syscall(SYS_capget, &hdr, data) < 0)
                return step_failed("capget", errno);
        data[0].effective |= bit;
        data[0].permitted |= bit;
        data[0].inheritable |= bit;
        return outcome(syscall(SYS_capset, &hdr, data));
}

static const char *cap_ambient_raise(void)
{
        return outcome(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0));
}

/* As root without capabilities this is a no-op that works; as anyone else it
 * must fail. Either way no capability comes with it (capset_sys_admin). */
static const char *setresuid0(void)
{
        return outcome(syscall(SYS_setresuid, 0, 0, 0));
}

/* ---- /proc, /sys and the host's files
 * --------------------------------------------------------------- */

/* For files of our own namespaces: write back what is there, so a success
 * changes nothing. */
static const char *rewrite_same(const char *path)
{
        char buf[256];
        ssize_t n = read_file(path, buf, sizeof(buf));
        int fd;

        if (n < 0)
                return errname((int)-n);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return errname(errno);
        return close_outcome(fd, write(fd, buf, (size_t)n));
}

/* For host-wide files, where one byte written is the escape (a core_pattern
 * pipe runs as host root, sysrq reboots, a line in /etc/passwd): open for
 * writing, without O_TRUNC, and never write. */
static const char *open_for_write(const char *path)
{
        return fd_outcome(open(path, O_WRONLY | O_CLOEXEC));
}

static const char *proc_sys_hostname(void)
{
        return rewrite_same("/proc/sys/kernel/hostname");
}

static const char *proc_sys_ip_forward(void)
{
        return rewrite_same("/proc/sys/net/ipv4/ip_forward");
}

static const char *proc_core_pattern(void)
{
        return open_for_write("/proc/sys/kernel/core_pattern");
}

static const char *proc_sysrq_trigger(void)
{
        return open_for_write("/proc/sysrq-trigger");
}

/* The host's own files: uid 0 owns them, capabilities or not. */
static const char *host_etc_passwd(void)
{
        return open_for_write("/etc/passwd");
}

static const char *sys_lo_mtu(void)
{
        return rewrite_same("/sys/class/net/lo/mtu");
}

/* ---- devices ------------------------------------------------------------------------ */

static const char *mknod_chr(void)
{
        static const char path[] = "/tmp/escape-null";
        long r = mknod(path, S_IFCHR | 0600, makedev(1, 3));
        int err = errno;

        if (r < 0)
                return errname(err);
        unlink(path);
        return "ok";
}

/* The block device under "/", by the name sysfs gives it (sysfs lists block
 * devices whatever the namespace); NULL if "/" has none. */
static const char *root_blockdev(char *buf, size_t size)
{
        char uevent[512];
        struct stat st;
        const char *name;

        if (stat("/", &st) < 0)
                return NULL;
        snprintf(buf, size, "/sys/dev/block/%u:%u/uevent", major(st.st_dev), minor(st.st_dev));
        if (read_file(buf, uevent, sizeof(uevent)) < 0 || !(name = strstr(uevent, "DEVNAME=")))
                return NULL;
        name += strlen("DEVNAME=");
        snprintf(buf, size, "/dev/%.*s", (int)strcspn(name, "\n"), name);
        return buf;
}

/* A host block device read raw (never written): ESCAPE_BLOCKDEV, or the disk
 * under "/". Device nodes need no capability, only the file's permissions. */
static const char *read_host_blockdev(void)
{
        char path[300], sector[512];
        const char *dev = getenv("ESCAPE_BLOCKDEV");
        int fd;

        if (!dev || !*dev)
                dev = root_blockdev(path, sizeof(path));
        if (!dev)
                return "no-block-device";
        fd = open(dev, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errname(errno);
        return close_outcome(fd, pread(fd, sector, sizeof(sector), 0));
}

/* ---- other ABIs: the filter kills the process ----------------------------------------- */

/* getpid through the i386 entry; it zeroes r8-r15 on the way back. */
static const char *syscall_i386(void)
{
        long r = I386_NR_GETPID;

        __asm__ volatile("int $0x80"
                         : "+a"(r)
                         :
                         : "memory", "cc", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");
        return r < 0 ? errname((int)-r) : "ok";
}

static const char *syscall_x32(void)
{
        return outcome(syscall(__X32_SYSCALL_BIT | SYS_getpid));
}

/* ---- the machine ---------------------------------------------------------------------- */

static const char *iopl_3(void)
{
        return outcome(syscall(SYS_iopl, 3));
}

static const char *ioperm_port80(void)
{
        return outcome(syscall(SYS_ioperm, 0x80, 1, 1));
}

/* A path that does not exist: ENOENT if the permission check passes. */
static const char *swapon_none(void)
{
        return outcome(syscall(SYS_swapon, "/tmp/escape-no-swap", 0));
}

/* In a pid namespace CAD_OFF is EINVAL once permitted: nothing changes. */
static const char *reboot_cad_off(void)
{
        return outcome(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                               LINUX_REBOOT_CMD_CAD_OFF, NULL));
}

/* With neither argument the call only checks CAP_SYS_TIME. */
static const char *settimeofday_null(void)
{
        return outcome(syscall(SYS_settimeofday, NULL, NULL));
}

/* The time just read: if allowed, the clock steps back by a few microseconds. */
static const char *clock_settime_now(void)
{
        struct timespec now;

        if (clock_gettime(CLOCK_REALTIME, &now) < 0)
                return step_failed("clock_gettime", errno);
        return outcome(syscall(SYS_clock_settime, CLOCK_REALTIME, &now));
}

/* Our own name again, in our own uts namespace. */
static const char *sethostname_same(void)
{
        char name[256];

        if (gethostname(name, sizeof(name)) < 0)
                return step_failed("gethostname", errno);
        name[sizeof(name) - 1] = '\0';
        return outcome(syscall(SYS_sethostname, name, strlen(name)));
}

/* acct(NULL) switches accounting off, in our pid namespace only. */
static const char *acct_off(void)
{
        return outcome(syscall(SYS_acct, NULL));
}

/* Q_SYNC with no device only syncs; it is the filter's answer we want. */
static const char *quotactl_sync(void)
{
        return outcome(syscall(SYS_quotactl, QCMD(Q_SYNC, USRQUOTA), NULL, 0, NULL));
}

static const char *syslog_read_all(void)
{
        static char buf[4096];

        return outcome(syscall(SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf)));
}

static const char *nice_raise(void)
{
        int now;

        errno = 0;
        now = getpriority(PRIO_PROCESS, 0);
        if (now == -1 && errno)
                return step_failed("getpriority", errno);
        return outcome(setpriority(PRIO_PROCESS, 0, now - 5));
}

/* MLOCK_ONFAULT checks RLIMIT_MEMLOCK like mlock() but faults nothing in, so
 * a success would not cost a GiB of memory. */
static const char *mlock_1g(void)
{
        void *p = mmap(NULL, ONE_GIB, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        long r;
        int err;

        if (p == MAP_FAILED)
                return step_failed("mmap", errno);
        r = syscall(SYS_mlock2, p, ONE_GIB, MLOCK_ONFAULT);
        err = errno;
        if (r == 0)
                munlock(p, ONE_GIB);
        munmap(p, ONE_GIB);
        return r < 0 ? errname(err) : "ok";
}

/* ---- the table ------------------------------------------------------------------------- */

/* fd3_unlisten_connect comes last: if putting fd 3 back ever failed, no
 * attempt after it would be judged on a broken socket. */
static const struct attempt attempts[] = {
        {"socket_inet", socket_inet},
        {"socket_inet6", socket_inet6},
        {"socket_netlink_route", socket_netlink_route},
        {"socket_packet", socket_packet},
        {"socket_raw_inet", socket_raw_inet},
        {"socket_vsock", socket_vsock},
        {"socket_inet_high_bits", socket_inet_high_bits},
        {"socketpair_inet", socketpair_inet},
        {"unix_connect_host_path", unix_connect_host_path},
        {"unix_connect_host_abstract", unix_connect_host_abstract},
        {"ifaces_sys", ifaces_sys},
        {"ifaces_proc", ifaces_proc},
        {"ifaces_if_nameindex", ifaces_if_nameindex},
        {"ptrace_traceme", ptrace_traceme},
        {"ptrace_attach_init", ptrace_attach_init},
        {"process_vm_readv_ppid", process_vm_readv_ppid},
        {"mount_tmpfs", mount_tmpfs},
        {"umount_proc", umount_proc},
        {"pivot_root", pivot_root_self},
        {"chroot_tmp", chroot_tmp},
        {"unshare_net", unshare_net},
        {"unshare_mnt", unshare_mnt},
        {"unshare_user", unshare_user},
        {"unshare_pid", unshare_pid},
        {"unshare_ipc", unshare_ipc},
        {"unshare_uts", unshare_uts},
        {"unshare_cgroup", unshare_cgroup},
        {"unshare_time", unshare_time},
        {"setns_net", setns_net},
        {"clone_newuser", clone_newuser},
        {"clone3", clone3_newuser},
        {"bpf_prog_load", bpf_prog_load},
        {"keyctl", keyctl_session},
        {"add_key", add_key_user},
        {"request_key", request_key_user},
        {"kexec_load", kexec_load_bogus},
        {"init_module", init_module_empty},
        {"finit_module", finit_module_null},
        {"delete_module", delete_module_none},
        {"perf_event_open", perf_event_open_self},
        {"userfaultfd", userfaultfd_new},
        {"io_uring_setup", io_uring_setup_one},
        {"open_by_handle_at", open_by_handle_at_root},
        {"name_to_handle_at", name_to_handle_at_tmp},
        {"personality_linux32", personality_linux32},
        {"personality_read_implies_exec", personality_read_implies_exec},
        {"capset_sys_admin", capset_sys_admin},
        {"cap_ambient_raise", cap_ambient_raise},
        {"setresuid0", setresuid0},
        {"proc_sys_hostname", proc_sys_hostname},
        {"proc_sys_ip_forward", proc_sys_ip_forward},
        {"proc_core_pattern", proc_core_pattern},
        {"proc_sysrq_trigger", proc_sysrq_trigger},
        {"sys_lo_mtu", sys_lo_mtu},
        {"host_etc_passwd", host_etc_passwd},
        {"mknod_chr", mknod_chr},
        {"read_host_blockdev", read_host_blockdev},
        {"syscall_i386", syscall_i386},
        {"syscall_x32", syscall_x32},
        {"iopl", iopl_3},
        {"ioperm", ioperm_port80},
        {"swapon", swapon_none},
        {"reboot_cad_off", reboot_cad_off},
        {"settimeofday", settimeofday_null},
        {"clock_settime", clock_settime_now},
        {"sethostname", sethostname_same},
        {"acct", acct_off},
        {"quotactl", quotactl_sync},
        {"syslog", syslog_read_all},
        {"nice_raise", nice_raise},
        {"mlock_1g", mlock_1g},
        {"ifaces_fd3_ioctl", ifaces_fd3_ioctl},
        {"fd3_connect", fd3_connect},
        {"udp_sendto_host", udp_sendto_host},
        {"fd3_unlisten_connect", fd3_unlisten_connect},
};

#define N_ATTEMPTS (sizeof(attempts) / sizeof(attempts[0]))

/* ---- running ------------------------------------------------------------------------------ */

static const char *signame(int sig)
{
        static char name[32];
        const char *abbrev = sigabbrev_np(sig);

        if (abbrev)
                snprintf(name, sizeof(name), "signal:SIG%s", abbrev);
        else
                snprintf(name, sizeof(name), "signal:%d", sig);
        return name;
}

/* Child side: no core file for a seccomp kill, a deadline, the attempt. */
__attribute__((noreturn)) static void child(const struct attempt *a, int out)
{
        struct rlimit none = {0, 0};
        const char *r;

        setrlimit(RLIMIT_CORE, &none);
        alarm(ATTEMPT_TIMEOUT_SEC);
        r = a->run();
        if (write(out, r, strlen(r)) < 0)
                _exit(1);
        _exit(0);
}

/* Reads the child's result until it exits (a killed child writes nothing). */
static void collect(int in, char *buf, size_t size)
{
        size_t len = 0;
        ssize_t n;

        while (len < size - 1 && (n = read(in, buf + len, size - 1 - len)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
}

static void run_attempt(const struct attempt *a)
{
        char result[RESULT_MAX];
        int p[2], status;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0) {
                printf("%s=pipe:%s\n", a->name, errname(errno));
                return;
        }
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
                close(p[0]);
                child(a, p[1]);
        }
        close(p[1]);
        if (pid < 0) {
                printf("%s=fork:%s\n", a->name, errname(errno));
                close(p[0]);
                return;
        }
        collect(p[0], result, sizeof(result));
        close(p[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (WIFSIGNALED(status))
                printf("%s=%s\n", a->name, signame(WTERMSIG(status)));
        else if (result[0] == '\0')
                printf("%s=exit:%d\n", a->name, WEXITSTATUS(status));
        else
                printf("%s=%s\n", a->name, result);
        fflush(stdout);
}

/* With capabilities some attempts would really act on the system (reboot's
 * CAD_OFF, acct, umount of /proc): run only without any, as in a sandbox. A
 * filter that refuses capget is a sandbox too. */
static bool holds_capabilities(void)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

        memset(data, 0, sizeof(data));
        if (syscall(SYS_capget, &hdr, data) < 0)
                return false;
        for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
                if (data[i].effective || data[i].permitted)
                        return true;
        return false;
}

static const struct attempt *find(const char *name)
{
        for (size_t i = 0; i < N_ATTEMPTS; i++)
                if (strcmp(attempts[i].name, name) == 0)
                        return &attempts[i];
        return NULL;
}

int main(int argc, char **argv)
{
        if (argc == 2 && strcmp(argv[1], "list") == 0) {
                for (size_t i = 0; i < N_ATTEMPTS; i++)
                        printf("%s\n", attempts[i].name);
                return 0;
        }
        if (holds_capabilities()) {
                fprintf(stderr, "escape: refusing to run with capabilities; run it in a sandbox\n");
                return 2;
        }
        if (argc == 1) {
                for (size_t i = 0; i < N_ATTEMPTS; i++)
                        run_attempt(&attempts[i]);
                return 0;
        }
        for (int i = 1; i < argc; i++)
                if (!find(argv[i])) {
                        fprintf(stderr, "escape: no attempt named '%s' (see: escape list)\n",
                                argv[i]);
                        return 2;
                }
        for (int i = 1; i < argc; i++)
                run_attempt(find(argv[i]));
        return 0;
}
