#!/bin/sh
# accept: yes (systemd's Accept=yes): sockjail accepts, and an instance runs per
# connection, with the connection as fd 3 (or stdin/stdout, inetd style).
# Activation, REMOTE_ADDR/REMOTE_PORT, half-close, max_connections and
# max_connections_per_source, the trigger limit, git daemon --inetd, shared and
# per-connection isolation, stop, a 10,000-connection soak, spec errors and a
# rootless run. Loopback only; ports are 0 (--ready-fd says which) and every
# process is started with `start` and stopped by its pid.
. "$(dirname "$0")/lib.sh"
AP=$BUILD/tests/acceptprobe
GITD=
trap 'cleanup; rm -rf ${GITD:+"$GITD"}' EXIT

# ready N NAME: the address of socket N of the sockjail started as NAME
ready() { ready_address "$T/$2.ready" "$1"; }

# run_accept NAME SPEC: start sockjail on SPEC, its ready lines in $T/NAME.ready; sets $sj.
run_accept() {
        start "$1" "$SOCKJAIL" run --ready-fd 3 "$2" 3>"$T/$1.ready"
        sj=$pid
        until_ok 5 grep -q '"event":"listening"' "$T/$1.ready"
}

# stop_sj: SIGTERM sockjail $sj and wait for it (10 s at most); sets $rc.
stop_sj() {
        kill -TERM "$sj" 2>/dev/null
        finish "$sj" 10
}

# The clients that hold several connections at once (python3, on the host).
cat >"$T/conns.py" <<'EOF'
import os, socket, sys, time

def conn(port, src=None):
    s = socket.socket()
    s.settimeout(10)
    if src:
        s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s

def first(s):
    """served: the instance's "hi"; dropped: EOF with no data (accepted and closed)."""
    try:
        d = s.recv(100)
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "timeout"
    return "served" if d == b"hi\n" else "dropped" if d == b"" else "other"

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "maxconn":
    n = int(sys.argv[3])
    held = [conn(port) for _ in range(n)]
    got = [first(s) for s in held]
    print("held=%d served=%d" % (len(held), got.count("served")))
    s = conn(port)
    print("extra=" + first(s))
    s.close()
    # one held connection closed: its instance ends on EOF, and then the slot is free
    held.pop().close()
    for _ in range(50):
        s = conn(port)
        r = first(s)
        if r == "served":
            held.append(s)
            break
        s.close()
        time.sleep(0.1)
    print("after=" + r)
    for s in held:
        s.close()
elif mode == "persource":
    a = [conn(port) for _ in range(2)]
    print("a1=%s a2=%s" % (first(a[0]), first(a[1])))
    s = conn(port)
    print("a3=" + first(s))
    s.close()
    b = conn(port, "127.0.0.2")
    print("b1=" + first(b))
    for s in a + [b]:
        s.close()
elif mode == "hold":
    n, stop = int(sys.argv[3]), sys.argv[4]
    held = [conn(port) for _ in range(n)]
    print(" ".join(first(s) for s in held), flush=True)
    print("holding", flush=True)
    t = time.time()
    while not os.path.exists(stop) and time.time() - t < 30:
        time.sleep(0.05)
    for s in held:
        s.close()
EOF

# ---- 1, 2: activation and REMOTE_* (fd 3, instance_isolation: shared) ----
cat >"$T/act.yaml" <<EOF
sockets:
  echo:
    listen_stream: ["127.0.0.1:0", "[::1]:0", "[::ffff:127.0.0.1]:0", $T/act.sock]
    accept: yes
service:
  exec: [$AP, report]
