#!/bin/sh
# bench/run.sh BUILD - sockjail against tcpserver, systemd-socket-activate
# (plain, with unshare -n, with bubblewrap), pasta, systemd-socket-proxyd and
# a native lighttpd, on loopback only, the tools interleaved round by round;
# medians. Run from the top of the source tree (make bench). Writes the
# Markdown table to stdout and bench/results/latest.md, progress to stderr.
# BENCH_QUICK=1 cuts rounds and durations (a smoke test, under 90 s).
# Every loop is bounded in count and time; every process started here is
# stopped by its pid.
set -u

BUILD=${1:-build}
SOCKJAIL=$BUILD/sockjail
OUT=$BUILD/bench
RES=bench/results
T0=$(date +%s)

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	Q_ACC=1 Q_ACCS=1 Q_L=5 Q_H=3 Q_W=1 Q_WS=2 Q_R=1 Q_S=1 Q_N=2000 Q_SETTLE=1000
else
	Q_ACC=3 Q_ACCS=2 Q_L=21 Q_H=11 Q_W=5 Q_WS=4 Q_R=5 Q_S=5 Q_N=10000 Q_SETTLE=3000
fi
ROUNDS_ACCEPT=${ROUNDS_ACCEPT:-$Q_ACC} # 1. per tool, each 2 runs of ACCEPT_SECS
ACCEPT_SECS=${ACCEPT_SECS:-$Q_ACCS}
ROUNDS_LAUNCH=${ROUNDS_LAUNCH:-$Q_L}   # 2. per tool
ROUNDS_HTTP=${ROUNDS_HTTP:-$Q_H}       # 2. per tool
ROUNDS_WRK=${ROUNDS_WRK:-$Q_W}         # 3. per tool, WRK_SECS each
WRK_SECS=${WRK_SECS:-$Q_WS}
ROUNDS_RSS=${ROUNDS_RSS:-$Q_R}         # 4. per tool
ROUNDS_SOCKS=${ROUNDS_SOCKS:-$Q_S}     # 5a. per tool
NSOCKS=${NSOCKS:-1000}                 # 5a. sockets in one spec
NHOLD=${NHOLD:-$Q_N}                   # 5b. concurrent connections
HOLD_SECS=${HOLD_SECS:-60}             # 5b. bound on opening them, per tool
SETTLE_MS=${SETTLE_MS:-$Q_SETTLE}      # at most, before a measurement, for idle CPUs

mkdir -p "$OUT" "$RES" || exit 1
[ -x "$SOCKJAIL" ] || { echo "bench: $SOCKJAIL missing (make all)" >&2; exit 1; }
ABSOUT=$(cd "$OUT" && pwd) # the service binary must not be under /tmp

log() { echo "bench: [$(($(date +%s) - T0)) s] $*" >&2; }

# Tools: Debian packages, installed if missing and apt-get is usable.
UPDATED=
need() { # need CMD PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing $2 for $1"
		if ! timeout 120 apt-get install -y -q "$2" >"$OUT/apt-$2.log" 2>&1 &&
			[ -z "$UPDATED" ]; then
			UPDATED=1
			timeout 120 apt-get update -q >>"$OUT/apt-$2.log" 2>&1
			timeout 120 apt-get install -y -q "$2" >>"$OUT/apt-$2.log" 2>&1
		fi
	fi
	command -v "$1" >/dev/null 2>&1
}
SSA=; WRK=; LIGHTTPD=; CURL=; TCPSERVER=; PASTA=; BWRAP=; PROXYD=
need systemd-socket-activate systemd && SSA=$(command -v systemd-socket-activate)
need wrk wrk && WRK=$(command -v wrk)
need lighttpd lighttpd && LIGHTTPD=$(command -v lighttpd)
need curl curl && CURL=$(command -v curl)
need tcpserver ucspi-tcp && TCPSERVER=$(command -v tcpserver)
need pasta passt && PASTA=$(command -v pasta)
need bwrap bubblewrap && BWRAP=$(command -v bwrap)
for f in /lib/systemd/systemd-socket-proxyd /usr/lib/systemd/systemd-socket-proxyd; do
	[ -x "$f" ] && { PROXYD=$f; break; }
done
UNSHARE=$(command -v unshare 2>/dev/null || true)
# 10,000 connections: the client, the supervisors and their instances.
# shellcheck disable=SC3045 # dash and bash have ulimit -n and -H
ulimit -n "$(ulimit -Hn)" 2>/dev/null

