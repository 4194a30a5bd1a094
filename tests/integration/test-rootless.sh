#!/bin/sh
# Rootless: the main cases again as uid 65534. sockjail makes the sockets as
# that user, then a user namespace (the caller mapped to itself, or to root
# inside with private_users) and the same sandbox in it.
. "$(dirname "$0")/lib.sh"

# A command word, not a function: "start" must get sockjail's own pid
# (setpriv execs it), or a signal would hit a subshell instead.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
as_nobody() { $NOBODY "$@"; }

# The programs, where uid 65534 can reach them whatever the checkout's modes.
B=$T/bin
mkdir -m 0755 "$B" && cp "$PROBE" "$B/probe" && chmod 0755 "$B/probe"
W=$T/w
mkdir -m 1777 "$W"
port=$(free_port)

cat >"$T/rl.yaml" <<EOF
sockets:
  web:
    listen_stream: 127.0.0.1:$port
  admin:
    listen_stream: $W/admin.sock
    remove_on_stop: yes
service:
  exec: [$B/probe, serve, --count, "2"]
EOF
start rl $NOBODY "$SOCKJAIL" run "$T/rl.yaml"
sj=$pid
check "rootless: the unix socket appears" until_ok 5 test -S "$W/admin.sock"
expect "rootless: the socket file belongs to the caller" "$(stat -c %u "$W/admin.sock")" 65534
"$CLIENT" "127.0.0.1:$port" >"$T/rl.r" 2>&1
expect "rootless: a TCP client reaches the service" "$?" 0
"$CLIENT" "$W/admin.sock" >"$T/rl.u" 2>&1
expect "rootless: a unix client reaches the service" "$?" 0
finish "$sj" 10
expect "rootless: sockjail exits with the service's status" "$rc" 0
check "rootless: remove_on_stop removed the socket file" test ! -e "$W/admin.sock"
r=$T/rl.r
expect "rootless: the service runs as the caller" "$(key "$r" uid)" 65534
check "rootless: in a user namespace of its own" \
        test "$(key "$r" ns.user)" != "$(readlink /proc/self/ns/user)"
expect "rootless: pid 2 under the init" "$(key "$r" pid)" 2
expect "rootless: only fds 0-2 and the sockets" "$(key "$r" fds)" 0,1,2,3,4
expect "rootless: LISTEN_FDNAMES" "$(key "$r" env.LISTEN_FDNAMES)" web:admin
expect "rootless: only lo" "$(key "$r" ifaces)" lo
expect "rootless: no capabilities" "$(key "$r" status.CapEff)" 0000000000000000
expect "rootless: no bounding set" "$(key "$r" status.CapBnd)" 0000000000000000
expect "rootless: NoNewPrivs" "$(key "$r" status.NoNewPrivs)" 1
expect "rootless: seccomp" "$(key "$r" status.Seccomp)" 2
expect "rootless: socket(AF_INET) denied" "$(key "$r" errno.socket_inet)" EAFNOSUPPORT
expect "rootless: private /tmp" "$(key "$r" tmp.files)" 0
expect "rootless: same report over unix" "$(key "$T/rl.u" fd.4.addr)" "$W/admin.sock"

# private_users: the caller is root inside, and still has no capability.
cat >"$T/pu.yaml" <<EOF
sockets:
  a:
    listen_stream: $W/pu.sock
service:
  exec: [$B/probe]
  start: immediate
sandbox:
  private_users: yes
EOF
as_nobody "$SOCKJAIL" run "$T/pu.yaml" >"$T/pu.r" 2>"$T/pu.err"
expect "private_users: runs" "$?" 0
expect "private_users: the caller is root inside" "$(key "$T/pu.r" uid)" 0
expect "private_users: with no capability" "$(key "$T/pu.r" status.CapEff)" 0000000000000000

# A port below net.ipv4.ip_unprivileged_port_start: the error names the sysctl.
low=$(($(cat /proc/sys/net/ipv4/ip_unprivileged_port_start) - 1))
if [ "$low" -ge 1 ]; then
        as_nobody "$SOCKJAIL" run -l "127.0.0.1:$low" -- "$B/probe" >/dev/null 2>"$T/low.err"
        expect "privileged port: exit 1" "$?" 1
        check "privileged port: the bind and errno are named" \
                grep -qx "sockjail: bind 127.0.0.1:$low: Permission denied" "$T/low.err"
        check "privileged port: the sysctl is named" \
                grep -q "net.ipv4.ip_unprivileged_port_start" "$T/low.err"
fi

# Switching to another user needs root: a spec error, before anything exists.
cat >"$T/su.yaml" <<EOF
sockets:
  a:
    listen_stream: $W/su.sock
service:
  exec: [$B/probe]
policy:
  user: root
EOF
as_nobody "$SOCKJAIL" run "$T/su.yaml" >/dev/null 2>"$T/su.err"
expect "user: root as uid 65534: spec error, exit 2" "$?" 2
expect "user: root as uid 65534: says why, where" "$(cat "$T/su.err")" \
        "$T/su.yaml:7:9: switching to another user or group needs root"
check "user: root as uid 65534: no socket file" test ! -e "$W/su.sock"

# Exit status and signals pass through as they do for root.
start ex $NOBODY "$SOCKJAIL" run -l "$W/ex.sock" --now -- "$B/probe" exit 7
finish "$pid" 10
expect "rootless: exit status passes through" "$rc" 7
start sl $NOBODY "$SOCKJAIL" run -l "$W/sl.sock" --now -- "$B/probe" sleep
sj=$pid
until_ok 5 grep -q ready "$T/sl.out"
expect "rootless: the pid signalled is sockjail's" "$(cat /proc/"$sj"/comm)" sockjail
kill -TERM "$sj"
finish "$sj" 10
expect "rootless: SIGTERM stops the service (143)" "$rc" 143