EOF
run_accept act "$T/act.yaml"
a4=$(ready 0 act) a6=$(ready 1 act) am=$(ready 2 act)
"$AP" get "$a4" >"$T/r4" 2>&1
expect "IPv4 client served" "$?:$(tail -n 1 "$T/r4")" "0:end"
"$AP" get "$a6" >"$T/r6" 2>&1
expect "IPv6 client served" "$?:$(tail -n 1 "$T/r6")" "0:end"
"$AP" get "$am" >"$T/rm" 2>&1
expect "IPv4 client of an IPv6 (v4-mapped) socket served" "$?:$(tail -n 1 "$T/rm")" "0:end"
"$AP" get "$T/act.sock" >"$T/ru" 2>&1
expect "unix client served" "$?:$(tail -n 1 "$T/ru")" "0:end"
r=$T/r4
expect "an instance has exactly fds 0,1,2,3" "$(key "$r" fds)" "0,1,2,3"
expect "LISTEN_FDS=1" "$(key "$r" env.LISTEN_FDS)" 1
expect "LISTEN_FDNAMES=connection" "$(key "$r" env.LISTEN_FDNAMES)" connection
expect "LISTEN_PID is the instance's own pid" "$(key "$r" env.LISTEN_PID)" "$(key "$r" pid)"
expect "fd 3: getpeername is the client's own address" "$(key "$r" conn.peer)" "$(key "$r" client.sock)"
expect "fd 3: getsockname is the listening address" "$(key "$r" conn.sock)" "$a4"
expect "fd 3 is connected, not listening" "$(key "$r" conn.listening)" 0
expect "fd 3: TCP_NODELAY set and read back" "$(key "$r" conn.nodelay)" 1
expect "fd 3 style: stdin is not the socket" "$(key "$r" stdio.socket)" 0
port4=$(key "$r" client.sock)
expect "IPv4: REMOTE_ADDR" "$(key "$r" env.REMOTE_ADDR)" 127.0.0.1
expect "IPv4: REMOTE_PORT is the client's port" "$(key "$r" env.REMOTE_PORT)" "${port4##*:}"
r=$T/r6
port6=$(key "$r" client.sock)
expect "IPv6: fd 3's peer is the client" "$(key "$r" conn.peer)" "$port6"
expect "IPv6: REMOTE_ADDR" "$(key "$r" env.REMOTE_ADDR)" ::1
expect "IPv6: REMOTE_PORT is the client's port" "$(key "$r" env.REMOTE_PORT)" "${port6##*:}"
r=$T/rm
portm=$(key "$r" client.sock)
expect "dual stack: fd 3's peer is v4-mapped" "$(key "$r" conn.peer)" "[::ffff:127.0.0.1]:${portm##*:}"
expect "dual stack: REMOTE_ADDR is plain 127.0.0.1" "$(key "$r" env.REMOTE_ADDR)" 127.0.0.1
expect "dual stack: REMOTE_PORT is the client's port" "$(key "$r" env.REMOTE_PORT)" "${portm##*:}"
r=$T/ru
expect "unix: fds 0,1,2,3 and the name" "$(key "$r" fds):$(key "$r" env.LISTEN_FDNAMES)" "0,1,2,3:connection"
expect "unix: fd 3 is the connection to the socket" "$(key "$r" conn.sock)" "$T/act.sock"
expect "unix: no REMOTE_ADDR" "$(key "$r" env.REMOTE_ADDR)" "(unset)"
expect "unix: no REMOTE_PORT" "$(key "$r" env.REMOTE_PORT)" "(unset)"
stop_sj
expect "SIGTERM with no instance running: exit 0" "$rc" 0

# libsystemd's reading of an instance's fds (its report goes to sockjail's stdout)
cat >"$T/sd.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
service:
  exec: [$SDCHECK]
EOF
run_accept sd "$T/sd.yaml"
"$CLIENT" "$(ready 0 sd)" >/dev/null 2>&1
until_ok 5 grep -q '^unset=' "$T/sd.out"
stop_sj
expect "sd_listen_fds_with_names: one fd named connection" \
        "$(key "$T/sd.out" n):$(key "$T/sd.out" names)" "1:connection"
expect "sd_is_socket_inet(3) and not listening" \
        "$(key "$T/sd.out" fd.3.sd_is_socket_inet):$(key "$T/sd.out" fd.3.sd_is_stream_listening)" "1:0"

# inetd style, from the command line
start inetd "$SOCKJAIL" run --ready-fd 3 -l 127.0.0.1:0 --accept --inetd -- "$AP" report 3>"$T/inetd.ready"
sj=$pid
until_ok 5 grep -q listening "$T/inetd.ready"
"$AP" get "$(ready 0 inetd)" >"$T/ri" 2>&1
stop_sj
r=$T/ri
expect "inetd: served" "$(tail -n 1 "$r")" end
expect "inetd: fds 0,1,2 only" "$(key "$r" fds)" 0,1,2
expect "inetd: stdin and stdout are one socket" "$(key "$r" stdio.socket):$(key "$r" stdio.same)" "1:1"
expect "inetd: stdin's peer is the client" "$(key "$r" conn.peer)" "$(key "$r" client.sock)"
expect "inetd: setsockopt works on stdin" "$(key "$r" conn.nodelay)" 1
expect "inetd: no LISTEN_FDS" "$(key "$r" env.LISTEN_FDS)" "(unset)"
expect "inetd: REMOTE_ADDR" "$(key "$r" env.REMOTE_ADDR)" 127.0.0.1

