#!/bin/sh
# The escape suite: tests/integration/escape.c tries every way out of the
# default sandbox we know of (new sockets, the passed sockets, AF_UNIX,
# namespaces, mounts, kernel interfaces, /proc and /sys, devices, other ABIs,
# privileges), each in a child of its own. This test asserts the exact result
# of each attempt: the secure one, even where sockjail does not give it yet.
# Host-side listeners, which the service is told about but not given, must
# hear nothing. Then the same as uid 65534 (rootless), and a positive: a plain
# Python HTTP server still serves through its passed socket.
. "$(dirname "$0")/lib.sh"

ESCAPE=$BUILD/tests/escape
PYTHON=/usr/bin/python3 # inside the sandbox: not a PATH shim that execs by name
# Host-side targets live under /run: the sandbox's /tmp is private, so a
# target under $T would be out of reach for the wrong reason.
R=$(mktemp -d /run/sockjail-escape.XXXXXX)
chmod 755 "$R"
loopdev=
escape_cleanup() {
        cleanup
        [ -n "$loopdev" ] && losetup -d "$loopdev"
        rm -rf "$R"
}
trap escape_cleanup EXIT

free_udp_port() {
        python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Host-side listeners: TCP and UDP on 127.0.0.1, a root-only unix socket and
# an abstract one. They print "ports TCP UDP", then one line per connection or
# datagram that reaches them, and stop by themselves after 300 s.
abstract=sockjail-escape-$$
start host python3 -c '
import os, select, socket, sys, time
tcp = socket.socket(); tcp.bind(("127.0.0.1", 0)); tcp.listen()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 0))
ux = socket.socket(socket.AF_UNIX); ux.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o600); ux.listen()
ab = socket.socket(socket.AF_UNIX); ab.bind("\0" + sys.argv[2]); ab.listen()
print("ports", tcp.getsockname()[1], udp.getsockname()[1], flush=True)
kinds = {tcp: "tcp", udp: "udp", ux: "unix", ab: "abstract"}
end = time.monotonic() + 300
while time.monotonic() < end:
    for s in select.select(list(kinds), [], [], 0.2)[0]:
        if s is udp:
            data, peer = udp.recvfrom(65536)
        else:
            c, peer = s.accept(); c.close()
        print(kinds[s], repr(peer), flush=True)
' "$R/host.sock" "$abstract"
until_ok 5 grep -q '^ports ' "$T/host.out" || fail "host-side listeners started"
host_tcp=$(sed -n 's/^ports \([0-9]*\) .*/\1/p' "$T/host.out")
host_udp=$(sed -n 's/^ports [0-9]* \([0-9]*\)$/\1/p' "$T/host.out")

# A host block device with a marker on it for the raw read (a loop device:
# the VM's own disk may refuse even root).
head -c 65536 /dev/zero >"$R/disk.img"
printf 'HOST-DISK-SECRET' | dd of="$R/disk.img" conv=notrunc 2>/dev/null
loopdev=$(losetup -f --show "$R/disk.img" 2>/dev/null) || loopdev=

# The default spec, with one TCP and one UDP socket: the passed sockets are
# the service's only way to the host's network, so both kinds are tried.
svc_tcp=$(free_port)
svc_udp=$(free_udp_port)
cat >"$T/escape.yaml" <<EOF
sockets:
  tcp:
    listen_stream: 127.0.0.1:$svc_tcp
  udp:
    listen_datagram: 127.0.0.1:$svc_udp
service:
  exec: [$ESCAPE]
  start: immediate
  environment: ["ESCAPE_TCP_PORT=$host_tcp", "ESCAPE_UDP_PORT=$host_udp",
                "ESCAPE_UNIX_PATH=$R/host.sock", "ESCAPE_UNIX_ABSTRACT=$abstract",
                "ESCAPE_BLOCKDEV=$loopdev"]
EOF

