/* SPDX-License-Identifier: MIT */
/* sockjail convert: unit files in, the exact YAML out, one row per rule of
 * systemd's unit file syntax; and the directive table held against spec.c's
 * tables, so that the two cannot drift apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/util.h"
#include "injector/convert.h"
#include "injector/spec.h"

struct row {
        const char *what;
        const char *socket_name, *socket;
        const char *service_name, *service; /* NULL: no service unit */
        const char *yaml;
};

static const struct row rows[] = {
        {
                .what = "a socket and its service, the simplest case",
                .socket_name = "echo.socket",
                .socket = "[Socket]\n"
                          "ListenStream=127.0.0.1:8080\n",
                .service_name = "echo.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/true\n",
                .yaml = "# sockjail spec converted from echo.socket and echo.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  echo:\n"
                        "    listen_stream:\n"
                        "      - \"127.0.0.1:8080\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"echo.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/true\"\n",
        },
        {
                .what = "continuation lines: backslash joins; #, ; and blank lines inside are "
                        "skipped (so \"; three\" is a comment); CRLF; a continuation at the end of "
                        "the file",
                .socket_name = "c.socket",
                .socket = "[Socket]\r\n"
                          "ListenStream=/run/a.sock \\\r\n"
                          "# not a line\r\n"
                          "\r\n"
                          "   /run/b.sock\r\n"
                          "Backlog=\\\\\n"
                          "NoDelay=yes \\\n",
                .service_name = "c.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/echo one \\\n"
                           "  two \\\n"
                           "; three\n",
                .yaml = "# sockjail spec converted from c.socket and c.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  c:\n"
                        "    listen_stream:\n"
                        "      - \"/run/a.sock     /run/b.sock\"\n"
                        "    backlog: \"\\\\\\\\\"\n"
                        "    no_delay: \"yes\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"c.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/echo\"\n"
                        "    - \"one\"\n"
                        "    - \"two\"\n",
        },
        {
                .what = "comments: # and ; lines; a # after a value is part of it",
                .socket_name = "m.socket",
                .socket = "# top\n"
                          "; top too\n"
                          "[Socket]\n"
                          "  # indented\n"
                          "ListenStream=80 # not a comment\n",
                .yaml = "# sockjail spec converted from m.socket by sockjail convert\n"
                        "sockets:\n"
                        "  m:\n"
                        "    listen_stream:\n"
                        "      - \"80 # not a comment\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"m.socket\"\n"
                        "# service:\n"
                        "  # convert: no ExecStart=: m.service was not found next to m.socket; "
                        "write the command as exec\n"
                        "  # exec: [/path/to/program, args]\n",
        },
        {
                .what = "repeated keys accumulate, an empty value clears a list or resets a scalar",
                .socket_name = "r.socket",
                .socket = "[Socket]\n"
                          "ListenStream=1\n"
                          "ListenDatagram=2\n"
                          "ListenStream=\n"
                          "ListenStream=3\n"
                          "ListenSequentialPacket=/s\n"
                          "Backlog=5\n"
                          "Backlog=6\n"
                          "SocketMode=0600\n"
                          "SocketMode=\n",
                .service_name = "r.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/a\n"
                           "ExecStart=\n"
                           "ExecStart=/bin/b\n"
                           "Environment=A=1\n"
                           "Environment=\n"
                           "Environment=B=2 C=3\n"
                           "SystemCallFilter=@system-service\n"
                           "SystemCallFilter=~@mount\n"
                           "CapabilityBoundingSet=CAP_NET_RAW\n"
                           "CapabilityBoundingSet=\n"
                           "RestrictAddressFamilies=AF_INET\n"
                           "RestrictAddressFamilies=\n",
                .yaml = "# sockjail spec converted from r.socket and r.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  r:\n"
                        "    listen_stream:\n"
                        "      - \"3\"\n"
                        "    listen_sequential_packet:\n"
                        "      - \"/s\"\n"
                        "    backlog: \"6\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"r.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/b\"\n"
                        "  environment:\n"
                        "    - \"B=2\"\n"
                        "    - \"C=3\"\n"
                        "policy:\n"
                        "  system_call_filter:\n"
                        "    - \"@system-service\"\n"
                        "    - \"~@mount\"\n"
                        "  capability_bounding_set: []\n"
                        "  restrict_address_families: null\n",
        },
        {
                .what = "specifiers: static ones expanded from the unit's name, the others kept "
                        "with a comment",
                .socket_name = "web@a\\x2db-c.socket",
                .socket = "[Socket]\n"
                          "ListenStream=%t/%p/%i.sock\n"
                          "FileDescriptorName=%N\n"
                          "SocketUser=%u\n",
                .service_name = "web@a\\x2db-c.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/echo %n %N %p %i %I %t %S %C %L %% %h %H 50%\n"
                           "Environment=D=%S/%p X=%%\n",
                .yaml = "# sockjail spec converted from web@a\\x2db-c.socket and "
                        "web@a\\x2db-c.service by sockjail convert\n"
                        "sockets:\n"
                        "  \"web@a\\\\x2db-c\":\n"
                        "    listen_stream:\n"
                        "      - \"/run/web/a\\\\x2db-c.sock\"\n"
                        "    file_descriptor_name: \"web@a\\\\x2db-c\"\n"
                        "    # convert: web@a\\x2db-c.socket:4: SocketUser=%u: %u left as written: "
                        "systemd fills it in when it runs the unit\n"
                        "    socket_user: \"%u\"\n"
                        "service:\n"
                        "  # convert: web@a\\x2db-c.service:2: ExecStart=/bin/echo %n %N %p %i %I "
                        "%t %S %C %L %% ...: %h %H % left as written: systemd fills it in when it "
                        "runs the unit\n"
                        "  exec:\n"
                        "    - \"/bin/echo\"\n"
                        "    - \"web@a-b-c.service\"\n"
                        "    - \"web@a-b-c\"\n"
                        "    - \"web\"\n"
                        "    - \"a-b-c\"\n"
                        "    - \"a-b/c\"\n"
                        "    - \"/run\"\n"
                        "    - \"/var/lib\"\n"
                        "    - \"/var/cache\"\n"
                        "    - \"/var/log\"\n"
                        "    - \"%\"\n"
                        "    - \"%h\"\n"
                        "    - \"%H\"\n"
                        "    - \"50%\"\n"
                        "  environment:\n"
                        "    - \"D=/var/lib/web\"\n"
                        "    - \"X=%\"\n",
        },
        {
                .what = "template units: %i and %I are empty, so kept",
                .socket_name = "t@.socket",
                .socket = "[Socket]\n"
                          "ListenStream=/run/%i.sock\n",
                .service_name = "t@.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/echo %I\n",
                .yaml = "# sockjail spec converted from t@.socket and t@.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  t@:\n"
                        "    # convert: t@.socket:2: ListenStream=/run/%i.sock: %i left as "
                        "written: systemd fills it in when it runs the unit\n"
                        "    listen_stream:\n"
                        "      - \"/run/%i.sock\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"t@.socket\"\n"
                        "service:\n"
                        "  # convert: t@.service:2: ExecStart=/bin/echo %I: %I left as written: "
                        "systemd fills it in when it runs the unit\n"
                        "  exec:\n"
                        "    - \"/bin/echo\"\n"
                        "    - \"%I\"\n",
        },
        {
                .what = "ExecStart quoting: quotes, escapes, \\; and ; between command lines",
                .socket_name = "q.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n",
                .service_name = "q.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/sh -c 'echo \"a b\"' \"it's\" x\"y z\"w "
                           "\\x41\\t\\101\\u00e9 \\; one\\;two \\q ; /bin/false\n",
                .yaml = "# sockjail spec converted from q.socket and q.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  q:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"q.socket\"\n"
                        "service:\n"
                        "  # convert: q.service:2: ExecStart=/bin/sh -c 'echo \"a b\"' \"it's\" "
                        "x\"y z\"w \\...: unknown escape sequences kept as written, as systemd "
                        "keeps them\n"
                        "  exec:\n"
                        "    - \"/bin/sh\"\n"
                        "    - \"-c\"\n"
                        "    - \"echo \\\"a b\\\"\"\n"
                        "    - \"it's\"\n"
                        "    - \"xy zw\"\n"
                        "    - \"A\\tAé\"\n"
                        "    - \";\"\n"
                        "    - \"one\\\\;two\"\n"
                        "    - \"\\\\q\"\n"
                        "  # convert: q.service:2: ExecStart=/bin/sh -c 'echo \"a b\"' \"it's\" "
                        "x\"y z\"w \\...: sockjail runs one command: command line 2 left out\n",
        },
        {
                .what = "ExecStart prefixes: - @ + ! and : (no $ substitution), $$ and variables",
                .socket_name = "p.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n",
                .service_name = "p.service",
                .service = "[Service]\n"
                           "ExecStart=-@/bin/prog name arg $$1 ${X} $Y $Y/z\n",
                .yaml = "# sockjail spec converted from p.socket and p.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  p:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"p.socket\"\n"
                        "service:\n"
                        "  # convert: p.service:2: ExecStart=-@/bin/prog name arg $$1 ${X} $Y "
                        "$Y/z: the '@' prefix is not supported: the program gets its own path as "
                        "argv[0], not 'name'\n"
                        "  # convert: p.service:2: ExecStart=-@/bin/prog name arg $$1 ${X} $Y "
                        "$Y/z: the '-' prefix (a failure counts as success) is not supported: "
                        "sockjail exits with the service's status\n"
                        "  # convert: p.service:2: ExecStart=-@/bin/prog name arg $$1 ${X} $Y "
                        "$Y/z: sockjail does not substitute variables: '${X}' kept as written\n"
                        "  # convert: p.service:2: ExecStart=-@/bin/prog name arg $$1 ${X} $Y "
                        "$Y/z: sockjail does not substitute variables: '$Y' kept as written\n"
                        "  exec:\n"
                        "    - \"/bin/prog\"\n"
                        "    - \"arg\"\n"
                        "    - \"$1\"\n"
                        "    - \"${X}\"\n"
                        "    - \"$Y\"\n"
                        "    - \"$Y/z\"\n",
        },
        {
                .what = "the : prefix keeps $$ and variables as written, silently",
                .socket_name = "p.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n",
                .service_name = "p.service",
                .service = "[Service]\n"
                           "ExecStart=:+/bin/prog $$ ${X} $Y\n",
                .yaml = "# sockjail spec converted from p.socket and p.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  p:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"p.socket\"\n"
                        "service:\n"
                        "  # convert: p.service:2: ExecStart=:+/bin/prog $$ ${X} $Y: the '+' "
                        "prefix (full privileges) is not supported: the command runs sandboxed\n"
                        "  exec:\n"
                        "    - \"/bin/prog\"\n"
                        "    - \"$$\"\n"
                        "    - \"${X}\"\n"
                        "    - \"$Y\"\n",
        },
        {
                .what = "an unbalanced quote: systemd ignores the line, so the exec is missing",
                .socket_name = "u.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n",
                .service_name = "u.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/echo \"oops\n"
                           "User=nobody\n",
                .yaml = "# sockjail spec converted from u.socket and u.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  u:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"u.socket\"\n"
                        "# service:\n"
                        "  # convert: u.service:2: ExecStart=/bin/echo \"oops: unbalanced quoting: "
                        "systemd ignores this line, and so does the spec\n"
                        "  # convert: no ExecStart= in u.service: write the command as exec\n"
                        "  # exec: [/path/to/program, args]\n"
                        "policy:\n"
                        "  user: \"nobody\"\n",
        },
        {
                .what = "unknown keys, [Unit], [Install], other sections and bad lines become "
                        "comments",
                .socket_name = "k.socket",
                .socket = "Early=1\n"
                          "[Unit]\n"
                          "Description=K\n"
                          "[Socket]\n"
                          "ListenStream=80\n"
                          "ListenStreem=81\n"
                          "junk\n"
                          "[Install]\n"
                          "WantedBy=sockets.target\n"
                          "[X-Extra]\n"
                          "A=b\n"
                          "[Broken\n"
                          "KeepAlive=yes\n",
                .service_name = "k.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/true\n"
                           "Frobnicate=yes\n"
                           "[Socket]\n"
                           "ListenStream=9\n",
                .yaml = "# sockjail spec converted from k.socket and k.service by sockjail "
                        "convert\n"
                        "# convert: k.socket:1: 'Early=1': an assignment outside any valid "
                        "[Section]: ignored\n"
                        "# convert: k.socket:3: Description=K: [Unit] settings (dependencies, "
                        "ordering, conditions) have no sockjail equivalent\n"
                        "# convert: k.socket:7: 'junk': not a Key=Value line: ignored\n"
                        "# convert: k.socket:9: WantedBy=sockets.target: [Install] settings have "
                        "no sockjail equivalent: nothing is enabled\n"
                        "# convert: k.socket:11: A=b: section [X-Extra] is not read in a .socket "
                        "file\n"
                        "# convert: k.socket:12: '[Broken': not a valid [Section] header: ignored\n"
                        "# convert: k.socket:13: 'KeepAlive=yes': an assignment outside any valid "
                        "[Section]: ignored\n"
                        "# convert: k.service:5: ListenStream=9: section [Socket] is not read in a "
                        ".service file\n"
                        "sockets:\n"
                        "  k:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: k.socket:6: ListenStreem=81: not a directive sockjail "
                        "knows: not carried over\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"k.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/true\"\n"
                        "  # convert: k.service:3: Frobnicate=yes: not a directive sockjail knows: "
                        "not carried over\n",
        },
        {
                .what = "[Socket] directives carry over, but Service= and ListenUSBFunction=; "
                        "[Service] ones not supported yet are comments, the last Type= and "
                        "Restart= win",
                .socket_name = "l.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n"
                          "ListenFIFO=/run/f\n"
                          "ListenNetlink=route 1\n"
                          "Accept=no\n"
                          "IPTOS=low-delay\n"
                          "MaxConnectionsPerSource=5\n"
                          "Symlinks=/run/l1 /run/l2\n"
                          "Symlinks=\n"
                          "Symlinks=/run/l3\n"
                          "ListenUSBFunction=/dev/ffs\n"
                          "Service=other.service\n",
                .service_name = "other.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/true\n"
                           "Type=simple\n"
                           "Type=notify\n"
                           "Restart=no\n"
                           "Restart=always\n"
                           "ExecReload=/bin/kill -HUP $MAINPID\n"
                           "RootImage=/srv/img.raw\n"
                           "DynamicUser=yes\n",
                .yaml = "# sockjail spec converted from l.socket and other.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  l:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    listen_fifo:\n"
                        "      - \"/run/f\"\n"
                        "    listen_netlink:\n"
                        "      - \"route 1\"\n"
                        "    accept: \"no\"\n"
                        "    ip_tos: \"low-delay\"\n"
                        "    max_connections_per_source: \"5\"\n"
                        "    symlinks:\n"
                        "      - \"/run/l3\"\n"
                        "    # convert: l.socket:11: ListenUSBFunction=/dev/ffs: not carried over: "
                        "sockjail refuses it: it needs a FunctionFS mount and "
                        "USBFunctionDescriptors=\n"
                        "    # convert: l.socket:12: Service=other.service: not carried over: "
                        "names the service unit, which the spec's service section is\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"l.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/true\"\n"
                        "  type: \"notify\"\n"
                        "  restart: \"always\"\n"
                        "  # convert: other.service:7: ExecReload=/bin/kill -HUP $MAINPID: not "
                        "carried over: sockjail has no reload; send the service a signal instead\n"
                        "# sandbox:\n"
                        "  # convert: other.service:8: RootImage=/srv/img.raw: not supported by "
                        "sockjail yet (root_image)\n"
                        "# policy:\n"
                        "  # convert: other.service:9: DynamicUser=yes: not supported by sockjail "
                        "yet (dynamic_user)\n",
        },
        {
                .what = "a socket's own commands keep their prefixes and are quoted again for the "
                        "spec's simpler splitting",
                .socket_name = "h.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n"
                          "ExecStartPre=-/bin/mkdir -p \"/run/a b\" %t/%p\n"
                          "ExecStartPre=/bin/sh -c 'echo \"hi\" it'\"'\"'s' ; /bin/true ''\n"
                          "ExecStartPost=@/bin/prog name $$x ${Y}\n"
                          "ExecStopPost=/bin/a\n"
                          "ExecStopPost=\n"
                          "ExecStopPost=/bin/b\n"
                          "ExecStopPre=@/bin/lonely\n"
                          "TimeoutSec=5s\n",
                .service_name = "h.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/true\n",
                .yaml = "# sockjail spec converted from h.socket and h.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  h:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    exec_start_pre:\n"
                        "      - \"-/bin/mkdir -p \\\"/run/a b\\\" /run/h\"\n"
                        "      - \"/bin/sh -c \\\"echo \\\"'\\\"'\\\"hi\\\"'\\\"'\\\" it's\\\"\"\n"
                        "      - \"/bin/true \\\"\\\"\"\n"
                        "    # convert: h.socket:5: ExecStartPost=@/bin/prog name $$x ${Y}: "
                        "sockjail does not substitute variables: '${Y}' kept as written\n"
                        "    exec_start_post:\n"
                        "      - \"@/bin/prog name $x ${Y}\"\n"
                        "    exec_stop_post:\n"
                        "      - \"/bin/b\"\n"
                        "    # convert: h.socket:9: ExecStopPre=@/bin/lonely: '@' needs the "
                        "program and then argv[0]: left out\n"
                        "    timeout_sec: \"5s\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"h.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/true\"\n",
        },
        {
                .what = "sandbox and policy keys; values sockjail cannot take stay out",
                .socket_name = "s.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n",
                .service_name = "s.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/true\n"
                           "User=nobody\n"
                           "Group=nogroup\n"
                           "PrivateNetwork=yes\n"
                           "PrivateTmp=no\n"
                           "ProtectHostname=yes\n"
                           "ProtectSystem=strict\n"
                           "ReadOnlyPaths=/a -/b\n"
                           "ReadOnlyPaths=\n"
                           "ReadOnlyPaths=/c \"/d e\"\n"
                           "WorkingDirectory=-/srv\n"
                           "NoNewPrivileges=yes\n"
                           "RestrictNamespaces=yes\n"
                           "RestrictNamespaces=net ipc\n"
                           "LockPersonality=yes\n"
                           "SystemCallErrorNumber=EPERM\n"
                           "StandardInput=socket\n"
                           "StandardOutput=journal+console\n"
                           "StandardOutput=inherit\n",
                .yaml = "# sockjail spec converted from s.socket and s.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  s:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"s.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/true\"\n"
                        "  standard_input: \"socket\"\n"
                        "  # convert: s.service:19: StandardOutput=journal+console: sockjail's "
                        "standard_output takes inherit|null|socket|journal: not carried over\n"
                        "  standard_output: \"inherit\"\n"
                        "sandbox:\n"
                        "  private_network: \"yes\"\n"
                        "  private_tmp: \"no\"\n"
                        "  protect_hostname: \"yes\"\n"
                        "  protect_system: \"strict\"\n"
                        "  read_only_paths:\n"
                        "    - \"/c\"\n"
                        "    - \"/d e\"\n"
                        "  working_directory: \"-/srv\"\n"
                        "policy:\n"
                        "  user: \"nobody\"\n"
                        "  group: \"nogroup\"\n"
                        "  no_new_privileges: \"yes\"\n"
                        "  restrict_namespaces: \"net ipc\"\n"
                        "  lock_personality: \"yes\"\n"
                        "  system_call_error_number: \"EPERM\"\n",
        },
        {
                .what = "YAML quoting: quotes, backslashes, tabs, UTF-8 and a name that needs "
                        "quotes",
                .socket_name = "a b:c.socket",
                .socket = "[Socket]\n"
                          "ListenStream=/run/\"q\" \\\\ x\tz é\n",
                .service_name = "a b:c.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/echo \"tab\\there\" 'q\"' é\n",
                .yaml = "# sockjail spec converted from a b:c.socket and a b:c.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  a_b_c:\n"
                        "    listen_stream:\n"
                        "      - \"/run/\\\"q\\\" \\\\\\\\ x\\tz é\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"a_b_c.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/echo\"\n"
                        "    - \"tab\\there\"\n"
                        "    - \"q\\\"\"\n"
                        "    - \"é\"\n",
        },
        {
                .what = "no service unit: exec is left as a comment",
                .socket_name = "alone.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n"
                          "Service=gone.service\n",
                .yaml = "# sockjail spec converted from alone.socket by sockjail convert\n"
                        "sockets:\n"
                        "  alone:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: alone.socket:3: Service=gone.service: not carried over: "
                        "names the service unit, which the spec's service section is\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"alone.socket\"\n"
                        "# service:\n"
                        "  # convert: no ExecStart=: gone.service was not found next to "
                        "alone.socket; write the command as exec\n"
                        "  # exec: [/path/to/program, args]\n",
        },
        {
                .what = "a service without ExecStart",
                .socket_name = "n.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n",
                .service_name = "n.service",
                .service = "[Service]\n"
                           "User=nobody\n",
                .yaml = "# sockjail spec converted from n.socket and n.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  n:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"n.socket\"\n"
                        "# service:\n"
                        "  # convert: no ExecStart= in n.service: write the command as exec\n"
                        "  # exec: [/path/to/program, args]\n"
                        "policy:\n"
                        "  user: \"nobody\"\n",
        },
        {
                .what = "only comments in a section: its header is a comment too",
                .socket_name = "o.socket",
                .socket = "[Socket]\n"
                          "ListenUSBFunction=/dev/ffs\n",
                .service_name = "o.service",
                .service = "[Service]\n"
                           "RootImage=/srv/img.raw\n",
                .yaml = "# sockjail spec converted from o.socket and o.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  o:\n"
                        "    # convert: o.socket:2: ListenUSBFunction=/dev/ffs: not carried over: "
                        "sockjail refuses it: it needs a FunctionFS mount and "
                        "USBFunctionDescriptors=\n"
                        "    # convert: nothing to listen on is left: a socket needs a listen_* "
                        "key\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"o.socket\"\n"
                        "# service:\n"
                        "  # convert: no ExecStart= in o.service: write the command as exec\n"
                        "  # exec: [/path/to/program, args]\n"
                        "# sandbox:\n"
                        "  # convert: o.service:2: RootImage=/srv/img.raw: not supported by "
                        "sockjail yet (root_image)\n",
        },
        {
                .what = "several command lines in one ExecStart=, an empty one, and a second "
                        "ExecStart=",
                .socket_name = "e.socket",
                .socket = "[Socket]\n"
                          "ListenStream=80\n",
                .service_name = "e.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/a ; ; /bin/b ;\n"
                           "ExecStart=/bin/c\n",
                .yaml = "# sockjail spec converted from e.socket and e.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  e:\n"
                        "    listen_stream:\n"
                        "      - \"80\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"e.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/a\"\n"
                        "  # convert: e.service:2: ExecStart=/bin/a ; ; /bin/b ;: an empty command "
                        "line: left out\n"
                        "  # convert: e.service:2: ExecStart=/bin/a ; ; /bin/b ;: sockjail runs "
                        "one command: command line 2 left out\n"
                        "  # convert: e.service:3: ExecStart=/bin/c: sockjail runs one command: "
                        "command line 3 left out\n",
        },
        {
                .what = "an empty Listen*= clears every Listen* directive; interleaved kinds "
                        "change the fd order",
                .socket_name = "i.socket",
                .socket = "[Socket]\n"
                          "ListenStream=1\n"
                          "ListenDatagram=2\n"
                          "ListenStream=\n"
                          "ListenStream=3\n"
                          "ListenDatagram=4\n"
                          "ListenStream=5\n"
                          "ListenStream=6\n",
                .service_name = "i.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/true\n",
                .yaml = "# sockjail spec converted from i.socket and i.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  i:\n"
                        "    listen_stream:\n"
                        "      - \"3\"\n"
                        "      - \"5\"\n"
                        "      - \"6\"\n"
                        "    listen_datagram:\n"
                        "      - \"4\"\n"
                        "    # convert: i.socket:7: ListenStream=5: the spec passes the fds key by "
                        "key: this one comes before those of listen_datagram, unlike under "
                        "systemd\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"i.socket\"\n"
                        "service:\n"
                        "  exec:\n"
                        "    - \"/bin/true\"\n",
        },
        {
                .what = "what YAML cannot hold: line breaks and C1 controls are escaped, control "
                        "bytes in comments become ?, a value that is not UTF-8 stays out",
                .socket_name = "y.socket",
                .socket = "[Socket]\n"
                          "ListenStream=/run/a\342\200\250b\n"
                          "ListenStream=/run/c\302\205d\302\233\n"
                          "Ba\001d=1\n"
                          "Symlinks=/run/é\n",
                .service_name = "y.service",
                .service = "[Service]\n"
                           "ExecStart=/bin/echo \\xff\n"
                           "Environment=A=\\u2029\n",
                .yaml = "# sockjail spec converted from y.socket and y.service by sockjail "
                        "convert\n"
                        "sockets:\n"
                        "  y:\n"
                        "    listen_stream:\n"
                        "      - \"/run/a\\u2028b\"\n"
                        "      - \"/run/c\\x85d\\x9b\"\n"
                        "    # convert: y.socket:4: Ba?d=1: not a directive sockjail knows: not "
                        "carried over\n"
                        "    symlinks:\n"
                        "      - \"/run/é\"\n"
                        "    # convert: systemd names the fds after the unit when "
                        "FileDescriptorName= is not set\n"
                        "    file_descriptor_name: \"y.socket\"\n"
                        "service:\n"
                        "  # convert: exec: a value is not UTF-8 text, which YAML cannot hold: not "
                        "carried over\n"
                        "  environment:\n"
                        "    - \"A=\\u2029\"\n"
                        "  # exec: [/path/to/program, args]\n",
        },
};

