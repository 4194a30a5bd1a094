/* SPDX-License-Identifier: MIT */
/* Spec parser: one table of rejected specs with their exact messages, and
 * accepted specs read back field by field. Every fuzz finding becomes a row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/util.h"
#include "injector/spec.h"

#define SVC "service:\n  exec: /bin/true\n  start: immediate\n"

static int load(struct spec *s, const char *text, struct spec_error *err)
{
        int r;

        assert_int_equal(spec_init(s), 0);
        r = spec_load_string(s, "t.yaml", text, strlen(text), err);
        if (r >= 0)
                r = spec_finish(s, err);
        return r;
}

struct bad_row {
        const char *yaml;
        const char *message; /* the whole message */
};

static const struct bad_row bad_rows[] = {
        {"", "t.yaml: empty spec: expected a mapping with sockets and service"},
        {"- a\n", "t.yaml:1:1: a spec is a mapping of sockets, service, sandbox and policy"},
        {"sokets: {}\n", "t.yaml:1:1: unknown section 'sokets' (did you mean 'sockets'?)"},
        {"sockets:\n  http:\n    listen_streem: 80\n" SVC,
         "t.yaml:3:5: unknown key 'listen_streem' in socket 'http' (did you mean "
         "'listen_stream'?)"},
        {"sockets:\n  http:\n    listen_stream: 80\n    backlog: lots\n" SVC,
         "t.yaml:4:14: 'backlog' takes a number from 0 to 2147483647, not 'lots'"},
        {"sockets:\n  http:\n    listen_stream: 1.2.3.4:99999\n" SVC,
         "t.yaml:3:20: invalid address '1.2.3.4:99999' in 'listen_stream': port or CID out of "
         "range"},
        {"sockets:\n  http:\n    listen_stream: [\"80\", \"nope\"]\n" SVC,
         "t.yaml:3:27: invalid address 'nope' in 'listen_stream': expected a port, "
         "v.w.x.y:port, [ipv6]:port, /path, @abstract or vsock:cid:port"},
        {"sockets:\n  http:\n    listen_sequential_packet: 127.0.0.1:80\n" SVC,
         "t.yaml:3:31: 'listen_sequential_packet' is for unix sockets only (systemd's rule), not "
         "'127.0.0.1:80'"},
        {"sockets:\n  http:\n    listen_stream: 80\n    reuse_port: maybe\n" SVC,
         "t.yaml:4:17: 'reuse_port' takes a boolean (yes/no, true/false, on/off, 1/0), not "
         "'maybe'"},
        {"sockets:\n  http:\n    listen_stream: /x\n    socket_mode: 0999\n" SVC,
         "t.yaml:4:18: 'socket_mode' takes an octal file mode such as \"0660\", not '0999'"},
        {"sockets:\n  http:\n    listen_stream: 80\n    listen_fifo: /x\n" SVC,
         "t.yaml:4:5: 'listen_fifo' in socket 'http' is not supported by this sockjail yet"},
        {"sockets:\n  http:\n    listen_stream: 80\n    socket_user: no-such-user-here\n" SVC,
         "t.yaml:4:18: unknown user 'no-such-user-here'"},
        {"sockets:\n  ht:tp:\n    listen_stream: 80\n" SVC,
         "t.yaml:2:3: socket name 'ht:tp' is not a valid fd name (1 to 255 printable "
         "characters, no ':' or spaces)"},
        {"sockets:\n  http:\n    backlog: 5\n" SVC,
         "t.yaml:2:3: this socket has no listen_stream, listen_datagram or "
         "listen_sequential_packet"},
        {"sockets:\n  http:\n    listen_stream: 80\n    listen_stream: 81\n" SVC,
         "t.yaml:4:5: duplicate key 'listen_stream' (first at line 3)"},
        {"sockets:\n  http: &a\n    listen_stream: 80\n" SVC,
         "t.yaml:2:9: anchors (&a) are not allowed in a spec"},
        {"x: &a 1\ny: *a\n", "t.yaml:1:4: anchors (&a) are not allowed in a spec"},
        {"sockets:\n  http:\n    listen_stream: 80\n", "t.yaml: no service.exec: nothing to run "
                                                       "(give one in the spec or after --)"},
        {"service:\n  exec: /nonexistent/prog\n",
         "t.yaml:2:9: cannot execute '/nonexistent/prog': No such file or directory"},
        {"service:\n  exec: no-such-program-anywhere\n",
         "t.yaml:2:9: 'no-such-program-anywhere' not found in PATH "
         "(/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)"},
        {"service:\n  exec: \"sh -c 'oops\"\n", "t.yaml:2:9: unbalanced quote in 'exec'"},
        {"service:\n  exec: /bin/true\n  start: later\n",
         "t.yaml:3:10: 'start' takes on-demand or immediate, not 'later'"},
        {"service:\n  exec: /bin/true\n",
         "t.yaml: no sockets, so nothing to wait for: add a socket, or set service.start: "
         "immediate"},
        {SVC "  standard_input: inherit\n",
         "t.yaml:4:19: 'standard_input' takes null or socket, not 'inherit'"},
        {SVC "  standard_input: socket\n",
         "t.yaml: standard_input: socket needs exactly one listening socket, the spec has 0"},
        {SVC "  environment: [\"1X=2\"]\n",
         "t.yaml:4:17: 'environment' takes VAR=value assignments, not '1X=2'"},
        {SVC "  restart: always\n",
         "t.yaml:4:3: 'restart' in service is not supported by this sockjail yet"},
        {SVC "sandbox:\n  private_netwrk: no\n",
         "t.yaml:5:3: unknown key 'private_netwrk' in sandbox (did you mean "
         "'private_network'?)"},
        {SVC "sandbox: [1]\n", "t.yaml:4:10: sandbox must be a mapping, not a list"},
        {SVC "policy:\n  user: no-such-user-here\n",
         "t.yaml:5:9: unknown user 'no-such-user-here'"},
        {SVC "policy:\n  capability_bounding_set: CAP_FLY\n",
         "t.yaml:5:28: unknown capability 'CAP_FLY' in 'capability_bounding_set'"},
        {SVC "policy:\n  restrict_address_families: [AF_UNIX, AF_WHAT]\n",
         "t.yaml:5:40: unknown address family 'AF_WHAT'"},
        {SVC "policy:\n  system_call_filter: [\"@system-service\", \"~frobnicate\"]\n",
         "t.yaml:5:43: unknown system call, group or errno 'frobnicate' in system_call_filter"},
        {SVC "policy:\n  system_call_error_number: EWHAT\n",
         "t.yaml:5:29: 'system_call_error_number' takes an errno name such as EPERM, or kill, "
         "not 'EWHAT'"},
        {SVC "policy:\n  no_new_privileges: [yes]\n",
         "t.yaml:5:22: 'no_new_privileges' takes a single value, not a list"},
        {"service:\n  exec:\n    - /bin/true\n    - [x]\n",
         "t.yaml:4:7: items of 'exec' must be scalars, not a list"},
        {"a: 1\n---\nb: 2\n", "t.yaml:2:1: a spec holds one YAML document"},
        {"a: [1\n", "t.yaml:2:1: did not find expected ',' or ']' while parsing a flow sequence"},
};

