/* SPDX-License-Identifier: MIT */
/* The socket units' commands: systemd's prefixes and the messages as tables,
 * then real commands (sh, sleep) run phase by phase, recording into files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/load_spec.h"
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "common/util.h"
#include "injector/commands.h"
#include "injector/value.h"

#define SPEC_SVC "service:\n  exec: /bin/true\n  start: immediate\n"

static char dir[64];
static char logbuf[8192];

static int setup(void **state)
{
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/sockjail-test-commands-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        char cmd[128];

        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

_printf_(2, 3) static void capture(enum sup_level level, const char *fmt, ...)
{
        size_t n = strlen(logbuf);
        va_list ap;

        if (level == SUP_DEBUG)
                return;
        snprintf(logbuf + n, sizeof(logbuf) - n, "%s: ", level == SUP_ERROR ? "error" : "info");
        n = strlen(logbuf);
        va_start(ap, fmt);
        vsnprintf(logbuf + n, sizeof(logbuf) - n, fmt, ap);
        va_end(ap);
        n = strlen(logbuf);
        snprintf(logbuf + n, sizeof(logbuf) - n, "\n");
}

static const char *slurp(const char *name)
{
        static char buf[4096];
        char path[128];
        FILE *f;
        size_t n;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "re");
        if (!f)
                return "";
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static void clear(const char *name)
{
        char path[128];

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        (void)unlink(path);
        logbuf[0] = '\0';
}

static double seconds_since(const struct timespec *t0)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Run the phases as sockjail run does (sockets aside); the start's result. */
static int run_all(const struct spec *s)
{
        struct hook_run h;
        int r;

        hook_init(&h, s, capture);
        r = hook_run_phase(&h, SPEC_EXEC_START_PRE);
        if (r == 0)
                r = hook_run_phase(&h, SPEC_EXEC_START_POST);
        assert_int_equal(hook_run_phase(&h, SPEC_EXEC_STOP_PRE), 0);
        assert_int_equal(hook_run_phase(&h, SPEC_EXEC_STOP_POST), 0);
        return r;
}

struct prefix_row {
        const char *word;
        size_t len;
        unsigned flags;
};

static void test_prefixes_as_systemd_reads_them(void **state)
{
        static const struct prefix_row rows[] = {
                {"/bin/true", 0, 0},
                {"", 0, 0},
                {"-/bin/true", 1, HOOK_IGNORE_FAILURE},
                {"-", 1, HOOK_IGNORE_FAILURE},
                {"--x", 1, HOOK_IGNORE_FAILURE},
                {"@/bin/x", 1, HOOK_ARGV0},
                {"-@:+/x", 4, HOOK_IGNORE_FAILURE | HOOK_ARGV0 | HOOK_NO_EXPAND | HOOK_PRIVILEGED},
                {"!!x", 2, HOOK_NO_SETUID | HOOK_AMBIENT},
                {"!!!x", 2, HOOK_NO_SETUID | HOOK_AMBIENT},
                {"+!x", 1, HOOK_PRIVILEGED},
                {"!+x", 1, HOOK_NO_SETUID},
                {":-x", 2, HOOK_NO_EXPAND | HOOK_IGNORE_FAILURE},
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                unsigned flags = 99;
                size_t n = hook_prefix(rows[i].word, &flags);

                if (n != rows[i].len || flags != rows[i].flags)
                        fail_msg("'%s': got %zu %#x, want %zu %#x", rows[i].word, n, flags,
                                 rows[i].len, rows[i].flags);
        }
}

static void test_messages(void **state)
{
        char buf[64];

        (void)state;
        hook_format_status(3 << 8, buf, sizeof(buf));
        assert_string_equal(buf, "exited with status 3");
        hook_format_status(SIGKILL, buf, sizeof(buf));
        assert_string_equal(buf, "killed by signal 9 (SIGKILL)");
        hook_format_timespan(90000000, buf, sizeof(buf));
        assert_string_equal(buf, "90s");
        hook_format_timespan(1500000, buf, sizeof(buf));
        assert_string_equal(buf, "1500ms");
        hook_format_timespan(1500, buf, sizeof(buf));
        assert_string_equal(buf, "1500us");
        hook_format_timespan(0, buf, sizeof(buf));
        assert_string_equal(buf, "infinity");
        hook_format_timespan(VAL_INFINITY, buf, sizeof(buf));
        assert_string_equal(buf, "infinity");
        assert_string_equal(hook_phase_name(SPEC_EXEC_STOP_PRE), "exec_stop_pre");
}

