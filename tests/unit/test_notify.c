/* SPDX-License-Identifier: MIT */
/* notify.c: the sd_notify message parser (table-driven), the names, and the
 * module end to end over a real notify socket: READY=1 from an admitted
 * sender, FDSTORE=1 with its limit, FDSTOREREMOVE=1, a stored fd that hangs
 * up, the ready fd's JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/util.h"
#include "injector/activation.h"
#include "injector/notify.h"
#include "injector/sockets.h"

struct msg_row {
        const char *text;
        int r;
        bool ready, reloading, stopping, watchdog, trigger, fdstore, fdstore_remove;
        int fdpoll;
        const char *status, *fdname;
        pid_t mainpid;
        uint64_t extend, wd_usec;
        int errno_value;
        const char *invalid;
};

#define U UINT64_MAX
static const struct msg_row msg_rows[] = {
        {"READY=1", 0, .ready = true, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1},
        {"READY=1\nSTATUS=Serving on port 80\n", 0, .ready = true, .fdpoll = -1,
         .status = "Serving on port 80", .extend = U, .wd_usec = U, .errno_value = -1},
        {"READY=0", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1,
         .invalid = "READY=0"},
        {"RELOADING=1\nSTOPPING=1", 0, .reloading = true, .stopping = true, .fdpoll = -1,
         .extend = U, .wd_usec = U, .errno_value = -1},
        {"WATCHDOG=1", 0, .watchdog = true, .fdpoll = -1, .extend = U, .wd_usec = U,
         .errno_value = -1},
        {"WATCHDOG=trigger", 0, .trigger = true, .fdpoll = -1, .extend = U, .wd_usec = U,
         .errno_value = -1},
        {"WATCHDOG_USEC=2000000", 0, .fdpoll = -1, .extend = U, .wd_usec = 2000000,
         .errno_value = -1},
        {"WATCHDOG_USEC=0", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1,
         .invalid = "WATCHDOG_USEC=0"},
        {"MAINPID=42", 0, .fdpoll = -1, .mainpid = 42, .extend = U, .wd_usec = U,
         .errno_value = -1},
        {"MAINPID=-1", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1,
         .invalid = "MAINPID=-1"},
        {"MAINPID=4x", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1,
         .invalid = "MAINPID=4x"},
        {"MAINPID=99999999999", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1,
         .invalid = "MAINPID=99999999999"},
        {"EXTEND_TIMEOUT_USEC=5000000", 0, .fdpoll = -1, .extend = 5000000, .wd_usec = U,
         .errno_value = -1},
        {"ERRNO=2", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = 2},
        {"ERRNO=-2", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1,
         .invalid = "ERRNO=-2"},
        {"FDSTORE=1\nFDNAME=db", 0, .fdstore = true, .fdpoll = -1, .fdname = "db", .extend = U,
         .wd_usec = U, .errno_value = -1},
        {"FDSTORE=1\nFDNAME=a:b", 0, .fdstore = true, .fdpoll = -1, .extend = U, .wd_usec = U,
         .errno_value = -1, .invalid = "FDNAME=a:b"},
        {"FDSTOREREMOVE=1\nFDNAME=db", 0, .fdstore_remove = true, .fdpoll = -1, .fdname = "db",
         .extend = U, .wd_usec = U, .errno_value = -1},
        {"FDSTORE=1\nFDPOLL=0", 0, .fdstore = true, .fdpoll = 0, .extend = U, .wd_usec = U,
         .errno_value = -1},
        {"FDPOLL=maybe", 0, .fdpoll = -1, .extend = U, .wd_usec = U, .errno_value = -1,
         .invalid = "FDPOLL=maybe"},
        /* unknown names and lines without '=' are ignored, as systemd does */
        {"X_FOO=1\nnonsense\n\nREADY=1", 0, .ready = true, .fdpoll = -1, .extend = U, .wd_usec = U,
         .errno_value = -1},
        {"STATUS=", 0, .fdpoll = -1, .status = "", .extend = U, .wd_usec = U, .errno_value = -1},
        {"", -EBADMSG, .fdpoll = -1},
};