HELPER=$OUT/sjbench
ACCSVC=$ABSOUT/acceptsvc
for b in sjbench acceptsvc; do
	# shellcheck disable=SC3013 # -nt: dash, bash and busybox have it
	if [ ! -x "$OUT/$b" ] || [ "bench/$b.c" -nt "$OUT/$b" ]; then
		${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$OUT/$b" "bench/$b.c" || exit 1
	fi
done

median() { # median of the numbers on stdin ("" when none)
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
ms() { # microseconds -> "x.y ms"
	[ -n "$1" ] && awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'
}
ratio() { # ratio A B (as numbers) or n/a
	if [ -n "$1" ] && [ -n "$2" ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
	else
		echo "n/a"
	fi
}
cell() { # cell VALUE FORMATTED REASON
	if [ -n "$1" ]; then echo "$2"; else echo "n/a ($3)"; fi
}
met() { # met RATIO ">=" | "<=" TARGET -> yes, no or n/a
	case $1 in n/a*) echo "n/a"; return ;; esac
	awk -v r="$1" -v op="$2" -v t="$3" \
		'BEGIN { ok = op == ">=" ? r >= t : r <= t; print ok ? "yes" : "no" }'
}
row() { # row LABEL SJ ALT RATIO [OP TARGET]
	if [ $# -ge 6 ]; then
		tg=$(echo "$5 $6" | sed 's/>=/≥/; s/<=/≤/')
		echo "| $1 | $2 | $3 | $4 | $tg | $(met "$4" "$5" "$6") |"
	else
		echo "| $1 | $2 | $3 | $4 | — | — |"
	fi
}
# "X (0.61× native)" for a data-path alternative.
vsnat() { # vsnat VALUE NATIVE
	[ -n "$1" ] && echo "$1 ($(ratio "$1" "$2")× native)"
}

# A lighttpd config that binds its own server.bind PORT.
native_conf() { # native_conf PORT FILE
	sed 's/^server.systemd-socket-activation.*/server.systemd-socket-activation = "disable"/' \
		examples/lighttpd/lighttpd.conf >"$2"
	printf 'server.bind = "127.0.0.1"\nserver.port = %s\n' "$1" >>"$2"
}
# examples/lighttpd.yaml with a free port.
sj_spec() { # sj_spec PORT
	sed "s/127.0.0.1:8081/127.0.0.1:$1/" examples/lighttpd.yaml >"$OUT/lighttpd.yaml"
}
# The Accept=yes spec: ISOLATION shared or per-connection, ARG "" or hold.
accept_spec() { # accept_spec PORT ISOLATION MAXCONN ARG -> file name
	f=$OUT/accept-$2.yaml
	{
		printf 'sockets:\n  echo:\n    listen_stream: 127.0.0.1:%s\n' "$1"
		printf '    accept: yes\n    max_connections: %s\n' "$3"
		printf '    trigger_limit_interval_sec: 0\n'
		printf 'service:\n  exec: [%s%s]\n' "$ACCSVC" "${4:+, $4}"
		printf '  standard_input: socket\n'
		printf 'sandbox:\n  instance_isolation: %s\n' "$2"
	} >"$f"
	echo "$f"
}

# Start a command in the background, wait (bounded) until PORT listens
# without connecting to it; sets BGPID. 1 on timeout.
start_bg() { # start_bg PORT LOG CMD ARGS...
	port=$1; lg=$2; shift 2
	"$@" >"$lg" 2>&1 &
	BGPID=$!
	n=0
	while [ $n -lt 100 ]; do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		kill -0 "$BGPID" 2>/dev/null || return 1
		sleep 0.05; n=$((n + 1))
	done
	return 1
}
stop_pid() { # SIGTERM PID, SIGKILL after 3 s, reap
	kill "$1" 2>/dev/null
	n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
stop_bg() { stop_pid "$BGPID"; }
# The direct children of BGPID (pasta's command), stopped by their pids first.
stop_bg_tree() {
	# shellcheck disable=SC2013 # one line of pids
	for c in $(cat "/proc/$BGPID/task/$BGPID/children" 2>/dev/null); do
		kill "$c" 2>/dev/null
	done
	stop_bg
}
wrk_rps() { # wrk_rps PORT -> requests/s
	timeout $((WRK_SECS + 15)) "$WRK" -t2 -c16 -d"${WRK_SECS}s" "http://127.0.0.1:$1/" \
		2>/dev/null | awk '/^Requests\/sec:/ { print $2 }'
}
# Wait (bounded) until the CPUs are idle: other work on this machine, or the
# kernel still tearing down namespaces, would count against the next tool.
# Counts the waits that ran out (the machine was busy) for the footer.
BUSY=0 SETTLES=0
settle() {
	SETTLES=$((SETTLES + 1))
	"$HELPER" settle "${1:-$SETTLE_MS}" >/dev/null || BUSY=$((BUSY + 1))
}
await_200() { # the first request starts an on-demand server: wait for a 200
	"$HELPER" http "$1" 10000 -- sleep 30 >/dev/null
}

# ---- Accept=yes: the tools ----------------------------------------------------
# acc_start TOOL PORT MAXCONN ARG: start TOOL serving acceptsvc [ARG] on PORT.
# systemd-socket-activate runs without its per-connection info lines (a
# little faster than its default: if anything kinder to it); env execs it,
# so BGPID is its pid.
acc_start() {
	case $1 in
	sjs) start_bg "$2" "$OUT/acc-$1.log" "$SOCKJAIL" run -q \
		"$(accept_spec "$2" shared "$3" "$4")" ;;
	sjp) start_bg "$2" "$OUT/acc-$1.log" "$SOCKJAIL" run -q \
		"$(accept_spec "$2" per-connection "$3" "$4")" ;;
	tcp) start_bg "$2" "$OUT/acc-$1.log" "$TCPSERVER" -c "$3" -b 4096 -HRl0 \
		127.0.0.1 "$2" "$ACCSVC" ${4:+"$4"} ;;
	tcpu) start_bg "$2" "$OUT/acc-$1.log" "$TCPSERVER" -c "$3" -b 4096 -HRl0 \
		127.0.0.1 "$2" "$UNSHARE" -n "$ACCSVC" ${4:+"$4"} ;;
	ssa) start_bg "$2" "$OUT/acc-$1.log" env SYSTEMD_LOG_LEVEL=notice "$SSA" \
		--inetd -a -l "127.0.0.1:$2" -- "$ACCSVC" ${4:+"$4"} ;;
	ssau) start_bg "$2" "$OUT/acc-$1.log" env SYSTEMD_LOG_LEVEL=notice "$SSA" \
		--inetd -a -l "127.0.0.1:$2" -- "$UNSHARE" -n "$ACCSVC" ${4:+"$4"} ;;
	esac
}
# sockjail's accept mode: is it there? (a spec with accept: yes that echoes)
SJACC=
p=$("$HELPER" port)
if acc_start sjs "$p" 64 "" && "$HELPER" connrate "$p" 0.3 1 >/dev/null 2>&1 &&
	kill -0 "$BGPID" 2>/dev/null; then
	SJACC=1
