#!/bin/sh
# End to end: a spec's sockets reach a sandboxed probe over IPv4, IPv6 and a
# unix socket; the probe reports what it sees from inside. Ports are 0: the
# kernel picks them, and --ready-fd says which.
. "$(dirname "$0")/lib.sh"

cat >"$T/core.yaml" <<EOF
sockets:
  web:
    listen_stream: ["127.0.0.1:0", "[::1]:0"]
  admin:
    listen_stream: $T/run/admin.sock
    socket_mode: "0600"
    remove_on_stop: yes
service:
  exec: [$PROBE, serve, --count, "3"]
EOF

# Stale LISTEN_* from our own parent must never reach the service.
start core env LISTEN_FDS=9 LISTEN_PID=1 LISTEN_FDNAMES=stale LISTEN_PIDFDID=77 \
        "$SOCKJAIL" run --ready-fd 3 "$T/core.yaml" 3>"$T/core.ready"
sj=$pid
a4=$(ready_address "$T/core.ready" 0)
a6=$(ready_address "$T/core.ready" 1)
expect "the listening line names the unix socket" "$(ready_address "$T/core.ready" 2)" \
        "$T/run/admin.sock"
check "unix socket file appears" test -S "$T/run/admin.sock"
check "IPv4 and IPv6 got ports" test "${a4#127.0.0.1:}" -gt 0 -a "${a6#\[::1\]:}" -gt 0
check "on-demand: no service before the first connection" \
        test -z "$(descendants "$sj")"

"$CLIENT" "$a4" >"$T/r4" 2>"$T/r4.err"
expect "IPv4 client reaches the service" "$?" 0
"$CLIENT" "$a6" >"$T/r6" 2>"$T/r6.err"
expect "IPv6 client reaches the service" "$?" 0
"$CLIENT" "$T/run/admin.sock" >"$T/ru" 2>"$T/ru.err"
expect "unix client reaches the service" "$?" 0
finish "$sj" 10
expect "sockjail exits with the service's status" "$rc" 0
check "remove_on_stop removed the socket file" test ! -e "$T/run/admin.sock"

r=$T/r4
expect "only fds 0-2 and the three sockets" "$(key "$r" fds)" "0,1,2,3,4,5"
expect "LISTEN_FDS" "$(key "$r" env.LISTEN_FDS)" 3
expect "LISTEN_PID is the service's own pid" "$(key "$r" env.LISTEN_PID)" "$(key "$r" pid)"
expect "service is pid 2 under the sandbox's init" "$(key "$r" pid)" 2
expect "LISTEN_FDNAMES in spec order" "$(key "$r" env.LISTEN_FDNAMES)" "web:web:admin"
expect "no LISTEN_PIDFDID" "$(grep -c '^env.LISTEN_PIDFDID=' "$r")" 0
expect "fd 3 is the IPv4 socket" "$(key "$r" fd.3.addr)" "$a4"
expect "fd 4 is the IPv6 socket" "$(key "$r" fd.4.addr)" "$a6"
expect "fd 5 is the unix socket" "$(key "$r" fd.5.addr)" "$T/run/admin.sock"
for n in 3 4 5; do
        expect "fd $n listens" "$(key "$r" fd.$n.listening)" 1
        expect "fd $n is not CLOEXEC" "$(key "$r" fd.$n.cloexec)" 0
done
for cap in CapEff CapPrm CapInh CapBnd CapAmb; do
        expect "$cap empty" "$(key "$r" status.$cap)" 0000000000000000
done
expect "NoNewPrivs" "$(key "$r" status.NoNewPrivs)" 1
expect "seccomp filter mode" "$(key "$r" status.Seccomp)" 2
expect "only lo is visible" "$(key "$r" ifaces)" lo
expect "lo is up" "$(key "$r" lo.up)" 1
expect "socket(AF_INET) denied" "$(key "$r" errno.socket_inet)" EAFNOSUPPORT
expect "socket(AF_INET6) denied" "$(key "$r" errno.socket_inet6)" EAFNOSUPPORT
expect "socket(AF_NETLINK) denied" "$(key "$r" errno.socket_netlink)" EAFNOSUPPORT
expect "socket(AF_UNIX) allowed" "$(key "$r" errno.socket_unix)" ok
expect "unshare denied" "$(key "$r" errno.unshare_net)" EPERM
expect "mount denied" "$(key "$r" errno.mount)" EPERM
expect "ptrace denied" "$(key "$r" errno.ptrace)" EPERM
expect "private /tmp is empty" "$(key "$r" tmp.files)" 0
check "few processes in the pid namespace" test "$(key "$r" proc.pids)" -le 3
expect "same report over IPv6" "$(key "$T/r6" fd.4.addr)" "$a6"
expect "same report over unix" "$(key "$T/ru" fd.5.addr)" "$T/run/admin.sock"

# libsystemd's own reading of the protocol, inside the sandbox.
cat >"$T/sd.yaml" <<EOF
sockets:
  alpha:
    listen_stream: 127.0.0.1:0
  beta:
    listen_datagram: $T/beta.sock
    file_descriptor_name: b
service:
  exec: [$SDCHECK, serve]
EOF
start sd "$SOCKJAIL" run --ready-fd 3 "$T/sd.yaml" 3>"$T/sd.ready"
"$CLIENT" "$(ready_address "$T/sd.ready")" >"$T/sd.reply" 2>&1
finish "$pid" 10
expect "sd_listen_fds_with_names sees the sockets and names" \
        "$(head -n 1 "$T/sd.reply")" "sdcheck ok n=2 names=alpha:b"
expect "sdcheck service exited cleanly" "$rc" 0
