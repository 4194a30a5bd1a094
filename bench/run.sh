#!/bin/sh
# bench/run.sh BUILD - sockjail against systemd-socket-activate and a native
# lighttpd, on loopback, the tools interleaved round by round; medians.
# Run from the top of the source tree (make bench). Writes the Markdown table
# to stdout and bench/results/latest.md. Issue 6 (Accept=yes rows: later).
set -u

BUILD=${1:-build}
SOCKJAIL=$BUILD/sockjail
OUT=$BUILD/bench
RES=bench/results
ROUNDS_LAUNCH=${ROUNDS_LAUNCH:-21}  # row 1, per tool
ROUNDS_HTTP=${ROUNDS_HTTP:-11}       # row 2, per tool
ROUNDS_WRK=${ROUNDS_WRK:-5}         # row 3, per tool, 5 s each
ROUNDS_RSS=${ROUNDS_RSS:-5}         # row 4, per tool

mkdir -p "$OUT" "$RES" || exit 1
[ -x "$SOCKJAIL" ] || { echo "bench: $SOCKJAIL missing (make all)" >&2; exit 1; }

log() { echo "bench: $*" >&2; }

# Tools: Debian packages, installed if missing and apt-get is usable.
need() { # need CMD PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing $2 for $1"
		timeout 120 apt-get install -y -q "$2" >"$OUT/apt-$2.log" 2>&1
	fi
	command -v "$1" >/dev/null 2>&1
}
SSA=; WRK=; LIGHTTPD=; CURL=
need systemd-socket-activate systemd && SSA=$(command -v systemd-socket-activate)
need wrk wrk && WRK=$(command -v wrk)
need lighttpd lighttpd && LIGHTTPD=$(command -v lighttpd)
need curl curl && CURL=$(command -v curl)
UNSHARE=$(command -v unshare 2>/dev/null || true)

HELPER=$OUT/sjbench
if [ ! -x "$HELPER" ] || [ bench/sjbench.c -nt "$HELPER" ]; then
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$HELPER" bench/sjbench.c || exit 1
fi

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

# A lighttpd config for the native run: its own server.bind on a port.
native_conf() { # native_conf PORT
	sed 's/^server.systemd-socket-activation.*/server.systemd-socket-activation = "disable"/' \
		examples/lighttpd/lighttpd.conf >"$OUT/lighttpd-native.conf"
	printf 'server.bind = "127.0.0.1"\nserver.port = %s\n' "$1" >>"$OUT/lighttpd-native.conf"
}
# examples/lighttpd.yaml with a free port.
sj_spec() { # sj_spec PORT
	sed "s/127.0.0.1:8081/127.0.0.1:$1/" examples/lighttpd.yaml >"$OUT/lighttpd.yaml"
}

# ---- 1. launch -> sockets accepting (connect() succeeds) -------------------
log "1/4 launch -> accepting ($ROUNDS_LAUNCH rounds)"
: >"$OUT/l.sj"; : >"$OUT/l.ssa"; : >"$OUT/l.ssau"
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
	fi
	i=$((i + 1))
done
L_SJ=$(grep -v fail "$OUT/l.sj" | median)
L_SSA=$(grep -v fail "$OUT/l.ssa" | median)
L_SSAU=$(grep -v fail "$OUT/l.ssau" | median)

# ---- 2. launch -> first HTTP 200 from socket-activated lighttpd ------------
log "2/4 launch -> first HTTP 200 ($ROUNDS_HTTP rounds)"
: >"$OUT/h.sj"; : >"$OUT/h.ssa"
if [ -n "$LIGHTTPD" ] && [ -n "$CURL" ]; then
	i=0
	while [ $i -lt "$ROUNDS_HTTP" ]; do
		p=$("$HELPER" port); sj_spec "$p"
		"$HELPER" http "$p" 10000 -- "$SOCKJAIL" run -q "$OUT/lighttpd.yaml" \
			>>"$OUT/h.sj" 2>/dev/null
		if [ -n "$SSA" ]; then
			p=$("$HELPER" port)
			"$HELPER" http "$p" 10000 -- "$SSA" -l "127.0.0.1:$p" -- \
				"$LIGHTTPD" -D -f examples/lighttpd/lighttpd.conf \
				>>"$OUT/h.ssa" 2>/dev/null
		fi
		i=$((i + 1))
	done
fi
H_SJ=$(grep -v fail "$OUT/h.sj" | median)
H_SSA=$(grep -v fail "$OUT/h.ssa" | median)

