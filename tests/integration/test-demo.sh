#!/bin/sh
# make demo's script, run once: the page comes from a service that sees only
# lo, has no capabilities, NoNewPrivs 1, Seccomp 2 and no AF_INET sockets.
. "$(dirname "$0")/lib.sh"

cd "$TOP" || exit 1
DEMO_ONESHOT=1 DEMO_PORT=$(free_port) sh examples/demo.sh "$BUILD" >"$T/demo.out" 2>"$T/demo.err"
expect "demo runs" "$?" 0
o=$T/demo.out
check "demo says where it serves" grep -q "serves http://127.0.0.1:" "$o"
check "demo page greets" grep -q "Hello from sockjail" "$o"
check "demo service sees only lo" grep -Eq "interfaces: *lo$" "$o"
check "demo service has no capabilities" grep -Eq "CapEff: *0000000000000000" "$o"
check "demo service has NoNewPrivs 1" grep -Eq "NoNewPrivs: *1" "$o"
check "demo service is under seccomp" grep -Eq "Seccomp: *2" "$o"
check "demo service cannot open AF_INET" grep -Eq "socket\(AF_INET\): *EAFNOSUPPORT" "$o"
check "demo leaves no process" test -z "$(pgrep -f "$BUILD/examples/hello")"
