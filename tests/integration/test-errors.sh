#!/bin/sh
# Failures: a bad spec, a busy address, a service that cannot start. Each one
# exits with the documented code and leaves no socket file and no process.
. "$(dirname "$0")/lib.sh"

# A bad spec: FILE:LINE:COLUMN, exit 2, nothing created.
cat >"$T/bad.yaml" <<EOF
sockets:
  admin:
    listen_stream: $T/bad/admin.sock
    listen_streem: 80
service:
  exec: [$PROBE]
EOF
"$SOCKJAIL" run "$T/bad.yaml" >"$T/bad.out" 2>"$T/bad.err"
expect "bad spec exits 2" "$?" 2
expect "bad spec message has file:line:column and a hint" "$(cat "$T/bad.err")" \
        "$T/bad.yaml:4:5: unknown key 'listen_streem' in socket 'admin' (did you mean 'listen_stream'?)"
check "bad spec leaves no directory" test ! -e "$T/bad"
"$SOCKJAIL" check "$T/bad.yaml" >/dev/null 2>&1
expect "check exits 2 on the same spec" "$?" 2

# An address in use: exit 1, "bind ADDR: Address already in use", and the
# unix socket made before it is gone again.
port=$(free_port)
hold_port "$port"
cat >"$T/busy.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/busy/first.sock
  b:
    listen_stream: 127.0.0.1:$port
service:
  exec: [$PROBE]
EOF
"$SOCKJAIL" run "$T/busy.yaml" >/dev/null 2>"$T/busy.err"
expect "address in use exits 1" "$?" 1
expect "address in use names the address and errno" "$(cat "$T/busy.err")" \
        "sockjail: bind 127.0.0.1:$port: Address already in use"
check "address in use leaves no socket file or directory" test ! -e "$T/busy"

# A symlink in a socket path: exit 1, the message names the link, and
# nothing is made where it points.
mkdir "$T/elsewhere" && ln -s "$T/elsewhere" "$T/linked"
"$SOCKJAIL" run -l "$T/linked/sub/x.sock" --now -- "$PROBE" >/dev/null 2>"$T/link.err"
expect "a symlink in a socket path exits 1" "$?" 1
expect "a symlink in a socket path is named" "$(cat "$T/link.err")" \
        "sockjail: create the directory of $T/linked/sub/x.sock: Too many levels of symbolic links ($T/linked is a symbolic link)"
check "nothing is made where the symlink points" test -z "$(ls -A "$T/elsewhere")"

# The service cannot exec (the program is 0700 root's, the service runs as
# nobody): exit 1 with the step and errno, no socket file, no process.
P=$BUILD/it-private-$$
rm -rf "$P" && mkdir -m 0755 "$P" && cp "$PROBE" "$P/probe" && chmod 0700 "$P/probe"
trap 'rm -rf "$P"; cleanup' EXIT
cat >"$T/noexec.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/noexec.sock
    remove_on_stop: no
service:
  exec: [$P/probe]
  start: immediate
policy:
  user: nobody
EOF
start noexec "$SOCKJAIL" run "$T/noexec.yaml"
finish "$pid" 10
expect "failed start exits 1" "$rc" 1
expect "failed start says which step and why" "$(cat "$T/noexec.err")" \
        "sockjail: exec $P/probe: Permission denied"
check "failed start leaves no socket file" test ! -e "$T/noexec.sock"
check "failed start leaves no process" test -z "$(pgrep -f "$P/probe")"

# A program under /tmp runs although the sandbox has its own /tmp: sockjail
# opens it on the host. A script there cannot (its interpreter opens it by
# name inside), and the message says why.
cp "$PROBE" "$T/probe-in-tmp"
"$SOCKJAIL" run -l "$T/t.sock" --now -- "$T/probe-in-tmp" >"$T/tmp.out" 2>&1
expect "a program under the hidden /tmp runs" "$?" 0
expect "a program under the hidden /tmp sees the private /tmp" "$(key "$T/tmp.out" tmp.files)" 0
printf '#!/bin/sh\nexit 0\n' >"$T/script-in-tmp" && chmod 755 "$T/script-in-tmp"
"$SOCKJAIL" run -l "$T/t.sock" --now -- "$T/script-in-tmp" >/dev/null 2>"$T/tmp.err"
expect "a script under the hidden /tmp exits 1" "$?" 1
expect "a script under the hidden /tmp explains private_tmp" "$(tail -n 1 "$T/tmp.err")" \
        "sockjail: exec $T/script-in-tmp: No such file or directory (/tmp and /var/tmp are private in the sandbox: private_tmp)"

# The service's exit status and death by signal come back as sockjail's.
start exit7 "$SOCKJAIL" run -l "$T/e.sock" --now -- "$PROBE" exit 7
finish "$pid" 10
expect "exit status passes through" "$rc" 7
start sleep "$SOCKJAIL" run -l "$T/s.sock" --now -- "$PROBE" sleep
sj=$pid
until_ok 5 grep -q ready "$T/sleep.out"
kill -TERM "$sj"
finish "$sj" 10
expect "SIGTERM is forwarded; death by signal is 128+N" "$rc" 143

# sockjail killed outright: the sandbox goes with it, at once.
start orphan "$SOCKJAIL" run -l "$T/o.sock" --now -- "$PROBE" sleep
sj=$pid
until_ok 5 grep -q ready "$T/orphan.out"
kids=$(descendants "$sj")
expect "init and service are running" "$(echo "$kids" | wc -w)" 2
kill -KILL "$sj"
finish "$sj" 2
gone=1
for k in $kids; do
        until_ok 1 sh -c "! test -d /proc/$k || grep -q '^State:.*Z' /proc/$k/status" || gone=0
done
expect "SIGKILL of sockjail takes the service down within a second" "$gone" 1

# Stopped before any traffic: a clean exit, no service ever started.
start idle "$SOCKJAIL" run -l "$T/i.sock" -- "$PROBE"
sj=$pid
until_ok 5 test -S "$T/i.sock"
kill -INT "$sj"
finish "$sj" 5
expect "SIGINT before traffic exits 0" "$rc" 0

# Usage errors exit 2.
"$SOCKJAIL" run >/dev/null 2>&1
expect "run without a spec or -l exits 2" "$?" 2
"$SOCKJAIL" frobnicate >/dev/null 2>&1
expect "unknown command exits 2" "$?" 2
"$SOCKJAIL" run -l nonsense -- "$PROBE" >/dev/null 2>"$T/usage.err"
expect "bad -l address exits 2" "$?" 2
check "bad -l address is named" grep -q "invalid address 'nonsense'" "$T/usage.err"
"$SOCKJAIL" --help | grep -q "sockjail run"
expect "--help prints usage" "$?" 0