fi
stop_bg
NOSJACC="sockjail's accept mode did not echo"
acc_have() { # acc_have TOOL: can this machine run it?
	case $1 in
	sjs | sjp) [ -n "$SJACC" ] ;;
	tcp) [ -n "$TCPSERVER" ] ;;
	tcpu) [ -n "$TCPSERVER" ] && [ -n "$UNSHARE" ] ;;
	ssa) [ -n "$SSA" ] ;;
	ssau) [ -n "$SSA" ] && [ -n "$UNSHARE" ] ;;
	esac
}

# ---- 1. Accept=yes connections/s, 1 and 8 clients ------------------------------
settle $((SETTLE_MS * 2))
log "1/5 Accept=yes conn/s, $ROUNDS_ACCEPT rounds of ${ACCEPT_SECS}s x 2 per tool"
ACC_TOOLS="sjs sjp tcp tcpu ssa ssau"
: >"$OUT/acc.err"; : >"$OUT/hold.err"
for t in $ACC_TOOLS; do : >"$OUT/a1.$t"; : >"$OUT/a8.$t"; done
i=0
while [ $i -lt "$ROUNDS_ACCEPT" ]; do
	for t in $ACC_TOOLS; do
		acc_have "$t" || continue
		settle
		p=$("$HELPER" port)
		if acc_start "$t" "$p" 10000 ""; then
			"$HELPER" connrate "$p" 0.2 1 >/dev/null 2>&1 # warm up
			"$HELPER" connrate "$p" "$ACCEPT_SECS" 1 >>"$OUT/a1.$t" 2>>"$OUT/acc.err"
			"$HELPER" connrate "$p" "$ACCEPT_SECS" 8 >>"$OUT/a8.$t" 2>>"$OUT/acc.err"
		fi
		stop_bg
	done
	i=$((i + 1))
