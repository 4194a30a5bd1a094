#!/bin/sh
# A real daemon from Debian that we did not write: lighttpd, socket-activated
# through examples/lighttpd.yaml, serves its page from inside the sandbox over
# IPv4 and a unix socket, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

cd "$TOP" || exit 1
port=$(free_port)
# lighttpd finds its pages by absolute path, inside the sandbox: a checkout
# under the private /tmp would hide them, so the pages go under /run.
W=$(mktemp -d /run/sockjail-lighttpd.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"; cleanup' EXIT
cp examples/lighttpd/index.html "$W/"
sed "s|^server.document-root = .*|server.document-root = \"$W\"|" \
        examples/lighttpd/lighttpd.conf >"$W/lighttpd.conf"
sed -e "s|^    listen_stream: .*|    listen_stream: [\"127.0.0.1:$port\", \"$T/www.sock\"]|" \
        -e "s|examples/lighttpd/lighttpd.conf|$W/lighttpd.conf|" \
        examples/lighttpd.yaml >"$T/lighttpd.yaml"
check "lighttpd spec points at the test port" grep -q "127.0.0.1:$port" "$T/lighttpd.yaml"
check "lighttpd spec points at the test config" grep -q "$W/lighttpd.conf" "$T/lighttpd.yaml"
"$SOCKJAIL" check "$T/lighttpd.yaml" >"$T/check.out" 2>&1
expect "lighttpd spec checks" "$?" 0

start lighttpd "$SOCKJAIL" run "$T/lighttpd.yaml"
sj=$pid
until_ok 5 test -S "$T/www.sock"
until_ok 10 curl -fsS --max-time 5 -o "$T/page" "http://127.0.0.1:$port/"
expect "lighttpd serves index.html through sockjail" "$(cmp -s "$T/page" examples/lighttpd/index.html; echo $?)" 0
curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope" >"$T/code"
expect "lighttpd answers 404 for a missing page" "$(cat "$T/code")" 404
curl -fsS --max-time 5 --unix-socket "$T/www.sock" -o "$T/page2" "http://x/"
expect "lighttpd serves over the unix socket" "$(cmp -s "$T/page2" examples/lighttpd/index.html; echo $?)" 0
kids=$(descendants "$sj")
lpid=$(for k in $kids; do [ "$(cat /proc/"$k"/comm)" = lighttpd ] && echo "$k"; done)
check "lighttpd runs under the sandbox's init" test -n "$lpid"
if [ -n "$lpid" ]; then
        expect "lighttpd sees only lo" "$(ls /proc/"$lpid"/root/sys/class/net 2>/dev/null | tr '\n' ' ')" "lo "
        expect "lighttpd has no capabilities" \
                "$(sed -n 's/^CapEff:\t//p' /proc/"$lpid"/status)" 0000000000000000
        expect "lighttpd runs under seccomp" "$(sed -n 's/^Seccomp:\t//p' /proc/"$lpid"/status)" 2
        check "lighttpd is in its own network namespace" \
                test "$(readlink /proc/"$lpid"/ns/net)" != "$(readlink /proc/self/ns/net)"
fi
kill -TERM "$sj"
finish "$sj" 10
expect "lighttpd stops on SIGTERM and sockjail exits 0" "$rc" 0
check "no lighttpd left" test -z "$(pgrep -f "$T/lighttpd.yaml")"
