/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ns/: real namespaces, real kernel, run as root. Every child
 * is bounded by alarm() (with a handler, since a pid-namespace init ignores
 * signals it has no handler for) and PR_SET_PDEATHSIG, and every test kills
 * and reaps what it started, by pid, in its teardown.
 */
#include <setjmp.h> /* cmocka needs these before it */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <grp.h>
#include <linux/magic.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

#include "common/util.h"
#include "ns/ns.h"

#define CHILD_TIMEOUT 20 /* seconds before a stuck child dies on its own */
#define SANDBOX_FLAGS (CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC)

/* ---- bookkeeping: direct children of the test process ---- */

static pid_t tracked[8];

static void track(pid_t pid)
{
        for (size_t i = 0; i < ELEMENTSOF(tracked); i++) {
                if (tracked[i] == 0) {
                        tracked[i] = pid;
                        return;
                }
        }
        fail_msg("too many children");
}

/* Reap a tracked child and forget it (its pid may be reused after this). */
static int wait_child(pid_t pid)
{
        int status = -1;

        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        for (size_t i = 0; i < ELEMENTSOF(tracked); i++)
                if (tracked[i] == pid)
                        tracked[i] = 0;
        return status;
}

static int teardown_children(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(tracked); i++) {
                if (tracked[i] > 0) {
                        (void)kill(tracked[i], SIGKILL);
                        (void)waitpid(tracked[i], NULL, 0);
                }
                tracked[i] = 0;
        }
        return 0;
}

static void on_alarm(int sig)
{
        (void)sig;
        _exit(124);
}

/* First thing in every forked or cloned test process. */
static void child_bounds(void)
{
        (void)signal(SIGALRM, on_alarm);
        (void)alarm(CHILD_TIMEOUT);
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* PREFIX PID SUFFIX: the one formatted print of this file. */
static void pid_path(char *buf, size_t n, const char *prefix, pid_t pid, const char *suffix)
{
        // NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling)
        (void)snprintf(buf, n, "%s%d%s", prefix, (int)pid, suffix);
}

/* First line (or so) of a small file, NUL-terminated. */
static bool read_small(const char *path, char *buf, size_t n)
{
        ssize_t k;

        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (k = read(fd, buf, n - 1)) < 0)
                return false;
        buf[k] = '\0';
        return true;
}

static void make_pipe(int fds[2])
{
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
}

/* The wait status says: exited with code. */
static void assert_exited(int status, int code)
{
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), code);
}

/* Entries of a directory, without "." and "..": with getdents64, no heap. */
static int count_entries(const char *path, bool numeric_only, const char *only_name)
{
        char buf[4096];
        int n = 0;
        ssize_t k;

        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while ((k = getdents64(fd, buf, sizeof(buf))) > 0) {
                for (ssize_t off = 0; off < k;) {
                        const struct dirent64 *d = (const void *)(buf + off);
                        off += d->d_reclen;
                        if (streq(d->d_name, ".") || streq(d->d_name, ".."))
                                continue;
                        if (numeric_only && (d->d_name[0] < '0' || d->d_name[0] > '9'))
                                continue;
                        if (only_name && !streq(d->d_name, only_name))
                                return -EEXIST;
                        n++;
                }
        }
        return k < 0 ? -errno : n;
}

static bool lo_is_up(void)
{
        struct ifreq ifr = {.ifr_name = "lo"};

        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        return fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
}