done
for t in $ACC_TOOLS; do
	eval "A1_$t=\$(grep -v fail \"\$OUT/a1.$t\" | median)"
	eval "A8_$t=\$(grep -v fail \"\$OUT/a8.$t\" | median)"
done

# ---- 2. launch -> sockets accepting (connect() succeeds) -----------------------
BW="--dev-bind / / --unshare-net --unshare-pid --unshare-ipc --unshare-uts --die-with-parent"
settle $((SETTLE_MS * 2))
log "2/5 launch -> accepting ($ROUNDS_LAUNCH rounds), -> first HTTP 200 ($ROUNDS_HTTP rounds)"
: >"$OUT/l.sj"; : >"$OUT/l.ssa"; : >"$OUT/l.ssau"; : >"$OUT/l.ssab"
i=0
while [ $i -lt "$ROUNDS_LAUNCH" ]; do
	p=$("$HELPER" port)
	"$HELPER" connect "$p" 5000 -- "$SOCKJAIL" run -q -l "127.0.0.1:$p" -- /bin/true \
		>>"$OUT/l.sj" 2>/dev/null
	if [ -n "$SSA" ]; then
		p=$("$HELPER" port)
		"$HELPER" connect "$p" 5000 -- "$SSA" -l "127.0.0.1:$p" -- true \
			>>"$OUT/l.ssa" 2>/dev/null
		if [ -n "$UNSHARE" ]; then
			p=$("$HELPER" port)
			"$HELPER" connect "$p" 5000 -- "$SSA" -l "127.0.0.1:$p" -- "$UNSHARE" -n true \
				>>"$OUT/l.ssau" 2>/dev/null
		fi
		if [ -n "$BWRAP" ]; then
			p=$("$HELPER" port)
			# shellcheck disable=SC2086
			"$HELPER" connect "$p" 5000 -- "$SSA" -l "127.0.0.1:$p" -- "$BWRAP" $BW true \
				>>"$OUT/l.ssab" 2>/dev/null
		fi
	fi
	i=$((i + 1))
done
L_SJ=$(grep -v fail "$OUT/l.sj" | median)
L_SSA=$(grep -v fail "$OUT/l.ssa" | median)
L_SSAU=$(grep -v fail "$OUT/l.ssau" | median)
L_SSAB=$(grep -v fail "$OUT/l.ssab" | median)

# launch -> first HTTP 200 from socket-activated lighttpd. Under bwrap's pid
# namespace lighttpd is pid 2, not the LISTEN_PID systemd-socket-activate set
# (bwrap's own): --setenv LISTEN_PID 2 says so, as sockjail's init does.
: >"$OUT/h.sj"; : >"$OUT/h.ssa"; : >"$OUT/h.ssau"; : >"$OUT/h.ssab"
LTCONF=examples/lighttpd/lighttpd.conf
if [ -n "$LIGHTTPD" ] && [ -n "$CURL" ]; then
	i=0
	while [ $i -lt "$ROUNDS_HTTP" ]; do
		p=$("$HELPER" port); sj_spec "$p"
		"$HELPER" http "$p" 10000 -- "$SOCKJAIL" run -q "$OUT/lighttpd.yaml" \
			>>"$OUT/h.sj" 2>/dev/null
		if [ -n "$SSA" ]; then
			p=$("$HELPER" port)
			"$HELPER" http "$p" 10000 -- "$SSA" -l "127.0.0.1:$p" -- \
				"$LIGHTTPD" -D -f "$LTCONF" >>"$OUT/h.ssa" 2>/dev/null
			if [ -n "$UNSHARE" ]; then
				p=$("$HELPER" port)
				"$HELPER" http "$p" 10000 -- "$SSA" -l "127.0.0.1:$p" -- \
					"$UNSHARE" -n "$LIGHTTPD" -D -f "$LTCONF" >>"$OUT/h.ssau" 2>/dev/null
			fi
			if [ -n "$BWRAP" ]; then
				p=$("$HELPER" port)
				# shellcheck disable=SC2086
				"$HELPER" http "$p" 10000 -- "$SSA" -l "127.0.0.1:$p" -- "$BWRAP" $BW \
					--setenv LISTEN_PID 2 "$LIGHTTPD" -D -f "$LTCONF" \
					>>"$OUT/h.ssab" 2>/dev/null
			fi
		fi
		i=$((i + 1))
	done
