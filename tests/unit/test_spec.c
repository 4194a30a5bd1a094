/* SPDX-License-Identifier: MIT */
/* Spec parser: one table of rejected specs with their exact messages, and
 * accepted specs read back field by field. Every fuzz finding becomes a row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/util.h"
#include "injector/profile.h"
#include "injector/spec.h"

#define PROFILE_ENV PROFILE_PATH_ENV
#define SVC "service:\n  exec: /bin/true\n  start: immediate\n"
/* A socket with one address, for rows about its other keys (line 4 is the key). */
#define SK "sockets:\n  http:\n    listen_stream: 80\n"

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
        {SK "    listen_fifo: run/x.fifo\n" SVC,
         "t.yaml:4:18: 'listen_fifo' takes an absolute path without '..', not 'run/x.fifo'"},
        {SK "    listen_special: /dev/../etc/passwd\n" SVC,
         "t.yaml:4:21: 'listen_special' takes an absolute path without '..', not "
         "'/dev/../etc/passwd'"},
        {SK "    listen_netlink: routing\n" SVC,
         "t.yaml:4:21: 'listen_netlink' takes a netlink family (route, audit, kobject-uevent, ... "
         "or 0 to 31) and an optional multicast group number, not 'routing'"},
        {SK "    listen_netlink: \"route x\"\n" SVC,
         "t.yaml:4:21: 'listen_netlink' takes a netlink family (route, audit, kobject-uevent, ... "
         "or 0 to 31) and an optional multicast group number, not 'route x'"},
        {SK "    listen_netlink: 32\n" SVC,
         "t.yaml:4:21: 'listen_netlink' takes a netlink family (route, audit, kobject-uevent, ... "
         "or 0 to 31) and an optional multicast group number, not '32'"},
        {SK "    listen_message_queue: /a/b\n" SVC,
         "t.yaml:4:27: 'listen_message_queue' takes a queue name: '/' and 1 to 255 characters "
         "without '/', not '/a/b'"},
        {SK "    listen_message_queue: q\n" SVC,
         "t.yaml:4:27: 'listen_message_queue' takes a queue name: '/' and 1 to 255 characters "
         "without '/', not 'q'"},
        {SK "    listen_usb_function: /dev/ffs-x\n" SVC,
         "t.yaml:4:26: 'listen_usb_function' needs a FunctionFS mount and USBFunctionDescriptors=, "
         "not supported"},
        {SK "    service: other.service\n" SVC,
         "t.yaml:4:14: a spec has one service: 'service' (Service=) has no meaning here"},
        {SK "    socket_protocol: tcp\n" SVC,
         "t.yaml:4:22: 'socket_protocol' takes udplite or sctp, not 'tcp'"},
        {SK "    bind_to_device: eth0/1\n" SVC,
         "t.yaml:4:21: 'bind_to_device' takes a network interface name (1 to 15 characters, no "
         "'/', ':' or spaces), not 'eth0/1'"},
        {SK "    bind_to_device: sixteen-chars-xx\n" SVC,
         "t.yaml:4:21: 'bind_to_device' takes a network interface name (1 to 15 characters, no "
         "'/', ':' or spaces), not 'sixteen-chars-xx'"},
        {SK "    writable: rw\n" SVC,
         "t.yaml:4:15: 'writable' takes a boolean (yes/no, true/false, on/off, 1/0), not 'rw'"},
        {SK "    keep_alive_time_sec: 500ms\n" SVC,
         "t.yaml:4:26: 'keep_alive_time_sec' takes a time span from 1s to 32767s, or 0 for the "
         "kernel's default, not '500ms'"},
        {SK "    keep_alive_time_sec: 10h\n" SVC,
         "t.yaml:4:26: 'keep_alive_time_sec' takes a time span from 1s to 32767s, or 0 for the "
         "kernel's default, not '10h'"},
        {SK "    keep_alive_interval_sec: soon\n" SVC,
         "t.yaml:4:30: 'keep_alive_interval_sec' takes a time span from 1s to 32767s, or 0 for the "
         "kernel's default, not 'soon'"},
        {SK "    keep_alive_probes: 128\n" SVC,
         "t.yaml:4:24: 'keep_alive_probes' takes a number from 0 to 127, not '128'"},
        {SK "    priority: -1\n" SVC,
         "t.yaml:4:15: 'priority' takes a number from 0 to 2147483647, not '-1'"},
        {SK "    defer_accept_sec: infinity\n" SVC,
         "t.yaml:4:23: 'defer_accept_sec' takes a time span from 1s to 2147483647s, or 0 for the "
         "kernel's default, not 'infinity'"},
        {SK "    receive_buffer: 2G\n" SVC, "t.yaml:4:21: 'receive_buffer' takes a size such as "
                                            "65536, 64K or 1M, at most 2147483647 bytes, not '2G'"},
        {SK "    send_buffer: lots\n" SVC, "t.yaml:4:18: 'send_buffer' takes a size such as 65536, "
                                           "64K or 1M, at most 2147483647 bytes, not 'lots'"},
        {SK "    ip_tos: fast\n" SVC,
         "t.yaml:4:13: 'ip_tos' takes low-delay, throughput, reliability, low-cost or a number "
         "from 0 to 255, not 'fast'"},
        {SK "    ip_tos: 256\n" SVC, "t.yaml:4:13: 'ip_tos' takes low-delay, throughput, "
                                     "reliability, low-cost or a number from 0 to 255, not '256'"},
        {SK "    ip_ttl: 0\n" SVC, "t.yaml:4:13: 'ip_ttl' takes a number from 1 to 255, not '0'"},
        {SK "    mark: 0x10\n" SVC,
         "t.yaml:4:11: 'mark' takes a number from 0 to 2147483647, not '0x10'"},
        {SK "    transparent: maybe\n" SVC, "t.yaml:4:18: 'transparent' takes a boolean (yes/no, "
                                            "true/false, on/off, 1/0), not 'maybe'"},
        {SK "    broadcast: 2\n" SVC,
         "t.yaml:4:16: 'broadcast' takes a boolean (yes/no, true/false, on/off, 1/0), not '2'"},
        {SK "    pass_credentials: sure\n" SVC, "t.yaml:4:23: 'pass_credentials' takes a boolean "
                                                "(yes/no, true/false, on/off, 1/0), not 'sure'"},
        {SK "    pass_security: nope\n" SVC, "t.yaml:4:20: 'pass_security' takes a boolean "
                                             "(yes/no, true/false, on/off, 1/0), not 'nope'"},
        {SK "    pass_packet_info: [yes]\n" SVC,
         "t.yaml:4:23: 'pass_packet_info' takes a single value, not a list"},
        {SK "    timestamping: ms\n" SVC,
         "t.yaml:4:19: 'timestamping' takes off, us (usec, \u00b5s) or ns (nsec), not 'ms'"},
        {SK "    tcp_congestion: much-too-long-name\n" SVC,
         "t.yaml:4:21: 'tcp_congestion' takes a congestion control name such as cubic or bbr, not "
         "'much-too-long-name'"},
        {SK "    pipe_size: 1T\n" SVC, "t.yaml:4:16: 'pipe_size' takes a size such as 65536, 64K "
                                       "or 1M, at most 2147483647 bytes, not '1T'"},
        {SK "    message_queue_max_messages: -5\n" SVC,
         "t.yaml:4:33: 'message_queue_max_messages' takes a number from 0 to 2147483647, not '-5'"},
        {SK "    message_queue_message_size: 8K\n" SVC,
         "t.yaml:4:33: 'message_queue_message_size' takes a number from 0 to 2147483647, not '8K'"},
        {SK "    symlinks: [/ok, rel/link]\n" SVC,
         "t.yaml:4:21: 'symlinks' takes absolute paths without '..', not 'rel/link'"},
        {SK "    smack_label: \"a b\"\n" SVC, "t.yaml:4:18: 'smack_label' takes a SMACK label (1 "
                                              "to 255 characters, no '/' or spaces), not 'a b'"},
        {SK "    smack_label_ip_in: a/b\n" SVC,
         "t.yaml:4:24: 'smack_label_ip_in' takes a SMACK label (1 to 255 characters, no '/' or "
         "spaces), not 'a/b'"},
        {SK "    smack_label_ip_out: [x]\n" SVC,
         "t.yaml:4:25: 'smack_label_ip_out' takes a single value, not a list"},
        {SK "    selinux_context_from_net: 1.0\n" SVC,
         "t.yaml:4:31: 'selinux_context_from_net' takes a boolean (yes/no, true/false, on/off, "
         "1/0), not '1.0'"},
        {SK "    accept: maybe\n" SVC,
         "t.yaml:4:13: 'accept' takes a boolean (yes/no, true/false, on/off, 1/0), not 'maybe'"},
        {SK "    flush_pending: x\n" SVC,
         "t.yaml:4:20: 'flush_pending' takes a boolean (yes/no, true/false, on/off, 1/0), not 'x'"},
        {SK "    max_connections: -1\n" SVC,
         "t.yaml:4:22: 'max_connections' takes a number from 0 to 4294967295, not '-1'"},
        {SK "    max_connections_per_source: many\n" SVC,
         "t.yaml:4:33: 'max_connections_per_source' takes a number from 0 to 4294967295, not "
         "'many'"},
        {SK "    trigger_limit_interval_sec: 2 parsecs\n" SVC,
         "t.yaml:4:33: 'trigger_limit_interval_sec' takes a time span such as 2s, 500ms or 1min, "
         "not '2 parsecs'"},
        {SK "    trigger_limit_burst: 1e3\n" SVC,
         "t.yaml:4:26: 'trigger_limit_burst' takes a number from 0 to 4294967295, not '1e3'"},
        {SK "    accept: yes\n    listen_datagram: 53\n" SVC,
         "t.yaml:2:3: accept: yes serves stream and sequential-packet sockets; this socket's "
         "other kinds would need a service of their own: put them in another spec"},
        {SK "    smack_label_ip_in: web\n" SVC,
         "t.yaml:2:3: socket 'http': smack_label, smack_label_ip_in and smack_label_ip_out need "
         "SMACK, and this kernel has none (no /sys/fs/smackfs)"},
        {SK "    selinux_context_from_net: yes\n" SVC,
         "t.yaml:2:3: socket 'http': selinux_context_from_net needs SELinux, which is not enabled"},
        {SK "    symlinks: /run/alias\n" SVC,
         "t.yaml:2:3: socket 'http': symlinks need exactly one unix socket path or FIFO in the "
         "socket, it has 0 (systemd's rule)"},
        {"sockets:\n  http:\n    listen_fifo: [/run/a, /run/b]\n    symlinks: /run/alias\n" SVC,
         "t.yaml:2:3: socket 'http': symlinks need exactly one unix socket path or FIFO in the "
         "socket, it has 2 (systemd's rule)"},
        {SK "    message_queue_max_messages: 5\n" SVC,
         "t.yaml:2:3: socket 'http': message_queue_max_messages and message_queue_message_size go "
         "together: set both or neither"},
        {"sockets:\n  http:\n    listen_stream: 80\n    socket_user: no-such-user-here\n" SVC,
         "t.yaml:4:18: unknown user 'no-such-user-here'"},
        {"sockets:\n  ht:tp:\n    listen_stream: 80\n" SVC,
         "t.yaml:2:3: socket name 'ht:tp' is not a valid fd name (1 to 255 printable "
         "characters, no ':' or spaces)"},
        {"sockets:\n  http:\n    backlog: 5\n" SVC,
         "t.yaml:2:3: this socket has nothing to listen on (listen_stream, listen_datagram, "
         "listen_sequential_packet, listen_fifo, listen_special, listen_netlink or "
         "listen_message_queue)"},
        {"sockets:\n  http:\n    listen_fifo: [/run/x, \"\"]\n" SVC,
         "t.yaml:2:3: this socket has nothing to listen on (listen_stream, listen_datagram, "
         "listen_sequential_packet, listen_fifo, listen_special, listen_netlink or "
         "listen_message_queue)"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_start_pre: no-such-program-here\n" SVC,
         "t.yaml:4:21: 'no-such-program-here' not found in PATH "
         "(/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_stop_post: [true, -/no/such]\n" SVC,
         "t.yaml:4:28: cannot execute '/no/such': No such file or directory"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_start_post: \"sh -c 'oops\"\n" SVC,
         "t.yaml:4:22: unbalanced quote in 'exec_start_post'"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_stop_pre: \" \"\n" SVC,
         "t.yaml:4:20: 'exec_stop_pre' takes command lines, not a blank one"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_start_pre: \"-@ x\"\n" SVC,
         "t.yaml:4:21: no program after the prefix in 'exec_start_pre'"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_start_pre: \"@true\"\n" SVC,
         "t.yaml:4:21: '@' in 'exec_start_pre' needs the program and then argv[0]"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_start_pre: [[true]]\n" SVC,
         "t.yaml:4:22: items of 'exec_start_pre' must be scalars, not a list"},
        {"sockets:\n  http:\n    listen_stream: 80\n    exec_stop_post: {a: b}\n" SVC,
         "t.yaml:4:21: 'exec_stop_post' takes a value or a list, not a mapping"},
        {"sockets:\n  http:\n    listen_stream: 80\n    timeout_sec: soon\n" SVC,
         "t.yaml:4:18: 'timeout_sec' takes a time span such as 2s, 500ms or 1min, not 'soon'"},
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
        {SVC "  standard_error: journal\n",
         "t.yaml:4:3: 'standard_error' in service is not supported by this sockjail yet"},
        {SVC "  restart: sometimes\n",
         "t.yaml:4:12: 'restart' takes no, on-success, on-failure, on-abnormal, on-watchdog, "
         "on-abort or always, not 'sometimes'"},
        {SVC "  kill_mode: cgroup\n",
         "t.yaml:4:14: 'kill_mode' takes control-group, mixed, process or none, not 'cgroup'"},
        {SVC "  kill_signal: SIGFOO\n",
         "t.yaml:4:16: 'kill_signal' takes a signal such as SIGTERM or 15, not 'SIGFOO'"},
        {SVC "  success_exit_status: \"1 SIGFOO\"\n",
         "t.yaml:4:24: 'success_exit_status' takes exit codes from 0 to 255 and signal names, "
         "not 'SIGFOO'"},
        {SVC "  success_exit_status: 256\n",
         "t.yaml:4:24: 'success_exit_status' takes exit codes from 0 to 255 and signal names, "
         "not '256'"},
        {SVC "  timeout_stop_sec: soon\n",
         "t.yaml:4:21: 'timeout_stop_sec' takes a time span such as 2s, 500ms or 1min, not "
         "'soon'"},
        {SVC "  start_limit_burst: -1\n",
         "t.yaml:4:22: 'start_limit_burst' takes a number from 0 to 4294967295, not '-1'"},
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
        {SVC "policy:\n  umask: 0999\n",
         "t.yaml:5:10: 'umask' takes an octal file mode such as \"0660\", not '0999'"},
        {SVC "policy:\n  supplementary_groups: [no-such-group-here]\n",
         "t.yaml:5:26: unknown group 'no-such-group-here' in 'supplementary_groups'"},
        {SVC "policy:\n  environment: [\"1X=2\"]\n",
         "t.yaml:5:17: 'environment' takes VAR=value assignments, not '1X=2'"},
        {SVC "policy:\n  environment_file: x.env\n",
         "t.yaml:5:21: 'environment_file' takes an absolute path, optionally after '-', not "
         "'x.env'"},
        {SVC "policy:\n  environment_file: /nonexistent/x.env\n",
         "t.yaml:5:21: cannot read environment file /nonexistent/x.env: No such file or "
         "directory"},
        {SVC "policy:\n  environment_file: -/tmp\n",
         "t.yaml:5:21: cannot read environment file /tmp: not a regular file"},
        {SVC "policy:\n  environment_file: /nonexistent/*.env\n",
         "t.yaml:5:21: no environment file matches /nonexistent/*.env"},
        {SVC "policy:\n  unset_environment: [\"A B\"]\n",
         "t.yaml:5:23: 'unset_environment' takes variable names or VAR=value assignments, not "
         "'A B'"},
        {SVC "policy:\n  pass_environment: HOME LISTEN_FDS\n",
         "t.yaml:5:21: 'pass_environment' cannot pass LISTEN_FDS: sockjail sets the LISTEN_* "
         "variables itself"},
        {SVC "policy:\n  pass_environment: [HOME, 1A]\n",
         "t.yaml:5:28: 'pass_environment' takes variable names, not '1A'"},
        {SVC "policy:\n  ambient_capabilities: CAP_FLY\n",
         "t.yaml:5:25: unknown capability 'CAP_FLY' in 'ambient_capabilities'"},
        {SVC "policy:\n  capability_bounding_set: CAP_NET_BIND_SERVICE\n"
             "  ambient_capabilities: [CAP_NET_BIND_SERVICE, CAP_CHOWN]\n",
         "t.yaml:6:25: ambient_capabilities: CAP_CHOWN is not in capability_bounding_set (an "
         "ambient capability must be kept too)"},
        {SVC "policy:\n  secure_bits: [noroot, \"keep-capz\"]\n",
         "t.yaml:5:25: 'secure_bits' takes keep-caps, keep-caps-locked, no-setuid-fixup, "
         "no-setuid-fixup-locked, noroot or noroot-locked, not 'keep-capz'"},
        {SVC "policy:\n  system_call_architectures: native arm64\n",
         "t.yaml:5:30: 'system_call_architectures' takes native, x86-64, x86 or x32, not 'arm64'"},
        {SVC "policy:\n  system_call_log: [\"@timer\", \"~bogus_call\"]\n",
         "t.yaml:5:31: unknown system call or group 'bogus_call' in system_call_log"},
        {SVC "policy:\n  system_call_log: \"getpid:EPERM\"\n",
         "t.yaml:5:20: unknown system call or group 'getpid:EPERM' in system_call_log"},
        {SVC "policy:\n  memory_deny_write_execute: maybe\n",
         "t.yaml:5:30: 'memory_deny_write_execute' takes a boolean (yes/no, true/false, on/off, "
         "1/0), not 'maybe'"},
        {SVC "policy:\n  restrict_namespaces: [net, time]\n",
         "t.yaml:5:30: 'restrict_namespaces' takes a boolean or namespace types (cgroup, ipc, "
         "net, mnt, pid, user, uts), not 'time'"},
        {SVC "policy:\n  limit_nofile: lots\n",
         "t.yaml:5:17: 'limit_nofile' takes a number, or infinity, optionally as soft:hard, not "
         "'lots'"},
        {SVC "policy:\n  limit_nofile: 200:100\n",
         "t.yaml:5:17: 'limit_nofile': the soft limit is above the hard one in '200:100'"},
        {SVC "policy:\n  limit_nofile: 1:2:3\n",
         "t.yaml:5:17: 'limit_nofile' takes a number, or infinity, optionally as soft:hard, not "
         "'1:2:3'"},
        {SVC "policy:\n  limit_as: 1X\n",
         "t.yaml:5:13: 'limit_as' takes a size such as 4096, 64K or 1G, or infinity, optionally "
         "as soft:hard, not '1X'"},
        {SVC "policy:\n  limit_cpu: 5parsecs\n",
         "t.yaml:5:14: 'limit_cpu' takes a time span such as 30, 90s or 2min, or infinity, "
         "optionally as soft:hard, not '5parsecs'"},
        {SVC "policy:\n  limit_nice: \"+25\"\n",
         "t.yaml:5:15: 'limit_nice' takes a nice level from -20 to 19 written +N or -N, or a raw "
         "limit from 0 to 40, or infinity, optionally as soft:hard, not '+25'"},
        {SVC "policy:\n  limit_rttime: [1]\n",
         "t.yaml:5:17: 'limit_rttime' takes a single value, not a list"},
        {SVC "policy:\n  nice: 20\n", "t.yaml:5:9: 'nice' takes a number from -20 to 19, not '20'"},
        {SVC "policy:\n  oom_score_adjust: -1001\n",
         "t.yaml:5:21: 'oom_score_adjust' takes a number from -1000 to 1000, not '-1001'"},
        {SVC "policy:\n  profile: nope\n",
         "t.yaml:5:12: unknown profile 'nope' (available: default, strict)"},
        {SVC "policy:\n  profile: ../etc/passwd\n",
         "t.yaml:5:12: 'profile' takes a name (letters, digits, '-', '_'), not '../etc/passwd'"},
        {SVC "policy:\n  dynamic_user: yes\n",
         "t.yaml:5:3: 'dynamic_user' in policy is not supported by this sockjail yet"},
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
        assert_int_equal(spec_compile_filter(&s, &err), 0);
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