static bool is_tmpfs(const char *path)
{
        struct statfs sf;

        return statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

static dev_t dev_of(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 ? st.st_dev : (dev_t)-1;
}

/* ---- configuration ---- */

static void test_config_init(void **state)
{
        struct ns_config c = {.private_users = true, .user_namespace = true, .outer_uid = 4242};

        (void)state;
        ns_config_init(&c);
        assert_true(c.private_network && c.private_mounts && c.private_pid);
        assert_true(c.private_ipc && c.private_uts && c.private_tmp);
        assert_false(c.private_users);
        assert_false(c.user_namespace);
        assert_int_equal(c.outer_uid, getuid());
        assert_int_equal(c.outer_gid, getgid());
}

static void test_clone_flags(void **state)
{
        static const struct {
                struct ns_config c;
                int flags;
        } rows[] = {
                {{0}, 0},
                {{.private_network = true}, CLONE_NEWNET},
                {{.private_mounts = true}, CLONE_NEWNS},
                {{.private_tmp = true}, CLONE_NEWNS},
                {{.private_mounts = true, .private_tmp = true}, CLONE_NEWNS},
                {{.private_pid = true}, CLONE_NEWPID},
                {{.private_ipc = true}, CLONE_NEWIPC},
                {{.private_uts = true}, CLONE_NEWUTS},
                {{.private_users = true}, CLONE_NEWUSER},
                {{.user_namespace = true}, CLONE_NEWUSER},
                {{.private_users = true, .user_namespace = true}, CLONE_NEWUSER},
                {{.private_network = true, .private_pid = true, .private_tmp = true},
                 CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS},
        };
        struct ns_config c;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                assert_int_equal(ns_clone_flags(&rows[i].c), rows[i].flags);
        ns_config_init(&c);
        assert_int_equal(ns_clone_flags(&c), SANDBOX_FLAGS);
}

static void test_step_names(void **state)
{
        (void)state;
        assert_string_equal(ns_step_name(NS_STEP_LOOPBACK), "bring up lo");
        assert_string_equal(ns_step_name(NS_STEP_PROPAGATION), "make / a slave mount");
        assert_string_equal(ns_step_name(NS_STEP_TMP), "mount tmpfs on /tmp");
        assert_string_equal(ns_step_name(NS_STEP_PROC), "mount /proc");
        assert_string_equal(ns_step_name(NS_STEP_SYS), "mount /sys");
        for (int s = 0; s < _NS_STEP_MAX; s++)
                assert_non_null(ns_step_name((enum ns_step)s));
        assert_string_equal(ns_step_name(_NS_STEP_MAX), "unknown step");
        assert_string_equal(ns_step_name((enum ns_step) - 1), "unknown step");
}

static void test_clone_rejects_non_ns_flags(void **state)
{
        (void)state;
        assert_int_equal(ns_clone(CLONE_VM), -EINVAL);
        assert_int_equal(ns_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM), -EINVAL);
        assert_int_equal(ns_clone(SIGCHLD), -EINVAL);
}

/* ---- ns_setup in a full sandbox ---- */

struct view {
        int setup_rc;
        int step;
        pid_t pid;
        int n_ifs;
        bool ifs_only_lo;
        bool lo_up;
        bool tmp_tmpfs;
        bool tmp_private;
        int tmp_entries;
        bool var_tmp_private;
        int proc_pids;
        int sys_net;
        bool marker_written;
};

static dev_t host_tmp_dev, host_var_tmp_dev;
static char marker[64];

static void look_at_interfaces(struct view *v)
{
        struct if_nameindex *ifs = if_nameindex();

        v->n_ifs = 0;
        v->ifs_only_lo = ifs != NULL;
        for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
                v->n_ifs++;
                if (!streq(i->if_name, "lo"))
                        v->ifs_only_lo = false;
        }
        if_freenameindex(ifs);
        v->lo_up = lo_is_up();
}

static void look_at_sandbox(struct view *v)
{
        enum ns_step step = _NS_STEP_MAX;
        struct ns_config c;

        ns_config_init(&c);
        v->setup_rc = ns_setup(&c, &step);
        v->step = (int)step;
        v->pid = getpid();
        look_at_interfaces(v);
        v->tmp_tmpfs = is_tmpfs("/tmp");
        v->tmp_private = dev_of("/tmp") != host_tmp_dev;
        v->tmp_entries = count_entries("/tmp", false, NULL);
        v->var_tmp_private = is_tmpfs("/var/tmp") && dev_of("/var/tmp") != host_var_tmp_dev &&
                             dev_of("/var/tmp") != dev_of("/tmp");
        v->proc_pids = count_entries("/proc", true, NULL);
        v->sys_net = count_entries("/sys/class/net", false, "lo");
        int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        v->marker_written = fd >= 0;
        (void)safe_close(fd);
}