# ---- 3: half-close round trip ----
start echo "$SOCKJAIL" run --ready-fd 3 -l 127.0.0.1:0 --accept -- "$AP" echo 3>"$T/echo.ready"
sj=$pid
until_ok 5 grep -q listening "$T/echo.ready"
data=$(head -c 75000 /dev/urandom | base64 -w 0)
"$CLIENT" "$(ready 0 echo)" --send "$data" --shutdown >"$T/echo.got" 2>"$T/echo.cerr"
expect "half-close: the client read to EOF" "$?" 0
printf 'bytes=%s\n%s\nend\n' "${#data}" "$data" >"$T/echo.want"
check "half-close: the instance read all ${#data} bytes to EOF and the whole reply came back" \
        cmp -s "$T/echo.got" "$T/echo.want"
stop_sj

# ---- 4: max_connections and max_connections_per_source ----
cat >"$T/max.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
service:
  exec: [$AP, hold]
EOF
run_accept max "$T/max.yaml"
p=$(ready 0 max)
timeout 60 python3 "$T/conns.py" maxconn "${p##*:}" 64 >"$T/max.res" 2>&1
expect "max_connections 64: 64 held connections all served" "$(sed -n 1p "$T/max.res")" "held=64 served=64"
expect "max_connections 64: the 65th is accepted and closed" "$(sed -n 2p "$T/max.res")" "extra=dropped"
check "max_connections 64: logged" grep -q "too many connections (64, max_connections), dropping one" "$T/max.err"
expect "max_connections 64: after closing one, a new one is served" "$(sed -n 3p "$T/max.res")" "after=served"
stop_sj

cat >"$T/src.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
    max_connections_per_source: 2
service:
  exec: [$AP, hold]
EOF
run_accept src "$T/src.yaml"
p=$(ready 0 src)
timeout 30 python3 "$T/conns.py" persource "${p##*:}" >"$T/src.res" 2>&1
expect "per source 2: two from 127.0.0.1 served" "$(sed -n 1p "$T/src.res")" "a1=served a2=served"
expect "per source 2: the third from 127.0.0.1 dropped" "$(sed -n 2p "$T/src.res")" "a3=dropped"
expect "per source 2: one from 127.0.0.2 served" "$(sed -n 3p "$T/src.res")" "b1=served"
check "per source 2: logged with the address" \
        grep -q "too many connections (2) from 127.0.0.1 (max_connections_per_source)" "$T/src.err"
stop_sj

# ---- 5: the trigger limit ----
cat >"$T/trig.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
    trigger_limit_burst: 5
    trigger_limit_interval_sec: 1min
service:
  exec: [$AP, hold]
EOF
run_accept trig "$T/trig.yaml"
p=$(ready 0 trig)
start trigc python3 "$T/conns.py" hold "${p##*:}" 5 "$T/trig.stop"
until_ok 15 grep -q holding "$T/trigc.out"
expect "trigger limit: 5 connections served" "$(head -n 1 "$T/trigc.out")" "served served served served served"
sleep 0.3
# systemd's RateLimit: the 6th activation hits a burst of 5, not the 5th
expect "trigger limit: not hit by the 5th connection" "$(grep -c 'trigger limit hit' "$T/trig.err")" 0
"$AP" get "$p" >"$T/trig6" 2>&1
check "trigger limit: the 6th is refused or reset ($(tail -n 1 "$T/trig6"))" \
        grep -q -e "Connection refused" -e "Connection reset by peer" "$T/trig6"
check "trigger limit: sockjail waits for the running instances" alive "$sj"
: >"$T/trig.stop"
finish "$sj" 10
expect "trigger limit: sockjail exits 1 once they end" "$rc" 1
check "trigger limit: says so" grep -q "socket .echo.: trigger limit hit (5 connections within " "$T/trig.err"

