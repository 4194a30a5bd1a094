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
#include <ftw.h>
#include <grp.h>
#include <limits.h>
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
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>

#include "common/util.h"
#include "ns/internal.h"
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
        /* stricter than systemd's defaults: a root service must not own root's files */
        assert_true(c.private_devices);
        assert_int_equal(c.protect_system, NS_PROTECT_SYSTEM_STRICT);
        assert_int_equal(c.protect_home, NS_PROTECT_HOME_READ_ONLY);
        assert_int_equal(c.protect_proc, NS_PROTECT_PROC_DEFAULT);
        assert_true(c.protect_kernel_tunables && c.protect_kernel_modules);
        assert_true(c.protect_kernel_logs && c.protect_control_groups);
        assert_null(c.read_only_paths);
        assert_null(c.read_write_paths);
        assert_null(c.inaccessible_paths);
        assert_int_equal(c.n_binds + c.n_tmpfs, 0);
        assert_null(c.hostname);
        assert_null(c.root_directory);
        assert_null(c.working_directory);
        ns_config_done(&c); /* nothing to free: fine */
}

static char *one_path[] = {"/usr", NULL};
static char *no_paths[] = {NULL};

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
                /* every file-system key needs a mount namespace */
                {{.private_devices = true}, CLONE_NEWNS},
                {{.protect_system = NS_PROTECT_SYSTEM_YES}, CLONE_NEWNS},
                {{.protect_home = NS_PROTECT_HOME_TMPFS}, CLONE_NEWNS},
                {{.protect_proc = NS_PROTECT_PROC_INVISIBLE}, CLONE_NEWNS},
                {{.protect_kernel_tunables = true}, CLONE_NEWNS},
                {{.protect_kernel_modules = true}, CLONE_NEWNS},
                {{.protect_kernel_logs = true}, CLONE_NEWNS},
                {{.protect_control_groups = true}, CLONE_NEWNS},
                {{.read_only_paths = one_path}, CLONE_NEWNS},
                {{.read_write_paths = one_path}, CLONE_NEWNS},
                {{.inaccessible_paths = one_path}, CLONE_NEWNS},
                {{.n_binds = 1}, CLONE_NEWNS},
                {{.n_tmpfs = 1}, CLONE_NEWNS},
                {{.root_directory = "/srv"}, CLONE_NEWNS},
                {{.read_only_paths = no_paths}, 0},
                {{.hostname = "h", .working_directory = "/"}, 0},
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
        assert_string_equal(ns_step_name(NS_STEP_PROTECT_SYSTEM_YES),
                            "make /usr and /boot read-only");
        assert_string_equal(ns_step_name(NS_STEP_PROTECT_SYSTEM_STRICT), "make / read-only");
        assert_string_equal(ns_step_name(NS_STEP_ROOT_DIRECTORY), "switch to root_directory");
        for (int s = 0; s < _NS_STEP_MAX; s++) {
                assert_non_null(ns_step_name((enum ns_step)s));
                assert_string_not_equal(ns_step_name((enum ns_step)s), "unknown step");
        }
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

/* ---- the file-system keys: syntax ---- */

static void test_bind_parse(void **state)
{
        static const struct {
                const char *text;
                int r;
                const char *src, *dst;
                bool recursive, ignore;
        } rows[] = {
                {"/a", 0, "/a", "/a", true, false},
                {"/a:/b", 0, "/a", "/b", true, false},
                {"/a:/b:rbind", 0, "/a", "/b", true, false},
                {"/a:/b:norbind", 0, "/a", "/b", false, false},
                {"/a:/b:", 0, "/a", "/b", true, false},
                {"-/a:/b", 0, "/a", "/b", true, true},
                {"-/a", 0, "/a", "/a", true, true},
                {"/a\\:b:/c", 0, "/a:b", "/c", true, false},
                {"/a:/b:bogus", -EINVAL, NULL, NULL, false, false},
                {"/a:/b:rbind:x", -EINVAL, NULL, NULL, false, false},
                {"/a:", -EINVAL, NULL, NULL, false, false},
                {"a:/b", -EINVAL, NULL, NULL, false, false},
                {"/a:b", -EINVAL, NULL, NULL, false, false},
                {"/a/../b", -EINVAL, NULL, NULL, false, false},
                {"/a:/b/..", -EINVAL, NULL, NULL, false, false},
                {"", -EINVAL, NULL, NULL, false, false},
                {"-", -EINVAL, NULL, NULL, false, false},
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                struct ns_bind b = {0};
                int r = ns_bind_parse(rows[i].text, i % 2 == 0, &b);

                assert_int_equal(r, rows[i].r);
                if (r < 0)
                        continue;
                assert_string_equal(b.source, rows[i].src);
                assert_string_equal(b.destination, rows[i].dst);
                assert_int_equal(b.recursive, rows[i].recursive);
                assert_int_equal(b.ignore_missing, rows[i].ignore);
                assert_int_equal(b.read_only, i % 2 == 0);
                ns_bind_done(&b);
        }
}