static void test_setup_sandbox(void **state)
{
        struct view v = {0};
        int p[2];
        pid_t pid;

        (void)state;
        host_tmp_dev = dev_of("/tmp");
        host_var_tmp_dev = dev_of("/var/tmp");
        pid_path(marker, sizeof(marker), "/tmp/sockjail-test-ns.", getpid(), "");
        (void)unlink(marker);
        make_pipe(p);
        pid = ns_clone(SANDBOX_FLAGS);
        assert_true(pid >= 0);
        if (pid == 0) {
                child_bounds();
                look_at_sandbox(&v);
                _exit(write_all(p[1], &v, sizeof(v)) < 0 ? 1 : 0);
        }
        track(pid);
        (void)close(p[1]);
        assert_int_equal(read(p[0], &v, sizeof(v)), (ssize_t)sizeof(v));
        (void)close(p[0]);
        assert_exited(wait_child(pid), 0);

        assert_int_equal(v.setup_rc, 0);
        assert_int_equal(v.step, NS_STEP_NONE);
        assert_int_equal(v.pid, 1);
        assert_int_equal(v.n_ifs, 1);
        assert_true(v.ifs_only_lo);
        assert_true(v.lo_up);
        assert_true(v.tmp_tmpfs);
        assert_true(v.tmp_private);
        assert_int_equal(v.tmp_entries, 0);
        assert_true(v.var_tmp_private);
        assert_int_equal(v.proc_pids, 1);
        assert_int_equal(v.sys_net, 1);
        assert_true(v.marker_written);
        /* nothing propagated back */
        assert_int_equal(access(marker, F_OK), -1);
        assert_int_equal(errno, ENOENT);
        assert_true(dev_of("/tmp") == host_tmp_dev);
        assert_true(count_entries("/proc", true, NULL) > 1);
        assert_true(lo_is_up());
}

/* Only what the config asks for: network alone mounts nothing. */
static void test_setup_network_only(void **state)
{
        pid_t pid;

        (void)state;
        host_tmp_dev = dev_of("/tmp");
        pid = ns_clone(CLONE_NEWNET);
        assert_true(pid >= 0);
        if (pid == 0) {
                struct ns_config c = {.private_network = true};
                enum ns_step step = _NS_STEP_MAX;

                child_bounds();
                if (lo_is_up())
                        _exit(2);
                if (ns_setup(&c, &step) != 0 || step != NS_STEP_NONE)
                        _exit(3);
                if (!lo_is_up())
                        _exit(4);
                if (dev_of("/tmp") != host_tmp_dev || count_entries("/proc", true, NULL) < 2)
                        _exit(5);
                _exit(ns_loopback_up() == 0 ? 0 : 6); /* already up is fine */
        }
        track(pid);
        assert_exited(wait_child(pid), 0);
}

/* The sandbox child of propagation_outer: mount, say so, hold the mounts until told. */
static _Noreturn void propagation_inner(int ready_w, int done_r)
{
        struct ns_config c = {.private_mounts = true, .private_tmp = true, .private_pid = true};
        char byte = 1;

        child_bounds();
        if (ns_setup(&c, NULL) != 0 || !is_tmpfs("/tmp"))
                _exit(3);
        if (write_all(ready_w, &byte, 1) < 0 || read(done_r, &byte, 1) != 1)
                _exit(4);
        _exit(0);
}

/*
 * This box's "/" may well be private already, which would prove nothing: make
 * a mount ns of our own whose "/" is shared, as on a systemd host, and check
 * from it that the sandbox's mounts stay inside.
 */
static _Noreturn void propagation_outer(void)
{
        int ready[2], done[2], status;
        char byte = 1;
        dev_t tmp_dev;
        pid_t pid;

        child_bounds();
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0 ||
            pipe2(ready, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0)
                _exit(10);
        tmp_dev = dev_of("/tmp");
        pid = ns_clone(CLONE_NEWNS | CLONE_NEWPID);
        if (pid < 0)
                _exit(11);
        if (pid == 0)
                propagation_inner(ready[1], done[0]);
        (void)close(ready[1]);
        if (read(ready[0], &byte, 1) != 1)
                _exit(12);
        if (dev_of("/tmp") != tmp_dev || is_tmpfs("/tmp") || count_entries("/proc", true, NULL) < 3)
                _exit(13);
        (void)write_all(done[1], &byte, 1);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                _exit(14);
        _exit(WEXITSTATUS(status));
}