static void test_units_convert_to_exact_yaml(void **state)
{
        size_t failed = 0;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const struct row *w = &rows[i];
                struct conv_file sf = {w->socket_name, w->socket, strlen(w->socket)};
                struct conv_file vf = {w->service_name, w->service,
                                       w->service ? strlen(w->service) : 0};
                char *yaml = NULL;
                int r = conv_units(&sf, w->service ? &vf : NULL, &yaml);

                if (r < 0 || strcmp(yaml, w->yaml) != 0) {
                        print_error("row %zu (%s): r=%d\n---- got:\n%s---- want:\n%s", i, w->what,
                                    r, yaml ?: "", w->yaml);
                        failed++;
                }
                free(yaml);
        }
        assert_int_equal(failed, 0);
}

static const char *const sections[] = {
        [CONV_SOCKETS] = "sockets",
        [CONV_SERVICE] = "service",
        [CONV_SANDBOX] = "sandbox",
        [CONV_POLICY] = "policy",
};

/* A spec with only key (and the socket it needs), as spec_load_string reads it. */
static int load_key(const struct conv_directive *d, const char *value, char *msg, size_t size)
{
        struct spec_error err = {{0}};
        char text[512];
        struct spec s;
        int r;

        if (d->target == CONV_SOCKETS)
                snprintf(text, sizeof(text), "sockets:\n  s:\n    %s: %s\n", d->key, value);
        else
                snprintf(text, sizeof(text), "%s:\n  %s: %s\n", sections[d->target], d->key, value);
        assert_int_equal(spec_init(&s), 0);
        r = spec_load_string(&s, "t.yaml", text, strlen(text), &err);
        snprintf(msg, size, "%s", err.message);
        spec_done(&s);
        return r;
}

