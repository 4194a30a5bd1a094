#!/bin/sh
# make demo: start examples/hello.yaml's service in its sandbox, fetch its page
# once to show what it sees, then keep serving until Ctrl-C.
# DEMO_PORT=N picks another port; DEMO_ONESHOT=1 stops after the first page.
B=${1:-build}
port=${DEMO_PORT:-8080}
spec=$(mktemp /tmp/sockjail-demo.XXXXXX)
sed "s/127\.0\.0\.1:8080/127.0.0.1:$port/" examples/hello.yaml >"$spec"

"$B/sockjail" run "$spec" -- "$B/examples/hello" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$spec"' EXIT
trap 'exit 0' INT TERM

i=0
until page=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/" 2>/dev/null); do
        i=$((i + 1))
        if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 50 ]; then
                echo "demo: sockjail did not serve on 127.0.0.1:$port" \
                     "(port busy? try DEMO_PORT=8081 make demo)" >&2
                exit 1
        fi
        sleep 0.1
done
echo "sockjail (pid $pid) serves http://127.0.0.1:$port/ from a sandboxed service."
echo "It started on the first request. Its page, as curl got it:"
echo
echo "$page" | sed 's/^/    /'
echo
[ -n "${DEMO_ONESHOT:-}" ] && exit 0
echo "Reach it with:  curl http://127.0.0.1:$port/     (Ctrl-C stops it)"
wait "$pid"