# run_escape MODE [PREFIX...]: the whole suite as the service, under PREFIX
# (setpriv for rootless); the report is $T/esc-MODE.out. RLIMIT_MEMLOCK
# passes through sockjail unchanged: pinned, mlock_1g has one right answer.
run_escape() {
        mode=$1
        shift
        _seen=$(wc -l <"$T/host.out")
        start "esc-$mode" prlimit --memlock=8388608 -- "$@" "$SOCKJAIL" run "$T/escape.yaml"
        finish "$pid" 300
        expect "$mode: the escape suite ran to its end" "$rc" 0
        r=$T/esc-$mode.out
        sleep 1 # the listeners print what reached them asynchronously
        heard=$(sed "1,${_seen}d" "$T/host.out" | tr '\n' ' ')
        # A UDP server answers whoever wrote to it, so the passed UDP socket
        # reaches the host's listener by design (README: Security notes).
        check "$mode: the passed UDP socket's datagram is the only thing heard over IP" \
                test "$(echo "$heard" | grep -o "tcp ('[^)]*)\|udp ('[^)]*)")" = \
                "udp ('127.0.0.1', $svc_udp)"
}

# want NAME RESULT: escape attempt NAME gave exactly RESULT.
wanted=
want() {
        expect "$mode: $1 = $2" "$(key "$r" "$1")" "$2"
        wanted="$wanted $1 "
}

assert_escape() {
        if [ "$mode" = root ]; then
                # uid 0 stays uid 0, with no capability. A read-only root-owned
                # file says EROFS to root; to others it says EACCES first.
                uid0=ok ro=EROFS
        else
                # Rootless runs in a user namespace where only the caller is
                # mapped: uid 0 does not exist there (EINVAL before EPERM).
                uid0=EINVAL ro=EACCES
        fi
        sysrq=$ro
        [ -e /proc/sysrq-trigger ] || sysrq=ENOENT # kernel without CONFIG_MAGIC_SYSRQ

        # New sockets: AF_UNIX only, whatever the spelling.
        want socket_inet EAFNOSUPPORT
        want socket_inet6 EAFNOSUPPORT
        want socket_netlink_route EAFNOSUPPORT
        want socket_packet EAFNOSUPPORT
        want socket_raw_inet EAFNOSUPPORT
        want socket_vsock EAFNOSUPPORT
        want socket_inet_high_bits EAFNOSUPPORT
        want socketpair_inet EAFNOSUPPORT
        # AF_UNIX to the host: a root-only daemon socket must not take the
        # service as host root; abstract names stay in the host's netns.
        if [ "$mode" = root ]; then
                known "$mode: unix_connect_host_path" "$(key "$r" unix_connect_host_path)" EACCES \
                        "the service is host uid 0; closed by a user namespace, issue 4"
                wanted="$wanted unix_connect_host_path "
        else
                want unix_connect_host_path EACCES
        fi
        want unix_connect_host_abstract ECONNREFUSED
        # The sandbox's own view of the network: lo, and no netlink.
        want ifaces_sys lo
        want ifaces_proc lo
        want ifaces_if_nameindex EAFNOSUPPORT
        # The passed sockets live in the host's netns. TCP through them is
        # closed by Landlock (EACCES, before the kernel would say EISCONN),
        # also once disconnected with AF_UNSPEC; the interface ioctls by a
        # second seccomp filter. A passed UDP socket sends to any address:
        # a UDP server must, to answer its clients (README: Security notes).
        want fd3_connect EACCES
        want fd3_unlisten_connect EACCES
        want udp_sendto_host ok
        want ifaces_fd3_ioctl EPERM
        # Other processes.
        want ptrace_traceme EPERM
        want ptrace_attach_init EPERM
        want process_vm_readv_ppid EPERM
        # Mounts and roots.
        want mount_tmpfs EPERM
        want umount_proc EPERM
        want pivot_root EPERM
        want chroot_tmp EPERM
        # Namespaces: none to make or join; clone3 is ENOSYS so libc falls
        # back to clone, whose flags the filter can read.
        want unshare_net EPERM
        want unshare_mnt EPERM
        want unshare_user EPERM
        want unshare_pid EPERM
        want unshare_ipc EPERM
        want unshare_uts EPERM
        want unshare_cgroup EPERM
        want unshare_time EPERM
        want setns_net EPERM
        want clone_newuser EPERM
        want clone3 ENOSYS
        # Kernel interfaces outside @system-service or taken out of it.
        want bpf_prog_load EPERM
        want keyctl EPERM
        want add_key EPERM
        want request_key EPERM
        want kexec_load EPERM
        want init_module EPERM
        want finit_module EPERM
        want delete_module EPERM
        want perf_event_open EPERM
        want userfaultfd EPERM
        want io_uring_setup EPERM
        want open_by_handle_at EPERM
        want name_to_handle_at ok # harmless without open_by_handle_at
        want personality_linux32 EPERM
        want personality_read_implies_exec EPERM
        # Privileges: no capability can be gained back.
        want capset_sys_admin EPERM
        want cap_ambient_raise EPERM
        want setresuid0 "$uid0"
        # Kernel tunables read-only (systemd's ProtectKernelTunables), /sys too.
        want proc_sys_hostname "$ro"
        want proc_sys_ip_forward "$ro"
        want proc_core_pattern "$ro"
        want proc_sysrq_trigger "$sysrq"
        want sys_lo_mtu EROFS
        # The host's files: read-only outside /dev, /proc, /sys and the
        # private /tmp (protect_system: strict, the design's default).
        want host_etc_passwd "$ro"
        # Devices: none made, and no host block device in sight
        # (systemd's PrivateDevices).
        want mknod_chr EPERM
        want read_host_blockdev ENOENT
        # Other ABIs would bypass the native rules: the process dies.
        want syscall_i386 signal:SIGSYS
        want syscall_x32 signal:SIGSYS
        # The machine.
        want iopl EPERM
        want ioperm EPERM
        want swapon EPERM
        want reboot_cad_off EPERM
        want settimeofday EPERM
        want clock_settime EPERM
        want sethostname EPERM
        want acct EPERM
        want quotactl EPERM
        want syslog EPERM
        # Allowed calls the kernel refuses without capabilities.
        want nice_raise EACCES
        want mlock_1g ENOMEM

        for n in $("$ESCAPE" list); do
                case $wanted in
                *" $n "*) ;;
                *) fail "$mode: attempt $n has no expectation" ;;
                esac
        done
}