static void test_spec_reads_back(void **state)
{
        const struct spec_commands *pre, *post;
        struct spec s;

        (void)state;
        load(&s, "sockets:\n  a:\n    listen_stream: 80\n"
                 "    exec_start_pre: [true, \"\", \"-false 'x y'\"]\n"
                 "    exec_stop_post: \"@sh mysh -c 'exit 0'\"\n"
                 "  b:\n    listen_stream: 81\n    timeout_sec: 5min 20s\n" SPEC_SVC);
        pre = &s.sockets[0].exec[SPEC_EXEC_START_PRE];
        post = &s.sockets[0].exec[SPEC_EXEC_STOP_POST];
        assert_int_equal(pre->n, 1); /* "" emptied the list */
        assert_string_equal(pre->v[0].line, "-false 'x y'");
        assert_true(pre->v[0].ignore_failure);
        assert_string_equal(pre->v[0].argv[0], "false");
        assert_string_equal(pre->v[0].argv[1], "x y");
        assert_null(pre->v[0].argv[2]);
        assert_true(pre->v[0].path[0] == '/' && strstr(pre->v[0].path, "/false"));
        assert_int_equal(pre->v[0].mark.line, 4);
        assert_int_equal(post->n, 1);
        assert_false(post->v[0].ignore_failure);
        assert_string_equal(post->v[0].argv[0], "mysh");
        assert_string_equal(post->v[0].argv[2], "exit 0");
        assert_true(strstr(post->v[0].path, "/sh") != NULL);
        assert_int_equal(s.sockets[0].exec[SPEC_EXEC_START_POST].n, 0);
        assert_int_equal(s.sockets[0].timeout_usec, 90000000);
        assert_int_equal(s.sockets[1].timeout_usec, 320000000);
        spec_done(&s);
}

/* A unit whose commands append "NAME-PHASE" to file "order". */
#define UNIT(name, port)                                                                           \
        "  " name ":\n    listen_stream: " port "\n"                                               \
        "    exec_start_pre: \"sh -c 'echo " name "-pre >> %1$s/order'\"\n"                        \
        "    exec_start_post: \"sh -c 'echo " name "-post >> %1$s/order'\"\n"                      \
        "    exec_stop_pre: \"sh -c 'echo " name "-stoppre >> %1$s/order'\"\n"                     \
        "    exec_stop_post: \"sh -c 'echo " name "-stoppost >> %1$s/order'\"\n"
static void test_phases_in_order(void **state)
{
        struct spec s;

        (void)state;
        clear("order");
        load(&s, "sockets:\n" UNIT("a", "80") UNIT("b", "81") SPEC_SVC, dir);
        assert_int_equal(run_all(&s), 0);
        assert_string_equal(slurp("order"), "a-pre\nb-pre\na-post\nb-post\na-stoppre\nb-stoppre\n"
                                            "a-stoppost\nb-stoppost\n");
        assert_string_equal(logbuf, "");
        spec_done(&s);
}

static void test_failed_start_pre_skips_own_stop_commands(void **state)
{
        struct spec s;

        (void)state;
        clear("order");
        /* b's exec_start_pre: one that works, one that fails, one never run */
        load(&s,
             "sockets:\n" UNIT(
                     "a",
                     "80") "  b:\n    listen_stream: 81\n"
                           "    exec_start_pre: [\"sh -c 'echo b-pre >> %1$s/order'\", \"sh -c "
                           "'exit 3'\", "
                           "\"sh -c 'echo never >> %1$s/order'\"]\n"
                           "    exec_stop_pre: \"sh -c 'echo b-stoppre >> %1$s/order'\"\n"
                           "    exec_stop_post: \"sh -c 'echo b-stoppost >> %1$s/order'\"\n" UNIT(
                                   "c", "82") SPEC_SVC,
             dir);
        assert_true(run_all(&s) < 0);
        assert_string_equal(slurp("order"), "a-pre\nb-pre\na-stoppost\n");
        assert_string_equal(logbuf, "error: exec_start_pre of socket 'b': sh -c 'exit 3': exited "
                                    "with status 3\n");
        spec_done(&s);
}