static void test_rejected_specs_say_where_and_what(void **state)
{
        size_t failed = 0;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bad_rows); i++) {
                struct spec_error err = {{0}};
                struct spec s;
                int r = load(&s, bad_rows[i].yaml, &err);

                if (r >= 0 || strcmp(err.message, bad_rows[i].message) != 0) {
                        print_error("row %zu: r=%d\n  got:  %s\n  want: %s\n", i, r, err.message,
                                    bad_rows[i].message);
                        failed++;
                }
                spec_done(&s);
        }
        assert_int_equal(failed, 0);
}

static void test_defaults_are_secure(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(load(&s,
                              "sockets:\n  web:\n    listen_stream: 127.0.0.1:8080\n"
                              "service:\n  exec: /bin/true\n",
                              &err),
                         0);
        assert_true(s.ns.private_network && s.ns.private_mounts && s.ns.private_pid);
        assert_true(s.ns.private_ipc && s.ns.private_tmp && s.ns.private_uts);
        assert_false(s.ns.private_users);
        assert_true(s.pol.no_new_privileges && s.pol.restrict_namespaces);
        assert_int_equal(s.pol.capability_bounding_set, 0);
        assert_true(s.pol.restrict_families && !s.pol.deny_families);
        assert_int_equal(s.pol.n_families, 1);
        assert_int_equal(s.pol.families[0], AF_UNIX);
        assert_non_null(s.filter);
        assert_int_equal(s.service.start, SPEC_START_ON_DEMAND);
        assert_int_equal(s.service.standard_input, SPEC_STDIO_NULL);
        assert_int_equal(s.sockets[0].backlog, SOMAXCONN);
        assert_int_equal(s.sockets[0].socket_mode, 0666);
        assert_int_equal(s.sockets[0].directory_mode, 0755);
        assert_false(s.sockets[0].remove_on_stop);
        assert_string_equal(s.service.exec_path, "/bin/true");
        spec_done(&s);
}

