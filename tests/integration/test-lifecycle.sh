#!/bin/sh
# The service's life under sockjail (systemd.service(5), systemd.kill(5)):
# restarts under a steady load with no refused connection, going back to
# waiting for traffic, start limits, stop time-outs and SIGKILL of sockjail.
# Loopback only; every process is started with `start` and stopped by its pid.
. "$(dirname "$0")/lib.sh"
# The probe as a shell inside the sandbox can find it by name.
sandbox_visible "$PROBE"
SPROBE=$visible
LOADGEN=$BUILD/tests/loadgen
KILLS=50

# service_pid SJ: the service (the init's first child) of sockjail SJ, or nothing.
service_pid() {
        for i in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
                for c in $(cat /proc/"$i"/task/*/children 2>/dev/null); do
                        echo "$c"
                        return
                done
        done
}

# new_service SJ OLD: wait (5 s at most) for a service other than OLD; print it.
new_service() {
        _t=100
        while [ "$_t" -gt 0 ]; do
                _s=$(service_pid "$1")
                if [ -n "$_s" ] && [ "$_s" != "$2" ] && alive "$_s"; then
                        echo "$_s"
                        return 0
                fi
                sleep 0.05
                _t=$((_t - 1))
        done
        return 1
}

# listen_inode PORT: the inode of the socket listening on 127.0.0.1:PORT.
listen_inode() {
        awk -v a="$(printf '0100007F:%04X' "$1")" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp
}

# ---- restart: always, 50 SIGKILLs under load: nobody refused, everyone answered ----
port=$(free_port)
cat >"$T/always.yaml" <<EOF
sockets:
  web:
    listen_stream: 127.0.0.1:$port
    backlog: 512
service:
  exec: [$LOADGEN, serve]
  restart: always
  restart_sec: 50ms
  start_limit_burst: 1000
EOF
start always "$SOCKJAIL" run "$T/always.yaml"
sj=$pid
until_ok 5 "$CLIENT" "127.0.0.1:$port" --send ping >/dev/null
first=$(new_service "$sj" "")
inode=$(listen_inode "$port")
start load "$LOADGEN" run "127.0.0.1:$port" --clients 4 --seconds 60 --stop-file "$T/stop"
lg=$pid
svc=$first killed=0
while [ "$killed" -lt "$KILLS" ] && [ -n "$svc" ]; do
        sleep 0.1
        kill -KILL "$svc" 2>/dev/null && killed=$((killed + 1))
        svc=$(new_service "$sj" "$svc")
done
sleep 0.3 # the load meets the last instance too
: >"$T/stop"
finish "$lg" 20
echo "load: $KILLS SIGKILLs: $(cat "$T/load.out")"
expect "the service was SIGKILLed $KILLS times" "$killed" "$KILLS"
expect "loadgen: no refused connection, every request answered" "$rc" 0
expect "refused connections" "$(sed -n 's/.*refused=\([0-9]*\).*/\1/p' "$T/load.out")" 0
expect "requests given up" "$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' "$T/load.out")" 0
check "the load made requests" test "$(sed -n 's/^requests=\([0-9]*\).*/\1/p' "$T/load.out")" -gt "$KILLS"
expect "every restart is logged" "$(grep -c '^sockjail: service restarts in 50ms (restart: always' "$T/always.err")" "$KILLS"
expect "every exit is logged" "$(grep -c '^sockjail: service exited with signal 9$' "$T/always.err")" "$KILLS"
check "the listening socket is sockjail's" test -n "$inode" -a -n "$(ls -l /proc/"$sj"/fd | grep "socket:\[$inode\]")"
expect "the listening socket was never made again" "$(listen_inode "$port")" "$inode"
kill -TERM "$sj"
finish "$sj" 10
expect "SIGTERM stops it: the service's status (SIGTERM)" "$rc" 143

# ---- restart: on-failure: a clean exit goes back to waiting for traffic ----
cat >"$T/rearm.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/rearm.sock
service:
  exec: [$PROBE, serve, --count, "1"]
  restart: on-failure
EOF
start rearm "$SOCKJAIL" run "$T/rearm.yaml"
sj=$pid
until_ok 5 test -S "$T/rearm.sock"
check "first connection starts and is answered" sh -c "'$CLIENT' '$T/rearm.sock' | grep -q '^pid=2$'"
until_ok 5 grep -q "waiting for traffic" "$T/rearm.err"
check "the next one starts it again and is answered" \
        sh -c "'$CLIENT' '$T/rearm.sock' | grep -q '^pid=2$'"
until_ok 5 test "$(grep -c 'waiting for traffic' "$T/rearm.err")" -eq 2
expect "two starts, no restart" "$(grep -c 'service started' "$T/rearm.err"):$(grep -c restarts "$T/rearm.err")" "2:0"
kill -TERM "$sj"
finish "$sj" 10
expect "SIGTERM while waiting for traffic exits 0" "$rc" 0

# ---- flush_pending: the queued connections go when the service ends ----
cat >"$T/flush.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/flush.sock
    flush_pending: yes
service:
  exec: [$PROBE, sleep]
  restart: on-failure
EOF
start flush "$SOCKJAIL" run "$T/flush.yaml"
sj=$pid
until_ok 5 test -S "$T/flush.sock"
start flushc "$CLIENT" "$T/flush.sock" --timeout 10
fc=$pid
svc=$(new_service "$sj" "")
kill -TERM "$svc" # a clean exit: on-failure does not restart
finish "$fc" 5
expect "flush_pending: the queued connection is closed, not served" "$rc:$(cat "$T/flushc.out")" "0:"
sleep 0.3
expect "flush_pending: no second start for the dropped connection" "$(grep -c 'service started' "$T/flush.err")" 1
kill -TERM "$sj"
finish "$sj" 10

# ---- trigger limit, Accept=no: the third start on traffic fails the socket ----
cat >"$T/trig.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/trig.sock
    trigger_limit_burst: 2
    trigger_limit_interval_sec: 1min
service:
  exec: [$PROBE, serve, --count, "1"]
  restart: on-failure
EOF
start trig "$SOCKJAIL" run "$T/trig.yaml"
sj=$pid
until_ok 5 test -S "$T/trig.sock"
"$CLIENT" "$T/trig.sock" >/dev/null 2>&1
until_ok 5 grep -q 'waiting for traffic' "$T/trig.err"
"$CLIENT" "$T/trig.sock" >/dev/null 2>&1
until_ok 5 test "$(grep -c 'waiting for traffic' "$T/trig.err")" -eq 2
expect "trigger limit: two starts on traffic within the burst" \
        "$(grep -c 'service started' "$T/trig.err")" 2
"$CLIENT" "$T/trig.sock" --timeout 5 >/dev/null 2>&1
finish "$sj" 10
expect "trigger limit: the third activation fails sockjail" "$rc" 1
check "trigger limit: logged with the socket's name" grep -q "socket 'a': trigger limit hit" \
        "$T/trig.err"
expect "trigger limit: no third start" "$(grep -c 'service started' "$T/trig.err")" 2

# ---- restart_force_exit_status with restart: no, up to the start limit ----
cat >"$T/limit.yaml" <<EOF
service:
  exec: [$PROBE, exit, "5"]
  start: immediate
  restart_force_exit_status: 5
  restart_sec: 0
  start_limit_burst: 3
EOF
start limit "$SOCKJAIL" run "$T/limit.yaml"
finish "$pid" 10
expect "start limit hit exits 1" "$rc" 1
expect "three starts; the fourth is refused by the limit" \
        "$(grep -c 'service started' "$T/limit.err"):$(grep -c 'restarts in' "$T/limit.err")" "3:3"
expect "the limit is named" "$(tail -n 1 "$T/limit.err")" \
        "sockjail: service: start limit hit (3 starts within 10s: start_limit_burst, start_limit_interval_sec)"

# ---- restart_prevent_exit_status wins over restart: always ----
cat >"$T/prevent.yaml" <<EOF
service:
  exec: [$PROBE, exit, "7"]
  start: immediate
  restart: always
  restart_prevent_exit_status: 7
EOF
start prevent "$SOCKJAIL" run "$T/prevent.yaml"
finish "$pid" 10
expect "restart_prevent_exit_status: no restart, no sockets: its status" "$rc" 7
expect "restart_prevent_exit_status: nothing restarted" "$(grep -c restarts "$T/prevent.err")" 0

# ---- a service that ignores SIGTERM: final_kill_signal after timeout_stop_sec ----
cat >"$T/stop.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/stop.sock
service:
  exec: [$PROBE, ignore-term]
  start: immediate
  timeout_stop_sec: 1s
EOF
start stop "$SOCKJAIL" run "$T/stop.yaml"
sj=$pid
until_ok 5 grep -q ready "$T/stop.out"
t0=$(date +%s%N)
kill -TERM "$sj"
finish "$sj" 10
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect "ignored SIGTERM: SIGKILL after timeout_stop_sec (137)" "$rc" 137
check "... no sooner than 1s, well before 3s (took ${ms}ms)" test "$ms" -ge 950 -a "$ms" -lt 3000
check "... and says so" grep -q "did not stop within 1s (timeout_stop_sec): KILL" "$T/stop.err"

# ---- kill_mode: mixed: SIGTERM to the main process only, SIGKILL to the rest ----
# (kill_signal SIGUSR1 kills the probe but would the shell's children too)
cat >"$T/mixed.yaml" <<EOF
service:
  exec: [/bin/sh, -c, "sleep 300 & exec $SPROBE sleep"]
  start: immediate
  kill_mode: mixed
  kill_signal: SIGUSR1
EOF
start mixed "$SOCKJAIL" run "$T/mixed.yaml"
sj=$pid
until_ok 5 grep -q ready "$T/mixed.out"
kids=$(descendants "$sj")
kill -TERM "$sj"
finish "$sj" 10
expect "kill_mode mixed: the main process got kill_signal (128+SIGUSR1)" "$rc" 138
gone=1
for k in $kids; do alive "$k" && gone=0; done
expect "kill_mode mixed: its other processes are gone too" "$gone" 1

# ---- timeout_start_sec: a notify service that never says READY=1 ----
cat >"$T/tstart.yaml" <<EOF
service:
  exec: [$PROBE, sleep]
  type: notify
  start: immediate
  timeout_start_sec: 1s
EOF
if "$SOCKJAIL" check "$T/tstart.yaml" >/dev/null 2>&1; then
        start tstart "$SOCKJAIL" run "$T/tstart.yaml"
        finish "$pid" 10
        expect "timeout_start_sec: stopped with kill_signal (143)" "$rc" 143
        check "timeout_start_sec: says so" \
                grep -q "service did not start within 1s (timeout_start_sec)" "$T/tstart.err"
else
        echo "SKIP: timeout_start_sec (type: notify is not in this build yet)"
fi

# ---- sockjail SIGKILLed: the service and all its processes go within a second ----
cat >"$T/orphan.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/orphan/dir/a.sock
    remove_on_stop: yes
service:
  exec: [/bin/sh, -c, "sleep 300 & sleep 300 & exec $SPROBE sleep"]
  start: immediate
EOF
start orphan "$SOCKJAIL" run "$T/orphan.yaml"
sj=$pid
until_ok 5 grep -q ready "$T/orphan.out"
kids=$(descendants "$sj")
check "the sandbox runs several processes" test "$(echo $kids | wc -w)" -ge 4
kill -KILL "$sj"
finish "$sj" 2
gone=1
for k in $kids; do
        until_ok 1 sh -c "! test -d /proc/$k || grep -q '^State:.*Z' /proc/$k/status" || gone=0
done
expect "SIGKILL of sockjail: every process of the sandbox gone within a second" "$gone" 1
# ... and the socket file and the directory made for it go with them (the
# guard process removes them, since sockjail cannot).
until_ok 1 test ! -e "$T/orphan/dir/a.sock"
check "SIGKILL of sockjail: remove_on_stop removed the socket file within a second" \
        test ! -e "$T/orphan/dir/a.sock"
check "SIGKILL of sockjail: and the directories it made" test ! -e "$T/orphan"

# A normal stop leaves no guard behind, and removes the same.
start normal "$SOCKJAIL" run "$T/orphan.yaml"
sj=$pid
until_ok 5 grep -q ready "$T/normal.out"
kill -TERM "$sj"
finish "$sj" 10
expect "a normal stop: the service's status" "$rc" 143
check "a normal stop: no socket file or directory left" test ! -e "$T/orphan"
check "a normal stop: no guard left" test -z "$(pgrep -x sockjail-guard -P "$sj")"