# ---- 6: git daemon --inetd, a real inetd-style Debian daemon ----
gitd=$(git --exec-path 2>/dev/null)/git-daemon
if [ -x "$gitd" ]; then
        # under /run: the sandbox has a /tmp of its own, and CI's checkout is under /tmp
        GITD=$(mktemp -d /run/sockjail-git.XXXXXX)
        chmod 755 "$GITD"
        g="env HOME=$T GIT_CONFIG_NOSYSTEM=1 git"
        $g init -q -b main "$GITD/repo" &&
                echo "served through sockjail" >"$GITD/repo/README" &&
                $g -C "$GITD/repo" add README &&
                $g -C "$GITD/repo" -c user.name=t -c user.email=t@example.org commit -q -m one
        head=$($g -C "$GITD/repo" rev-parse HEAD)
        cat >"$T/git.yaml" <<EOF
sockets:
  git:
    listen_stream: 127.0.0.1:0
    accept: yes
service:
  exec: [$gitd, --inetd, --export-all, --base-path=$GITD]
  standard_input: socket
EOF
        run_accept git "$T/git.yaml"
        p=$(ready 0 git)
        timeout 20 $g ls-remote "git://$p/repo" >"$T/git.ls" 2>&1
        expect "git daemon --inetd: ls-remote lists main" "$(grep refs/heads/main "$T/git.ls")" \
                "$head	refs/heads/main"
        timeout 20 $g clone -q "git://$p/repo" "$T/clone" >"$T/git.clone" 2>&1
        expect "git daemon --inetd: a clone gets the file" "$(cat "$T/clone/README" 2>&1)" \
                "served through sockjail"
        stop_sj
        expect "git daemon: SIGTERM, exit 0" "$rc" 0
else
        echo "SKIP: git daemon --inetd (no git-daemon: install git)"
fi

# ---- 7: instance_isolation: per-connection against shared ----
# Two instances at once: A reports and waits for EOF, then B reports what it sees of A.
for mode in shared per-connection; do
        cat >"$T/iso-$mode.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
service:
  exec: [$AP, report, --hold]
sandbox:
  instance_isolation: $mode
EOF
        run_accept "iso-$mode" "$T/iso-$mode.yaml"
        p=$(ready 0 "iso-$mode")
        start "isoa-$mode" "$AP" get "$p"
        ca=$pid
        until_ok 10 grep -q '^end$' "$T/isoa-$mode.out"
        start "isob-$mode" "$AP" get "$p"
        cb=$pid
        until_ok 10 grep -q '^end$' "$T/isob-$mode.out"
        check "$mode: instance A still runs while B reports" alive "$ca"
        kill "$ca" "$cb" 2>/dev/null
        a=$T/isoa-$mode.out b=$T/isob-$mode.out
        for r in "$a" "$b"; do
                w=A && [ "$r" = "$b" ] && w=B
                expect "$mode: $w: CapEff 0" "$(key "$r" status.CapEff)" 0000000000000000
                expect "$mode: $w: NoNewPrivs 1" "$(key "$r" status.NoNewPrivs)" 1
                expect "$mode: $w: Seccomp 2" "$(key "$r" status.Seccomp)" 2
                expect "$mode: $w: socket(AF_INET) fails" "$(key "$r" errno.socket_inet)" EAFNOSUPPORT
                expect "$mode: $w: only lo" "$(key "$r" ifaces)" lo
        done
        pa=$(key "$a" pid) pb=$(key "$b" pid)
        marka=mark.$(key "$a" env.REMOTE_PORT) markb=mark.$(key "$b" env.REMOTE_PORT)
        if [ "$mode" = shared ]; then
                check "shared: B sees A's pid $pa in /proc" \
                        sh -c "echo ',$(key "$b" proc.pids),' | grep -q ',$pa,'"
                expect "shared: B sees A's file in /tmp" \
                        "$(key "$b" tmp | tr , '\n' | sort | tr '\n' ' ')" \
                        "$(printf '%s\n' "$marka" "$markb" | sort | tr '\n' ' ')"
                expect "shared: one network namespace for both" "$(key "$a" ns.net)" "$(key "$b" ns.net)"
                expect "shared: one pid namespace for both" "$(key "$a" ns.pid)" "$(key "$b" ns.pid)"
                check "shared: instances are not pid 2 (the spawner's children)" test "${pa:-0}" -gt 2 -a "${pb:-0}" -gt 2
                expect "shared: the spawner (ppid) is not readable: /proc/PPID/environ" \
                        "$(key "$b" errno.ppid_environ)" EACCES
        else
                expect "per-connection: each instance is pid 2 under its own init" "$pa:$pb:$(key "$a" ppid)" "2:2:1"
                expect "per-connection: A sees only itself and its init" "$(key "$a" proc.pids)" "1,2"
                expect "per-connection: B does not see A" "$(key "$b" proc.pids)" "1,2"
                expect "per-connection: B's /tmp has only its own file" "$(key "$b" tmp)" "$markb"
                check "per-connection: network namespaces differ" test "$(key "$a" ns.net)" != "$(key "$b" ns.net)"
                check "per-connection: pid namespaces differ" test "$(key "$a" ns.pid)" != "$(key "$b" ns.pid)"
                check "per-connection: ipc namespaces differ" test "$(key "$a" ns.ipc)" != "$(key "$b" ns.ipc)"
                check "per-connection: mount namespaces differ" test "$(key "$a" ns.mnt)" != "$(key "$b" ns.mnt)"
                expect "per-connection: the init (ppid) is not readable either" \
                        "$(key "$b" errno.ppid_environ)" EACCES
        fi
        stop_sj
        expect "$mode: SIGTERM, exit 0" "$rc" 0