static void test_tmpfs_parse(void **state)
{
        static const struct {
                const char *text;
                int r;
                const char *path, *options;
        } rows[] = {
                {"/a", 0, "/a", NULL},
                {"/a:ro", 0, "/a", "ro"},
                {"/a:ro,size=10%,mode=0700", 0, "/a", "ro,size=10%,mode=0700"},
                {"/a:", 0, "/a", NULL},
                {"a:ro", -EINVAL, NULL, NULL},
                {"/a/..:ro", -EINVAL, NULL, NULL},
                {"", -EINVAL, NULL, NULL},
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                struct ns_tmpfs t = {0};
                int r = ns_tmpfs_parse(rows[i].text, &t);

                assert_int_equal(r, rows[i].r);
                if (r < 0)
                        continue;
                assert_string_equal(t.path, rows[i].path);
                if (rows[i].options)
                        assert_string_equal(t.options, rows[i].options);
                else
                        assert_null(t.options);
                ns_tmpfs_done(&t);
        }
}

static void test_path_syntax(void **state)
{
        (void)state;
        assert_true(ns_path_valid("/"));
        assert_true(ns_path_valid("/a/b..c/.d/..."));
        assert_false(ns_path_valid("a"));
        assert_false(ns_path_valid(""));
        assert_false(ns_path_valid("/.."));
        assert_false(ns_path_valid("/a/../b"));
        assert_true(ns_access_path_valid("/a"));
        assert_true(ns_access_path_valid("-/a"));
        assert_true(ns_access_path_valid("+/a"));
        assert_true(ns_access_path_valid("-+/a"));
        assert_false(ns_access_path_valid("+-/a"));
        assert_false(ns_access_path_valid("--/a"));
        assert_false(ns_access_path_valid("-a"));
        assert_true(ns_hostname_valid("a"));
        assert_true(ns_hostname_valid("web-1.example"));
        assert_false(ns_hostname_valid(""));
        assert_false(ns_hostname_valid("-a"));
        assert_false(ns_hostname_valid("a."));
        assert_false(ns_hostname_valid("a..b"));
        assert_false(ns_hostname_valid("a b"));
        assert_false(ns_hostname_valid("a_b"));
        assert_true(ns_hostname_valid(
                "0123456789012345678901234567890123456789012345678901234567890123"));
        assert_false(ns_hostname_valid(
                "01234567890123456789012345678901234567890123456789012345678901234"));
}

static void test_protect_names(void **state)
{
        (void)state;
        for (int v = 0; v < _NS_PROTECT_SYSTEM_MAX; v++)
                assert_non_null(ns_protect_system_name((enum ns_protect_system)v));
        assert_string_equal(ns_protect_system_name(NS_PROTECT_SYSTEM_STRICT), "strict");
        assert_null(ns_protect_system_name(_NS_PROTECT_SYSTEM_MAX));
        assert_string_equal(ns_protect_home_name(NS_PROTECT_HOME_READ_ONLY), "read-only");
        assert_string_equal(ns_protect_proc_name(NS_PROTECT_PROC_INVISIBLE), "invisible");
        /* booleans are the spec's: only the other words */
        assert_int_equal(ns_protect_system_from_name("full"), NS_PROTECT_SYSTEM_FULL);
        assert_int_equal(ns_protect_system_from_name("strict"), NS_PROTECT_SYSTEM_STRICT);
        assert_int_equal(ns_protect_system_from_name("yes"), -EINVAL);
        assert_int_equal(ns_protect_system_from_name("no"), -EINVAL);
        assert_int_equal(ns_protect_home_from_name("read-only"), NS_PROTECT_HOME_READ_ONLY);
        assert_int_equal(ns_protect_home_from_name("tmpfs"), NS_PROTECT_HOME_TMPFS);
        assert_int_equal(ns_protect_home_from_name("yes"), -EINVAL);
        assert_int_equal(ns_protect_proc_from_name("default"), NS_PROTECT_PROC_DEFAULT);
        assert_int_equal(ns_protect_proc_from_name("noaccess"), NS_PROTECT_PROC_NOACCESS);
        assert_int_equal(ns_protect_proc_from_name("ptraceable"), NS_PROTECT_PROC_PTRACEABLE);
        assert_int_equal(ns_protect_proc_from_name("Invisible"), -EINVAL);
}

