#!/bin/sh
# Readiness and sd_notify: --ready-fd's JSON lines (the port 0 picked, the
# ready line per service.type), libsystemd's sd_notify() from inside the
# default sandbox (READY=1, STATUS=, MAINPID=), notify_access refusing a
# sender, the watchdog's SIGABRT, and the fd store across a restart.
. "$(dirname "$0")/lib.sh"

# json FILE EVENT FIELD: FIELD ("address" of the first socket, "main_pid", ...)
# of the first line of EVENT in FILE.
json() {
        python3 -c 'import json, sys
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    if d["event"] == sys.argv[2]:
        v = d["sockets"][0][sys.argv[3]] if sys.argv[3] in ("name", "fd", "address") else d[sys.argv[3]]
        print(v)
        break' "$1" "$2" "$3" 2>/dev/null
}

# ---- --ready-fd: the listening line with the port the kernel picked ----
cat >"$T/listen.yaml" <<EOF
sockets:
  web:
    listen_stream: 127.0.0.1:0
service:
  exec: [$SDCHECK, serve]
EOF
"$SOCKJAIL" run --ready-fd 3 "$T/listen.yaml" 3>"$T/listen.ready" >"$T/listen.out" \
        2>"$T/listen.err" </dev/null &
sj=$!
PIDS="$PIDS $sj"
check "ready-fd: a listening line" until_ok 5 grep -q '"event":"listening"' "$T/listen.ready"
addr=$(json "$T/listen.ready" listening address)
expect "ready-fd: the socket's name" "$(json "$T/listen.ready" listening name)" web
expect "ready-fd: the socket's fd" "$(json "$T/listen.ready" listening fd)" 3
check "ready-fd: the real port, not 0" test "${addr#127.0.0.1:}" -gt 0
"$CLIENT" "$addr" >"$T/listen.reply" 2>&1
expect "ready-fd: a client reaches the service on that port" "$(head -n 1 "$T/listen.reply")" \
        "sdcheck ok n=1 names=web"
finish "$sj" 10
expect "ready-fd: sockjail exits with the service's status" "$rc" 0
expect "ready-fd: type simple is ready once started" \
        "$(grep -c '"event":"ready","type":"simple"' "$T/listen.ready")" 1
"$SOCKJAIL" run --ready-fd 9 "$T/listen.yaml" >/dev/null 2>"$T/badfd.err"
expect "ready-fd: a closed fd is a usage error" "$?" 2

# ---- type: notify, sd_notify() from inside the default sandbox ----
cat >"$T/notify.yaml" <<EOF
service:
  exec: [$SDCHECK, notify]
  start: immediate
  type: notify
  environment: ["SDCHECK_STATUS=serving 42 clients", "SDCHECK_THEN=exit:0"]
EOF
start notify "$SOCKJAIL" run --print-ready "$T/notify.yaml"
finish "$pid" 10
o=$T/notify.out
expect "notify: sockjail exits with the service's status" "$rc" 0
check "notify: NOTIFY_SOCKET is a path" grep -q '^notify_socket=/' "$o"
expect "notify: sd_notify() reached sockjail" "$(key "$o" notify)" 1
check "notify: STATUS= logged" grep -q 'service status: serving 42 clients' "$T/notify.err"
expect "notify: the ready line" "$(json "$o" ready type)" notify
check "notify: the ready line names the main pid" test "$(json "$o" ready main_pid)" -gt 1
sock=$(key "$o" notify_socket)
check "notify: the runtime directory is gone afterwards" test ! -e "$(dirname "$sock")"
expect "notify: no watchdog unless asked" "$(key "$o" watchdog_enabled)" 0

# ---- notify_access: a child of the service is refused with main, admitted with all ----
cat >"$T/child.yaml" <<EOF
service:
  exec: [$SDCHECK, notify-child]
  start: immediate
  type: notify
  timeout_start_sec: 1s
  environment: [SDCHECK_THEN=sleep:5]
EOF
start child "$SOCKJAIL" run --print-ready "$T/child.yaml"
finish "$pid" 10
check "notify_access main: a child's READY=1 is refused" \
        grep -q 'refused a notification from pid [0-9]* (notify_access main)' "$T/child.err"
expect "notify_access main: never ready" "$(grep -c '"event":"ready"' "$T/child.out")" 0
check "notify_access main: the start times out" grep -q 'did not start within 1s' "$T/child.err"
sed 's/timeout_start_sec: 1s/notify_access: all/; s/sleep:5/exit:0/' "$T/child.yaml" \
        >"$T/child-all.yaml"
start childall "$SOCKJAIL" run --print-ready "$T/child-all.yaml"
finish "$pid" 10
expect "notify_access all: a child's READY=1 counts" "$(json "$T/childall.out" ready type)" notify
check "notify_access all: its STATUS= logged" grep -q 'service status: from-child' \
        "$T/childall.err"