done

# ---- 8: stop ----
cat >"$T/stop.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
service:
  exec: [$AP, term]
EOF
run_accept stop "$T/stop.yaml"
p=$(ready 0 stop)
cs=
for i in 1 2 3; do
        start "stopc$i" "$AP" get "$p"
        cs="$cs $pid"
        until_ok 10 grep -q '^ready$' "$T/stopc$i.out"
done
kids=$(descendants "$sj")
check "stop: 3 instances, the spawner and the init run" test "$(echo $kids | wc -w)" -eq 5
t0=$(date +%s%N)
stop_sj
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect "stop: SIGTERM with 3 instances: exit 0" "$rc" 0
check "stop: ... promptly (${ms}ms)" test "$ms" -lt 1500
expect "stop: each instance got SIGTERM" "$(grep -c '^sigterm' "$T/stop.out")" 3
for i in 1 2 3; do finish "$(echo $cs | cut -d' ' -f$i)" 5; done
expect "stop: each client read the instance's last words" \
        "$(cat "$T"/stopc?.out | grep -c '^sigterm')" 3
gone=1
for k in $kids; do alive "$k" && gone=0; done
expect "stop: no process of the sandbox left" "$gone" 1

cat >"$T/stubborn.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
service:
  exec: [$AP, term, --ignore]
  timeout_stop_sec: 1s
EOF
run_accept stubborn "$T/stubborn.yaml"
p=$(ready 0 stubborn)
start stubc "$AP" get "$p"
until_ok 10 grep -q '^ready$' "$T/stubc.out"
kids=$(descendants "$sj")
t0=$(date +%s%N)
stop_sj
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect "stop: an instance ignoring SIGTERM: still exit 0" "$rc" 0
check "stop: ... killed after timeout_stop_sec (${ms}ms: from 1s, before 3s)" test "$ms" -ge 950 -a "$ms" -lt 3000
check "stop: ... and says so" grep -q "1 instance(s) did not stop within 1s (timeout_stop_sec)" "$T/stubborn.err"
gone=1
for k in $kids; do alive "$k" && gone=0; done
expect "stop: no process of the sandbox left after the kill" "$gone:$(echo $kids | wc -w)" "1:3"

# sockjail SIGKILLed: every instance, zygote and namespace init goes with it
for mode in shared per-connection; do
        sed "s/^  timeout_stop_sec: 1s/sandbox:\n  instance_isolation: $mode/" "$T/stubborn.yaml" \
                >"$T/killed-$mode.yaml"
        run_accept "killed-$mode" "$T/killed-$mode.yaml"
        p=$(ready 0 "killed-$mode")
        start "killc-$mode" "$AP" get "$p"
        until_ok 10 grep -q '^ready$' "$T/killc-$mode.out"
        kids=$(descendants "$sj")
        kill -KILL "$sj"
        finish "$sj" 5
        all_gone() {
                for k in $kids; do alive "$k" && return 1; done
                return 0
        }
        gone=0
        until_ok 1 all_gone && gone=1
        expect "SIGKILL $mode: all $(echo $kids | wc -w) processes below sockjail gone within 1 s" \
                "$gone" 1
        finish "$pid" 5