static void test_full_spec_reads_back(void **state)
{
        static const char text[] = "sockets:\n"
                                   "  http:\n"
                                   "    listen_stream: [\"0.0.0.0:8080\", \"[::]:8080\"]\n"
                                   "    backlog: 511\n"
                                   "    no_delay: yes\n"
                                   "    reuse_port: on\n"
                                   "    free_bind: 1\n"
                                   "    bind_ipv6_only: ipv6-only\n"
                                   "  admin:\n"
                                   "    listen_stream: /run/web/admin.sock\n"
                                   "    listen_datagram: /run/web/admin.dgram\n"
                                   "    socket_mode: \"0660\"\n"
                                   "    directory_mode: 0700\n"
                                   "    remove_on_stop: true\n"
                                   "    file_descriptor_name: control\n"
                                   "    socket_user: root\n"
                                   "    socket_group: 0\n"
                                   "service:\n"
                                   "  exec: sh -c 'echo \"hi there\"'\n"
                                   "  start: immediate\n"
                                   "  upstart_events: yes\n"
                                   "  environment: [A=1, \"B=two words\"]\n"
                                   "sandbox:\n"
                                   "  private_network: no\n"
                                   "  protect_hostname: off\n"
                                   "policy:\n"
                                   "  user: nobody\n"
                                   "  capability_bounding_set: [CAP_NET_BIND_SERVICE, chown]\n"
                                   "  restrict_address_families: \"~AF_PACKET AF_NETLINK\"\n"
                                   "  system_call_filter: []\n"
                                   "  system_call_error_number: kill\n";
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(load(&s, text, &err), 0);
        assert_int_equal(s.n_sockets, 2);
        assert_int_equal(spec_n_fds(&s), 4);
        assert_string_equal(s.sockets[0].name, "http");
        assert_int_equal(s.sockets[0].n_listens, 2);
        assert_int_equal(s.sockets[0].listens[1].type, SPEC_LISTEN_STREAM);
        assert_int_equal(addr_family(&s.sockets[0].listens[1].addr), AF_INET6);
        assert_int_equal(s.sockets[0].backlog, 511);
        assert_true(s.sockets[0].no_delay && s.sockets[0].reuse_port && s.sockets[0].free_bind);
        assert_int_equal(s.sockets[0].bind_ipv6_only, SPEC_BIND_IPV6_ONLY);
        assert_int_equal(s.sockets[1].listens[1].type, SPEC_LISTEN_DATAGRAM);
        assert_int_equal(s.sockets[1].socket_mode, 0660);
        assert_int_equal(s.sockets[1].directory_mode, 0700);
        assert_true(s.sockets[1].remove_on_stop);
        assert_string_equal(s.sockets[1].fdname, "control");
        assert_int_equal(s.sockets[1].socket_user, 0);
        assert_int_equal(s.sockets[1].socket_group, 0);
        assert_string_equal(s.service.exec[0], "sh");
        assert_string_equal(s.service.exec[2], "echo \"hi there\"");
        assert_null(s.service.exec[3]);
        assert_string_equal(s.service.exec_path, "/usr/bin/sh");
        assert_int_equal(s.service.start, SPEC_START_IMMEDIATE);
        assert_true(s.service.upstart_events);
        assert_string_equal(s.service.environment[1], "B=two words");
        assert_false(s.ns.private_network);
        assert_false(s.ns.private_uts);
        assert_true(s.pol.change_ids);
        assert_int_equal(s.pol.uid, 65534);
        assert_int_equal(s.pol.capability_bounding_set, (1ULL << 10) | (1ULL << 0));
        assert_true(s.pol.restrict_families && s.pol.deny_families);
        assert_int_equal(s.pol.n_families, 2);
        assert_int_equal(s.pol.n_system_call_filter, 0);
        assert_int_equal(s.pol.system_call_error_number, 0);
        spec_done(&s);
}