static void test_setup_does_not_propagate(void **state)
{
        pid_t pid;

        (void)state;
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                propagation_outer();
        track(pid);
        assert_exited(wait_child(pid), 0);
}

/*
 * A failing step is named: in a new user+mount ns without a new pid ns, proc
 * of the host's pid ns may not be mounted (EPERM), after propagation worked.
 */
static void test_setup_reports_failed_step(void **state)
{
        int p[2];
        int res[2] = {0, 0};
        pid_t pid;

        (void)state;
        make_pipe(p);
        pid = ns_clone(CLONE_NEWUSER | CLONE_NEWNS);
        assert_true(pid >= 0);
        if (pid == 0) {
                struct ns_config c = {.private_mounts = true, .private_pid = true};
                enum ns_step step = NS_STEP_NONE;

                child_bounds();
                res[0] = ns_setup(&c, &step);
                res[1] = (int)step;
                _exit(write_all(p[1], res, sizeof(res)) < 0 ? 1 : 0);
        }
        track(pid);
        (void)close(p[1]);
        assert_int_equal(read(p[0], res, sizeof(res)), (ssize_t)sizeof(res));
        (void)close(p[0]);
        assert_exited(wait_child(pid), 0);
        assert_int_equal(res[0], -EPERM);
        assert_int_equal(res[1], NS_STEP_PROC);
}

/* ---- id maps ---- */

/* /proc/PID/{uid,gid}_map (file = "/uid_map", ...) holds exactly "INSIDE OUTSIDE 1". */
static bool map_is(pid_t pid, const char *file, unsigned in, unsigned out)
{
        char path[64], line[128], *p = line;
        unsigned long a, b, n;

        pid_path(path, sizeof(path), "/proc/", pid, file);
        if (!read_small(path, line, sizeof(line)))
                return false;
        a = strtoul(p, &p, 10);
        b = strtoul(p, &p, 10);
        n = strtoul(p, &p, 10);
        return a == in && b == out && n == 1 && streq(p, "\n");
}

static bool setgroups_denied(pid_t pid)
{
        char path[64], buf[16];

        pid_path(path, sizeof(path), "/proc/", pid, "/setgroups");
        return read_small(path, buf, sizeof(buf)) && streq(buf, "deny\n");
}

enum map_result {
        MAP_OK = 0,
        MAP_CLONE_FAILED = 20,
        MAP_WRITE_FAILED,
        MAP_WRONG_CONTENT,
        MAP_CHILD_FAILED,
};

/* In the mapped child: wait for the maps, exit 0 iff the expected ids show. */
static _Noreturn void mapped_child(int go_fd, uid_t want_uid, gid_t want_gid)
{
        char byte;

        child_bounds();
        if (read(go_fd, &byte, 1) != 1)
                _exit(2);
        _exit(getuid() == want_uid && getgid() == want_gid ? 0 : 3);
}

/*
 * Clone into a user ns, write the maps from here, check them, let the child go.
 * No cmocka asserts: this also runs in a forked, unprivileged test process.
 */
static enum map_result run_mapped_child(const struct ns_config *c, uid_t want_uid, gid_t want_gid)
{
        unsigned in_uid = c->private_users ? 0 : c->outer_uid;
        unsigned in_gid = c->private_users ? 0 : c->outer_gid;
        enum map_result res = MAP_OK;
        char byte = 1;
        int go[2], status;
        pid_t pid;