/* Every key convert writes is one spec.c knows and supports: a value may be
 * refused ("x" is no address), the key never is. */
static void test_every_key_convert_writes_is_in_spec_tables(void **state)
{
        size_t n, failed = 0, checked = 0;
        const struct conv_directive *d = conv_directives(&n);

        (void)state;
        for (size_t i = 0; i < n; i++) {
                char msg[512];

                if (d[i].status != CONV_KEY)
                        continue;
                checked++;
                if (load_key(&d[i], "x", msg, sizeof(msg)) < 0 &&
                    (strstr(msg, "unknown key") || strstr(msg, "not supported by this sockjail") ||
                     strstr(msg, "unknown section"))) {
                        print_error("%s= -> %s.%s: %s\n", d[i].name, sections[d[i].target],
                                    d[i].key, msg);
                        failed++;
                }
        }
        assert_int_equal(failed, 0);
        assert_true(checked >= 30);
}

/* Every directive convert calls "not supported yet" is in a *_later table of
 * spec.c: when spec.c implements one, this fails until convert carries it. */
static void test_every_later_directive_is_later_in_spec(void **state)
{
        size_t n, failed = 0, checked = 0;
        const struct conv_directive *d = conv_directives(&n);

        (void)state;
        for (size_t i = 0; i < n; i++) {
                char msg[512], want[512], where[64];

                if (d[i].status != CONV_LATER)
                        continue;
                checked++;
                snprintf(where, sizeof(where), "%s",
                         d[i].target == CONV_SOCKETS ? "socket 's'" : sections[d[i].target]);
                snprintf(want, sizeof(want),
                         "t.yaml:%d:%d: '%s' in %s is not supported by this sockjail yet",
                         d[i].target == CONV_SOCKETS ? 3 : 2, d[i].target == CONV_SOCKETS ? 5 : 3,
                         d[i].key, where);
                if (load_key(&d[i], "x", msg, sizeof(msg)) >= 0 || !streq(msg, want)) {
                        print_error("%s= -> %s: got '%s'\n", d[i].name, d[i].key, msg);
                        failed++;
                }
        }
        assert_int_equal(failed, 0);
        assert_true(checked >= 10);
}