static void test_path_compare(void **state)
{
        (void)state;
        assert_true(ns_path_compare("/", "/a") < 0);
        assert_true(ns_path_compare("/a", "/a/b") < 0);
        assert_true(ns_path_compare("/a/b", "/a-b") < 0); /* children right after their parent */
        assert_true(ns_path_compare("/a/z", "/ab") < 0);
        assert_int_equal(ns_path_compare("/a/b", "/a/b"), 0);
        assert_true(ns_path_compare("/b", "/a/b") > 0);
        assert_true(ns_path_under("/a/b", "/a"));
        assert_true(ns_path_under("/a", "/a"));
        assert_true(ns_path_under("/a", "/"));
        assert_true(ns_path_under("/a/b", "/a/"));
        assert_false(ns_path_under("/ab", "/a"));
        assert_false(ns_path_under("/a", "/a/b"));
}

/* ---- the file-system keys: a fixture on the host ---- */

static char fx[64]; /* the fixture's directory */

/* prefix + fx + name, in one of a few static buffers (enough for one config). */
static char *fxp_with(const char *prefix, const char *name)
{
        static char bufs[32][PATH_MAX];
        static unsigned next;
        char *b = bufs[next++ % ELEMENTSOF(bufs)];

        // NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling)
        (void)snprintf(b, PATH_MAX, "%s%s%s", prefix, fx, name);
        return b;
}

static char *fxp(const char *name)
{
        return fxp_with("", name);
}

static void put_file(const char *path, const char *text)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, text, strlen(text)), 0);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)type;
        (void)ftw;
        return remove(path) < 0 ? -1 : 0;
}

/*
 * fx/ro/{file,sub/,rw/}   read_only_paths and read_write_paths
 * fx/hide/secret, fx/hidefile, fx/src/{f,sub/}, fx/tmp/, fx/root/marker
 */
static int setup_fixture(void **state)
{
        static const char *const dirs[] = {"/ro",      "/ro/sub", "/ro/rw", "/hide",    "/src",
                                           "/src/sub", "/tmp",    "/root",  "/root/etc"};

        (void)state;
        // NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling)
        (void)snprintf(fx, sizeof(fx), "/tmp/sockjail-test-ns.XXXXXX");
        if (!mkdtemp(fx) || chmod(fx, 0755) < 0)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (mkdir(fxp(dirs[i]), 0755) < 0)
                        return -1;
        put_file(fxp("/ro/file"), "ro");
        put_file(fxp("/hide/secret"), "secret");
        put_file(fxp("/hidefile"), "hidden");
        put_file(fxp("/src/f"), "from src");
        put_file(fxp("/root/marker"), "in root");
        return 0;
}

static int teardown_fixture(void **state)
{
        (void)teardown_children(state);
        return nftw(fx, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -1 : 0;
}

/* ---- the file-system keys: outcomes inside a sandbox ---- */

#define N_LOOKS 24

/* What a sandbox saw: ns_setup()'s result and a few looks, each a value or -errno. */
struct outcome {
        int rc;
        int step;
        int v[N_LOOKS];
};

typedef void (*look_fn)(int *v);

/* 1 when path's mount is read-only, 0 when writable, -errno. */
static int ro(const char *path)
{
        struct statvfs sv;

        if (statvfs(path, &sv) < 0)
                return -errno;
        return (sv.f_flag & ST_RDONLY) ? 1 : 0;
}

/* 0 or -errno of open(path, flags), the fd closed at once. */
static int try_open(const char *path, int flags)
{
        int fd = open(path, flags | O_CLOEXEC, 0644);

        if (fd < 0)
                return -errno;
        safe_close(fd);
        return 0;
}

static int try_mkdir(const char *path)
{
        if (mkdir(path, 0755) < 0)
                return -errno;
        return rmdir(path) < 0 ? -errno : 0;
}

static int mode_of(const char *path)
{
        struct stat st;

        return stat(path, &st) < 0 ? -errno : (int)(st.st_mode & 07777);
}

/* What fn(path) returns (a small count, or -errno) for a user without privileges. */
static int as_nobody(int (*fn)(const char *path), const char *path)
{
        int status, r;
        pid_t pid = fork();

        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                    setresuid(65534, 65534, 65534) < 0)
                        _exit(255);
                r = fn(path);
                _exit(r < 0 ? 128 - r : r); /* errno values are below 128 */
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -EIO;
        r = WEXITSTATUS(status);
        return r >= 128 ? -(r - 128) : r;
}

static int try_read(const char *path)
{
        return try_open(path, O_RDONLY);
}

static int try_opendir(const char *path)
{
        return try_open(path, O_RDONLY | O_DIRECTORY);
}

/* Bytes in a file, or -errno. */
static int size_of(const char *path)
{
        char buf[256];
        ssize_t k;

        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        k = read(fd, buf, sizeof(buf));
        return k < 0 ? -errno : (int)k;
}

static int pids_seen(const char *path)
{
        return count_entries(path, true, NULL);
}