        if (pipe2(go, O_CLOEXEC) < 0)
                return MAP_CLONE_FAILED;
        pid = ns_clone(CLONE_NEWUSER);
        if (pid == 0)
                mapped_child(go[0], want_uid, want_gid);
        (void)close(go[0]);
        if (pid < 0) {
                (void)close(go[1]);
                return MAP_CLONE_FAILED;
        }
        track(pid);
        if (ns_write_id_maps(pid, c) < 0)
                res = MAP_WRITE_FAILED;
        else if (!map_is(pid, "/uid_map", in_uid, c->outer_uid) ||
                 !map_is(pid, "/gid_map", in_gid, c->outer_gid) || !setgroups_denied(pid))
                res = MAP_WRONG_CONTENT;
        (void)write_all(go[1], &byte, 1);
        (void)close(go[1]);
        status = wait_child(pid);
        if (res == MAP_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                res = MAP_CHILD_FAILED;
        return res;
}

static void test_id_maps_private_users(void **state)
{
        struct ns_config c = {.private_users = true, .outer_uid = getuid(), .outer_gid = getgid()};

        (void)state;
        assert_int_equal(run_mapped_child(&c, 0, 0), MAP_OK);
}

/* Another outer id: the map says so, and the child (still kuid 0) is unmapped. */
static void test_id_maps_other_outer_ids(void **state)
{
        struct ns_config c = {.private_users = true, .outer_uid = 1000, .outer_gid = 1001};

        (void)state;
        assert_int_equal(run_mapped_child(&c, 65534, 65534), MAP_OK);
        c.private_users = false;
        c.user_namespace = true;
        assert_int_equal(run_mapped_child(&c, 65534, 65534), MAP_OK);
}

/* Rootless: as uid/gid 65534, map ourselves to ourselves, as sockjail would. */
static void test_id_maps_rootless(void **state)
{
        int status;
        pid_t pid;

        (void)state;
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct ns_config c = {
                        .user_namespace = true, .outer_uid = 65534, .outer_gid = 65534};

                child_bounds();
                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                    setresuid(65534, 65534, 65534) < 0)
                        _exit(10);
                /* changing ids cleared it; our child's /proc files stay ours with it */
                (void)prctl(PR_SET_DUMPABLE, 1);
                _exit(run_mapped_child(&c, 65534, 65534));
        }
        track(pid);
        status = wait_child(pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == MAP_CLONE_FAILED)
                skip(); /* unprivileged user namespaces are disabled here */
        assert_exited(status, MAP_OK);
}

static void test_id_maps_without_user_ns(void **state)
{
        struct ns_config c;

        (void)state;
        ns_config_init(&c);
        assert_int_equal(ns_write_id_maps(getpid(), &c), 0);
        assert_int_equal(ns_write_id_maps(0, &c), -EINVAL);
        c.private_users = true;
        assert_int_equal(ns_write_id_maps(-1, &c), -EINVAL);
        assert_int_equal(ns_write_id_maps(INT32_MAX, &c), -ENOENT);
}

/* ---- the init ---- */

typedef void (*service_fn)(int report_fd);

struct sandbox {
        pid_t init;
        int ctl;    /* supervisor end */
        int report; /* read end of a pipe the service may write to */
        int alive;  /* read end of a pipe held open by the service and its children */
};

static const int init_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD};

static void init_sigset(sigset_t *set)
{
        sigemptyset(set);
        for (size_t i = 0; i < ELEMENTSOF(init_signals); i++)
                sigaddset(set, init_signals[i]);
}

static bool init_waits_for_zombie; /* the service ends before ns_init_run starts */

/* The init child: fork the service, then be its init. */
static _Noreturn void init_child(int ctl, int report_w, int alive_w, service_fn service)
{
        sigset_t none;
        siginfo_t si;
        pid_t svc;

        child_bounds();
        svc = fork();
        if (svc < 0)
                _exit(120);
        if (svc == 0) {
                child_bounds();
                (void)close(ctl);
                sigemptyset(&none);
                (void)sigprocmask(SIG_SETMASK, &none, NULL);
                service(report_w);
                _exit(0);
        }
        (void)close(report_w);
        (void)close(alive_w);
        if (init_waits_for_zombie)
                (void)waitid(P_PID, (id_t)svc, &si, WEXITED | WNOWAIT);
        _exit(ns_init_run(ctl, svc));
}

/*
 * Start an init with a service, as the supervisor would: the forwarded signals
 * blocked from before the clone, so none is lost before the init reads them.
 */