/* One row per directive, each with a spec key or a reason. */
static void test_directive_table_is_consistent(void **state)
{
        size_t n;
        const struct conv_directive *d = conv_directives(&n);

        (void)state;
        for (size_t i = 0; i < n; i++) {
                if (d[i].status != CONV_NONE)
                        assert_non_null(d[i].key);
                else
                        assert_non_null(d[i].why);
                assert_true(streq(d[i].section, "Socket") || streq(d[i].section, "Service"));
                for (size_t j = i + 1; j < n; j++)
                        assert_false(streq(d[i].section, d[j].section) &&
                                     streq(d[i].name, d[j].name));
        }
}

/* A unit using every key convert carries becomes a spec that loads and
 * passes spec_finish, as sockjail check and run read it. */
static void test_converted_units_make_a_valid_spec(void **state)
{
        static const char sock[] = "[Socket]\n"
                                   "ListenStream=127.0.0.1:0\nListenDatagram=127.0.0.1:0\n"
                                   "ListenSequentialPacket=@sockjail-test-convert\n"
                                   "Backlog=5\nReusePort=yes\nFreeBind=yes\nNoDelay=yes\n"
                                   "KeepAlive=yes\nBindIPv6Only=both\nFileDescriptorName=x\n"
                                   "SocketUser=root\nSocketGroup=root\nSocketMode=0600\n"
                                   "DirectoryMode=0700\nRemoveOnStop=yes\n"
                                   "ExecStartPre=-/bin/true 'say \"hi\"' \"it's\" '' a\\tb\n";
        struct passwd *pw = getpwuid(geteuid());
        struct group *gr = getgrgid(getegid());
        struct spec_error err = {{0}};
        char svc[1024], *yaml = NULL;
        struct spec s;

        (void)state;
        assert_non_null(pw);
        assert_non_null(gr);
        snprintf(svc, sizeof(svc),
                 "[Service]\nExecStart=/bin/true -x 'a b'\nEnvironment=A=1 \"B=2 3\"\n"
                 "StandardInput=null\nStandardOutput=journal\nPrivateNetwork=yes\n"
                 "PrivateMounts=yes\nPrivateIPC=yes\nPrivateTmp=yes\nPrivateUsers=no\n"
                 "ProtectHostname=yes\nUser=%s\nGroup=%s\nNoNewPrivileges=yes\n"
                 "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"
                 "RestrictAddressFamilies=AF_UNIX AF_INET\nRestrictNamespaces=yes\n"
                 "LockPersonality=yes\nSystemCallFilter=@system-service\n"
                 "SystemCallErrorNumber=EPERM\n",
                 pw->pw_name, gr->gr_name);
        assert_int_equal(conv_units(&(struct conv_file){"web.socket", sock, strlen(sock)},
                                    &(struct conv_file){"web.service", svc, strlen(svc)}, &yaml),
                         0);
        assert_null(strstr(yaml, "# convert:"));
        assert_int_equal(spec_init(&s), 0);
        if (spec_load_string(&s, "web.yaml", yaml, strlen(yaml), &err) < 0 ||
            spec_finish(&s, &err) < 0)
                fail_msg("%s\n%s", err.message, yaml);
        assert_int_equal(s.n_sockets, 1);
        assert_string_equal(s.sockets[0].fdname, "x");
        assert_int_equal(s.sockets[0].n_listens, 3);
        assert_string_equal(s.service.exec[2], "a b");
        assert_string_equal(s.service.environment[1], "B=2 3");
        assert_int_equal(s.pol.n_system_call_filter, 1);
        /* the hook's words, quoted again for spec.c's splitting, come back as systemd's */
        assert_int_equal(s.sockets[0].exec[SPEC_EXEC_START_PRE].n, 1);
        assert_true(s.sockets[0].exec[SPEC_EXEC_START_PRE].v[0].ignore_failure);
        assert_string_equal(s.sockets[0].exec[SPEC_EXEC_START_PRE].v[0].argv[1], "say \"hi\"");
        assert_string_equal(s.sockets[0].exec[SPEC_EXEC_START_PRE].v[0].argv[2], "it's");
        assert_string_equal(s.sockets[0].exec[SPEC_EXEC_START_PRE].v[0].argv[3], "");
        assert_string_equal(s.sockets[0].exec[SPEC_EXEC_START_PRE].v[0].argv[4], "a\tb");
        spec_done(&s);
        free(yaml);
}