/* Clone into flags, run before (if any), ns_setup(c), then look; report all. */
static void run_sandbox(const struct ns_config *c, int flags, look_fn before, look_fn look,
                        struct outcome *out)
{
        int p[2];
        pid_t pid;

        *out = (struct outcome){0};
        make_pipe(p);
        pid = ns_clone(flags);
        assert_true(pid >= 0);
        if (pid == 0) {
                enum ns_step step = _NS_STEP_MAX;

                child_bounds();
                if (before)
                        before(out->v);
                out->rc = ns_setup(c, &step);
                out->step = (int)step;
                if (out->rc == 0)
                        look(out->v);
                _exit(write_all(p[1], out, sizeof(*out)) < 0 ? 1 : 0);
        }
        track(pid);
        (void)close(p[1]);
        assert_int_equal(read(p[0], out, sizeof(*out)), (ssize_t)sizeof(*out));
        (void)close(p[0]);
        assert_exited(wait_child(pid), 0);
}

#define MNT_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC)

/* A sandbox with a mount namespace and nothing else asked for. */
static struct ns_config plain_config(void)
{
        return (struct ns_config){.private_mounts = true, .private_pid = true};
}

static void look_strict(int *v)
{
        v[0] = ro("/");
        v[1] = ro("/usr");
        v[2] = ro("/etc");
        v[3] = try_open("/etc/sockjail-test-ns", O_WRONLY | O_CREAT);
        v[4] = ro("/tmp");
        v[5] = try_open("/tmp/x", O_WRONLY | O_CREAT);
        v[6] = ro("/proc");
        v[7] = ro("/dev");
        v[8] = try_open("/dev/null", O_WRONLY);
        v[9] = ro("/var/tmp");
}

static void test_protect_system_strict(void **state)
{
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.private_tmp = true;
        c.protect_system = NS_PROTECT_SYSTEM_STRICT;
        run_sandbox(&c, MNT_FLAGS, NULL, look_strict, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 1);
        assert_int_equal(o.v[1], 1);
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[3], -EROFS);
        assert_int_equal(o.v[4], 0); /* the private /tmp */
        assert_int_equal(o.v[5], 0);
        assert_int_equal(o.v[6], 0); /* the API file systems stay writable */
        assert_int_equal(o.v[7], 0);
        assert_int_equal(o.v[8], 0);
        assert_int_equal(o.v[9], 0);
        /* none of it on the host */
        assert_int_equal(ro("/"), 0);
        assert_int_equal(access("/etc/sockjail-test-ns", F_OK), -1);
}

static void look_system_levels(int *v)
{
        v[0] = ro("/usr");
        v[1] = ro("/etc");
        v[2] = ro(fx);
        v[3] = try_open("/usr/sockjail-test-ns", O_WRONLY | O_CREAT);
}

static void test_protect_system_yes_full(void **state)
{
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.protect_system = NS_PROTECT_SYSTEM_YES;
        run_sandbox(&c, MNT_FLAGS, NULL, look_system_levels, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 1);
        assert_int_equal(o.v[1], 0);
        assert_int_equal(o.v[2], 0);
        assert_int_equal(o.v[3], -EROFS);
        c.protect_system = NS_PROTECT_SYSTEM_FULL;
        run_sandbox(&c, MNT_FLAGS, NULL, look_system_levels, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 1);
        assert_int_equal(o.v[1], 1);
        assert_int_equal(o.v[2], 0);
}

static void look_home(int *v)
{
        v[0] = mode_of("/root");
        v[1] = count_entries("/root", false, NULL);
        v[2] = ro("/root");
        v[3] = as_nobody(try_opendir, "/root");
        v[4] = try_mkdir("/root/x");
        v[5] = is_tmpfs("/root") ? 1 : 0;
        v[6] = mode_of("/home");
}

/* A /root with one file in it, whatever the host's holds (in the child's mount ns). */
static void mount_root_home(int *v)
{
        (void)v;
        if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/root", "tmpfs", 0, "size=64k,mode=0700") < 0)
                _exit(3);
        put_file("/root/marker", "x");
}

static void test_protect_home(void **state)
{
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.protect_home = NS_PROTECT_HOME_YES;
        run_sandbox(&c, MNT_FLAGS, mount_root_home, look_home, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 0);
        assert_int_equal(o.v[1], 0);
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[3], -EACCES);
        assert_int_equal(o.v[4], -EROFS);
        c.protect_home = NS_PROTECT_HOME_READ_ONLY;
        run_sandbox(&c, MNT_FLAGS, mount_root_home, look_home, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[1], 1);
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[4], -EROFS);
        c.protect_home = NS_PROTECT_HOME_TMPFS;
        run_sandbox(&c, MNT_FLAGS, mount_root_home, look_home, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 0700);
        assert_int_equal(o.v[1], 0);
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[4], -EROFS);
        assert_int_equal(o.v[5], 1);
        assert_int_equal(o.v[6], 0755);
}

