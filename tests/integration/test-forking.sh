#!/bin/sh
# type: forking. The first process starts a daemon and exits 0; the sandbox's
# init adopts the daemon as the main process: it serves, it is ready then,
# signals reach it, and its exit is the service's.
. "$(dirname "$0")/lib.sh"

sandbox_visible "$PROBE"
SPROBE=$visible

port=$(free_port)
cat >"$T/fork.yaml" <<EOF2
sockets:
  web:
    listen_stream: 127.0.0.1:$port
service:
  exec: [/bin/sh, -c, "$SPROBE serve --count 1 & exit 0"]
  type: forking
  start: immediate
EOF2
start fork "$SOCKJAIL" run --ready-fd 3 "$T/fork.yaml" 3>"$T/fork.ready"
sj=$pid
check "forking: the ready line comes once the parent is gone" \
        until_ok 5 grep -q '"event":"ready","type":"forking"' "$T/fork.ready"
"$CLIENT" "127.0.0.1:$port" >"$T/fork.r" 2>&1
expect "forking: the daemon serves on the passed socket" "$?" 0
expect "forking: the daemon got the socket as fd 3" "$(key "$T/fork.r" fd.3.addr)" "127.0.0.1:$port"
finish "$sj" 10
expect "forking: the daemon's exit ends the service with its status" "$rc" 0
check "forking: the adoption is logged" grep -q "service forked: main process is pid" "$T/fork.err"

# Signals and the stop go to the daemon, not to the parent that is gone.
cat >"$T/sleep.yaml" <<EOF2
service:
  exec: [/bin/sh, -c, "$SPROBE sleep & exit 0"]
  type: forking
  start: immediate
EOF2
start sleep "$SOCKJAIL" run "$T/sleep.yaml"
sj=$pid
until_ok 5 grep -q ready "$T/sleep.out"
until_ok 5 grep -q "service forked" "$T/sleep.err"
kill -TERM "$sj"
finish "$sj" 10
expect "forking: SIGTERM stops the daemon (143)" "$rc" 143

# A parent that fails is the service failing: nothing is adopted.
cat >"$T/fail.yaml" <<EOF2
service:
  exec: [/bin/sh, -c, "$SPROBE sleep & exit 3"]
  type: forking
  start: immediate
EOF2
start fail "$SOCKJAIL" run "$T/fail.yaml"
finish "$pid" 10
expect "forking: a parent exiting 3 ends the service with 3" "$rc" 3
check "forking: and nothing was adopted" test -z "$(grep "service forked" "$T/fail.err")"
