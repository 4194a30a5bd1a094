#!/bin/sh
# The supervisor under valgrind: no invalid access, no definite or indirect
# leak, on a normal run (on-demand start, three sockets, service exit) and on
# the failure paths (bad spec, address in use). tests/run.sh runs this on the
# plain build only: ASan checks the sanitizer build.
. "$(dirname "$0")/lib.sh"

# One log fd, opened here: a log file valgrind opened inside the sandbox
# would be a writer on its mounts and keep / from becoming read-only.
L=$(mktemp -d /run/sockjail-valgrind.XXXXXX)
# valgrind emulates execveat(AT_EMPTY_PATH) by the fd's path name, which a
# checkout under /tmp would hide: the probe runs from /run here.
chmod 755 "$L"
cp "$PROBE" "$L/probe"
PROBE=$L/probe
trap 'rm -rf "$L"; cleanup' EXIT
vg() {
        timeout -k 5 60 valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
                --errors-for-leak-kinds=definite,indirect --log-fd=9 "$SOCKJAIL" "$@" 9>>"$L/vg.log"
}
# Only valgrind's own reports ("==PID=="), not its note about seccomp(2).
# valgrind 3.19 predates SIOCUNIXFILE (0x89e0, the safe socket-path check) and
# notes it in a three-line warning: a notice about valgrind, not an error of
# ours. Every other "==PID==" line (invalid access, uninitialised use, leaks)
# counts.
vg_report() {
        grep "^==" "$L/vg.log" 2>/dev/null | grep -v -e "noted but unhandled ioctl 0x89e0" \
                -e "This could cause spurious value errors" -e "README_MISSING_SYSCALL_OR_IOCTL"
}
vg_clean() { [ -z "$(vg_report)" ]; }

port=$(free_port)
cat >"$T/vg.yaml" <<EOF
sockets:
  web:
    listen_stream: ["127.0.0.1:$port", "[::1]:$port"]
  admin:
    listen_datagram: $T/vg.sock
    remove_on_stop: yes
service:
  exec: [$PROBE, serve, --count, "1"]
EOF
start run vg run "$T/vg.yaml"
until_ok 20 "$CLIENT" "127.0.0.1:$port" >"$T/vg.r"
finish "$pid" 30
expect "valgrind: on-demand run exits with the service's status" "$rc" 0
check "valgrind: the service answered" grep -q '^env.LISTEN_FDS=3$' "$T/vg.r"
check "valgrind: no errors or leaks on a normal run" vg_clean
vg_report | head -40
: >"$L/vg.log"

# Accept=yes: connections over two sockets, one dropped by max_connections,
# the spawner's channel and counters; SIGTERM ends it.
port=$(free_port)
cat >"$T/acc.yaml" <<EOF
sockets:
  echo:
    listen_stream: ["127.0.0.1:$port", "[::1]:$port"]
    accept: yes
    max_connections: 1
service:
  exec: [$PROBE, serve, --count, "1"]
  standard_input: socket
EOF
start acc vg run "$T/acc.yaml"
check "valgrind: accept: the first instance answers" until_ok 20 "$CLIENT" "127.0.0.1:$port"
check "valgrind: accept: over IPv6 too" until_ok 10 "$CLIENT" "[::1]:$port"
# $pid runs vg(): timeout passes SIGTERM on to valgrind's sockjail
kill -TERM "$(pgrep -x -P "$pid" timeout || echo "$pid")" 2>/dev/null
finish "$pid" 30
expect "valgrind: accept: SIGTERM ends it with status 0" "$rc" 0
check "valgrind: no errors or leaks with accept" vg_clean
vg_report | head -40
: >"$L/vg.log"

printf 'sockets:\n  a:\n    listen_stream: 80\n    backlog: -1\n' >"$T/bad.yaml"
vg run "$T/bad.yaml" 2>/dev/null
expect "valgrind: bad spec exits 2" "$?" 2
port=$(free_port)
hold_port "$port"
vg run -l "$T/x.sock" -l "127.0.0.1:$port" -- "$PROBE" 2>/dev/null
expect "valgrind: address in use exits 1" "$?" 1
check "valgrind: no errors or leaks on the failure paths" vg_clean
vg_report | head -40
