#!/bin/sh
# The three ways a service can receive its sockets: sd_listen_fds (covered in
# test-core), upstart's socket event, inetd style; the shorthand's options;
# on-demand start on a datagram; and what check prints.
. "$(dirname "$0")/lib.sh"

port=$(free_port)

# Upstart: UPSTART_FDS/UPSTART_EVENTS and the socket event's variables.
cat >"$T/up.yaml" <<EOF
sockets:
  web:
    listen_stream: 127.0.0.1:$port
service:
  exec: [$PROBE, serve, --count, "1"]
  upstart_events: yes
  environment: ["GREETING=hello world"]
EOF
start up "$SOCKJAIL" run "$T/up.yaml"
until_ok 5 "$CLIENT" "127.0.0.1:$port" >"$T/up.r"
finish "$pid" 10
r=$T/up.r
expect "upstart: UPSTART_FDS" "$(key "$r" env.UPSTART_FDS)" 3
expect "upstart: UPSTART_EVENTS" "$(key "$r" env.UPSTART_EVENTS)" socket
expect "upstart: PROTO" "$(key "$r" env.PROTO)" inet
expect "upstart: PORT" "$(key "$r" env.PORT)" "$port"
expect "upstart: ADDR" "$(key "$r" env.ADDR)" 127.0.0.1
expect "upstart: LISTEN_FDS still set" "$(key "$r" env.LISTEN_FDS)" 1
expect "environment from the spec" "$(key "$r" env.GREETING)" "hello world"
expect "PATH is systemd's" "$(key "$r" env.PATH)" \
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Inetd style, Accept=no: the socket is stdin, and stdout follows it as with
# systemd's "inherit", unless told otherwise ("journal": sockjail's stdout).
cat >"$T/inetd.yaml" <<EOF
sockets:
  u:
    listen_datagram: $T/inetd.sock
service:
  exec: [$PROBE]
  start: immediate
  standard_input: socket
  standard_output: journal
EOF
"$SOCKJAIL" run "$T/inetd.yaml" >"$T/inetd.r" 2>"$T/inetd.err"
expect "inetd: service ran" "$?" 0
r=$T/inetd.r
expect "inetd: only fds 0-2" "$(key "$r" fds)" "0,1,2"
expect "inetd: stdin is the socket" "$(key "$r" fd.0.addr)" "$T/inetd.sock"
expect "inetd: stdout is sockjail's with journal" "$(key "$r" fd.1.kind)" file
expect "inetd: no LISTEN_FDS" "$(grep -c '^env.LISTEN_' "$r")" 0
# --inetd, datagram: the service reads a datagram from stdin and answers it.
start inetd2 "$SOCKJAIL" run --inetd --datagram -l "127.0.0.1:$port" -- "$PROBE" serve --count 1
sj=$pid
until_ok 5 grep -q ":$(printf '%04X' "$port") " /proc/net/udp
"$CLIENT" --udp "127.0.0.1:$port" --send ping >"$T/inetd2.r" 2>&1
finish "$sj" 10
r=$T/inetd2.r
expect "--inetd: service answered and exited" "$rc" 0
expect "--inetd: only fds 0-2" "$(key "$r" fds)" "0,1,2"
expect "--inetd: stdin is the socket" "$(key "$r" fd.0.addr)" "127.0.0.1:$port"
expect "--inetd: stdout follows stdin" "$(key "$r" fd.1.addr)" "127.0.0.1:$port"
expect "--inetd: no LISTEN_FDS" "$(grep -c '^env.LISTEN_' "$r")" 0

# The shorthand: names, -E from the environment and literal, --now.
GREETING2=from-env "$SOCKJAIL" run --now -l "$T/a.sock" -l "$T/b.sock" --fdname one:two \
        -E GREETING2 -E X=1 -- "$PROBE" >"$T/sh.r" 2>"$T/sh.err"
expect "shorthand runs" "$?" 0
r=$T/sh.r
expect "shorthand: fd names" "$(key "$r" env.LISTEN_FDNAMES)" one:two
expect "shorthand: two fds" "$(key "$r" fds)" 0,1,2,3,4
expect "shorthand: -E VAR takes sockjail's value" "$(key "$r" env.GREETING2)" from-env
expect "shorthand: -E VAR=VAL" "$(key "$r" env.X)" 1
expect "shorthand: stdin is /dev/null" "$(key "$r" fd.0.kind)" chr

# On demand, datagram: the first datagram starts the service, which reads it.
start dg "$SOCKJAIL" run -l "127.0.0.1:$port" --datagram -- "$PROBE" serve --count 1
sj=$pid
until_ok 5 grep -q ":$(printf '%04X' "$port") " /proc/net/udp
check "datagram: nothing runs before traffic" test -z "$(descendants "$sj")"
"$CLIENT" --udp "127.0.0.1:$port" --send ping >"$T/dg.r" 2>&1
finish "$sj" 10
expect "datagram: the first datagram starts the service" "$rc" 0
expect "datagram: the service answered from its socket" "$(key "$T/dg.r" fd.3.type)" dgram

# check prints the plan without starting anything.
"$SOCKJAIL" check "$T/up.yaml" >"$T/check.out" 2>&1
expect "check exits 0" "$?" 0
check "check shows the socket" grep -q "fd 3: stream 127.0.0.1:$port" "$T/check.out"
check "check shows the network" grep -q "network: private (only lo, up)" "$T/check.out"
check "check shows explicitly denied syscalls" grep -Eq "^ +EPERM +add_key$" "$T/check.out"
check "check shows the default action" grep -q "anything not listed: EPERM" "$T/check.out"
check "check shows allowed syscalls" grep -Eq "^ +allow +read$" "$T/check.out"
check "check shows no capabilities" grep -qi "capabilities.*none" "$T/check.out"