fi
H_SJ=$(grep -v fail "$OUT/h.sj" | median)
H_SSA=$(grep -v fail "$OUT/h.ssa" | median)
H_SSAU=$(grep -v fail "$OUT/h.ssau" | median)
H_SSAB=$(grep -v fail "$OUT/h.ssab" | median)

# ---- 3. data path: wrk against lighttpd, native and behind each tool ----------
settle $((SETTLE_MS * 2))
log "3/5 wrk -t2 -c16 -d${WRK_SECS}s ($ROUNDS_WRK rounds)"
: >"$OUT/w.sj"; : >"$OUT/w.nat"; : >"$OUT/w.pasta"; : >"$OUT/w.proxy"
if [ -n "$LIGHTTPD" ] && [ -n "$WRK" ] && [ -n "$CURL" ]; then
	i=0
	while [ $i -lt "$ROUNDS_WRK" ]; do
		p=$("$HELPER" port); native_conf "$p" "$OUT/lighttpd-native.conf"
		if start_bg "$p" "$OUT/native.log" "$LIGHTTPD" -D -f "$OUT/lighttpd-native.conf"; then
			await_200 "$p"; settle
			wrk_rps "$p" >>"$OUT/w.nat"
		fi
		stop_bg
		p=$("$HELPER" port); sj_spec "$p"
		if start_bg "$p" "$OUT/sj.log" "$SOCKJAIL" run -q "$OUT/lighttpd.yaml"; then
			await_200 "$p"; settle
			wrk_rps "$p" >>"$OUT/w.sj"
		fi
		stop_bg
		if [ -n "$PASTA" ]; then
			# pasta's port forward from the host's 127.0.0.1:P into a new
			# network (and user) namespace where lighttpd binds 127.0.0.1:P.
			p=$("$HELPER" port); native_conf "$p" "$OUT/lighttpd-pasta.conf"
			if start_bg "$p" "$OUT/pasta.log" "$PASTA" --runas 0 -f -q --config-net \
				-t "127.0.0.1/$p" -T none -u none -U none -- \
				"$LIGHTTPD" -D -f "$OUT/lighttpd-pasta.conf"; then
				await_200 "$p"; settle
				wrk_rps "$p" >>"$OUT/w.pasta"
			fi
			stop_bg_tree
		fi
		if [ -n "$PROXYD" ] && [ -n "$SSA" ]; then
			# systemd-socket-proxyd, socket-activated, relaying to a native lighttpd.
			p2=$("$HELPER" port); native_conf "$p2" "$OUT/lighttpd-proxied.conf"
			if start_bg "$p2" "$OUT/proxied.log" "$LIGHTTPD" -D -f "$OUT/lighttpd-proxied.conf"; then
				LTPID=$BGPID
				p=$("$HELPER" port)
				if start_bg "$p" "$OUT/proxyd.log" "$SSA" -l "127.0.0.1:$p" -- \
					"$PROXYD" "127.0.0.1:$p2"; then
					await_200 "$p"; settle
					wrk_rps "$p" >>"$OUT/w.proxy"
				fi
				stop_bg
				BGPID=$LTPID
			fi
			stop_bg
		fi
		i=$((i + 1))
	done
fi
W_SJ=$(median <"$OUT/w.sj")
W_NAT=$(median <"$OUT/w.nat")
W_PASTA=$(median <"$OUT/w.pasta")
W_PROXY=$(median <"$OUT/w.proxy")

# ---- 4. idle RSS of the waiting supervisor ------------------------------------
settle $((SETTLE_MS * 2))
log "4/5 idle RSS ($ROUNDS_RSS rounds)"
: >"$OUT/r.sj"; : >"$OUT/r.ssa"; : >"$OUT/r.sja"; : >"$OUT/r.tcp"; : >"$OUT/r.ssaa"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
i=0
while [ $i -lt "$ROUNDS_RSS" ]; do
	p=$("$HELPER" port); sj_spec "$p"
	if start_bg "$p" "$OUT/sj.log" "$SOCKJAIL" run -q "$OUT/lighttpd.yaml"; then
		sleep 0.3; rss "$BGPID" >>"$OUT/r.sj"
	fi
	stop_bg
	if [ -n "$SSA" ] && [ -n "$LIGHTTPD" ]; then
		p=$("$HELPER" port)
		if start_bg "$p" "$OUT/ssa.log" "$SSA" -l "127.0.0.1:$p" -- \
			"$LIGHTTPD" -D -f "$LTCONF"; then
			sleep 0.3; rss "$BGPID" >>"$OUT/r.ssa"
		fi
		stop_bg
	fi
	for t in sjs tcp ssa; do
		acc_have "$t" || continue
		p=$("$HELPER" port)
		if acc_start "$t" "$p" 10000 ""; then
			sleep 0.3
			case $t in
			sjs) rss "$BGPID" >>"$OUT/r.sja" ;;
			tcp) rss "$BGPID" >>"$OUT/r.tcp" ;;
			ssa) rss "$BGPID" >>"$OUT/r.ssaa" ;;
			esac
		fi
		stop_bg
	done
	i=$((i + 1))