# Start a command in the background, wait (bounded) until PORT listens
# without connecting to it; sets BGPID. 1 on timeout.
start_bg() { # start_bg PORT LOG CMD ARGS...
	port=$1; lg=$2; shift 2
	"$@" >"$lg" 2>&1 &
	BGPID=$!
	n=0
	while [ $n -lt 100 ]; do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.05; n=$((n + 1))
	done
	return 1
}
stop_bg() { # SIGTERM BGPID, SIGKILL after 3 s, reap
	kill "$BGPID" 2>/dev/null
	n=0
	while kill -0 "$BGPID" 2>/dev/null && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
	kill -9 "$BGPID" 2>/dev/null
	wait "$BGPID" 2>/dev/null
}
wrk_rps() { # wrk_rps PORT -> requests/s
	timeout 20 "$WRK" -t2 -c16 -d5s "http://127.0.0.1:$1/" 2>/dev/null |
		awk '/^Requests\/sec:/ { print $2 }'
}

# ---- 3. data path: wrk against native vs socket-activated lighttpd ---------
log "3/4 wrk -t2 -c16 -d5s ($ROUNDS_WRK rounds)"
: >"$OUT/w.sj"; : >"$OUT/w.nat"
if [ -n "$LIGHTTPD" ] && [ -n "$WRK" ] && [ -n "$CURL" ]; then
	i=0
	while [ $i -lt "$ROUNDS_WRK" ]; do
		p=$("$HELPER" port); native_conf "$p"
		if start_bg "$p" "$OUT/native.log" "$LIGHTTPD" -D -f "$OUT/lighttpd-native.conf"; then
			"$CURL" -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/"
			wrk_rps "$p" >>"$OUT/w.nat"
		fi
		stop_bg
		p=$("$HELPER" port); sj_spec "$p"
		if start_bg "$p" "$OUT/sj.log" "$SOCKJAIL" run -q "$OUT/lighttpd.yaml"; then
			# first request starts lighttpd; wait until it answers
			"$HELPER" http "$p" 10000 -- sleep 30 >/dev/null
			wrk_rps "$p" >>"$OUT/w.sj"
		fi
		stop_bg
		i=$((i + 1))
	done
fi
W_SJ=$(median <"$OUT/w.sj")
W_NAT=$(median <"$OUT/w.nat")

# ---- 4. idle RSS of the waiting supervisor ---------------------------------
log "4/4 idle RSS ($ROUNDS_RSS rounds)"
: >"$OUT/r.sj"; : >"$OUT/r.ssa"
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
			"$LIGHTTPD" -D -f examples/lighttpd/lighttpd.conf; then
			sleep 0.3; rss "$BGPID" >>"$OUT/r.ssa"
		fi
		stop_bg
	fi
	i=$((i + 1))
done
R_SJ=$(median <"$OUT/r.sj")
R_SSA=$(median <"$OUT/r.ssa")

# ---- table ------------------------------------------------------------------
NOSSA="systemd-socket-activate not available"
NOLT="lighttpd/curl not available"
NOWRK="wrk or lighttpd not available"
{
	echo "| measurement | sockjail | alternative | ratio |"
	echo "|---|---|---|---|"
	echo "| launch → accepting, median of $ROUNDS_LAUNCH (vs systemd-socket-activate) | $(cell "$L_SJ" "$(ms "$L_SJ")" failed) | $(cell "$L_SSA" "$(ms "$L_SSA")" "$NOSSA") | $(ratio "$L_SJ" "$L_SSA") |"
	echo "| launch → accepting, median of $ROUNDS_LAUNCH (vs systemd-socket-activate + unshare -n) | $(cell "$L_SJ" "$(ms "$L_SJ")" failed) | $(cell "$L_SSAU" "$(ms "$L_SSAU")" "$NOSSA or unshare") | $(ratio "$L_SJ" "$L_SSAU") |"
	echo "| launch → first HTTP 200 from lighttpd, curl loop, median of $ROUNDS_HTTP (vs systemd-socket-activate) | $(cell "$H_SJ" "$(ms "$H_SJ")" "$NOLT") | $(cell "$H_SSA" "$(ms "$H_SSA")" "$NOSSA or $NOLT") | $(ratio "$H_SJ" "$H_SSA") |"
	echo "| lighttpd requests/s, wrk -t2 -c16 -d5s, median of $ROUNDS_WRK (vs native server.bind) | $(cell "$W_SJ" "$W_SJ" "$NOWRK") | $(cell "$W_NAT" "$W_NAT" "$NOWRK") | $(ratio "$W_SJ" "$W_NAT") |"
	echo "| idle supervisor VmRSS, on-demand lighttpd, median of $ROUNDS_RSS (vs systemd-socket-activate) | $(cell "$R_SJ" "$R_SJ kB" failed) | $(cell "$R_SSA" "$R_SSA kB" "$NOSSA") | $(ratio "$R_SJ" "$R_SSA") |"
} >"$RES/latest.md"
cat "$RES/latest.md"