static void test_msg_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(msg_rows); i++) {
                const struct msg_row *w = &msg_rows[i];
                char buf[NTF_MESSAGE_MAX + 1];
                struct ntf_msg m;
                size_t len = strlen(w->text);

                memcpy(buf, w->text, len + 1);
                assert_int_equal(ntf_msg_parse(buf, len, &m), w->r);
                if (w->r < 0)
                        continue;
                assert_true(m.ready == w->ready && m.reloading == w->reloading &&
                            m.stopping == w->stopping && m.watchdog == w->watchdog &&
                            m.watchdog_trigger == w->trigger && m.fdstore == w->fdstore &&
                            m.fdstore_remove == w->fdstore_remove);
                assert_int_equal(m.fdpoll, w->fdpoll);
                assert_int_equal(m.mainpid, w->mainpid);
                assert_true(m.extend_usec == w->extend && m.watchdog_usec == w->wd_usec);
                assert_int_equal(m.errno_value, w->errno_value);
                if (w->status)
                        assert_string_equal(m.status, w->status);
                else
                        assert_null(m.status);
                if (w->fdname)
                        assert_string_equal(m.fdname, w->fdname);
                else
                        assert_null(m.fdname);
                if (w->invalid)
                        assert_string_equal(m.invalid, w->invalid);
                else
                        assert_null(m.invalid);
        }
}

static void test_msg_with_nul(void **state)
{
        char buf[] = "READY=1\0STATUS=x";
        struct ntf_msg m;

        (void)state;
        assert_int_equal(ntf_msg_parse(buf, sizeof(buf) - 1, &m), -EBADMSG);
}

static void test_names(void **state)
{
        (void)state;
        for (int t = 0; t < _SPEC_TYPE_MAX; t++)
                assert_int_equal(ntf_type_from_name(ntf_type_name((enum spec_type)t)), t);
        assert_int_equal(ntf_type_from_name("idle"), -EINVAL);
        assert_int_equal(ntf_access_from_name("all"), SPEC_NOTIFY_ACCESS_ALL);
        assert_int_equal(ntf_access_from_name("unset"), -EINVAL);
        assert_int_equal(ntf_access_effective(SPEC_NOTIFY_ACCESS_UNSET, SPEC_TYPE_SIMPLE, 0, 0),
                         SPEC_NOTIFY_ACCESS_NONE);
        assert_int_equal(ntf_access_effective(SPEC_NOTIFY_ACCESS_UNSET, SPEC_TYPE_NOTIFY, 0, 0),
                         SPEC_NOTIFY_ACCESS_MAIN);
        assert_int_equal(ntf_access_effective(SPEC_NOTIFY_ACCESS_UNSET, SPEC_TYPE_EXEC, 1, 0),
                         SPEC_NOTIFY_ACCESS_MAIN);
        assert_int_equal(ntf_access_effective(SPEC_NOTIFY_ACCESS_UNSET, SPEC_TYPE_EXEC, 0, 2),
                         SPEC_NOTIFY_ACCESS_MAIN);
        assert_int_equal(ntf_access_effective(SPEC_NOTIFY_ACCESS_NONE, SPEC_TYPE_NOTIFY, 0, 0),
                         SPEC_NOTIFY_ACCESS_NONE);
        assert_true(ntf_fdname_valid("db-1.sock"));
        assert_false(ntf_fdname_valid(""));
        assert_false(ntf_fdname_valid("a:b"));
        assert_false(ntf_fdname_valid("tab\there"));
}

static void nop_log(enum sup_level level, const char *fmt, ...)
{
        (void)level;
        (void)fmt;
}