check "the suite has at least 35 attempts" test "$("$ESCAPE" list | wc -l)" -ge 35
run_escape root
assert_escape

# Rootless: the same suite as uid 65534, in a user namespace of its own.
mkdir "$T/rootless" && chmod 1777 "$T/rootless"
setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$SOCKJAIL" run -l "$T/rootless/x.sock" --now -- "$ESCAPE" list \
        >"$T/rootless.out" 2>"$T/rootless.err"
expect "rootless: sockjail starts as uid 65534" "$?" 0
wanted=
run_escape user setpriv --reuid=65534 --regid=65534 --clear-groups
assert_escape

# Positive: a Python HTTP server serves a page through its passed socket.
# TCPServer makes a socket of its own before we can swap ours in; as AF_UNIX
# that one is allowed.
port=$(free_port)
mkdir "$R/www" && echo "hello from the sandbox" >"$R/www/index.html"
start http "$SOCKJAIL" run -l "127.0.0.1:$port" --now -- "$PYTHON" -c '
import functools, http.server, socket, sys
class Server(http.server.HTTPServer):
    address_family = socket.AF_UNIX
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
srv = Server(sys.argv[1], handler, bind_and_activate=False)
srv.socket.close()
srv.socket = socket.socket(fileno=3)
srv.handle_request()
srv.server_close()
' "$R/www"
sj=$pid
python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
        "http://127.0.0.1:$port/index.html" >"$T/page" 2>"$T/page.err"
expect "positive: http.server in the default sandbox serves a page" "$(cat "$T/page")" \
        "hello from the sandbox"
finish "$sj" 10
expect "positive: the server exits cleanly after its request" "$rc" 0