static void test_failed_start_post_runs_stop_commands(void **state)
{
        struct spec s;

        (void)state;
        clear("order");
        load(&s,
             "sockets:\n  a:\n    listen_stream: 80\n"
             "    exec_start_pre: \"sh -c 'echo a-pre >> %1$s/order'\"\n"
             "    exec_start_post: [\"sh -c 'kill -9 $$'\", \"sh -c 'echo a-never >> "
             "%1$s/order'\"]\n"
             "    exec_stop_pre: \"sh -c 'echo a-stoppre >> %1$s/order'\"\n"
             "    exec_stop_post: \"sh -c 'echo a-stoppost >> %1$s/order'\"\n"
             "  b:\n    listen_stream: 81\n"
             "    exec_stop_pre: [\"false\", \"sh -c 'echo b-never >> "
             "%1$s/order'\"]\n"
             "    exec_stop_post: [\"-false\", \"sh -c 'echo "
             "b-stoppost >> %1$s/order'\"]\n" SPEC_SVC,
             dir);
        assert_true(run_all(&s) < 0);
        /* a stop command's failure ends its own list only */
        assert_string_equal(slurp("order"), "a-pre\na-stoppre\na-stoppost\nb-stoppost\n");
        assert_non_null(strstr(logbuf, "error: exec_start_post of socket 'a': sh -c 'kill -9 $$': "
                                       "killed by signal 9 (SIGKILL)\n"));
        assert_non_null(strstr(logbuf, "error: exec_stop_pre of socket 'b': false: exited with "
                                       "status 1\n"));
        assert_non_null(strstr(logbuf, "info: exec_stop_post of socket 'b': -false: exited with "
                                       "status 1 (ignored)\n"));
        spec_done(&s);
}

/* Every pid listed in file name is dead (or a zombie) now. */
static bool gone_now(const char *name)
{
        const char *p = slurp(name);
        char path[64], st[256];
        long pid;

        while (sscanf(p, "%ld", &pid) == 1) {
                FILE *f;

                snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
                f = fopen(path, "re");
                if (f && fgets(st, sizeof(st), f) && !strstr(st, ") Z ")) {
                        fclose(f);
                        return false;
                }
                if (f)
                        fclose(f);
                p = strchr(p, '\n');
                if (!p)
                        break;
                p++;
        }
        return true;
}

/* ... within a second: SIGKILL is sent, not yet delivered, when kill() returns. */
static bool all_gone(const char *name)
{
        for (int i = 0; i < 20; i++) {
                if (gone_now(name))
                        return true;
                usleep(50000);
        }
        return false;
}

static void test_timeout_stops_the_whole_group(void **state)
{
        char want[256];
        struct timespec t0;
        struct spec s;
        double took;

        (void)state;
        clear("pids");
        load(&s,
             "sockets:\n  a:\n    listen_stream: 80\n    timeout_sec: 300ms\n"
             "    exec_start_pre: \"sh -c 'sleep 30 & echo $! >> %1$s/pids; echo $$ >> %1$s/pids; "
             "sleep 30'\"\n" SPEC_SVC,
             dir);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_true(run_all(&s) < 0);
        took = seconds_since(&t0);
        assert_true(took >= 0.3 && took < 3);
        snprintf(want, sizeof(want),
                 "error: exec_start_pre of socket 'a': sh -c 'sleep 30 & echo $! >> %1$s/pids; "
                 "echo $$ >> %1$s/pids; sleep 30': timed out after 300ms\n",
                 dir);
        assert_string_equal(logbuf, want);
        assert_true(all_gone("pids"));
        spec_done(&s);
}

static void test_sigterm_ignored_then_sigkill(void **state)
{
        struct timespec t0;
        struct spec s;
        double took;

        (void)state;
        clear("pids");
        load(&s,
             "sockets:\n  a:\n    listen_stream: 80\n    timeout_sec: 300ms\n"
             "    exec_stop_post: \"sh -c 'trap \\\"\\\" TERM; echo $$ >> %1$s/pids; sleep "
             "30'\"\n" SPEC_SVC,
             dir);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(run_all(&s), 0);
        took = seconds_since(&t0);
        assert_true(took >= 0.6 && took < 3);
        assert_non_null(strstr(logbuf, "error: exec_stop_post of socket 'a': "));
        assert_non_null(strstr(logbuf, "': timed out after 300ms\n"));
        assert_true(all_gone("pids"));
        spec_done(&s);
}