/* Send text with fds over a fresh socket to the notify socket in the environment. */
static void send_msg(struct act_plan *plan, const char *text, const int *fds, size_t n_fds)
{
        const char *path = NULL;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char control[CMSG_SPACE(sizeof(int) * 4)] = {0};
        struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
        struct msghdr mh = {
                .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        for (size_t i = 0; plan->envp[i]; i++)
                if (startswith(plan->envp[i], "NOTIFY_SOCKET="))
                        path = plan->envp[i] + strlen("NOTIFY_SOCKET=");
        assert_non_null(path);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        if (n_fds > 0) {
                struct cmsghdr *c;

                mh.msg_control = control;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        assert_true(fd >= 0);
        assert_int_equal(sendmsg(fd, &mh, 0), (ssize_t)strlen(text));
        close(fd);
}

static unsigned dispatch(struct ntf *n)
{
        unsigned ev = 0;

        assert_int_equal(ntf_dispatch(n, &ev), 0);
        return ev;
}

static void load(struct spec *s, const char *text)
{
        struct spec_error err = {{0}};

        assert_int_equal(spec_init(s), 0);
        if (spec_load_string(s, "t.yaml", text, strlen(text), &err) < 0 || spec_finish(s, &err) < 0)
                fail_msg("%s", err.message);
}

static void test_notify_socket_end_to_end(void **state)
{
        struct act_plan plan = {.stdin_fd = -1};
        struct sock_set set = {0};
        const char *what = NULL;
        struct ntf *n = NULL;
        char json[1024] = {0};
        int ready[2], pair[2], mem;
        struct spec s;

        (void)state;
        load(&s, "service:\n  exec: /bin/true\n  start: immediate\n  type: notify\n  "
                 "notify_access: all\n"
                 "  file_descriptor_store_max: 2\n  watchdog_sec: 1min\n");
        assert_int_equal(pipe2(ready, O_CLOEXEC | O_NONBLOCK), 0);
        assert_int_equal(ntf_new(&s, nop_log, &n), 0);
        ntf_set_ready_fd(n, ready[1]);
        assert_int_equal(ntf_open(n, &s, &what), 0);
        assert_true(ntf_fd(n) >= 0);
        assert_int_equal(s.ns.n_binds, 1); /* the runtime directory, onto itself */
        assert_string_equal(s.ns.binds[0].source, s.ns.binds[0].destination);
        assert_int_equal(ntf_listening(n, &set), 0);
        assert_int_equal(ntf_plan(n, &plan), 0);
        assert_non_null(plan.pid_var_slot); /* WATCHDOG_PID, filled in by act_apply */

        /* we stand in for the sandbox's init: notify_access all admits us */
        assert_int_equal(ntf_sandbox_started(n, getpid()), 0);
        send_msg(&plan, "STATUS=starting", NULL, 0);
        assert_int_equal(dispatch(n), 0);
        assert_false(ntf_ready(n));
        send_msg(&plan, "READY=1\nEXTEND_TIMEOUT_USEC=7", NULL, 0);
        assert_int_equal(dispatch(n), NTF_EVENT_READY | NTF_EVENT_EXTEND);
        assert_true(ntf_ready(n));
        assert_int_equal(ntf_extend_usec(n), 7);

        /* the store: two fit, a third is refused, a duplicate is kept once */
        mem = memfd_create("t", MFD_CLOEXEC);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        send_msg(&plan, "FDSTORE=1\nFDNAME=mem", &mem, 1);
        send_msg(&plan, "FDSTORE=1\nFDNAME=mem", &mem, 1);
        send_msg(&plan, "FDSTORE=1\nFDNAME=pair", &pair[0], 1);
        send_msg(&plan, "FDSTORE=1\nFDNAME=extra", &pair[1], 1);
        (void)dispatch(n);
        assert_int_equal(ntf_stored(n), 2);
        /* the peer hangs up: the stored end is dropped */
        close(pair[1]);
        close(pair[0]);
        (void)dispatch(n);
        assert_int_equal(ntf_stored(n), 1);
        send_msg(&plan, "FDSTOREREMOVE=1\nFDNAME=mem", NULL, 0);
        (void)dispatch(n);
        assert_int_equal(ntf_stored(n), 0);
        close(mem);

        assert_true(read(ready[0], json, sizeof(json) - 1) > 0);
        assert_non_null(strstr(json, "{\"event\":\"listening\""));
        assert_non_null(strstr(json, "{\"event\":\"ready\",\"type\":\"notify\""));
        act_plan_done(&plan);
        ntf_free(n);
        close(ready[0]);
        close(ready[1]);
        spec_done(&s);
}

/* The access rule: with main, a sender that is not the main process is refused. */
static void test_refused_sender(void **state)
{
        struct act_plan plan = {.stdin_fd = -1};
        const char *what = NULL;
        struct ntf *n = NULL;
        struct spec s;

        (void)state;
        load(&s, "service:\n  exec: /bin/true\n  start: immediate\n  type: notify\n");
        assert_int_equal(ntf_new(&s, nop_log, &n), 0);
        assert_int_equal(ntf_open(n, &s, &what), 0);
        assert_int_equal(ntf_plan(n, &plan), 0);
        assert_int_equal(ntf_sandbox_started(n, getpid()), 0);
        send_msg(&plan, "READY=1", NULL, 0);
        assert_int_equal(dispatch(n), 0); /* we are the "init", not the main process */
        assert_false(ntf_ready(n));
        act_plan_done(&plan);
        ntf_free(n);
        spec_done(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_msg_table),
                cmocka_unit_test(test_msg_with_nul),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_notify_socket_end_to_end),
                cmocka_unit_test(test_refused_sender),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
