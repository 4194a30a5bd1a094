/* SPDX-License-Identifier: MIT */
/* Safe file handling: the socket files, FIFOs and symlinks sock_open_all() makes as root, and
 * their parent directories, never land anywhere a symlink or a rename points them to, and
 * sock_close_all() removes only what is still ours. Real files under /tmp; the attacker of
 * the race is a real process running as nobody. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/load_spec.h"
#include <dirent.h>
#include <grp.h>
#include <linux/sockios.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "common/util.h"
#include "injector/safepath.h"
#include "injector/sockets.h"

#ifndef SIOCUNIXFILE
#define SIOCUNIXFILE (SIOCPROTOPRIVATE + 0)
#endif

#define NOBODY 65534
#define P 128 /* room for any path these tests make */

static char dir[64];

static int setup(void **state)
{
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/sockjail-sp-%d", getpid());
        return mkdir(dir, 0755);
}

static int teardown(void **state)
{
        char cmd[128];

        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

/* dir/NAME into buf. */
static const char *at(char *buf, const char *name)
{
        snprintf(buf, P, "%s/%s", dir, name);
        return buf;
}

static int entries(const char *path)
{
        DIR *d = opendir(path);
        struct dirent *e;
        int n = 0;

        assert_non_null(d);
        while ((e = readdir(d)))
                n += !streq(e->d_name, ".") && !streq(e->d_name, "..");
        closedir(d);
        return n;
}

static void make_file(const char *path, mode_t mode)
{
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "precious", 8), 8);
        close(fd);
        assert_int_equal(chmod(path, mode), 0);
}

/* The file is still a regular file with its mode, owner and content. */
static void assert_untouched(const char *path, mode_t mode)
{
        char buf[16] = "";
        struct stat st;
        int fd;

        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, mode);
        assert_int_equal(st.st_uid, 0);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, buf, sizeof(buf) - 1), 8);
        close(fd);
        assert_string_equal(buf, "precious");
}

static void expect_refused(struct spec *s, int error, const char *step, const char *why)
{
        struct sock_set set;
        struct sock_error err;

        assert_int_equal(sock_open_all(s, &set, &err), error);
        if (step)
                assert_string_equal(err.step, step);
        assert_string_equal(err.why, why);
        spec_done(s);
}

/* A symlink planted at the last component, to a file of ours or to a name in /etc that must
 * not appear: refused with ELOOP, the link and what it points at untouched. */
