#!/bin/sh
# Every listen kind reaches the sandboxed probe, in spec order and of the right kind: a FIFO,
# a special file, a netlink socket, a message queue, UDP-Lite, and vsock and SCTP where the
# kernel has them. Writing to a FIFO starts an on-demand service. A kind the kernel lacks,
# or a file on-demand start cannot watch, fails with a message that names it and leaves
# nothing behind. IP on loopback only.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
mq=/sockjail-it-$$

# have FAMILY TYPE PROTO: the kernel makes such sockets (python names, e.g. AF_INET).
have() {
        python3 -c "import socket as s; s.socket(s.$1, s.$2, $3).close()" 2>/dev/null
}

if have AF_VSOCK SOCK_STREAM 0; then
        vsock="  vs:
    listen_stream: \"vsock::$port\""
else
        vsock=
        echo "SKIP: vsock stream socket reaches the service (the kernel has no AF_VSOCK)"
fi

cat >"$T/kinds.yaml" <<EOF
sockets:
  files:
    listen_fifo: $T/run/in.fifo
    listen_special: /dev/null
    listen_netlink: "kobject-uevent 1"
    listen_message_queue: $mq
    symlinks: $T/alias.fifo
    remove_on_stop: yes
  lite:
    listen_datagram: 127.0.0.1:$port
    socket_protocol: udplite
$vsock
service:
  exec: [$PROBE, report]
  start: immediate
EOF

"$SOCKJAIL" check "$T/kinds.yaml" >"$T/check.out" 2>"$T/check.err"
expect "check accepts every kind" "$?" 0
expect "check shows the kinds in spec order" \
        "$(grep '    fd [0-9]' "$T/check.out" | head -n 5 | sed 's/^ *//' | tr '\n' '|')" \
        "fd 3: fifo $T/run/in.fifo|fd 4: special /dev/null|fd 5: netlink kobject-uevent 1|fd 6: mqueue $mq|fd 7: datagram (udplite) 127.0.0.1:$port|"

expect "check shows the Accept= settings with systemd's defaults" \
        "$(grep -c '^    accept no, max_connections 64, max_connections_per_source 64, flush_pending no$' "$T/check.out")" \
        "$(grep -c '^  [a-z]* (fd name' "$T/check.out")"

start kinds "$SOCKJAIL" run "$T/kinds.yaml"
finish "$pid" 10
expect "the probe ran and exited 0" "$rc" 0
r=$T/kinds.out
expect "fd 3 is the FIFO" "$(key "$r" fd.3.kind) $(key "$r" fd.3.path)" "fifo $T/run/in.fifo"
expect "fd 4 is the special file" "$(key "$r" fd.4.kind) $(key "$r" fd.4.path)" "chr /dev/null"
expect "fd 5 is the netlink socket" \
        "$(key "$r" fd.5.kind) $(key "$r" fd.5.family) $(key "$r" fd.5.type) $(key "$r" fd.5.protocol)" \
        "socket netlink raw 15"
expect "fd 6 is the message queue" "$(key "$r" fd.6.kind) $(key "$r" fd.6.path)" "file $mq"
expect "fd 7 is the UDP-Lite socket" \
        "$(key "$r" fd.7.family) $(key "$r" fd.7.type) $(key "$r" fd.7.protocol) $(key "$r" fd.7.addr)" \
        "inet dgram udplite 127.0.0.1:$port"
for n in 3 4 5 6 7; do
        expect "fd $n is non-blocking and not CLOEXEC" \
                "$(key "$r" fd.$n.nonblock)$(key "$r" fd.$n.cloexec)" 10
done
if [ -n "$vsock" ]; then
        expect "fd 8 is the vsock socket, listening" \
                "$(key "$r" fd.8.family) $(key "$r" fd.8.type) $(key "$r" fd.8.listening)" \
                "vsock stream 1"
        names=files:files:files:files:lite:vs
else
        names=files:files:files:files:lite
fi
expect "LISTEN_FDNAMES in spec order" "$(key "$r" env.LISTEN_FDNAMES)" "$names"
check "remove_on_stop removed the FIFO, its symlink and directory" \
        test ! -e "$T/run" -a ! -L "$T/alias.fifo"

# SCTP: served where the kernel has it; else the error names SCTP and nothing is left.
cat >"$T/sctp.yaml" <<EOF
sockets:
  first:
    listen_fifo: $T/sctp/first.fifo
  s:
    listen_stream: 127.0.0.1:$port
    socket_protocol: sctp
service:
  exec: [$PROBE, report]
  start: immediate