# ---- MAINPID=: the sandbox's init is refused, a child of the service taken ----
cat >"$T/mainpid.yaml" <<EOF
service:
  exec: [$SDCHECK, mainpid]
  start: immediate
  type: notify
EOF
start mainpid "$SOCKJAIL" run -v --print-ready "$T/mainpid.yaml"
finish "$pid" 10
expect "MAINPID: the service exits cleanly" "$rc" 0
check "MAINPID=1 (the init) is refused" grep -q 'MAINPID=1 is no process of the sandbox' \
        "$T/mainpid.err"
check "MAINPID= a child: it may talk as the main process" \
        grep -q 'service status: child-is-main' "$T/mainpid.err"
expect "MAINPID: the new main process's READY=1 counts" "$(json "$T/mainpid.out" ready type)" \
        notify

# ---- watchdog_sec: pings keep it, silence gets SIGABRT ----
cat >"$T/wd.yaml" <<EOF
service:
  exec: [$SDCHECK, notify]
  start: immediate
  type: notify
  watchdog_sec: 500ms
  environment: [SDCHECK_THEN=ping:4]
EOF
start wd "$SOCKJAIL" run "$T/wd.yaml"
finish "$pid" 10
expect "watchdog: WATCHDOG_USEC" "$(key "$T/wd.out" watchdog_usec)" 500000
expect "watchdog: sd_watchdog_enabled() (WATCHDOG_PID is the service's)" \
        "$(key "$T/wd.out" watchdog_enabled)" 1
expect "watchdog: the silent service ends with SIGABRT" "$rc" 134
check "watchdog: the timeout is logged" grep -q 'watchdog timeout' "$T/wd.err"
check "watchdog: not before the pings stopped" \
        test "$(grep -c 'watchdog timeout' "$T/wd.err")" -eq 1
cat >"$T/wdr.yaml" <<EOF
service:
  exec: [$SDCHECK, notify]
  start: immediate
  type: notify
  watchdog_sec: 300ms
  restart: on-watchdog
  start_limit_burst: 2
  environment: [SDCHECK_THEN=ping:0]
EOF
start wdr "$SOCKJAIL" run "$T/wdr.yaml"
finish "$pid" 15
check "watchdog: restart on-watchdog restarts a watchdog failure" \
        grep -q 'service restarts in' "$T/wdr.err"

# ---- the fd store: a memfd stored by one run comes back to the next ----
cat >"$T/store.yaml" <<EOF
sockets:
  web:
    listen_stream: 127.0.0.1:0
service:
  exec: [$SDCHECK, notify]
  start: immediate
  type: notify
  restart: on-failure
  file_descriptor_store_max: 2
  environment: [SDCHECK_STORE=generation-1, SDCHECK_THEN=exit:1]
EOF
start store "$SOCKJAIL" run --ready-fd 3 "$T/store.yaml" 3>"$T/store.ready"
sj=$pid
check "fd store: the second run starts" until_ok 10 grep -q '^restored=generation-1' \
        "$T/store.out"
kill -TERM "$sj" 2>/dev/null
finish "$sj" 10
expect "fd store: FDSTORE=1 accepted" "$(key "$T/store.out" fdstore)" 1
expect "fd store: the stored fd follows the sockets, by its FDNAME" \
        "$(sed -n 's/^names=//p' "$T/store.out" | tail -n 1)" "web:state"
expect "fd store: one ready line per run" "$(grep -c '"event":"ready"' "$T/store.ready")" 2
sed 's/file_descriptor_store_max: 2/file_descriptor_store_max: 0/; s/restart: on-failure/restart: no/' \
        "$T/store.yaml" >"$T/nostore.yaml"
start nostore "$SOCKJAIL" run "$T/nostore.yaml"
finish "$pid" 10
check "fd store: off by default, sent fds are closed" grep -q 'closed 1 fd(s)' "$T/nostore.err"

# ---- rootless: the same READY=1 as uid 65534 ----
B=$T/bin
mkdir -m 0755 "$B" && cp "$SDCHECK" "$B/sdcheck" && chmod 0755 "$B/sdcheck"
sed "s|$SDCHECK|$B/sdcheck|" "$T/notify.yaml" >"$T/rl.yaml"
chmod 0644 "$T/rl.yaml"
start rl env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$SOCKJAIL" run --print-ready "$T/rl.yaml"
finish "$pid" 10
expect "rootless: sockjail exits with the service's status" "$rc" 0
expect "rootless: sd_notify() reached sockjail" "$(key "$T/rl.out" notify)" 1
expect "rootless: the ready line" "$(json "$T/rl.out" ready type)" notify
sock=$(key "$T/rl.out" notify_socket)
check "rootless: the runtime directory is gone afterwards" test ! -e "$(dirname "$sock")"
