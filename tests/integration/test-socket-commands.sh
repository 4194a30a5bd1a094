#!/bin/sh
# The socket units' own commands (exec_start_pre, exec_start_post,
# exec_stop_pre, exec_stop_post, timeout_sec): run on the host where systemd
# runs them, against the real sockets; a failure, a timeout or a stop signal
# leaves no socket file and no process.
. "$(dirname "$0")/lib.sh"

# rec WHAT: a command line that appends "WHAT sock|nosock SECONDS" to $T/order,
# sock when $T/run/a.sock is a socket at that moment.
cat >"$T/rec" <<EOF
#!/bin/sh
if test -S "$T/run/a.sock"; then s=sock; else s=nosock; fi
echo "\$1 \$s \$(date +%s.%N)" >>"$T/order"
EOF
chmod 755 "$T/rec"
rec() { echo "\"$T/rec $1\""; }

# gone PIDFILE: the process whose pid is in PIDFILE has ended.
gone() { ! alive "$(cat "$1")"; }

# ---- the four phases, in order, around the sockets' life ----
port=$(free_port)
cat >"$T/order.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/run/a.sock
    remove_on_stop: yes
    exec_start_pre: $(rec a-pre)
    exec_start_post:
      - $(rec a-post)
      - "sh -c 'ls -l /proc/\$\$/fd >$T/fds; readlink /proc/\$\$/fd/0 >$T/stdin'"
    exec_stop_pre: $(rec a-stoppre)
    exec_stop_post: $(rec a-stoppost)
  b:
    listen_stream: 127.0.0.1:$port
    exec_start_pre: $(rec b-pre)
    exec_start_post: $(rec b-post)
    exec_stop_pre: $(rec b-stoppre)
    exec_stop_post: $(rec b-stoppost)
service:
  exec: [$PROBE, sleep]
  start: immediate
EOF
start order "$SOCKJAIL" run "$T/order.yaml"
sj=$pid
until_ok 10 grep -q ready "$T/order.out"
expect "the start commands ran before the service, in spec order" \
        "$(cut -d' ' -f1,2 "$T/order" | tr '\n' ' ')" \
        "a-pre nosock b-pre nosock a-post sock b-post sock "
expect "a command gets no socket fd" "$(grep -c 'socket:' "$T/fds")" 0
expect "a command's stdin is /dev/null" "$(cat "$T/stdin")" /dev/null
kill -TERM "$sj"
finish "$sj" 10
expect "stopped service: sockjail exits with its status" "$rc" 143
expect "the stop commands ran after the service, exec_stop_post once the file was gone" \
        "$(cut -d' ' -f1,2 "$T/order" | tail -n 4 | tr '\n' ' ')" \
        "a-stoppre sock b-stoppre sock a-stoppost nosock b-stoppost nosock "
check "the recorded times never go back" \
        awk 'NR > 1 && $3 < last { exit 1 } { last = $3 }' "$T/order"
expect "the commands print nothing of their own" "$(cat "$T/order.err")" \
        "sockjail: service started (pid 2 in its sandbox)
sockjail: service exited with signal 15"

# ---- sockjail check shows them ----
"$SOCKJAIL" check "$T/order.yaml" >"$T/check.out" 2>&1
expect "check exits 0" "$?" 0
check "check prints the commands and the timeout" \
        grep -q "^    exec_stop_post: $T/rec a-stoppost (program $T/rec)$" "$T/check.out"
check "check says they run on the host" \
        grep -q "^    commands run on the host, not sandboxed; timeout_sec 90s$" "$T/check.out"

# ---- a failed exec_start_pre: exit 1, no socket, no stop commands of its own ----
rm -f "$T/order"
cat >"$T/pre.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/pre/a.sock
    exec_start_pre: ["sh -c 'sleep 30 & echo \$! >$T/pre.pid; exit 3'", $(rec never)]
    exec_stop_post: $(rec a-stoppost)
service:
  exec: [$PROBE]
  start: immediate
EOF
start pre "$SOCKJAIL" run "$T/pre.yaml"
finish "$pid" 10
expect "a failed exec_start_pre exits 1" "$rc" 1
expect "a failed exec_start_pre says which command and how" "$(cat "$T/pre.err")" \
        "sockjail: exec_start_pre of socket 'a': sh -c 'sleep 30 & echo \$! >$T/pre.pid; exit 3': exited with status 3"
check "a failed exec_start_pre makes no socket and no directory" test ! -e "$T/pre"
check "a failed exec_start_pre runs nothing more (as systemd)" test ! -e "$T/order"
check "what the failed command left in its process group is killed" until_ok 2 gone "$T/pre.pid"
expect "a failed exec_start_pre starts no service" "$(cat "$T/pre.out")" ""

# ---- a failed exec_start_post: the stop commands run, everything is removed ----
cat >"$T/post.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/run/a.sock
    directory_mode: "0700"
    exec_start_post: "sh -c 'kill -KILL \$\$'"
    exec_stop_pre: $(rec a-stoppre)
    exec_stop_post: $(rec a-stoppost)
service:
  exec: [$PROBE]
  start: immediate
EOF
start post "$SOCKJAIL" run "$T/post.yaml"
finish "$pid" 10
expect "a failed exec_start_post exits 1" "$rc" 1
expect "a failed exec_start_post says so" "$(cat "$T/post.err")" \
        "sockjail: exec_start_post of socket 'a': sh -c 'kill -KILL \$\$': killed by signal 9 (SIGKILL)"