/* A submount inside the read-only tree, made before the set-up. */
static void mount_submount(int *v)
{
        (void)v;
        if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", fxp("/ro/sub"), "tmpfs", 0, "size=64k") < 0 ||
            mount("tmpfs", fxp("/src/sub"), "tmpfs", 0, "size=64k") < 0)
                _exit(3);
        put_file(fxp("/src/sub/in-sub"), "x");
}

static void look_access_paths(int *v)
{
        v[0] = ro(fxp("/ro"));
        v[1] = try_open(fxp("/ro/new"), O_WRONLY | O_CREAT);
        v[2] = ro(fxp("/ro/sub"));
        v[3] = try_open(fxp("/ro/sub/new"), O_WRONLY | O_CREAT);
        v[4] = ro(fxp("/ro/rw"));
        v[5] = try_open(fxp("/ro/rw/new"), O_WRONLY | O_CREAT);
        v[6] = size_of(fxp("/ro/file"));
        v[7] = mode_of(fxp("/hide"));
        v[8] = count_entries(fxp("/hide"), false, NULL);
        v[9] = as_nobody(try_opendir, fxp("/hide"));
        v[10] = as_nobody(try_read, fxp("/hide/secret"));
        v[11] = mode_of(fxp("/hidefile"));
        v[12] = size_of(fxp("/hidefile"));
        v[13] = as_nobody(try_read, fxp("/hidefile"));
        v[14] = try_open(fxp("/hidefile"), O_WRONLY);
        v[15] = ro(fx);
}

static void test_access_paths(void **state)
{
        char *ro_paths[] = {fxp("/ro"), NULL};
        char *rw_paths[] = {fxp("/ro/rw"), NULL};
        char *hidden[] = {fxp("/hide"), fxp("/hidefile"), fxp_with("-", "/missing"), NULL};
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.read_only_paths = ro_paths;
        c.read_write_paths = rw_paths;
        c.inaccessible_paths = hidden;
        run_sandbox(&c, MNT_FLAGS, mount_submount, look_access_paths, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 1);
        assert_int_equal(o.v[1], -EROFS);
        assert_int_equal(o.v[2], 1); /* the submount too */
        assert_int_equal(o.v[3], -EROFS);
        assert_int_equal(o.v[4], 0); /* read_write_paths inside */
        assert_int_equal(o.v[5], 0);
        assert_int_equal(o.v[6], 2);
        assert_int_equal(o.v[7], 0);
        assert_int_equal(o.v[8], 0);
        assert_int_equal(o.v[9], -EACCES);
        assert_int_equal(o.v[10], -EACCES);
        assert_int_equal(o.v[11], 0);
        assert_int_equal(o.v[12], 0);
        assert_int_equal(o.v[13], -EACCES);
        assert_int_equal(o.v[14], -EROFS);
        assert_int_equal(o.v[15], 0);
        /* the host's files are as they were */
        assert_int_equal(size_of(fxp("/hidefile")), 6);
        assert_int_equal(access(fxp("/ro/rw/new"), F_OK), 0);
        assert_int_equal(unlink(fxp("/ro/rw/new")), 0);
}

static void look_binds(int *v)
{
        v[0] = size_of(fxp("/dst/f"));
        v[1] = ro(fxp("/dst"));
        v[2] = size_of(fxp("/dst/sub/in-sub"));  /* rbind: the submount came along */
        v[3] = size_of(fxp("/flat/sub/in-sub")); /* norbind: it did not */
        v[4] = try_open(fxp("/flat/new"), O_WRONLY | O_CREAT);
        v[5] = size_of(fxp("/ro/file-bound"));
        v[6] = try_open(fxp("/dst/new"), O_WRONLY | O_CREAT);
        v[7] = ro(fxp("/dst/sub"));
}

static void test_binds(void **state)
{
        struct ns_bind binds[] = {
                {.source = fxp("/src"),
                 .destination = fxp("/dst"),
                 .read_only = true,
                 .recursive = true},
                {.source = fxp("/src"), .destination = fxp("/flat"), .recursive = false},
                {.source = fxp("/src/f"), .destination = fxp("/ro/file-bound"), .recursive = true},
                {.source = fxp("/nothing"), .destination = fxp("/x"), .ignore_missing = true},
        };
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.binds = binds;
        c.n_binds = ELEMENTSOF(binds);
        run_sandbox(&c, MNT_FLAGS, mount_submount, look_binds, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 8);
        assert_int_equal(o.v[1], 1);
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[3], -ENOENT);
        assert_int_equal(o.v[4], 0);
        assert_int_equal(o.v[5], 8);
        assert_int_equal(o.v[6], -EROFS);
        assert_int_equal(o.v[7], 1);
        /* the destinations were made on the host, a skipped one not */
        assert_int_equal(mode_of(fxp("/dst")), 0755);
        assert_int_equal(access(fxp("/x"), F_OK), -1);
        assert_int_equal(access(fxp("/src/new"), F_OK), 0); /* written through /flat */
        assert_int_equal(unlink(fxp("/src/new")), 0);
        /* without "-", a missing source fails the set-up, and says where */
        binds[3].ignore_missing = false;
        run_sandbox(&c, MNT_FLAGS, NULL, look_binds, &o);
        assert_int_equal(o.rc, -ENOENT);
        assert_int_equal(o.step, NS_STEP_BIND);
}