done

# ---- 9: soak: 10,000 connections ----
cat >"$T/soak.yaml" <<EOF
sockets:
  echo:
    listen_stream: 127.0.0.1:0
    accept: yes
    trigger_limit_interval_sec: 0
service:
  exec: [$AP, pong]
EOF
run_accept soak "$T/soak.yaml"
p=$(ready 0 soak)
"$AP" load "$p" --clients 1 --count 1 >/dev/null # the sandbox is made with the first connection
until_ok 5 test "$(descendants "$sj" | wc -l)" -eq 2
fds0=$(ls /proc/"$sj"/fd | wc -l)
rss0=$(awk '/^VmRSS/ {print $2}' /proc/"$sj"/status)
"$AP" load "$p" --clients 8 --count 10000 --seconds 60 >"$T/soak.res" 2>&1
lrc=$?
until_ok 10 test "$(descendants "$sj" | wc -l)" -eq 2
left=$(($(descendants "$sj" | wc -l) - 2))
fds1=$(ls /proc/"$sj"/fd | wc -l)
rss1=$(awk '/^VmRSS/ {print $2}' /proc/"$sj"/status)
echo "soak: $(cat "$T/soak.res"); fds $fds0 -> $fds1; VmRSS ${rss0} kB -> ${rss1} kB;" \
        "dropped as too many: $(grep -c 'too many connections' "$T/soak.err")"
expect "soak: 10,000 connections, every one answered right" "$lrc:$(cat "$T/soak.res" | cut -d' ' -f1-5)" \
        "0:requests=10000 ok=10000 bad=0 refused=0 errors=0"
expect "soak: sockjail's open fds unchanged" "$fds1" "$fds0"
check "soak: sockjail's VmRSS grew by less than 1 MiB ($((rss1 - rss0)) kB)" test $((rss1 - rss0)) -lt 1024
expect "soak: no instance left running" "$left" 0
stop_sj
expect "soak: SIGTERM, exit 0" "$rc" 0

# ---- 10: spec errors, and a datagram-only socket ignores accept ----
# spec_error NAME LINE TEXT: check and run refuse $T/NAME.yaml with exit 2 and
# "FILE:LINE:COLUMN: TEXT..." (LINE: the offending key's)
spec_error() {
        "$SOCKJAIL" check "$T/$1.yaml" >/dev/null 2>"$T/$1.cerr"
        expect "$1: check exits 2" "$?" 2
        "$SOCKJAIL" run "$T/$1.yaml" >/dev/null 2>"$T/$1.rerr"
        expect "$1: run exits 2" "$?" 2
        _e=$(head -n 1 "$T/$1.cerr")
        _where=${_e%%: *}
        case $_where in
        "$T/$1.yaml:$2:"[0-9]*) _at=1 ;;
        *) _at=0 ;;
        esac
        case ${_e#*: } in
        "$3"*) _msg=1 ;;
        *) _msg=0 ;;
        esac
        expect "$1: FILE:$2:COLUMN: and the reason ($_e)" "$_at$_msg" 11
        check "$1: run says the same" cmp -s "$T/$1.cerr" "$T/$1.rerr"
}
cat >"$T/mixed.yaml" <<EOF
sockets:
  both:
    listen_stream: $T/mixed.sock
    listen_datagram: 127.0.0.1:0
    accept: yes
service:
  exec: [$AP, report]
EOF
spec_error mixed 2 "accept: yes serves stream and sequential-packet sockets"
check "mixed: no socket file left" test ! -e "$T/mixed.sock"
cat >"$T/partial.yaml" <<EOF
sockets:
  a:
    listen_stream: 127.0.0.1:0
    accept: yes
  b:
    listen_stream: 127.0.0.1:0
service:
  exec: [$AP, report]
EOF
spec_error partial 5 "this socket does not accept while others do"
cat >"$T/notify.yaml" <<EOF
sockets:
  a:
    listen_stream: 127.0.0.1:0
    accept: yes