expect "then exec_stop_pre and exec_stop_post run, around the removal" \
        "$(cut -d' ' -f1,2 "$T/order" | tr '\n' ' ')" "a-stoppre sock a-stoppost nosock "
check "a failed exec_start_post leaves no socket file or directory" test ! -e "$T/run"
expect "a failed exec_start_post starts no service" "$(cat "$T/post.out")" ""

# ---- '-' ignores a failure; a stop command's failure keeps the exit status ----
cat >"$T/dash.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/dash.sock
    exec_start_pre: ["-false", "-sh -c 'kill -TERM \$\$'"]
    exec_stop_post: "false"
service:
  exec: [$PROBE, exit, "7"]
  start: immediate
EOF
"$SOCKJAIL" run -q "$T/dash.yaml" >/dev/null 2>"$T/dash.err"
expect "'-' commands fail, the service runs anyway" "$?" 7
expect "a stop command's failure is logged" "$(cat "$T/dash.err")" \
        "sockjail: exec_stop_post of socket 'a': false: exited with status 1"
"$SOCKJAIL" run "$T/dash.yaml" >/dev/null 2>"$T/dash-v.err"
check "an ignored failure is logged as ignored" grep -qx \
        "sockjail: exec_start_pre of socket 'a': -sh -c 'kill -TERM \$\$': killed by signal 15 (SIGTERM) (ignored)" \
        "$T/dash-v.err"

# ---- timeout_sec: SIGTERM at the time, the start fails, nothing is left ----
cat >"$T/slow.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/slow/a.sock
    timeout_sec: 1
    exec_start_pre: "sh -c 'echo \$\$ >$T/slow.pid; exec sleep 30'"
service:
  exec: [$PROBE]
  start: immediate
EOF
t0=$(date +%s)
start slow "$SOCKJAIL" run "$T/slow.yaml"
finish "$pid" 10
expect "a command past timeout_sec fails the start" "$rc" 1
check "it is stopped within the timeout (and a second)" test $(($(date +%s) - t0)) -le 3
expect "the message says it timed out" "$(cat "$T/slow.err")" \
        "sockjail: exec_start_pre of socket 'a': sh -c 'echo \$\$ >$T/slow.pid; exec sleep 30': timed out after 1s"
check "the timed-out command is gone" gone "$T/slow.pid"
check "a timed-out start leaves no socket directory" test ! -e "$T/slow"

# ---- SIGTERM to sockjail during exec_start_pre: stops it, runs exec_stop_post ----
rm -f "$T/order"
cat >"$T/term.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/term/a.sock
    exec_start_pre: "sh -c 'echo \$\$ >$T/term.pid; exec sleep 30'"
    exec_stop_pre: $(rec a-stoppre)
    exec_stop_post: $(rec a-stoppost)
service:
  exec: [$PROBE]
  start: immediate
EOF
start term "$SOCKJAIL" run "$T/term.yaml"
sj=$pid
until_ok 10 test -s "$T/term.pid"
kill -TERM "$sj"
finish "$sj" 5
expect "SIGTERM during exec_start_pre: a clean stop, exit 0" "$rc" 0
check "the running command is gone" gone "$T/term.pid"
expect "then only exec_stop_post runs (as systemd)" "$(cut -d' ' -f1,2 "$T/order")" \
        "a-stoppost nosock"
expect "the stop is logged" "$(cat "$T/term.err")" \
        "sockjail: stopped by signal 15 during exec_start_pre of socket 'a': sh -c 'echo \$\$ >$T/term.pid; exec sleep 30'"
check "no socket was made" test ! -e "$T/term"

# ---- SIGKILL to sockjail: the running command goes too ----
start kill "$SOCKJAIL" run "$T/term.yaml"
sj=$pid
rm -f "$T/term.pid"
until_ok 10 test -s "$T/term.pid"
kill -KILL "$sj"
finish "$sj" 5
check "SIGKILL of sockjail takes the running command down" until_ok 2 gone "$T/term.pid"

# ---- the program is gone when the command runs: the execve error ----
cp "$PROBE" "$T/prog"
cat >"$T/vanish.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/vanish.sock
    exec_start_pre: ["rm $T/prog", "$T/prog"]
service:
  exec: [$PROBE]
  start: immediate
EOF
"$SOCKJAIL" run "$T/vanish.yaml" >/dev/null 2>"$T/vanish.err"
expect "a command that cannot be executed fails the start" "$?" 1
expect "the message has the execve error" "$(cat "$T/vanish.err")" \
        "sockjail: exec_start_pre of socket 'a': $T/prog: No such file or directory"

# ---- an unknown program is a spec error with FILE:LINE:COLUMN ----
cat >"$T/unknown.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/unknown.sock
    exec_stop_post: [true, no-such-program-here]
service:
  exec: [$PROBE]
EOF
"$SOCKJAIL" run "$T/unknown.yaml" >/dev/null 2>"$T/unknown.err"
expect "an unknown program is a spec error (exit 2)" "$?" 2
expect "the spec error says where" "$(cat "$T/unknown.err")" \
        "$T/unknown.yaml:4:28: 'no-such-program-here' not found in PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)"
check "a spec error makes no socket" test ! -e "$T/unknown.sock"