/* Every kind keeps its place in one list: fds follow the order written, and "" empties the
 * list whatever kinds it held. */
static void test_listen_kinds_keep_spec_order(void **state)
{
        static const char text[] = "sockets:\n"
                                   "  a:\n"
                                   "    listen_fifo: /run/sj/fifo\n"
                                   "    listen_special: /dev/null\n"
                                   "    listen_netlink: kobject-uevent 1\n"
                                   "    listen_message_queue: /sj-q\n"
                                   "    listen_stream: 127.0.0.1:80\n"
                                   "  b:\n"
                                   "    listen_fifo: /run/sj/gone\n"
                                   "    listen_netlink: [\"\", \"9\"]\n" SVC;
        static const enum spec_listen_type want[] = {SPEC_LISTEN_FIFO, SPEC_LISTEN_SPECIAL,
                                                     SPEC_LISTEN_NETLINK, SPEC_LISTEN_MQUEUE,
                                                     SPEC_LISTEN_STREAM};
        struct spec_error err = {{0}};
        const struct sockaddr_nl *nl;
        struct spec s;

        (void)state;
        assert_int_equal(load(&s, text, &err), 0);
        assert_int_equal(s.sockets[0].n_listens, ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                assert_int_equal(s.sockets[0].listens[i].type, want[i]);
        assert_string_equal(s.sockets[0].listens[0].text, "/run/sj/fifo");
        assert_string_equal(s.sockets[0].listens[3].text, "/sj-q");
        assert_int_equal(s.sockets[0].listens[2].protocol, NETLINK_KOBJECT_UEVENT);
        nl = (const struct sockaddr_nl *)&s.sockets[0].listens[2].addr.u.storage;
        assert_int_equal(nl->nl_family, AF_NETLINK);
        assert_int_equal(nl->nl_groups, 1);
        assert_int_equal(s.sockets[1].n_listens, 1); /* "" dropped the FIFO too */
        assert_int_equal(s.sockets[1].listens[0].protocol, NETLINK_AUDIT);
        assert_int_equal(spec_n_fds(&s), 6);
        spec_done(&s);
}

static void test_socket_options_read_back(void **state)
{
        static const char text[] = "sockets:\n"
                                   "  a:\n"
                                   "    listen_fifo: /run/sj/fifo\n"
                                   "    listen_datagram: 127.0.0.1:0\n"
                                   "    socket_protocol: udplite\n"
                                   "    bind_to_device: lo\n"
                                   "    writable: yes\n"
                                   "    keep_alive_time_sec: 2min\n"
                                   "    keep_alive_interval_sec: 75\n"
                                   "    keep_alive_probes: 9\n"
                                   "    priority: 6\n"
                                   "    defer_accept_sec: 1.5s\n"
                                   "    receive_buffer: 64K\n"
                                   "    send_buffer: 1M\n"
                                   "    ip_tos: low-delay\n"
                                   "    ip_ttl: 64\n"
                                   "    mark: 7\n"
                                   "    transparent: yes\n"
                                   "    broadcast: on\n"
                                   "    pass_credentials: 1\n"
                                   "    pass_security: true\n"
                                   "    pass_packet_info: y\n"
                                   "    timestamping: nsec\n"
                                   "    tcp_congestion: cubic\n"
                                   "    pipe_size: 128K\n"
                                   "    message_queue_max_messages: 5\n"
                                   "    message_queue_message_size: 256\n"
                                   "    symlinks: [/run/sj/old, \"\", /run/sj/alias]\n"
                                   "    flush_pending: yes\n"
                                   "    max_connections: 10\n"
                                   "    trigger_limit_interval_sec: 5s\n"
                                   "    trigger_limit_burst: 3\n"
                                   "  b:\n"
                                   "    listen_stream: 127.0.0.1:0\n"
                                   "    socket_protocol: sctp\n"
                                   "    ip_tos: \"16\"\n"
                                   "    bind_to_device: \"*\"\n"
                                   "    max_connections_per_source: 2\n" SVC;
        struct spec_error err = {{0}};
        const struct spec_socket *a, *b;
        struct spec s;

        (void)state;
        assert_int_equal(load(&s, text, &err), 0);
        a = &s.sockets[0];
        b = &s.sockets[1];
        assert_int_equal(a->socket_protocol, IPPROTO_UDPLITE);
        assert_int_equal(b->socket_protocol, IPPROTO_SCTP);
        assert_string_equal(a->bind_to_device, "lo");
        assert_null(b->bind_to_device);
        assert_true(a->writable && a->transparent && a->broadcast && a->pass_credentials);
        assert_true(a->pass_security && a->pass_packet_info && a->flush_pending);
        assert_int_equal(a->keep_alive_time_usec, 120000000);
        assert_int_equal(a->keep_alive_interval_usec, 75000000);
        assert_int_equal(a->keep_alive_probes, 9);
        assert_int_equal(a->defer_accept_usec, 1500000);
        assert_int_equal(a->priority, 6);
        assert_int_equal(a->receive_buffer, 65536);
        assert_int_equal(a->send_buffer, 1048576);
        assert_int_equal(a->ip_tos, 0x10); /* IPTOS_LOWDELAY */
        assert_int_equal(b->ip_tos, 16);
        assert_int_equal(a->ip_ttl, 64);
        assert_int_equal(a->so_mark, 7);
        assert_int_equal(a->timestamping, SPEC_TIMESTAMPING_NS);
        assert_string_equal(a->tcp_congestion, "cubic");
        assert_int_equal(a->pipe_size, 131072);
        assert_int_equal(a->mq_max_messages, 5);
        assert_int_equal(a->mq_message_size, 256);
        assert_string_equal(a->symlinks[0], "/run/sj/alias");
        assert_null(a->symlinks[1]);
        assert_int_equal(a->max_connections, 10);
        assert_int_equal(a->max_connections_per_source, 10); /* follows max_connections */
        assert_int_equal(b->max_connections_per_source, 2);
        assert_int_equal(a->trigger_limit_interval_usec, 5000000);
        assert_int_equal(a->trigger_limit_burst, 3);
        assert_int_equal(b->trigger_limit_burst, 20);
        spec_done(&s);
}

/* systemd's defaults: nothing set beyond the kernel's own, and Accept=no limits. */
static void test_socket_option_defaults(void **state)
{
        struct spec_error err = {{0}};
        const struct spec_socket *u;
        struct spec s;

        (void)state;
        assert_int_equal(load(&s, "sockets:\n  a:\n    listen_stream: 80\n" SVC, &err), 0);
        u = &s.sockets[0];
        assert_int_equal(u->priority, -1);
        assert_int_equal(u->ip_tos, -1);
        assert_int_equal(u->ip_ttl, -1);
        assert_int_equal(u->so_mark, -1);
        assert_int_equal(u->socket_protocol, 0);
        assert_int_equal(u->receive_buffer + u->send_buffer + u->pipe_size, 0);
        assert_int_equal(u->keep_alive_time_usec + u->defer_accept_usec, 0);
        assert_int_equal(u->timestamping, SPEC_TIMESTAMPING_OFF);
        assert_null(u->tcp_congestion);
        assert_null(u->symlinks);
        assert_false(u->accept || u->writable || u->flush_pending || u->transparent);
        assert_int_equal(u->max_connections, 64);
        assert_int_equal(u->max_connections_per_source, 64);
        assert_int_equal(u->trigger_limit_interval_usec, 2000000);
        assert_int_equal(u->trigger_limit_burst, 20);
        spec_done(&s);
}

/* systemd.service(5)/systemd.kill(5) defaults, and every lifecycle key read back. */
static void test_service_lifecycle_keys(void **state)
{
        struct spec_error err = {{0}};
        const struct spec_service *v;
        struct spec s;

        (void)state;
        assert_int_equal(load(&s, SVC, &err), 0);
        v = &s.service;
        assert_int_equal(v->restart, SPEC_RESTART_NO);
        assert_int_equal(v->restart_usec, 100000);
        assert_int_equal(v->timeout_start_usec, 90000000);
        assert_int_equal(v->timeout_stop_usec, 90000000);
        assert_int_equal(v->start_limit_interval_usec, 10000000);
        assert_int_equal(v->start_limit_burst, 5);
        assert_int_equal(v->kill_mode, SPEC_KILL_CONTROL_GROUP);
        assert_int_equal(v->kill_signal, SIGTERM);
        assert_int_equal(v->final_kill_signal, SIGKILL);
        assert_false(v->send_sighup);
        assert_false(spec_exit_status_has(&v->success_exit_status, 0));
        spec_done(&s);

        assert_int_equal(load(&s,
                              SVC "  restart: on-abnormal\n  restart_sec: 2s 500ms\n"
                                  "  timeout_start_sec: infinity\n  timeout_stop_sec: 0\n"
                                  "  kill_mode: mixed\n  kill_signal: INT\n"
                                  "  final_kill_signal: 3\n  send_sighup: yes\n"
                                  "  success_exit_status: [\"75 SIGUSR1\", 250]\n"
                                  "  restart_prevent_exit_status: [9, \"\", 8]\n"
                                  "  restart_force_exit_status: SIGABRT\n"
                                  "  start_limit_interval_sec: 1min\n  start_limit_burst: 0\n",
                              &err),
                         0);
        v = &s.service;
        assert_int_equal(v->restart, SPEC_RESTART_ON_ABNORMAL);
        assert_string_equal(spec_restart_name(v->restart), "on-abnormal");
        assert_int_equal(v->restart_usec, 2500000);
        assert_true(v->timeout_start_usec == UINT64_MAX);
        assert_int_equal(v->timeout_stop_usec, 0);
        assert_int_equal(v->kill_mode, SPEC_KILL_MIXED);
        assert_string_equal(spec_kill_mode_name(v->kill_mode), "mixed");
        assert_int_equal(v->kill_signal, SIGINT);
        assert_int_equal(v->final_kill_signal, SIGQUIT);
        assert_true(v->send_sighup);
        assert_true(spec_exit_status_has(&v->success_exit_status, W_EXITCODE(75, 0)));
        assert_true(spec_exit_status_has(&v->success_exit_status, W_EXITCODE(250, 0)));
        assert_true(spec_exit_status_has(&v->success_exit_status, W_EXITCODE(0, SIGUSR1)));
        assert_false(spec_exit_status_has(&v->success_exit_status, W_EXITCODE(0, SIGUSR2)));
        assert_false(spec_exit_status_has(&v->success_exit_status, W_EXITCODE(0, 0)));
        /* the empty string resets the list: 9 is gone, 8 stays */
        assert_false(spec_exit_status_has(&v->restart_prevent_exit_status, W_EXITCODE(9, 0)));
        assert_true(spec_exit_status_has(&v->restart_prevent_exit_status, W_EXITCODE(8, 0)));
        assert_true(spec_exit_status_has(&v->restart_force_exit_status, W_EXITCODE(0, SIGABRT)));
        assert_int_equal(v->start_limit_interval_usec, 60000000);
        assert_int_equal(v->start_limit_burst, 0);
        spec_done(&s);
}

#define ACC_SVC "service:\n  exec: /bin/true\n"

/* Accept=yes: the defaults systemd gives it, and the spec marked accepting. */
static void test_accept_defaults(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(load(&s,
                              "sockets:\n  a:\n    listen_stream: 80\n    accept: yes\n"
                              "  b:\n    listen_sequential_packet: /run/x.sock\n    accept: on\n"
                              "    max_connections: 3\n    max_connections_per_source: 1\n"
                              "    trigger_limit_burst: 7\n" ACC_SVC "  standard_input: socket\n"
                              "sandbox:\n  instance_isolation: per-connection\n",
                              &err),
                         0);
        assert_true(s.accept);
        assert_int_equal(s.isolation, SPEC_ISOLATION_PER_CONNECTION);
        assert_int_equal(s.sockets[0].max_connections, 64);
        assert_int_equal(s.sockets[0].max_connections_per_source, 64);
        assert_int_equal(s.sockets[0].trigger_limit_burst, 200);
        assert_int_equal(s.sockets[0].trigger_limit_interval_usec, 2000000);
        assert_int_equal(s.sockets[1].max_connections, 3);
        assert_int_equal(s.sockets[1].max_connections_per_source, 1);
        assert_int_equal(s.sockets[1].trigger_limit_burst, 7);
        spec_done(&s);
}

/* inetd: yes is standard_input: socket; several addresses are fine with accept. */
static void test_accept_inetd(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(load(&s,
                              "sockets:\n  a:\n    listen_stream: [80, /run/a.sock]\n"
                              "    accept: yes\n" ACC_SVC "  inetd: yes\n",
                              &err),
                         0);
        assert_int_equal(s.service.standard_input, SPEC_STDIO_SOCKET);
        assert_int_equal(s.service.standard_output, SPEC_STDIO_INHERIT);
        spec_done(&s);
}

/* Datagram sockets and FIFOs ignore accept (systemd.socket(5)): an Accept=no spec. */
static void test_accept_ignored_on_datagrams(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(load(&s,
                              "sockets:\n  d:\n    listen_datagram: 127.0.0.1:53\n"
                              "    listen_fifo: /run/f\n    accept: yes\n" SVC,
                              &err),
                         0);
        assert_false(s.accept);
        assert_false(s.sockets[0].accept);
        assert_int_equal(s.sockets[0].trigger_limit_burst, 20);
        spec_done(&s);
}

/* What one instance per connection cannot have, each with its line and column. */
static void test_accept_refusals(void **state)
{
        static const struct bad_row rows[] = {
                {"sockets:\n  a:\n    listen_stream: 80\n    listen_datagram: 81\n"
                 "    accept: yes\n" ACC_SVC,
                 "t.yaml:2:3: accept: yes serves stream and sequential-packet sockets; this "
                 "socket's other kinds would need a service of their own: put them in another "
                 "spec"},
                {"sockets:\n  a:\n    listen_stream: 80\n    accept: yes\n"
                 "  b:\n    listen_stream: 81\n" ACC_SVC,
                 "t.yaml:5:3: this socket does not accept while others do: one spec runs one "
                 "service, per connection (accept: yes) or for all its sockets; put them in "
                 "separate specs"},
                {"sockets:\n  a:\n    listen_stream: 80\n    accept: yes\n" ACC_SVC
                 "  type: notify\n",
                 "t.yaml:7:3: with accept: yes (one instance per connection), service.type: only "
                 "simple and exec"},
                {"sockets:\n  a:\n    listen_stream: 80\n    accept: yes\n" ACC_SVC
                 "  restart: always\n",
                 "t.yaml:7:3: with accept: yes (one instance per connection), restart: the "
                 "connection is gone when an instance ends"},
                {"sockets:\n  a:\n    listen_stream: 80\n    accept: yes\n" SVC,
                 "t.yaml:7:3: with accept: yes (one instance per connection), start: immediate: "
                 "an instance starts with its connection"},
                {"sockets:\n  a:\n    listen_stream: 80\n" ACC_SVC
                 "sandbox:\n  instance_isolation: per-connection\n",
                 "t.yaml:7:3: instance_isolation needs a socket with accept: yes"},
                {"sockets:\n  a:\n    listen_stream: 80\n    accept: yes\n" ACC_SVC
                 "sandbox:\n  instance_isolation: each\n",
                 "t.yaml:8:23: 'instance_isolation' takes shared or per-connection, not 'each'"},
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                struct spec_error err = {{0}};
                struct spec s;

                assert_int_equal(load(&s, rows[i].yaml, &err), -EINVAL);
                assert_string_equal(err.message, rows[i].message);
                spec_done(&s);
        }
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

/* The policy keys of systemd.exec(5), read back field by field. */
static void test_policy_keys_read_back(void **state)
{
        char env_path[] = "/tmp/sockjail-env-XXXXXX", text[2048];
        static const char env_text[] = "# a comment\nFILE_A=one\nFILE_B = \"two words\"\n";
        struct spec_error err = {{0}};
        const struct pol_config *p;
        struct spec s;
        int fd;

        (void)state;
        fd = mkstemp(env_path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, env_text, sizeof(env_text) - 1), sizeof(env_text) - 1);
        close(fd);
        snprintf(text, sizeof(text),
                 SVC "policy:\n"
                     "  umask: \"0027\"\n"
                     "  environment: [X=1, \"Y=two words\"]\n"
                     "  environment_file: [-/nonexistent/none.env, %s]\n"
                     "  unset_environment: [Y, \"X=1\"]\n"
                     "  pass_environment: HOME LANG\n"
                     "  capability_bounding_set: [CAP_NET_BIND_SERVICE, CAP_CHOWN]\n"
                     "  ambient_capabilities: \"~CAP_CHOWN\"\n"
                     "  secure_bits: keep-caps noroot\n"
                     "  system_call_architectures: [native, x86, x32, x86]\n"
                     "  system_call_log: [\"@timer\", getppid]\n"
                     "  memory_deny_write_execute: yes\n"
                     "  restrict_realtime: on\n"
                     "  restrict_suid_sgid: true\n"
                     "  restrict_namespaces: \"~user net\"\n"
                     "  limit_cpu: 90500ms\n"
                     "  limit_rttime: 5000:5ms\n"
                     "  limit_nofile: 1024:infinity\n"
                     "  limit_as: 1G\n"
                     "  limit_nice: \"-5\"\n"
                     "  limit_rtprio: 0\n"
                     "  nice: -3\n"
                     "  oom_score_adjust: 100\n",
                 env_path);
        assert_int_equal(load(&s, text, &err), 0);
        p = &s.pol;
        assert_int_equal(p->umask, 0027);
        assert_string_equal(s.policy.environment[1], "Y=two words");
        assert_string_equal(s.policy.file_environment[0], "FILE_A=one");
        assert_string_equal(s.policy.file_environment[1], "FILE_B=two words");
        assert_null(s.policy.file_environment[2]);
        assert_string_equal(s.policy.environment_files[0], "-/nonexistent/none.env");
        assert_string_equal(s.policy.unset_environment[1], "X=1");
        assert_string_equal(s.policy.pass_environment[1], "LANG");
        assert_true(p->ambient_given);
        assert_int_equal(p->ambient_capabilities & p->capability_bounding_set,
                         UINT64_C(1) << 10); /* CAP_NET_BIND_SERVICE: "~" is cut to the kept */
        assert_int_equal(p->secure_bits, (1 << 4) | (1 << 0));
        assert_int_equal(p->n_architectures, 2); /* x86 and x32; native always */
        assert_int_equal(p->n_system_call_log, 2);
        assert_true(p->memory_deny_write_execute && p->restrict_realtime && p->restrict_suid_sgid);
        assert_true(p->restrict_namespaces);
        assert_int_equal(p->allow_namespaces, POL_NAMESPACES_ALL & ~(CLONE_NEWUSER | CLONE_NEWNET));
        assert_int_equal(p->rlimits[RLIMIT_CPU].value.rlim_cur, 91); /* rounded up */
        assert_int_equal(p->rlimits[RLIMIT_RTTIME].value.rlim_cur, 5000);
        assert_int_equal(p->rlimits[RLIMIT_RTTIME].value.rlim_max, 5000);
        assert_int_equal(p->rlimits[RLIMIT_NOFILE].value.rlim_cur, 1024);
        assert_true(p->rlimits[RLIMIT_NOFILE].value.rlim_max == RLIM_INFINITY);
        assert_int_equal(p->rlimits[RLIMIT_AS].value.rlim_cur, 1 << 30);
        assert_int_equal(p->rlimits[RLIMIT_NICE].value.rlim_cur, 25);
        assert_true(p->rlimits[RLIMIT_RTPRIO].set);
        assert_false(p->rlimits[RLIMIT_CORE].set);
        assert_true(p->nice_given && p->oom_score_adjust_given);
        assert_int_equal(p->nice, -3);
        assert_int_equal(p->oom_score_adjust, 100);
        assert_int_equal(spec_compile_filter(&s, &err), 0);
        assert_non_null(s.filter);
        spec_done(&s);
        unlink(env_path);
}

static void test_policy_key_defaults(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(load(&s, SVC, &err), 0);
        assert_int_equal(s.pol.umask, 0022);
        assert_false(s.pol.ambient_given || s.pol.nice_given || s.pol.oom_score_adjust_given);
        assert_false(s.pol.memory_deny_write_execute || s.pol.restrict_realtime);
        assert_false(s.pol.restrict_suid_sgid);
        assert_int_equal(s.pol.secure_bits, 0);
        assert_int_equal(s.pol.n_architectures, 0);
        assert_int_equal(s.pol.n_system_call_log, 0);
        for (int i = 0; i < POL_RLIMIT_MAX; i++)
                assert_false(s.pol.rlimits[i].set);
        assert_null(s.policy.environment);
        assert_null(s.policy.profile);
        /* restrict_namespaces: a boolean still, and every type listed is no restriction */
        spec_done(&s);
        assert_int_equal(load(&s,
                              SVC "policy:\n  restrict_namespaces: [cgroup ipc net, mnt pid "
                                  "user uts]\n",
                              &err),
                         0);
        assert_false(s.pol.restrict_namespaces);
        spec_done(&s);
        assert_int_equal(load(&s, SVC "policy:\n  restrict_namespaces: no\n", &err), 0);
        assert_false(s.pol.restrict_namespaces);
        spec_done(&s);
}

/* The profile is the base wherever its key stands; the spec's keys replace its keys. */
static void test_profile_is_the_base_and_keys_override(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;

        (void)state;
        assert_int_equal(load(&s,
                              SVC "policy:\n"
                                  "  system_call_error_number: EACCES\n"
                                  "  profile: strict\n"
                                  "  restrict_realtime: yes\n",
                              &err),
                         0);
        assert_string_equal(s.policy.profile, "strict");
        assert_non_null(strstr(s.policy.profile_path, "/policy/profiles/strict.yaml"));
        assert_int_equal(s.pol.n_system_call_filter, 4); /* strict's, not the default's 3 */
        assert_string_equal(s.pol.system_call_filter[3], "~@privileged @setuid @resources "
                                                         "@memlock @aio");
        assert_int_equal(s.pol.system_call_error_number, EACCES); /* before the key, still wins */
        assert_true(s.pol.restrict_realtime);
        assert_true(s.pol.memory_deny_write_execute); /* strict's own */
        spec_done(&s);
        assert_int_equal(load(&s,
                              SVC "policy:\n  profile: strict\n  system_call_filter: "
                                  "[\"@system-service\"]\n",
                              &err),
                         0);
        assert_int_equal(s.pol.n_system_call_filter, 1);
        spec_done(&s);
}

static void write_file(const char *dir, const char *name, const char *text)
{
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

/* A profile's own errors name the profile's file; SOCKJAIL_PROFILE_PATH comes first. */
static void test_profile_errors_name_the_profile(void **state)
{
        char dir[] = "/tmp/sockjail-profiles-XXXXXX", path[300], *saved;
        struct spec_error err = {{0}};
        struct spec s;
        static const struct {
                const char *name, *text, *message;
        } rows[] = {
                {"key", "policy:\n  nice: 3\n  bogus: 1\n",
                 "/key.yaml:3:3: unknown key 'bogus' in policy"},
                {"filter", "policy:\n  system_call_filter: [\"@default\", \"~frob\"]\n",
                 "/filter.yaml:2:36: unknown system call, group or errno 'frob' in "
                 "system_call_filter"},
                {"nested", "policy:\n  profile: strict\n",
                 "/nested.yaml:2:12: a profile cannot name another profile"},
                {"other", "sockets: {}\n",
                 "/other.yaml:1:1: a profile holds a policy section "
                 "only, not 'sockets'"},
                {"yaml", "policy: [\n",
                 "/yaml.yaml:2:1: did not find expected node content while parsing a flow node"},
        };

        (void)state;
        assert_non_null(mkdtemp(dir));
        saved = strdup(getenv(PROFILE_ENV));
        setenv(PROFILE_ENV, dir, 1);
        write_file(dir, "strict.yaml", "policy:\n  nice: 7\n"); /* the first directory wins */
        assert_int_equal(load(&s, SVC "policy:\n  profile: strict\n", &err), 0);
        assert_true(s.pol.nice_given && s.pol.nice == 7);
        assert_int_equal(s.pol.n_system_call_filter, 3);
        spec_done(&s);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                char text[128], want[512];

                write_file(dir, strcat(strcpy(path, rows[i].name), ".yaml"), rows[i].text);
                snprintf(text, sizeof(text), SVC "policy:\n  profile: %s\n", rows[i].name);
                snprintf(want, sizeof(want), "%s%s", dir, rows[i].message);
                assert_int_equal(load(&s, text, &err), -EINVAL);
                assert_string_equal(err.message, want);
                spec_done(&s);
                snprintf(path, sizeof(path), "%s/%s.yaml", dir, rows[i].name);
                unlink(path);
        }
        snprintf(path, sizeof(path), "%s/strict.yaml", dir);
        unlink(path);
        rmdir(dir);
        setenv(PROFILE_ENV, saved, 1);
        free(saved);
}

/* The supplementary groups come on top of the user's own (root: switching needs it). */
static void test_supplementary_groups_add_to_the_users(void **state)
{
        struct spec_error err = {{0}};
        struct spec s;
        bool has_42 = false, has_0 = false;

        (void)state;
        if (geteuid() != 0)
                skip();
        assert_int_equal(
                load(&s, SVC "policy:\n  user: root\n  supplementary_groups: 42 0\n", &err), 0);
        assert_true(s.pol.change_ids);
        for (size_t i = 0; i < s.pol.n_groups; i++) {
                has_42 |= s.pol.groups[i] == 42;
                has_0 |= s.pol.groups[i] == 0;
        }
        assert_true(has_42 && has_0);
        /* again: spec_finish merges once */
        size_t n = s.pol.n_groups;
        assert_int_equal(spec_finish(&s, &err), 0);
        assert_int_equal(s.pol.n_groups, n);
        spec_done(&s);
        /* no user: the invoking process's ids and groups, plus these */
        assert_int_equal(load(&s, SVC "policy:\n  supplementary_groups: [42]\n", &err), 0);
        assert_true(s.pol.change_ids);
        assert_int_equal(s.pol.uid, 0);
        assert_int_equal(s.pol.groups[s.pol.n_groups - 1], 42);
        spec_done(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rejected_specs_say_where_and_what),
                cmocka_unit_test(test_defaults_are_secure),
                cmocka_unit_test(test_full_spec_reads_back),
                cmocka_unit_test(test_empty_string_resets_listen_list),
                cmocka_unit_test(test_listen_kinds_keep_spec_order),
                cmocka_unit_test(test_socket_options_read_back),
                cmocka_unit_test(test_socket_option_defaults),
                cmocka_unit_test(test_service_lifecycle_keys),
                cmocka_unit_test(test_accept_defaults),
                cmocka_unit_test(test_accept_ignored_on_datagrams),
                cmocka_unit_test(test_accept_inetd),
                cmocka_unit_test(test_accept_refusals),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_file_errors),
                cmocka_unit_test(test_add_listen_for_command_line),
                cmocka_unit_test(test_policy_keys_read_back),
                cmocka_unit_test(test_policy_key_defaults),
                cmocka_unit_test(test_profile_is_the_base_and_keys_override),
                cmocka_unit_test(test_profile_errors_name_the_profile),
                cmocka_unit_test(test_supplementary_groups_add_to_the_users),
        };
        char profiles[4096];

        /* The tests run from the build tree: the profiles are the source tree's. */
        snprintf(profiles, sizeof(profiles), "%s/policy/profiles", getenv("TOP") ?: ".");
        setenv(PROFILE_ENV, profiles, 1);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