static void look_tmpfs(int *v)
{
        v[0] = is_tmpfs(fxp("/tmp/t")) ? 1 : 0;
        v[1] = ro(fxp("/tmp/t"));
        v[2] = mode_of(fxp("/tmp/t"));
        v[3] = size_of(fxp("/tmp/t/in/f")); /* a bind inside the read-only tmpfs */
        v[4] = try_mkdir(fxp("/tmp/t/new"));
        v[5] = is_tmpfs(fxp("/tmp/w")) ? 1 : 0;
        v[6] = try_mkdir(fxp("/tmp/w/new"));
        v[7] = mode_of(fxp("/tmp/w"));
}

static void test_temporary_file_system(void **state)
{
        struct ns_tmpfs t[] = {{.path = fxp("/tmp/t"), .options = "ro"},
                               {.path = fxp("/tmp/w"), .options = "mode=0700,size=1m"}};
        struct ns_bind b = {.source = fxp("/src"), .destination = fxp("/tmp/t/in")};
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.tmpfs = t;
        c.n_tmpfs = ELEMENTSOF(t);
        c.binds = &b;
        c.n_binds = 1;
        run_sandbox(&c, MNT_FLAGS, NULL, look_tmpfs, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 1);
        assert_int_equal(o.v[1], 1);
        assert_int_equal(o.v[2], 0755);
        assert_int_equal(o.v[3], 8);
        assert_int_equal(o.v[4], -EROFS);
        assert_int_equal(o.v[5], 1);
        assert_int_equal(o.v[6], 0);
        assert_int_equal(o.v[7], 0700);
}

static int read_init_status(const char *path)
{
        int n = size_of(path);

        return n > 0 ? 0 : n;
}

static void look_proc(int *v)
{
        v[0] = as_nobody(pids_seen, "/proc");
        v[1] = as_nobody(read_init_status, "/proc/1/status");
}

/* hidepid=: nobody sees only itself, not the init (root) it runs under. */
static void test_protect_proc(void **state)
{
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        run_sandbox(&c, MNT_FLAGS, NULL, look_proc, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 2);
        assert_int_equal(o.v[1], 0);
        c.protect_proc = NS_PROTECT_PROC_INVISIBLE;
        run_sandbox(&c, MNT_FLAGS, NULL, look_proc, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 1);
        assert_int_equal(o.v[1], -ENOENT);
        c.protect_proc = NS_PROTECT_PROC_NOACCESS;
        run_sandbox(&c, MNT_FLAGS, NULL, look_proc, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 2);      /* listed, */
        assert_int_equal(o.v[1], -EPERM); /* not readable */
}

static void look_kernel(int *v)
{
        v[0] = ro("/proc/sys");
        v[1] = try_open("/proc/sys/kernel/domainname", O_WRONLY);
        v[2] = ro("/proc/sys/kernel");
        v[3] = ro("/sys");
        v[4] = mode_of("/proc/kallsyms");
        v[5] = size_of("/proc/kallsyms");
        v[6] = ro("/sys/fs/cgroup");
        v[7] = ro("/proc");
        v[8] = try_open("/dev/kmsg", O_RDONLY);
        v[9] = mode_of("/proc/kmsg"); /* never read: that would wait for the kernel */
        v[10] = mode_of("/dev/kmsg");
}

static void test_protect_kernel(void **state)
{
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.protect_kernel_tunables = true;
        run_sandbox(&c, MNT_FLAGS, NULL, look_kernel, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 1);
        assert_int_equal(o.v[1], -EROFS);
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[3], 1);
        assert_int_equal(o.v[4], 0);
        assert_int_equal(o.v[5], 0);
        assert_int_equal(o.v[6], 0); /* left to protect_control_groups */
        assert_int_equal(o.v[7], 0);
        assert_int_equal(o.v[8], 0); /* left to protect_kernel_logs */
        assert_int_equal(o.v[9], 0400);
        c.protect_kernel_tunables = false;
        c.protect_control_groups = true;
        c.protect_kernel_logs = true;
        run_sandbox(&c, MNT_FLAGS, NULL, look_kernel, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 0);
        assert_int_equal(o.v[3], 0);
        assert_int_equal(o.v[6], 1);
        assert_int_equal(o.v[8], -ENXIO); /* a 0:0 device: ENXIO, even for root */
        assert_int_equal(o.v[9], 0);
        assert_int_equal(o.v[10], 0);
}