static void test_empty_string_resets_listen_list(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(
                load(&s,
                     "sockets:\n  a:\n    listen_stream: [\"80\", \"\", \"127.0.0.1:81\"]\n" SVC,
                     &err),
                0);
        assert_int_equal(s.sockets[0].n_listens, 1);
        assert_string_equal(s.sockets[0].listens[0].text, "127.0.0.1:81");
        spec_done(&s);
}

static void test_limits(void **state)
{
        size_t size = 64 + (SPEC_MAX_SOCKETS + 1) * 40;
        _cleanup_free_ char *text = malloc(size);
        struct spec_error err = {{0}};
        struct spec s;
        char *p = text;

        (void)state;
        p += sprintf(p, "sockets:\n");
        for (int i = 0; i <= SPEC_MAX_SOCKETS; i++)
                p += sprintf(p, "  s%d: {listen_stream: /tmp/x%d}\n", i, i);
        assert_int_equal(load(&s, text, &err), -EINVAL);
        assert_non_null(strstr(err.message, "too many sockets (at most 1024)"));
        spec_done(&s);
}

static void test_file_errors(void **state)
{
        char path[] = "/tmp/sockjail-spec-XXXXXX";
        struct spec_error err = {{0}};
        struct spec s;
        int fd;

        (void)state;
        assert_int_equal(spec_init(&s), 0);
        assert_int_equal(spec_load(&s, "/nonexistent.yaml", &err), -ENOENT);
        assert_string_equal(err.message, "/nonexistent.yaml: No such file or directory");
        assert_int_equal(spec_load(&s, "/tmp", &err), -EINVAL);
        assert_string_equal(err.message, "/tmp: not a regular file");
        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, SPEC_MAX_FILE_SIZE + 1), 0);
        close(fd);
        assert_int_equal(spec_load(&s, path, &err), -EINVAL);
        assert_non_null(strstr(err.message, "larger than 1048576 bytes"));
        unlink(path);
        spec_done(&s);
}

static void test_add_listen_for_command_line(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(spec_init(&s), 0);
        assert_int_equal(spec_add_listen(&s, "listen", SPEC_LISTEN_STREAM, "127.0.0.1:1", &err), 0);
        assert_int_equal(spec_add_listen(&s, "listen", SPEC_LISTEN_STREAM, "/tmp/a", &err), 0);
        assert_int_equal(spec_add_listen(&s, "other", SPEC_LISTEN_DATAGRAM, "@x", &err), 0);
        assert_int_equal(s.n_sockets, 2);
        assert_int_equal(spec_n_fds(&s), 3);
        assert_int_equal(spec_add_listen(&s, "listen", SPEC_LISTEN_STREAM, "bogus", &err), -EINVAL);
        assert_non_null(strstr(err.message, "invalid address 'bogus'"));
        spec_done(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rejected_specs_say_where_and_what),
                cmocka_unit_test(test_defaults_are_secure),
                cmocka_unit_test(test_full_spec_reads_back),
                cmocka_unit_test(test_empty_string_resets_listen_list),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_file_errors),
                cmocka_unit_test(test_add_listen_for_command_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
