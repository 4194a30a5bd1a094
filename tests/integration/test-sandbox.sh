#!/bin/sh
# Each namespace can be turned off in the spec, the user switch takes effect,
# and every forwarded signal reaches the service.
. "$(dirname "$0")/lib.sh"

ns() { readlink /proc/self/ns/"$1"; }

# Everything off: the probe sees the host's namespaces.
cat >"$T/off.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/off.sock
service:
  exec: [$PROBE]
  start: immediate
sandbox:
  private_network: no
  private_mounts: no
  private_pid: no
  private_ipc: no
  private_tmp: no
  protect_hostname: no
  private_devices: no
  protect_system: no
  protect_home: no
  protect_kernel_tunables: no
  protect_kernel_modules: no
  protect_kernel_logs: no
  protect_control_groups: no
EOF
touch "$T/host-marker"
"$SOCKJAIL" run "$T/off.yaml" >"$T/off.r" 2>"$T/off.err"
expect "all namespaces off: service runs" "$?" 0
r=$T/off.r
expect "private_network: no keeps the host's netns" "$(key "$r" ns.net)" "$(ns net)"
expect "private_mounts/tmp: no keeps the host's mount ns" "$(key "$r" ns.mnt)" "$(ns mnt)"
expect "private_pid: no keeps the host's pid ns" "$(key "$r" ns.pid)" "$(ns pid)"
expect "private_ipc: no keeps the host's ipc ns" "$(key "$r" ns.ipc)" "$(ns ipc)"
expect "protect_hostname: no keeps the host's uts ns" "$(key "$r" ns.uts)" "$(ns uts)"
check "private_pid: no: the service is not pid 2" test "$(key "$r" pid)" != 2
check "private_tmp: no: the host's /tmp is visible" test "$(key "$r" tmp.files)" -gt 0
expect "the policy still applies with no namespaces" "$(key "$r" errno.socket_inet)" EAFNOSUPPORT

# Defaults: every one of them is new.
"$SOCKJAIL" run -l "$T/on.sock" --now -- "$PROBE" >"$T/on.r" 2>"$T/on.err"
r=$T/on.r
for n in net mnt pid ipc uts; do
        check "default: a new $n namespace" test "$(key "$r" ns.$n)" != "$(ns $n)"
done
expect "default: no new user namespace as root" "$(key "$r" ns.user)" "$(ns user)"

# Only the network off: lo-only goes, the rest stays private.
cat >"$T/net.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/net.sock
service:
  exec: [$PROBE]
  start: immediate
sandbox:
  private_network: false
EOF
"$SOCKJAIL" run "$T/net.yaml" >"$T/net.r" 2>&1
r=$T/net.r
expect "private_network: false alone: host netns" "$(key "$r" ns.net)" "$(ns net)"
check "private_network: false alone: pid ns still private" test "$(key "$r" ns.pid)" != "$(ns pid)"

# policy.user: the service runs as nobody with nobody's groups and no caps.
cat >"$T/user.yaml" <<EOF
sockets:
  a:
    listen_stream: $T/user.sock
service:
  exec: [$PROBE]
  start: immediate
policy:
  user: nobody
EOF
"$SOCKJAIL" run "$T/user.yaml" >"$T/user.r" 2>&1
r=$T/user.r
expect "user: nobody: uid" "$(key "$r" uid)" 65534
expect "user: nobody: gid" "$(key "$r" gid)" 65534
expect "user: nobody: euid" "$(key "$r" euid)" 65534
expect "user: nobody: groups" "$(key "$r" groups)" 65534
expect "user: nobody: no capabilities" "$(key "$r" status.CapPrm)" 0000000000000000
expect "user: nobody: setuid(0) fails" "$(key "$r" errno.setuid0)" EPERM

# Signals: each one sockjail forwards ends a service with no handler for it;
# SIGINT, like SIGTERM, stops the service with kill_signal (SIGTERM: 128+15).
for pair in HUP:1 INT:15 QUIT:3 USR1:10 USR2:12; do
        sig=${pair%:*} num=${pair#*:}
        start sig "$SOCKJAIL" run -l "$T/sig.sock" --now -- "$PROBE" sleep
        sj=$pid
        until_ok 5 grep -q ready "$T/sig.out"
        kill -"$sig" "$sj"
        finish "$sj" 10
        expect "SIG$sig ends the service (exit 128+$num)" "$rc" "$((128 + num))"
done