static int write_null(void)
{
        _cleanup_close_ int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

        return fd < 0 ? -errno : (int)write(fd, "x", 1);
}

static void look_dev(int *v)
{
        v[0] = count_entries("/dev", false, NULL);
        v[1] = ro("/dev");
        v[2] = write_null();
        v[3] = size_of("/dev/zero");
        v[4] = try_open("/dev/loop-control", O_RDONLY);
        v[5] = try_open("/dev/kmsg", O_RDONLY);
        v[6] = ro("/dev/shm");
        v[7] = is_tmpfs("/dev") ? 1 : 0;
        v[8] = try_open("/dev/stdin", O_RDONLY);
        v[9] = try_open("/dev/x", O_WRONLY | O_CREAT);
        v[10] = count_entries("/dev/mqueue", false, NULL);
}

static void test_private_devices(void **state)
{
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.private_devices = true;
        c.private_ipc = true;
        run_sandbox(&c, MNT_FLAGS, NULL, look_dev, &o);
        assert_int_equal(o.rc, 0);
        /* null zero full random urandom tty pts ptmx shm mqueue fd stdin stdout stderr */
        assert_int_equal(o.v[0], 14);
        assert_int_equal(o.v[1], 1);
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[3], 256);
        assert_int_equal(o.v[4], -ENOENT);
        assert_int_equal(o.v[5], -ENOENT);
        assert_int_equal(o.v[6], 0);
        assert_int_equal(o.v[7], 1);
        assert_int_equal(o.v[8], 0);
        assert_int_equal(o.v[9], -EROFS);
        assert_int_equal(o.v[10], 0);
}

static void look_hostname(int *v)
{
        char name[65] = "";

        v[0] = gethostname(name, sizeof(name)) < 0 ? -errno : 0;
        v[1] = streq(name, "sj-unit.test") ? 1 : 0;
}

static void test_hostname(void **state)
{
        struct ns_config c = {.private_uts = true, .hostname = "sj-unit.test"};
        char host[65] = "";
        struct outcome o;

        (void)state;
        run_sandbox(&c, CLONE_NEWUTS, NULL, look_hostname, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 0);
        assert_int_equal(o.v[1], 1);
        assert_int_equal(gethostname(host, sizeof(host)), 0);
        assert_string_not_equal(host, "sj-unit.test");
        /* the host's name is not ours to change */
        c.private_uts = false;
        run_sandbox(&c, 0, NULL, look_hostname, &o);
        assert_int_equal(o.rc, -EINVAL);
        assert_int_equal(o.step, NS_STEP_HOSTNAME);
}

static void look_root(int *v)
{
        char cwd[64] = "";

        v[0] = size_of("/marker");
        v[1] = try_open("/etc/passwd", O_RDONLY);
        v[2] = getcwd(cwd, sizeof(cwd)) && streq(cwd, "/") ? 1 : 0;
        v[3] = pids_seen("/proc");
        v[4] = ro("/etc");
        v[5] = is_tmpfs("/tmp") ? 1 : 0;
        v[6] = try_open("/dev/null", O_WRONLY);
        v[7] = size_of("/srv/f");
        v[8] = try_open(fxp("/src/f"), O_RDONLY);
}

static void test_root_directory(void **state)
{
        char *ro_paths[] = {"+/etc", "/etc", NULL};
        struct ns_bind b = {.source = fxp("/src"), .destination = "/srv", .recursive = true};
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.private_tmp = true;
        c.root_directory = fxp("/root");
        c.read_only_paths = ro_paths;
        c.binds = &b;
        c.n_binds = 1;
        run_sandbox(&c, MNT_FLAGS, NULL, look_root, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.v[0], 7);
        assert_int_equal(o.v[1], -ENOENT); /* the host's tree is gone */
        assert_int_equal(o.v[2], 1);
        assert_int_equal(o.v[3], 1);
        assert_int_equal(o.v[4], 1); /* "+/etc"; the host's /etc was left out */
        assert_int_equal(o.v[5], 1);
        assert_int_equal(o.v[6], 0); /* the host's /dev */
        assert_int_equal(o.v[7], 8);
        assert_int_equal(o.v[8], -ENOENT);
        /* mount points made in the root directory */
        assert_int_equal(mode_of(fxp("/root/proc")), 0755);
        assert_int_equal(mode_of(fxp("/root/srv")), 0755);
        c.root_directory = fxp("/root/marker");
        run_sandbox(&c, MNT_FLAGS, NULL, look_root, &o);
        assert_int_equal(o.rc, -ENOTDIR);
        assert_int_equal(o.step, NS_STEP_ROOT_DIRECTORY);
}