static void test_stop_signal_stops_the_start(void **state)
{
        struct timespec t0;
        struct spec s;

        (void)state;
        clear("order");
        load(&s,
             "sockets:\n  a:\n    listen_stream: 80\n"
             "    exec_start_pre: [\"sh -c 'kill -TERM $PPID; sleep 30'\", \"sh -c 'echo never >> "
             "%1$s/order'\"]\n"
             "    exec_stop_pre: \"sh -c 'echo a-stoppre >> %1$s/order'\"\n"
             "    exec_stop_post: \"sh -c 'echo a-stoppost >> %1$s/order'\"\n" SPEC_SVC,
             dir);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(run_all(&s), 1);
        assert_true(seconds_since(&t0) < 5);
        assert_string_equal(slurp("order"), "a-stoppost\n");
        assert_string_equal(logbuf, "info: stopped by signal 15 during exec_start_pre of socket "
                                    "'a': sh -c 'kill -TERM $PPID; sleep 30'\n");
        spec_done(&s);
}

static void test_stop_signal_during_stop_command(void **state)
{
        struct spec s;

        (void)state;
        clear("order");
        load(&s,
             "sockets:\n  a:\n    listen_stream: 80\n"
             "    exec_stop_post: [\"sh -c 'kill -INT $PPID; sleep 30'\", \"sh -c 'echo a-never >> "
             "%1$s/order'\"]\n"
             "  b:\n    listen_stream: 81\n"
             "    exec_stop_post: \"sh -c 'echo b-stoppost >> %1$s/order'\"\n" SPEC_SVC,
             dir);
        assert_int_equal(run_all(&s), 0);
        assert_string_equal(slurp("order"), "b-stoppost\n");
        assert_non_null(strstr(logbuf, "info: stopped by signal 2 during exec_stop_post of socket "
                                       "'a'"));
        spec_done(&s);
}

static void test_exec_error_is_reported(void **state)
{
        char prog[128], cmd[300];
        struct spec s;

        (void)state;
        logbuf[0] = '\0';
        snprintf(prog, sizeof(prog), "%s/prog", dir);
        snprintf(cmd, sizeof(cmd), "printf '#!/bin/sh\\n' > %s && chmod 755 %s", prog, prog);
        assert_int_equal(system(cmd), 0);
        load(&s, "sockets:\n  a:\n    listen_stream: 80\n    exec_start_post: %s\n" SPEC_SVC, prog);
        assert_int_equal(unlink(prog), 0);
        assert_true(run_all(&s) < 0);
        snprintf(cmd, sizeof(cmd),
                 "error: exec_start_post of socket 'a': %s: No such file or directory\n", prog);
        assert_string_equal(logbuf, cmd);
        spec_done(&s);
}

/* What a command gets: PATH alone, stdin /dev/null, no socket, a group of its own. */
static void test_what_a_command_gets(void **state)
{
        int leak = socket(AF_UNIX, SOCK_STREAM, 0); /* not CLOEXEC, on purpose */
        char want[256];
        struct spec s;

        (void)state;
        clear("env");
        assert_true(leak >= 0);
        load(&s,
             "sockets:\n  a:\n    listen_stream: 80\n"
             "    exec_start_pre: \"sh -c 'exec > %s/env; "
             "tr \\\"\\\\\\\\0\\\" \\\"\\\\\\\\n\\\" < /proc/$$/environ; "
             "readlink /proc/$$/fd/0; ls -l /proc/$$/fd | grep -c socket:; "
             "test $(cut -d\\\" \\\" -f5 /proc/$$/stat) = $$ && echo own-group'\"\n" SPEC_SVC,
             dir);
        assert_int_equal(run_all(&s), 0);
        snprintf(want, sizeof(want), "PATH=%s\n/dev/null\n0\nown-group\n", SPEC_DEFAULT_PATH);
        assert_string_equal(slurp("env"), want);
        close(leak);
        spec_done(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prefixes_as_systemd_reads_them),
                cmocka_unit_test(test_messages),
                cmocka_unit_test(test_spec_reads_back),
                cmocka_unit_test(test_phases_in_order),
                cmocka_unit_test(test_failed_start_pre_skips_own_stop_commands),
                cmocka_unit_test(test_failed_start_post_runs_stop_commands),
                cmocka_unit_test(test_timeout_stops_the_whole_group),
                cmocka_unit_test(test_sigterm_ignored_then_sigkill),
                cmocka_unit_test(test_stop_signal_stops_the_start),
                cmocka_unit_test(test_stop_signal_during_stop_command),
                cmocka_unit_test(test_exec_error_is_reported),
                cmocka_unit_test(test_what_a_command_gets),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