service:
  exec: [$AP, report]
  type: notify
EOF
spec_error notify 7 "with accept: yes (one instance per connection), service.type"
cat >"$T/isolation.yaml" <<EOF
sockets:
  a:
    listen_stream: 127.0.0.1:0
service:
  exec: [$AP, report]
sandbox:
  instance_isolation: per-connection
EOF
spec_error isolation 7 "instance_isolation needs a socket with accept: yes"

cat >"$T/dgram.yaml" <<EOF
sockets:
  d:
    listen_datagram: 127.0.0.1:0
    accept: yes
service:
  exec: [$SDCHECK, serve]
EOF
"$SOCKJAIL" check "$T/dgram.yaml" >"$T/dgram.plan" 2>&1
expect "datagram-only socket with accept: yes is valid" "$?" 0
check "datagram-only: the plan says accept no" grep -q "accept no," "$T/dgram.plan"
run_accept dgram "$T/dgram.yaml"
"$CLIENT" "$(ready 0 dgram)" --udp --send hello >"$T/dgram.got" 2>&1
expect "datagram-only: the service gets the datagram socket as fd 3 (Accept=no)" \
        "$(cat "$T/dgram.got")" "sdcheck ok n=1 names=d"
finish "$sj" 10
expect "datagram-only: sockjail exits with the service's status" "$rc" 0

# ---- 11: rootless ----
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
B=$T/bin W=$T/w
mkdir -m 0755 "$B" && cp "$AP" "$B/acceptprobe" && chmod 0755 "$B/acceptprobe"
mkdir -m 1777 "$W"
for mode in shared per-connection; do
        cat >"$T/rl-$mode.yaml" <<EOF
sockets:
  echo:
    listen_stream: ["127.0.0.1:0", "[::1]:0", $W/rl-$mode.sock]
    accept: yes
service:
  exec: [$B/acceptprobe, report]
sandbox:
  instance_isolation: $mode
EOF
        start "rl-$mode" $NOBODY "$SOCKJAIL" run --ready-fd 3 "$T/rl-$mode.yaml" 3>"$T/rl-$mode.ready"
        sj=$pid
        until_ok 5 grep -q listening "$T/rl-$mode.ready"
        "$AP" get "$(ready 0 "rl-$mode")" >"$T/rl4" 2>&1
        "$AP" get "$(ready 1 "rl-$mode")" >"$T/rl6" 2>&1
        "$AP" get "$W/rl-$mode.sock" >"$T/rlu" 2>&1
        stop_sj
        expect "rootless $mode: SIGTERM, exit 0" "$rc" 0
        r=$T/rl4
        expect "rootless $mode: served, as the caller" "$(tail -n 1 "$r"):$(key "$r" uid)" "end:65534"
        expect "rootless $mode: fds 0,1,2,3, LISTEN_FDNAMES=connection" \
                "$(key "$r" fds):$(key "$r" env.LISTEN_FDNAMES)" "0,1,2,3:connection"
        expect "rootless $mode: LISTEN_PID is the instance" "$(key "$r" env.LISTEN_PID)" "$(key "$r" pid)"
        expect "rootless $mode: IPv4 REMOTE_ADDR:REMOTE_PORT" \
                "$(key "$r" env.REMOTE_ADDR):$(key "$r" env.REMOTE_PORT)" "$(key "$r" client.sock)"
        p6=$(key "$T/rl6" client.sock)
        expect "rootless $mode: IPv6 REMOTE_ADDR, REMOTE_PORT" \
                "$(key "$T/rl6" env.REMOTE_ADDR) $(key "$T/rl6" env.REMOTE_PORT)" "::1 ${p6##*:}"
        expect "rootless $mode: unix: no REMOTE_*, served" \
                "$(key "$T/rlu" env.REMOTE_ADDR):$(key "$T/rlu" env.REMOTE_PORT):$(tail -n 1 "$T/rlu")" \
                "(unset):(unset):end"
        expect "rootless $mode: no capabilities, NoNewPrivs, seccomp" \
                "$(key "$r" status.CapEff):$(key "$r" status.NoNewPrivs):$(key "$r" status.Seccomp)" \
                "0000000000000000:1:2"
        expect "rootless $mode: socket(AF_INET) fails" "$(key "$r" errno.socket_inet)" EAFNOSUPPORT
done