EOF
"$SOCKJAIL" run "$T/sctp.yaml" >"$T/sctp.out" 2>"$T/sctp.err"
rc=$?
if have AF_INET SOCK_STREAM 132; then
        expect "SCTP: the probe ran" "$rc" 0
        expect "fd 4 is the SCTP socket" \
                "$(key "$T/sctp.out" fd.4.protocol) $(key "$T/sctp.out" fd.4.listening)" "sctp 1"
else
        echo "SKIP: SCTP socket reaches the service (the kernel has no SCTP)"
        expect "no SCTP: exit 1" "$rc" 1
        expect "no SCTP: the error names SCTP" "$(grep -v '^sockjail: service' "$T/sctp.err")" \
                "sockjail: create an SCTP socket for 127.0.0.1:$port: Protocol not supported"
        check "no SCTP: the FIFO made before is gone" test ! -e "$T/sctp"
fi

# vsock datagram sockets need a transport that has them: served, or a clear ENODEV.
if [ -n "$vsock" ]; then
        printf 'sockets:\n  v:\n    listen_datagram: "vsock::%s"\nservice:\n  exec: [%s, report]\n  start: immediate\n' \
                "$port" "$PROBE" >"$T/vdgram.yaml"
        "$SOCKJAIL" run "$T/vdgram.yaml" >"$T/vdgram.out" 2>"$T/vdgram.err"
        rc=$?
        if have AF_VSOCK SOCK_DGRAM 0; then
                expect "vsock datagram socket reaches the service" \
                        "$rc $(key "$T/vdgram.out" fd.3.family)" "0 vsock"
        else
                expect "vsock datagram without a transport: exit 1 and why" \
                        "$rc $(cat "$T/vdgram.err")" \
                        "1 sockjail: create a vsock socket (no vsock transport has this socket type) for vsock::$port: No such device"
        fi
fi

# On demand: nothing runs until a write to the FIFO; the byte waits for the service.
cat >"$T/od.yaml" <<EOF
sockets:
  trigger:
    listen_fifo: $T/od/trigger.fifo
    listen_message_queue: $mq-od
    listen_netlink: route
    remove_on_stop: yes
  lite:
    listen_datagram: 127.0.0.1:$port
    socket_protocol: udplite
service:
  exec: [$PROBE, report]
EOF
start od "$SOCKJAIL" run "$T/od.yaml"
sj=$pid
check "on-demand: the FIFO appears" until_ok 5 test -p "$T/od/trigger.fifo"
sleep 0.3
check "on-demand: no service before the FIFO is written" test -z "$(descendants "$sj")"
# (with a time limit: were sockjail gone, opening the FIFO to write would wait for ever)
timeout 5 sh -c 'printf x >"$1"' sh "$T/od/trigger.fifo"
expect "the FIFO took the write" "$?" 0
finish "$sj" 10
expect "a write to the FIFO started the service, which exited 0" "$rc" 0
expect "the service got the FIFO as fd 3" "$(key "$T/od.out" fd.3.kind)" fifo
expect "and the rest in spec order" \
        "$(key "$T/od.out" fd.4.kind) $(key "$T/od.out" fd.5.family) $(key "$T/od.out" fd.6.protocol)" \
        "file netlink udplite"
check "remove_on_stop removed the on-demand FIFO" test ! -e "$T/od"

# On demand cannot watch /dev/null: refused before anything starts, nothing left.
cat >"$T/nowatch.yaml" <<EOF
sockets:
  a:
    listen_fifo: $T/nowatch/a.fifo
    listen_special: /dev/null
service:
  exec: [$PROBE, report]
EOF
"$SOCKJAIL" run "$T/nowatch.yaml" >"$T/nowatch.out" 2>"$T/nowatch.err"
expect "on-demand with /dev/null: exit 1 and why" "$? $(cat "$T/nowatch.err")" \
        "1 sockjail: watch (start: on-demand; use start: immediate for a file that cannot be watched) /dev/null: Operation not permitted"
check "on-demand with /dev/null: the FIFO made before is gone" test ! -e "$T/nowatch"

# listen_usb_function cannot work here: check says why, exit 2.
printf 'sockets:\n  u:\n    listen_usb_function: /dev/ffs\nservice:\n  exec: [%s]\n' "$PROBE" \
        >"$T/usb.yaml"
"$SOCKJAIL" check "$T/usb.yaml" >/dev/null 2>"$T/usb.err"
expect "listen_usb_function is refused with the reason" "$? $(cat "$T/usb.err")" \
        "2 $T/usb.yaml:3:26: 'listen_usb_function' needs a FunctionFS mount and USBFunctionDescriptors=, not supported"