static void test_symlink_as_last_component(void **state)
{
        char sock[P], fifo[P], victim[P], why[P + 32], etc[64], buf[P];
        struct stat st;
        struct spec s;
        ssize_t n;

        (void)state;
        snprintf(etc, sizeof(etc), "/etc/sockjail-test-%d", getpid());
        make_file(at(victim, "victim"), 0600);
        assert_int_equal(symlink(etc, at(sock, "s.sock")), 0);
        assert_int_equal(symlink(victim, at(fifo, "f.fifo")), 0);

        load(&s,
             "sockets:\n  a:\n    listen_stream: %s\n    socket_mode: \"0666\"\n"
             "service: {exec: /bin/true}\n",
             sock);
        snprintf(why, sizeof(why), "%s is a symbolic link", sock);
        expect_refused(&s, -ELOOP, "replace", why);
        load(&s,
             "sockets:\n  a:\n    listen_fifo: %s\n    socket_mode: \"0666\"\n"
             "service: {exec: /bin/true}\n",
             fifo);
        snprintf(why, sizeof(why), "%s is a symbolic link", fifo);
        expect_refused(&s, -ELOOP, "open the FIFO", why);

        assert_int_equal(lstat(etc, &st), -1);
        assert_int_equal(errno, ENOENT);
        assert_untouched(victim, 0600);
        n = readlink(sock, buf, sizeof(buf) - 1);
        assert_true(n > 0);
        buf[n] = '\0';
        assert_string_equal(buf, etc);
        assert_int_equal(lstat(fifo, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
}

/* dir/link -> dir/elsewhere: a socket, a FIFO or a symlink under dir/link is refused, naming
 * the link, and nothing appears in elsewhere; neither does a directory made on the way. */
static void test_symlinked_parent_refused(void **state)
{
        char link[P], elsewhere[P], real[P], deep[P], ok[P], why[P + 32];
        struct spec s;

        (void)state;
        assert_int_equal(mkdir(at(elsewhere, "elsewhere"), 0755), 0);
        assert_int_equal(mkdir(at(real, "real"), 0755), 0);
        assert_int_equal(symlink(elsewhere, at(link, "link")), 0);
        assert_int_equal(symlink(elsewhere, at(deep, "real/deeper")), 0);
        snprintf(why, sizeof(why), "%s is a symbolic link", link);

        load(&s, "sockets:\n  a:\n    listen_stream: %s/sub/s.sock\nservice: {exec: /bin/true}\n",
             link);
        expect_refused(&s, -ELOOP, "create the directory of", why);
        load(&s, "sockets:\n  a:\n    listen_fifo: %s/f.fifo\nservice: {exec: /bin/true}\n", link);
        expect_refused(&s, -ELOOP, "create the directory of", why);
        load(&s,
             "sockets:\n  a:\n    listen_stream: %s/new/ok.sock\n    symlinks: %s/l\n"
             "service: {exec: /bin/true}\n",
             real, link);
        expect_refused(&s, -ELOOP, NULL, why);
        assert_int_equal(entries(real), 1); /* deeper: ok.sock and new/ are gone again */

        snprintf(why, sizeof(why), "%s is a symbolic link", deep);
        load(&s, "sockets:\n  a:\n    listen_datagram: %s/x/d.sock\nservice: {exec: /bin/true}\n",
             deep);
        expect_refused(&s, -ELOOP, "create the directory of", why);
        assert_int_equal(entries(elsewhere), 0);

        /* A file where a directory should be is named too. */
        make_file(at(ok, "file"), 0600);
        snprintf(why, sizeof(why), "%s is not a directory", ok);
        load(&s, "sockets:\n  a:\n    listen_stream: %s/s.sock\nservice: {exec: /bin/true}\n", ok);
        expect_refused(&s, -ENOTDIR, "create the directory of", why);
        assert_untouched(ok, 0600);
}

/* A path that goes up with ".." is refused rather than walked. */
static void test_dotdot_refused(void **state)
{
        char path[P], why[P + 32];
        struct spec s;

        (void)state;
        snprintf(path, sizeof(path), "%s/a/../s.sock", dir);
        snprintf(why, sizeof(why), "'..' in %s", path);
        load(&s, "sockets:\n  a:\n    listen_stream: %s\nservice: {exec: /bin/true}\n", path);
        expect_refused(&s, -EINVAL, "create the directory of", why);
        assert_int_equal(entries(dir), 0); /* a/ was made on the way and taken away again */
}

/* directory_mode goes to the directories sockjail makes; one that exists keeps its mode. */
static void test_directory_mode_on_created_dirs_only(void **state)
{
        char old[P], made[P], deeper[P];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;
        mode_t mask = umask(022);

        (void)state;
        assert_int_equal(mkdir(at(old, "old"), 0700), 0);
        assert_int_equal(chmod(old, 0751), 0);
        at(made, "old/new");
        at(deeper, "old/new/deeper");
        load(&s,
             "sockets:\n  a:\n    listen_stream: %s/s.sock\n    directory_mode: \"0710\"\n"
             "    remove_on_stop: yes\nservice: {exec: /bin/true}\n",
             deeper);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(stat(old, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0751);
        assert_int_equal(stat(made, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0710);
        assert_int_equal(stat(deeper, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0710);
        sock_close_all(&set, true, false);
        assert_int_equal(stat(made, &st), -1);
        assert_int_equal(stat(old, &st), 0); /* not ours */
        assert_int_equal(st.st_mode & 07777, 0751);
        spec_done(&s);
        umask(mask);
}

/* A regular file where a socket or a FIFO should go is refused and left as it was. */
static void test_non_socket_untouched(void **state)
{
        char file[P];
        struct stat before, after;
        struct spec s;

        (void)state;
        make_file(at(file, "precious"), 0640);
        assert_int_equal(lstat(file, &before), 0);
        load(&s, "sockets:\n  a:\n    listen_stream: %s\nservice: {exec: /bin/true}\n", file);
        expect_refused(&s, -EEXIST, "replace (it exists and is not a socket)", "");
        load(&s, "sockets:\n  a:\n    listen_fifo: %s\nservice: {exec: /bin/true}\n", file);
        expect_refused(&s, -EEXIST, "use (it exists and is not a FIFO)", "");
        assert_untouched(file, 0640);
        assert_int_equal(lstat(file, &after), 0);
        assert_int_equal(after.st_ino, before.st_ino);
}

/* After we made them someone replaced the socket file, the FIFO, the symlink and the
 * directory with their own: remove_on_stop leaves all four alone, and still removes the
 * socket it made in the directory that was moved aside. */
static void test_remove_on_stop_spares_replacements(void **state)
{
        char sub[P], moved[P], sock[P], fifo[P], link[P], path[P + 16];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;

        (void)state;
        at(sub, "sub");
        at(moved, "moved");
        at(sock, "s.sock");
        at(fifo, "f.fifo");
        at(link, "l");
        load(&s,
             "sockets:\n  a:\n    listen_stream: %s\n    symlinks: %s\n    remove_on_stop: yes\n"
             "  b:\n    listen_fifo: %s\n    listen_datagram: %s/d.sock\n    remove_on_stop: yes\n"
             "service: {exec: /bin/true}\n",
             sock, link, fifo, sub);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        assert_int_equal(unlink(sock), 0);
        make_file(sock, 0600);
        assert_int_equal(unlink(fifo), 0);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(symlink("/elsewhere", link), 0);
        assert_int_equal(rename(sub, moved), 0);
        assert_int_equal(mkdir(sub, 0700), 0);
        sock_close_all(&set, true, false);

        assert_untouched(sock, 0600);
        assert_int_equal(lstat(fifo, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(lstat(link, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(lstat(sub, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        snprintf(path, sizeof(path), "%s/d.sock", moved);
        assert_int_equal(lstat(path, &st), -1); /* ours, found through the directory's fd */
        assert_int_equal(lstat(moved, &st), 0); /* the name it was made under is not its now */
        spec_done(&s);
}

static void sockname(int fd, char *buf, size_t size)
{
        struct sockaddr_un sa;
        socklen_t len = sizeof(sa);

        memset(&sa, 0, sizeof(sa));
        assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
        snprintf(buf, size, "%s", sa.sun_path);
}

/* In a directory others can write to, bind() cannot be trusted to look the path up: the
 * socket still lands there, with its mode and owner, and getsockname() says its path. */
static void test_untrusted_directory_keeps_the_name(void **state)
{
        char open_dir[P], path[P], name[P];
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;
        int c;

        (void)state;
        assert_int_equal(mkdir(at(open_dir, "open"), 0755), 0);
        assert_int_equal(chmod(open_dir, 0777), 0);
        at(path, "open/s.sock");
        load(&s,
             "sockets:\n  a:\n    listen_stream: %s\n    socket_mode: \"0640\"\n"
             "    socket_user: nobody\nservice: {exec: /bin/true}\n",
             path);
        assert_int_equal(sock_open_all(&s, &set, &err), 0);
        sockname(set.fds[0].fd, name, sizeof(name));
        assert_string_equal(name, path);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_uid, NOBODY);
        assert_true(strlen(path) < sizeof(sa.sun_path));
        memcpy(sa.sun_path, path, strlen(path) + 1);
        c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(c);
        sock_close_all(&set, true, true);
        assert_int_equal(lstat(path, &st), -1);
        spec_done(&s);
}

/* Which walks are safe from everyone but root and us. */
static void test_trusted_paths(void **state)
{
        static const struct {
                const char *name;
                mode_t mode;
                uid_t owner;
                bool trusted;
        } rows[] = {
                {"plain", 0755, 0, true},         {"group-writable", 0775, 0, false},
                {"open", 0777, 0, false},         {"sticky", 01777, 0, true},
                {"nobodys", 0755, NOBODY, false},
        };
        char path[P], file[P + 16], why[SP_WHY_MAX];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                struct sp_parent p;

                assert_int_equal(mkdir(at(path, rows[i].name), 0700), 0);
                assert_int_equal(chmod(path, rows[i].mode), 0);
                assert_int_equal(chown(path, rows[i].owner, 0), 0);
                snprintf(file, sizeof(file), "%s/x", path);
                assert_int_equal(sp_open_parent(file, 0755, NULL, &p, why, sizeof(why)), 0);
                if (p.trusted != rows[i].trusted)
                        fail_msg("%s: trusted %d", rows[i].name, p.trusted);
                assert_string_equal(p.name, "x");
                sp_parent_done(&p);
        }
        /* In a sticky directory an entry someone else owns is theirs to swap. */
        assert_int_equal(mkdir(at(path, "sticky/theirs"), 0755), 0);
        assert_int_equal(chown(path, NOBODY, 0), 0);
        assert_int_equal(mkdir(at(path, "sticky/ours"), 0755), 0);
        {
                struct sp_parent p;

                assert_int_equal(sp_open_parent(at(file, "sticky/theirs/x"), 0755, NULL, &p, why,
                                                sizeof(why)),
                                 0);
                assert_false(p.trusted);
                sp_parent_done(&p);
                assert_int_equal(
                        sp_open_parent(at(file, "sticky/ours/x"), 0755, NULL, &p, why, sizeof(why)),
                        0);
                assert_true(p.trusted);
                sp_parent_done(&p);
                /* Without a list to record them in, nothing missing is made. */
                assert_int_equal(
                        sp_open_parent(at(file, "none/x"), 0755, NULL, &p, why, sizeof(why)),
                        -ENOENT);
                assert_int_equal(p.fd, -1);
        }
}

static pid_t swapper = -1;

/* A failed assertion skips the end of the test: the swapper is stopped here too. */
static int teardown_race(void **state)
{
        if (swapper > 0) {
                (void)kill(swapper, SIGKILL);
                (void)waitpid(swapper, NULL, 0);
                swapper = -1;
        }
        return teardown(state);
}

/* The attacker: as nobody, swap dir/w/a (a directory) and dir/w/alink (a symlink to
 * dir/out) for as long as it lives. */
static pid_t start_swapper(const char *w, const char *out)
{
        int ready[2];
        char c;
        pid_t pid;

        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int wfd;

                if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                    setresuid(NOBODY, NOBODY, NOBODY) < 0 ||
                    (wfd = open(w, O_PATH | O_CLOEXEC)) < 0 || mkdirat(wfd, "a", 0755) < 0 ||
                    symlinkat(out, wfd, "alink") < 0 || write(ready[1], "r", 1) != 1)
                        _exit(1);
                alarm(60); /* never outlive a crashed test */
                for (;;) { /* a pause keeps both states about as likely */
                        (void)renameat2(wfd, "a", wfd, "alink", RENAME_EXCHANGE);
                        (void)nanosleep(&(struct timespec){.tv_nsec = 1000}, NULL);
                }
        }
        close(ready[1]);
        assert_int_equal(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return pid;
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One round of the race: 1 when everything was made (in the right place), 0 when refused. */
static int race_round(const struct spec *s, const char *out, const char *want)
{
        struct sock_set set;
        struct sock_error err;
        char name[P] = "";
        int r = sock_open_all(s, &set, &err), out_entries;

        if (r == -ELOOP || r == -ENOTDIR)
                return 0;
        if (r < 0)
                fail_msg("sock_open_all: %s (%s %s)", strerror(-r), err.step, err.why);
        if (set.fds[0].listen->type == SPEC_LISTEN_STREAM)
                sockname(set.fds[0].fd, name, sizeof(name));
        out_entries = entries(out); /* before the removal hides it */
        sock_close_all(&set, true, true);
        if (out_entries != 0)
                fail_msg("something was made in %s", out);
        if (name[0])
                assert_string_equal(name, want);
        return 1;
}

/* The race: while an unprivileged process keeps swapping a parent directory with a symlink
 * to dir/out, sock_open_all() either refuses or makes everything in the real directory
 * (where getsockname() names it), and nothing ever appears in dir/out, not even for a
 * moment. Three specs take turns: a lone socket (so that many rounds get as far as bind()),
 * a FIFO with a symlink in a directory to make, and all of them together. */
static void test_race_never_leaves_the_tree(void **state)
{
        char w[P], out[P], a[P], want[P + 16];
        int made = 0, refused = 0;
        struct spec s[3];
        double end = now() + 5;

        (void)state;
        assert_int_equal(mkdir(at(w, "w"), 0777), 0);
        assert_int_equal(chmod(w, 0777), 0);
        assert_int_equal(mkdir(at(out, "out"), 0777), 0);
        at(a, "w/a");
        snprintf(want, sizeof(want), "%s/s.sock", a);
        load(&s[0],
             "sockets:\n  a:\n    listen_stream: %s\n"
             "service: {exec: /bin/true, start: immediate}\n",
             want);
        load(&s[1],
             "sockets:\n  a:\n    listen_fifo: %s/new/f.fifo\n    symlinks: %s/l\n"
             "service: {exec: /bin/true, start: immediate}\n",
             a, a);
        load(&s[2],
             "sockets:\n  a:\n    listen_stream: %s\n    symlinks: %s/l\n"
             "  b:\n    listen_fifo: %s/new/f.fifo\n    listen_datagram: %s/d.sock\n"
             "service: {exec: /bin/true, start: immediate}\n",
             want, a, a, a);
        swapper = start_swapper(w, out);
        for (int i = 0; i < 3000 && now() < end; i++) {
                int r = race_round(&s[i % 3], out, want);

                made += r;
                refused += !r;
                if (entries(out) != 0)
                        fail_msg("something was left in %s after %d rounds", out, i + 1);
        }
        assert_int_equal(kill(swapper, SIGKILL), 0);
        assert_int_equal(waitpid(swapper, NULL, 0), swapper);
        swapper = -1;
        print_message("race: %d made, %d refused\n", made, refused);
        assert_true(made > 0);
        assert_true(refused > 0);
        /* Whichever name the real directory has now, it is empty again. */
        assert_int_equal(entries(a) + entries(at(w, "w/alink")), 0);
        for (size_t i = 0; i < ELEMENTSOF(s); i++)
                spec_done(&s[i]);
}

/* A child confined so that unshare() fails (no private mount namespace), fchmodat2() is
 * missing and SIOCUNIXFILE is refused: every fallback, and still all in the right place.
 * Returns the number of the first check that failed, 0 when all passed. */
static int confined_checks(const char *open_dir)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        char path[P + 16], name[P];
        struct sock_set set;
        struct sock_error err;
        struct stat st;
        struct spec s;

        if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) < 0 ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), 452 /* fchmodat2 */, 0) < 0 ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_EQ, SIOCUNIXFILE)) < 0 ||
            seccomp_load(ctx) < 0)
                return 1;
        snprintf(path, sizeof(path), "%s/s.sock", open_dir);
        load(&s,
             "sockets:\n  a:\n    listen_stream: %s\n    listen_fifo: %s/f.fifo\n"
             "    socket_mode: \"0604\"\n    socket_user: nobody\n"
             "service: {exec: /bin/true}\n",
             path, open_dir);
        if (sock_open_all(&s, &set, &err) < 0)
                return 2;
        sockname(set.fds[0].fd, name, sizeof(name));
        if (!startswith(name, "/proc/self/fd/") || !strstr(name, "/s.sock"))
                return 3;
        if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || (st.st_mode & 07777) != 0604 ||
            st.st_uid != NOBODY)
                return 4;
        if (fstat(set.fds[1].fd, &st) < 0 || (st.st_mode & 07777) != 0604)
                return 5;
        sock_close_all(&set, true, true);
        spec_done(&s);
        return lstat(path, &st) == 0 ? 6 : 0;
}

static void test_fallbacks(void **state)
{
        char open_dir[P];
        int status;
        pid_t pid;

        (void)state;
        assert_int_equal(mkdir(at(open_dir, "open"), 0777), 0);
        assert_int_equal(chmod(open_dir, 0777), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(confined_checks(open_dir));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_int_equal(entries(open_dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_symlink_as_last_component, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlinked_parent_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dotdot_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_directory_mode_on_created_dirs_only, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_non_socket_untouched, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_on_stop_spares_replacements, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_untrusted_directory_keeps_the_name, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_trusted_paths, setup, teardown),
                cmocka_unit_test_setup_teardown(test_race_never_leaves_the_tree, setup,
                                                teardown_race),
                cmocka_unit_test_setup_teardown(test_fallbacks, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
