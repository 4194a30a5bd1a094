#!/bin/sh
# Run every test against the build in $1 (default: build) and end with one line:
#   check: N passed, N failed, N skipped
# Unit tests are cmocka binaries (counted per test case); integration tests are
# tests/integration/test-*.sh, which print "PASS: name", "FAIL: name" or
# "SKIP: name (why)" per check (see tests/integration/lib.sh).
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$B" && pwd) || exit 1
export BUILD TOP="$top" SOCKJAIL="$BUILD/sockjail"
only=${TESTS:-}
pass=0 fail=0 skip=0 failed=
log=$(mktemp -d /tmp/sockjail-check.XXXXXX)
trap 'rm -rf "$log"' EXIT

count() { grep -c "^$1" "$2" 2>/dev/null; }

for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        case $name in *.d|*.o) continue ;; esac
        [ -n "$only" ] && case " $only " in *" $name "*) ;; *) continue ;; esac
        timeout -k 5 300 "$t" >"$log/$name" 2>&1 </dev/null
        rc=$?
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$name" | tail -n 1)
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$name" | tail -n 1)
        s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log/$name" | tail -n 1)
        p=${p:-0} f=${f:-0} s=${s:-0}
        [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
        pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
        if [ "$f" -ne 0 ]; then
                failed="$failed $name"
                echo "---- $name (exit $rc)"; cat "$log/$name"
        fi
        echo "unit $name: $p passed, $f failed${s:+, $s skipped}"
done

# valgrind and ASan do not mix: the sanitizer build skips the valgrind run
# (it is not counted at all, since ASan itself checks that build).
sanitized=
nm "$SOCKJAIL" 2>/dev/null | grep -q __asan_init && sanitized=1

for t in "$top"/tests/integration/test-*.sh; do
        [ -f "$t" ] || continue
        name=$(basename "$t" .sh)
        [ -n "$sanitized" ] && [ "$name" = test-valgrind ] && continue
        [ -n "$only" ] && case " $only " in *" $name "*) ;; *) continue ;; esac
        timeout -k 5 600 sh "$t" >"$log/$name" 2>&1 </dev/null
        rc=$?
        p=$(count 'PASS: ' "$log/$name") f=$(count 'FAIL: ' "$log/$name")
        s=$(count 'SKIP: ' "$log/$name")
        [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 && echo "FAIL: $name exited $rc" >>"$log/$name"
        [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$s" -eq 0 ] && f=1 &&
                echo "FAIL: $name ran no check" >>"$log/$name"
        pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
        if [ "$f" -ne 0 ]; then
                failed="$failed $name"
                echo "---- $name (exit $rc)"; cat "$log/$name"
        fi
        grep -e '^SKIP: ' -e '^KNOWN: ' "$log/$name"
        known=$((${known:-0} + $(count 'KNOWN: ' "$log/$name")))
        echo "integration $name: $p passed, $f failed, $s skipped"
done

[ -n "$failed" ] && echo "failed:$failed"
[ "${known:-0}" -gt 0 ] && echo "known holes, listed above: $known"
echo "check: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ $((pass + fail)) -gt 0 ]