static void start_init(struct sandbox *sb, int flags, service_fn service)
{
        int ctl[2], report[2], alive[2];
        sigset_t set, old;

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl), 0);
        make_pipe(report);
        make_pipe(alive);
        init_sigset(&set);
        assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
        sb->init = ns_clone(flags);
        if (sb->init == 0) {
                (void)close(ctl[0]);
                (void)close(report[0]);
                (void)close(alive[0]);
                init_child(ctl[1], report[1], alive[1], service);
        }
        assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
        assert_true(sb->init > 0);
        track(sb->init);
        (void)close(ctl[1]);
        (void)close(report[1]);
        (void)close(alive[1]);
        sb->ctl = ctl[0];
        sb->report = report[0];
        sb->alive = alive[0];
}

static void stop_sandbox(struct sandbox *sb)
{
        sb->ctl = safe_close(sb->ctl);
        sb->report = safe_close(sb->report);
        sb->alive = safe_close(sb->alive);
}

static void expect_exit_msg(const struct sandbox *sb, int *status)
{
        struct ns_msg m = {0};

        assert_int_equal(recv(sb->ctl, &m, sizeof(m), 0), (ssize_t)sizeof(m));
        assert_int_equal(m.kind, NS_MSG_EXIT);
        assert_int_equal(m.step, 0);
        *status = m.value;
}

/* True when every holder of the alive pipe is gone within ms. */
static bool all_gone(int alive_fd, int ms)
{
        struct pollfd p = {.fd = alive_fd, .events = POLLIN};
        char c;

        return poll(&p, 1, ms) == 1 && read(alive_fd, &c, 1) == 0;
}

static void svc_exit7(int report_fd)
{
        (void)report_fd;
        _exit(7);
}

static void svc_wait_forever(int report_fd)
{
        (void)report_fd;
        for (;;)
                pause();
}

static void run_exit_code(int flags)
{
        struct sandbox sb;
        int status;

        start_init(&sb, flags, svc_exit7);
        expect_exit_msg(&sb, &status);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 7);
        assert_exited(wait_child(sb.init), 7);
        assert_true(all_gone(sb.alive, 5000));
        stop_sandbox(&sb);
}

static void test_init_exit_code_pidns(void **state)
{
        (void)state;
        run_exit_code(CLONE_NEWPID);
}

static void test_init_exit_code_subreaper(void **state)
{
        (void)state;
        run_exit_code(0);
}

static void run_sigterm(int flags)
{
        struct sandbox sb;
        int status;

        start_init(&sb, flags, svc_wait_forever);
        assert_int_equal(kill(sb.init, SIGTERM), 0);
        expect_exit_msg(&sb, &status);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGTERM);
        assert_exited(wait_child(sb.init), 128 + SIGTERM);
        stop_sandbox(&sb);
}

static void test_init_forwards_sigterm_pidns(void **state)
{
        (void)state;
        run_sigterm(CLONE_NEWPID);
}

static void test_init_forwards_sigterm_subreaper(void **state)
{
        (void)state;
        run_sigterm(0);
}

/* A service that exited before the init ran is still reaped and reported. */
static void test_init_service_exited_early(void **state)
{
        struct sandbox sb;
        int status;

        (void)state;
        init_waits_for_zombie = true;
        start_init(&sb, CLONE_NEWPID, svc_exit7);
        init_waits_for_zombie = false;
        expect_exit_msg(&sb, &status);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 7);
        assert_exited(wait_child(sb.init), 7);
        stop_sandbox(&sb);
}

/* Service and a grandchild both waiting; the grandchild says when it runs. */
static void svc_with_grandchild(int report_fd)
{
        char byte = 'g';
        pid_t g = fork();

        if (g == 0) {
                child_bounds();
                (void)write_all(report_fd, &byte, 1);
                svc_wait_forever(report_fd);
        }
        svc_wait_forever(report_fd);
}

static void run_hangup(int flags)
{
        struct sandbox sb;
        char byte = 0;

        start_init(&sb, flags, svc_with_grandchild);
        assert_int_equal(read(sb.report, &byte, 1), 1);
        sb.ctl = safe_close(sb.ctl);
        /* well before CHILD_TIMEOUT: killed by the init, not by their alarms */
        assert_true(all_gone(sb.alive, 5000));
        assert_exited(wait_child(sb.init), 128 + SIGKILL);
        stop_sandbox(&sb);
}