static void write_file(const char *dir, const char *name, const char *text)
{
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static int convert_in(const char *dir, const char *socket, const char *service, char **yaml,
                      char **failed)
{
        char sp[512], vp[512];

        snprintf(sp, sizeof(sp), "%s/%s", dir, socket);
        snprintf(vp, sizeof(vp), "%s/%s", dir, service ?: "");
        *yaml = *failed = NULL;
        return conv_paths(sp, service ? vp : NULL, yaml, failed);
}

/* The service is found next to the socket, by Service= or by name; a file
 * that cannot be read is the only failure, and names itself. */
static void test_files_and_the_service_beside(void **state)
{
        char dir[] = "/tmp/sockjail-test-convert.XXXXXX", want[600], *yaml, *failed;

        (void)state;
        assert_non_null(mkdtemp(dir));
        write_file(dir, "a.socket", "[Socket]\nListenStream=80\n");
        write_file(dir, "a.service", "[Service]\nExecStart=/bin/a\n");
        write_file(dir, "b.socket", "[Socket]\nListenStream=80\nService=other.service\n");
        write_file(dir, "other.service", "[Service]\nExecStart=/bin/other\n");
        write_file(dir, "c.socket", "[Socket]\nListenStream=80\n");

        assert_int_equal(convert_in(dir, "a.socket", NULL, &yaml, &failed), 0);
        assert_non_null(strstr(yaml, "    - \"/bin/a\"\n"));
        free(yaml);
        assert_int_equal(convert_in(dir, "b.socket", NULL, &yaml, &failed), 0);
        assert_non_null(strstr(yaml, "    - \"/bin/other\"\n"));
        free(yaml);
        assert_int_equal(convert_in(dir, "c.socket", NULL, &yaml, &failed), 0);
        assert_non_null(strstr(yaml, "c.service was not found next to c.socket"));
        free(yaml);
        assert_int_equal(convert_in(dir, "c.socket", "other.service", &yaml, &failed), 0);
        assert_non_null(strstr(yaml, "    - \"/bin/other\"\n"));
        free(yaml);

        assert_int_equal(convert_in(dir, "none.socket", NULL, &yaml, &failed), -ENOENT);
        snprintf(want, sizeof(want), "%s/none.socket", dir);
        assert_string_equal(failed, want);
        assert_null(yaml);
        free(failed);
        assert_int_equal(convert_in(dir, "c.socket", "none.service", &yaml, &failed), -ENOENT);
        snprintf(want, sizeof(want), "%s/none.service", dir);
        assert_string_equal(failed, want);
        free(failed);
        assert_int_equal(convert_in(dir, "", NULL, &yaml, &failed), -EISDIR);
        free(failed);

        for (const char *const *f = (const char *const[]){"a.socket", "a.service", "b.socket",
                                                          "other.service", "c.socket", NULL};
             *f; f++) {
                char path[600];

                snprintf(path, sizeof(path), "%s/%s", dir, *f);
                assert_int_equal(unlink(path), 0);
        }
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_units_convert_to_exact_yaml),
                cmocka_unit_test(test_every_key_convert_writes_is_in_spec_tables),
                cmocka_unit_test(test_every_later_directive_is_later_in_spec),
                cmocka_unit_test(test_directive_table_is_consistent),
                cmocka_unit_test(test_converted_units_make_a_valid_spec),
                cmocka_unit_test(test_files_and_the_service_beside),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