done
R_SJ=$(median <"$OUT/r.sj")
R_SSA=$(median <"$OUT/r.ssa")
R_SJA=$(median <"$OUT/r.sja")
R_TCP=$(median <"$OUT/r.tcp")
R_SSAA=$(median <"$OUT/r.ssaa")

# ---- 5a. NSOCKS unix listen_stream sockets: launch -> all listening -------------
settle $((SETTLE_MS * 2))
log "5/5 $NSOCKS sockets ($ROUNDS_SOCKS rounds), $NHOLD held connections"
: >"$OUT/s.sj"; : >"$OUT/s.ssa"
i=0
while [ $i -lt "$ROUNDS_SOCKS" ]; do
	d=$(mktemp -d) || break
	{
		echo "sockets:"
		awk -v n="$NSOCKS" -v d="$d" 'BEGIN { for (i = 1; i <= n; i++)
			printf "  s%d:\n    listen_stream: %s/s%d\n", i, d, i }'
		echo "service:"
		echo "  exec: [/bin/true]"
	} >"$OUT/socks.yaml"
	# sockjail's --ready-fd line comes once every socket listens.
	"$HELPER" ready 3 '"event":"listening"' 20000 -- \
		"$SOCKJAIL" run -q --ready-fd 3 "$OUT/socks.yaml" >>"$OUT/s.sj" 2>/dev/null
	rm -rf "$d"
	if [ -n "$SSA" ]; then
		d=$(mktemp -d) || break
		args=$(awk -v n="$NSOCKS" -v d="$d" 'BEGIN { for (i = 1; i <= n; i++)
			printf " -l %s/s%d", d, i }')
		# systemd-socket-activate logs "Listening on ADDR as FD." after each
		# listen(); the last one's line means all listen.
		# shellcheck disable=SC2086
		"$HELPER" ready 2 "/s$NSOCKS as " 20000 -- "$SSA" $args -- sleep 30 \
			>>"$OUT/s.ssa" 2>/dev/null
		rm -rf "$d"
	fi
	i=$((i + 1))
done
S_SJ=$(grep -v fail "$OUT/s.sj" | median)
S_SSA=$(grep -v fail "$OUT/s.ssa" | median)

# ---- 5b. NHOLD concurrent Accept=yes connections: supervisor RSS per connection --
# acceptsvc hold echoes until EOF: every connection has its own instance,
# running when its echo comes back. Bytes per connection = (VmRSS with all of
# them - VmRSS idle) / NHOLD, of the supervisor's own pid; "with helpers" is
# the same for the supervisor and all its descendants but the acceptsvc
# instances. Idle is after one connection (an on-demand sandbox is up).
hold_cell() { # hold_cell FILE -> "B/conn (idle → loaded kB; tree; s)" or n/a (why)
	if [ ! -s "$1" ]; then echo "n/a (failed to start)"; return; fi
	if grep -q fail "$1"; then echo "n/a (the first connection was not echoed)"; return; fi
	awk -v n="$NHOLD" '{ idle = $1; load = $2; ok = $3; t = $4; ti = $5; tl = $6 } END {
		if (ok != n || idle < 0 || load < 0)
			printf "n/a (%d of %d echoed in %.1f s)", ok, n, t / 1000
		else
			printf "%.0f B/conn (%d → %d kB; with helpers %.0f B/conn; opened in %.1f s)",
				(load - idle) * 1024 / n, idle, load, (tl - ti) * 1024 / n, t / 1000 }' "$1"
}
hold_val() { # bytes per connection, or "" when not all were echoed
	[ -s "$1" ] && awk -v n="$NHOLD" '$3 == n && $1 >= 0 && $2 >= 0 {
		printf "%.0f", ($2 - $1) * 1024 / n }' "$1"
}
: >"$OUT/m.sjs"; : >"$OUT/m.ssa"; : >"$OUT/m.tcp"
for t in sjs ssa tcp; do
	acc_have "$t" || continue
	settle
	p=$("$HELPER" port)
	if acc_start "$t" "$p" $((NHOLD * 2)) hold; then
		"$HELPER" hold "$p" "$NHOLD" "$HOLD_SECS" "$BGPID" "$ACCSVC" \
			>"$OUT/m.$t" 2>>"$OUT/hold.err"
	fi
	stop_bg
	# the instances end on EOF; wait (bounded) until none is left
	"$HELPER" waitgone "$ACCSVC" 30000 >/dev/null
