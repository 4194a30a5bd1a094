# Shared by the integration tests: run the real sockjail binary, report each
# check as "PASS: name" / "FAIL: name" / "SKIP: name (why)" for tests/run.sh.
# Every process a test starts is recorded and stopped by its pid at exit.
set -u
: "${SOCKJAIL:?run through tests/run.sh}" "${BUILD:?}" "${TOP:?}"
PROBE=$BUILD/tests/probe
CLIENT=$BUILD/tests/client
SDCHECK=$BUILD/tests/sdcheck
T=$(mktemp -d /tmp/sockjail-it.XXXXXX)
chmod 755 "$T"
PIDS=

RUNBIN=
cleanup() {
        for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
        for p in $PIDS; do wait "$p" 2>/dev/null; done
        rm -rf "$T" ${RUNBIN:+"$RUNBIN"}
}

# sandbox_visible PROGRAM: set $visible to a path of PROGRAM that a shell
# inside the default sandbox can exec by name. sockjail runs the service's own
# program by fd, but "sh -c 'exec PROGRAM'" looks it up inside, where /tmp and
# /var/tmp are the sandbox's own: a checkout there gets a copy under /run
# (removed at exit; so call it directly, not in $(...)).
sandbox_visible() {
        case $1 in
        /tmp/* | /var/tmp/*)
                [ -n "$RUNBIN" ] || { RUNBIN=$(mktemp -d /run/sockjail-bin.XXXXXX) && chmod 755 "$RUNBIN"; }
                cp "$1" "$RUNBIN/"
                visible=$RUNBIN/$(basename "$1")
                ;;
        *) visible=$1 ;;
        esac
}

trap cleanup EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# check NAME CMD...: PASS when CMD succeeds.
check() {
        _name=$1
        shift
        if "$@"; then pass "$_name"; else fail "$_name"; fi
}

# expect NAME GOT WANT
expect() {
        if [ "$2" = "$3" ]; then
                pass "$1"
        else
                fail "$1: got '$2', want '$3'"
        fi
}

# key FILE NAME: the value of NAME=... in a probe report.
key() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# A TCP port nobody listens on now, on 127.0.0.1 and ::1.
free_port() {
        python3 -c 'import socket
s = socket.socket(socket.AF_INET6); s.bind(("::", 0)); print(s.getsockname()[1])'
}

# start NAME CMD...: run CMD in the background, stdout/stderr to $T/NAME.out/err;
# sets $pid.
start() {
        _n=$1
        shift
        "$@" >"$T/$_n.out" 2>"$T/$_n.err" </dev/null &
        pid=$!
        PIDS="$PIDS $pid"
}

# finish PID [SECONDS]: wait for PID to end within SECONDS (default 10); sets
# $rc to its exit status, or 124 after killing it on time-out.
finish() {
        _t=$(( ${2:-10} * 10 ))
        while [ "$_t" -gt 0 ] && kill -0 "$1" 2>/dev/null &&
                [ "$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)" != Z ]; do
                sleep 0.1
                _t=$((_t - 1))
        done
        if [ "$_t" -eq 0 ]; then
                kill -KILL "$1" 2>/dev/null
                wait "$1" 2>/dev/null
                rc=124
                return
        fi
        wait "$1"
        rc=$?
}

# until_ok SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
until_ok() {
        _t=$(( $1 * 10 ))
        shift
        while [ "$_t" -gt 0 ]; do
                "$@" 2>/dev/null && return 0
                sleep 0.1
                _t=$((_t - 1))
        done
        return 1
}

# descendants PID: every process below PID but sockjail's guard (injector/guard.h),
# which removes remove_on_stop files should sockjail be SIGKILLed.
descendants() {
        for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
                [ "$(cat /proc/"$c"/comm 2>/dev/null)" = sockjail-guard ] && continue
                echo "$c"
                descendants "$c"
        done
}

alive() { [ -d /proc/"$1" ] && [ "$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)" != Z ]; }

# hold_port PORT: keep 127.0.0.1:PORT listening (for "address in use" cases)
# for at most 60 s; the listener is stopped with the test.
hold_port() {
        python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
print("ready", flush=True); time.sleep(60)' "$1" >"$T/hold.$1" &
        PIDS="$PIDS $!"
        until_ok 5 grep -q ready "$T/hold.$1"
}

# known NAME GOT SECURE WHY: a hole we know of and have not closed yet. Prints
# "KNOWN: ..." (listed and counted by tests/run.sh, never as a pass); once the
# secure answer comes back it FAILs, so the test must then assert it instead.
known() {
        if [ "$2" = "$3" ]; then
                fail "$1: the known hole is closed (got '$2'): assert it with expect now"
        else
                echo "KNOWN: $1: got '$2', secure answer '$3' ($4)"
        fi
}

# ready_address FILE [N]: the address of socket N (default 0) in the
# "listening" line that sockjail --ready-fd writes to FILE, once it is there
# (5 s at most). Port 0 in a spec thus gives a port nobody else holds.
ready_address() {
        until_ok 5 grep -q '"event":"listening"' "$1" || return 1
        python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["event"] == "listening":
        print(d["sockets"][int(sys.argv[2])]["address"])
        break' "$1" "${2:-0}"
}