static void test_init_hangup_kills_all_pidns(void **state)
{
        (void)state;
        run_hangup(CLONE_NEWPID);
}

static void test_init_hangup_kills_all_subreaper(void **state)
{
        (void)state;
        run_hangup(0);
}

/* The service's child forks a grandchild and exits: the grandchild is orphaned to the init. */
static void svc_orphan_maker(int report_fd)
{
        char byte = 'o';
        pid_t m = fork();

        if (m == 0) {
                if (fork() == 0) {
                        (void)signal(SIGALRM, on_alarm);
                        (void)alarm(CHILD_TIMEOUT);
                        while (getppid() != 1)
                                (void)usleep(1000);
                        (void)write_all(report_fd, &byte, 1);
                        _exit(0);
                }
                _exit(0);
        }
        (void)waitpid(m, NULL, 0);
        svc_wait_forever(report_fd);
}

static int count_children(pid_t pid)
{
        char dir[32], path[64], buf[256];
        int n = 0;
        bool in_word = false;
        ssize_t k;

        pid_path(dir, sizeof(dir), "/proc/", pid, "/task/");
        pid_path(path, sizeof(path), dir, pid, "/children");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while ((k = read(fd, buf, sizeof(buf))) > 0) {
                for (ssize_t i = 0; i < k; i++) {
                        bool digit = buf[i] >= '0' && buf[i] <= '9';
                        if (digit && !in_word)
                                n++;
                        in_word = digit;
                }
        }
        return n;
}

static void test_init_reaps_orphans(void **state)
{
        struct timespec tick = {0, 10 * 1000 * 1000};
        struct sandbox sb;
        char byte = 0;
        int n = -1;

        (void)state;
        start_init(&sb, CLONE_NEWPID, svc_orphan_maker);
        assert_int_equal(read(sb.report, &byte, 1), 1);
        /* the orphan has exited; once reaped, the service is the init's only child */
        for (int i = 0; i < 500 && (n = count_children(sb.init)) != 1; i++)
                (void)nanosleep(&tick, NULL);
        assert_int_equal(n, 1);
        sb.ctl = safe_close(sb.ctl);
        assert_exited(wait_child(sb.init), 128 + SIGKILL);
        stop_sandbox(&sb);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_init),
                cmocka_unit_test(test_clone_flags),
                cmocka_unit_test(test_step_names),
                cmocka_unit_test(test_clone_rejects_non_ns_flags),
                cmocka_unit_test_teardown(test_setup_sandbox, teardown_children),
                cmocka_unit_test_teardown(test_setup_network_only, teardown_children),
                cmocka_unit_test_teardown(test_setup_does_not_propagate, teardown_children),
                cmocka_unit_test_teardown(test_setup_reports_failed_step, teardown_children),
                cmocka_unit_test_teardown(test_id_maps_private_users, teardown_children),
                cmocka_unit_test_teardown(test_id_maps_other_outer_ids, teardown_children),
                cmocka_unit_test_teardown(test_id_maps_rootless, teardown_children),
                cmocka_unit_test(test_id_maps_without_user_ns),
                cmocka_unit_test_teardown(test_init_exit_code_pidns, teardown_children),
                cmocka_unit_test_teardown(test_init_exit_code_subreaper, teardown_children),
                cmocka_unit_test_teardown(test_init_forwards_sigterm_pidns, teardown_children),
                cmocka_unit_test_teardown(test_init_forwards_sigterm_subreaper, teardown_children),
                cmocka_unit_test_teardown(test_init_service_exited_early, teardown_children),
                cmocka_unit_test_teardown(test_init_hangup_kills_all_pidns, teardown_children),
                cmocka_unit_test_teardown(test_init_hangup_kills_all_subreaper, teardown_children),
                cmocka_unit_test_teardown(test_init_reaps_orphans, teardown_children),
        };

        if (geteuid() != 0) {
                (void)fprintf(stderr, "test_ns: needs root (real namespaces)\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