/* An absolute link in the root names a path in the root, not on the host. */
static void test_path_chase(void **state)
{
        char *p = NULL;

        (void)state;
        assert_int_equal(symlink("/etc", fxp("/root/abs")), 0);
        assert_int_equal(symlink("etc/../marker", fxp("/root/rel")), 0);
        assert_int_equal(symlink("loop", fxp("/root/loop")), 0);
        assert_int_equal(ns_path_chase(fxp("/root"), "/abs/x", &p), 0);
        assert_string_equal(p, fxp("/root/etc/x"));
        free(p);
        assert_int_equal(ns_path_chase(fxp("/root"), "/rel", &p), 0);
        assert_string_equal(p, fxp("/root/marker"));
        free(p);
        assert_int_equal(ns_path_chase(fxp("/root"), "/../../etc//./missing/../y/", &p), 0);
        assert_string_equal(p, fxp("/root/etc/missing/../y"));
        free(p);
        assert_int_equal(ns_path_chase(fxp("/root"), "/", &p), 0);
        assert_string_equal(p, fxp("/root"));
        free(p);
        assert_int_equal(ns_path_chase("", "/", &p), 0);
        assert_string_equal(p, "/");
        free(p);
        assert_int_equal(ns_path_chase("", fxp("/root/abs"), &p), 0);
        assert_string_equal(p, "/etc");
        free(p);
        assert_int_equal(ns_path_chase(fxp("/root"), "/loop/x", &p), -ELOOP);
        assert_int_equal(unlink(fxp("/root/abs")), 0);
        assert_int_equal(unlink(fxp("/root/rel")), 0);
        assert_int_equal(unlink(fxp("/root/loop")), 0);
}

static void test_working_directory(void **state)
{
        struct ns_config c = {.working_directory = fxp("/src")};
        enum ns_step step = NS_STEP_NONE;
        char cwd[PATH_MAX];
        int status;
        pid_t pid;

        (void)state;
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                child_bounds();
                if (ns_enter_working_directory(&c, &step) != 0 || !getcwd(cwd, sizeof(cwd)) ||
                    !streq(cwd, fxp("/src")))
                        _exit(2);
                c.working_directory = fxp("/missing");
                if (ns_enter_working_directory(&c, &step) != -ENOENT ||
                    step != NS_STEP_WORKING_DIRECTORY)
                        _exit(3);
                c.working_directory_missing_ok = true;
                if (ns_enter_working_directory(&c, &step) != 0 || !getcwd(cwd, sizeof(cwd)) ||
                    !streq(cwd, fxp("/src")))
                        _exit(4);
                c.working_directory = NULL;
                _exit(ns_enter_working_directory(&c, &step) == 0 ? 0 : 5);
        }
        track(pid);
        status = wait_child(pid);
        assert_exited(status, 0);
}

/* A missing path is an error unless written with "-"; the key is named. */
static void test_missing_paths(void **state)
{
        char *paths[] = {fxp("/missing"), NULL};
        struct ns_config c = plain_config();
        struct outcome o;

        (void)state;
        c.read_only_paths = paths;
        run_sandbox(&c, MNT_FLAGS, NULL, look_proc, &o);
        assert_int_equal(o.rc, -ENOENT);
        assert_int_equal(o.step, NS_STEP_READ_ONLY_PATHS);
        c.read_only_paths = NULL;
        c.inaccessible_paths = paths;
        run_sandbox(&c, MNT_FLAGS, NULL, look_proc, &o);
        assert_int_equal(o.rc, -ENOENT);
        assert_int_equal(o.step, NS_STEP_INACCESSIBLE_PATHS);
        paths[0] = fxp_with("-", "/missing");
        run_sandbox(&c, MNT_FLAGS, NULL, look_proc, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(access(fxp("/missing"), F_OK), -1);
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

/* A test with the fixture directory made before and removed after. */
#define FS_TEST(t) cmocka_unit_test_setup_teardown(t, setup_fixture, teardown_fixture)

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
                cmocka_unit_test(test_bind_parse),
                cmocka_unit_test(test_tmpfs_parse),
                cmocka_unit_test(test_path_syntax),
                cmocka_unit_test(test_protect_names),
                cmocka_unit_test(test_path_compare),
                FS_TEST(test_protect_system_strict),
                FS_TEST(test_protect_system_yes_full),
                FS_TEST(test_protect_home),
                FS_TEST(test_access_paths),
                FS_TEST(test_binds),
                FS_TEST(test_temporary_file_system),
                FS_TEST(test_protect_proc),
                FS_TEST(test_protect_kernel),
                FS_TEST(test_private_devices),
                FS_TEST(test_hostname),
                FS_TEST(test_root_directory),
                FS_TEST(test_path_chase),
                FS_TEST(test_working_directory),
                FS_TEST(test_missing_paths),
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