done
M_SJ=$(hold_val "$OUT/m.sjs")
M_SSA=$(hold_val "$OUT/m.ssa")
M_TCP=$(hold_val "$OUT/m.tcp")

# ---- table ------------------------------------------------------------------
NOSSA="systemd-socket-activate not available"
NOTCP="tcpserver not available"
NOLT="lighttpd/curl not available"
NOWRK="wrk or lighttpd not available"
cps() { # cps VALUE REASON
	cell "$1" "$1" "$2"
}
s=; t=; a=
{
	echo "| Row | sockjail | alternative | ratio | target | met? |"
	echo "|---|---|---|---|---|---|"
	for n in 1 8; do
		cl="$n client"; [ "$n" -gt 1 ] && cl="${cl}s"
		eval "s=\$A${n}_sjs; t=\$A${n}_tcp; a=\$A${n}_ssa"
		row "Accept=yes conn/s, $cl, shared sandbox (vs tcpserver, no sandbox)" \
			"$(cps "$s" "$NOSJACC")" "$(cps "$t" "$NOTCP")" "$(ratio "$s" "$t")" ">=" 1.0
		row "Accept=yes conn/s, $cl, shared sandbox (vs systemd-socket-activate --inetd -a)" \
			"$(cps "$s" "$NOSJACC")" "$(cps "$a" "$NOSSA")" "$(ratio "$s" "$a")"
	done
	for n in 1 8; do
		cl="$n client"; [ "$n" -gt 1 ] && cl="${cl}s"
		eval "s=\$A${n}_sjp; t=\$A${n}_tcpu; a=\$A${n}_ssau"
		row "Accept=yes conn/s, $cl, per-connection sandbox (vs tcpserver … unshare -n)" \
			"$(cps "$s" "$NOSJACC")" "$(cps "$t" "$NOTCP")" "$(ratio "$s" "$t")" ">=" 2.0
		row "Accept=yes conn/s, $cl, per-connection sandbox (vs systemd-socket-activate --inetd -a … unshare -n)" \
			"$(cps "$s" "$NOSJACC")" "$(cps "$a" "$NOSSA")" "$(ratio "$s" "$a")"
	done
	row "launch → accepting (vs systemd-socket-activate)" \
		"$(cell "$L_SJ" "$(ms "$L_SJ")" failed)" "$(cell "$L_SSA" "$(ms "$L_SSA")" "$NOSSA")" \
		"$(ratio "$L_SJ" "$L_SSA")" "<=" 0.25
	row "launch → accepting (vs systemd-socket-activate … unshare -n)" \
		"$(cell "$L_SJ" "$(ms "$L_SJ")" failed)" "$(cell "$L_SSAU" "$(ms "$L_SSAU")" "$NOSSA or unshare")" \
		"$(ratio "$L_SJ" "$L_SSAU")"
	row "launch → accepting (vs systemd-socket-activate … bwrap; bwrap starts at the first connection)" \
		"$(cell "$L_SJ" "$(ms "$L_SJ")" failed)" "$(cell "$L_SSAB" "$(ms "$L_SSAB")" "$NOSSA or bwrap")" \
		"$(ratio "$L_SJ" "$L_SSAB")"
	row "launch → first HTTP 200 from lighttpd (vs systemd-socket-activate)" \
		"$(cell "$H_SJ" "$(ms "$H_SJ")" "$NOLT")" "$(cell "$H_SSA" "$(ms "$H_SSA")" "$NOSSA or $NOLT")" \
		"$(ratio "$H_SJ" "$H_SSA")"
	row "launch → first HTTP 200 from lighttpd (vs systemd-socket-activate … unshare -n)" \
		"$(cell "$H_SJ" "$(ms "$H_SJ")" "$NOLT")" "$(cell "$H_SSAU" "$(ms "$H_SSAU")" "$NOSSA or $NOLT")" \
		"$(ratio "$H_SJ" "$H_SSAU")"
	row "launch → first HTTP 200 from lighttpd (vs systemd-socket-activate … bwrap, LISTEN_PID 2)" \
		"$(cell "$H_SJ" "$(ms "$H_SJ")" "$NOLT")" "$(cell "$H_SSAB" "$(ms "$H_SSAB")" "$NOSSA, bwrap or $NOLT")" \
		"$(ratio "$H_SJ" "$H_SSAB")"
	row "lighttpd requests/s, wrk -t2 -c16 -d${WRK_SECS}s (vs native server.bind)" \
		"$(cell "$W_SJ" "$W_SJ" "$NOWRK")" "$(cell "$W_NAT" "$W_NAT" "$NOWRK")" \
		"$(ratio "$W_SJ" "$W_NAT")" ">=" 0.98
	row "lighttpd requests/s (vs pasta -t port forward into a netns)" \
		"$(cell "$W_SJ" "$W_SJ" "$NOWRK")" "$(cell "$W_PASTA" "$(vsnat "$W_PASTA" "$W_NAT")" "pasta not available or failed")" \
		"$(ratio "$W_SJ" "$W_PASTA")"
	row "lighttpd requests/s (vs systemd-socket-proxyd to native)" \
		"$(cell "$W_SJ" "$W_SJ" "$NOWRK")" "$(cell "$W_PROXY" "$(vsnat "$W_PROXY" "$W_NAT")" "systemd-socket-proxyd not available or failed")" \
		"$(ratio "$W_SJ" "$W_PROXY")"
	row "idle VmRSS, on-demand lighttpd (vs systemd-socket-activate)" \
		"$(cell "$R_SJ" "$R_SJ kB" failed)" "$(cell "$R_SSA" "$R_SSA kB" "$NOSSA")" \
		"$(ratio "$R_SJ" "$R_SSA")"
	row "idle VmRSS, Accept=yes, shared sandbox (vs tcpserver)" \
		"$(cell "$R_SJA" "$R_SJA kB" "$NOSJACC")" "$(cell "$R_TCP" "$R_TCP kB" "$NOTCP")" \
		"$(ratio "$R_SJA" "$R_TCP")" "<=" 1.0
	row "idle VmRSS, Accept=yes, shared sandbox (vs systemd-socket-activate --inetd -a)" \
		"$(cell "$R_SJA" "$R_SJA kB" "$NOSJACC")" "$(cell "$R_SSAA" "$R_SSAA kB" "$NOSSA")" \
		"$(ratio "$R_SJA" "$R_SSAA")"
	row "launch → all $NSOCKS unix listen_stream sockets listening (vs systemd-socket-activate, $NSOCKS -l)" \
		"$(cell "$S_SJ" "$(ms "$S_SJ")" failed)" "$(cell "$S_SSA" "$(ms "$S_SSA")" "$NOSSA or failed")" \
		"$(ratio "$S_SJ" "$S_SSA")"
	if [ -n "$SJACC" ]; then SJM=$(hold_cell "$OUT/m.sjs"); else SJM="n/a ($NOSJACC)"; fi
	row "supervisor VmRSS per held Accept=yes connection, $NHOLD at once, shared sandbox (vs systemd-socket-activate --inetd -a)" \
		"$SJM" "$(hold_cell "$OUT/m.ssa")" "$(ratio "$M_SJ" "$M_SSA" | sed 's|^n/a$|—|')"
	row "supervisor VmRSS per held Accept=yes connection, $NHOLD at once, shared sandbox (vs tcpserver -c $((NHOLD * 2)))" \
		"$SJM" "$(hold_cell "$OUT/m.tcp")" "$(ratio "$M_SJ" "$M_TCP" | sed 's|^n/a$|—|')"
	echo
	echo "Medians; rounds: accept $ROUNDS_ACCEPT × ${ACCEPT_SECS}s, launch $ROUNDS_LAUNCH, HTTP $ROUNDS_HTTP, wrk $ROUNDS_WRK, RSS $ROUNDS_RSS, sockets $ROUNDS_SOCKS; $(date -u +%Y-%m-%d), $(nproc) cores, $(($(date +%s) - T0)) s in all; CPUs busy with other work before $BUSY of $SETTLES measurements."
} >"$RES/latest.md"
cat "$RES/latest.md"
log "done"
