#!/bin/sh
# docs/directives.md keeps up with systemd.socket(5): every [Socket] directive
# of the seeds (systemd 248 and 249 in ../shared/seeds, copied to
# docs/seed-directives.txt) has a row; a "works" row names tests that exist and
# a key that spec.c carries; and sockjail convert knows every directive. Where
# the seeds are (CI, set SEEDS=DIR elsewhere) the committed list must match
# them; under CI their absence fails.
. "$(dirname "$0")/lib.sh"
LC_ALL=C
export LC_ALL

DOC=$TOP/docs/directives.md
LIST=$TOP/docs/seed-directives.txt
SEEDS=${SEEDS:-$TOP/../shared/seeds}

# extract FILE...: the [Socket] directive names of systemd.socket(5) texts, in
# order (the command docs/seed-directives.txt gives).
extract() {
        for f in "$@"; do
                sed -E 's/^[0-9]+//' "$f" |
                        grep -E '^ {7}[A-Z][A-Za-z0-9]*=(, [A-Z][A-Za-z0-9]*=)*[[:space:]]*$'
        done | tr ',' '\n' | sed -E 's/^ +//; s/=.*//' | awk '!seen[$0]++'
}

# missing WANTED HAVE: the lines of WANTED not in HAVE, on one line.
missing() { sort -u "$1" | comm -23 - "$(sort -u "$2" >"$2.s" && echo "$2.s")" | tr '\n' ' ' |
        sed 's/ $//'; }

# ---- the list of directives, against the seeds ----

grep -v '^#' "$LIST" | grep . >"$T/list"
n=$(wc -l <"$T/list" | tr -d ' ')
check "docs/seed-directives.txt lists the directives ($n)" test "$n" -ge 50

if [ -d "$SEEDS" ]; then
        seeds=$(grep -l 'systemd.socket - Socket unit configuration' "$SEEDS"/*.txt 2>/dev/null)
        ns=$(echo "$seeds" | grep -c .)
        check "the seeds hold systemd.socket(5) of 248 and 249 (found $ns)" test "$ns" -ge 2
        for f in $seeds; do
                extract "$f" >"$T/one"
                expect "$(basename "$f") has the directives of docs/seed-directives.txt" \
                        "$(missing "$T/list" "$T/one")|$(missing "$T/one" "$T/list")" "|"
        done
        # shellcheck disable=SC2086 # one word per file
        extract $seeds >"$T/extracted"
        expect "docs/seed-directives.txt is the extraction from the seeds, in order" \
                "$(cat "$T/extracted")" "$(cat "$T/list")"
else
        # CI always has shared/ beside the clone: there a missing folder is an
        # error. A clone elsewhere checks against the committed list only.
        if [ -n "${CI:-}" ]; then
                fail "the seeds are not at $SEEDS (set SEEDS=DIR): docs/seed-directives.txt unchecked"
        else
                echo "note: no seeds at $SEEDS: directives checked against docs/seed-directives.txt only"
        fi
fi

# ---- the table ----

# rows: one line per row of the [Socket] table (before the second heading),
# "DIRECTIVES<TAB>KEY<TAB>STATUS<TAB>TESTS"; others: the rows after it.
awk -F '|' -v OFS='\t' '
        /^## / { part++ }
        /^\| `/ { print part, $2, $3, $4, $5 }' "$DOC" >"$T/all-rows"
awk -F '\t' -v OFS='\t' '$1 == "" { print $2, $3, $4, $5 }' "$T/all-rows" >"$T/rows"
cut -f 1 "$T/rows" | grep -oE '`[A-Za-z0-9]+=`' | tr -d '`=' >"$T/documented"
rows=$(wc -l <"$T/rows" | tr -d ' ')
check "docs/directives.md has a [Socket] table ($rows rows)" test "$rows" -ge 50
m=$(missing "$T/list" "$T/documented")
expect "docs/directives.md has a row for every directive of the seeds" "$m" ""
m=$(missing "$T/documented" "$T/list")
expect "every directive of the [Socket] table is one of the seeds" "$m" ""
expect "no directive has two rows" "$(sort "$T/documented" | uniq -d | tr '\n' ' ')" ""

# proved ROW-TESTS: the "file::name" references of a row, one a line.
proved() { echo "$1" | grep -oE '`[^`]*::[^`]*`' | tr -d '`'; }

# exists FILE NAME: the test NAME is in FILE (a cmocka function, or a check's name).
exists() {
        [ -f "$TOP/$1" ] || return 1
        case $1 in
        *.c) grep -qE "^static void $2\(void \*\*state\)" "$TOP/$1" ;;
        *) grep -qF "$2" "$TOP/$1" ;;
        esac
}

# Every "works" row, of both tables, names tests that exist.
awk -F '\t' -v OFS='\t' '{ print $2, $3, $4, $5 }' "$T/all-rows" |
        while IFS="$(printf '\t')" read -r dirs key status tests; do
                case $status in " works"*) ;; *) continue ;; esac
                what=$(echo "$dirs" | grep -oE '`[^`]*`' | head -n 1 | tr -d '`')
                proved "$tests" >"$T/refs"
                if [ ! -s "$T/refs" ]; then
                        fail "$what works: the row names no test"
                        continue
                fi
                bad=
                while read -r ref; do
                        exists "${ref%%::*}" "${ref#*::}" || bad="$bad [$ref]"
                done <"$T/refs"
                if [ -n "$bad" ]; then
                        fail "$what works: no such test:$bad"
                else
                        pass "$what works: $(wc -l <"$T/refs" | tr -d ' ') test(s) exist"
                fi
        done

# A "works" key of the [Socket] table is one of spec.c's socket_keys.
sed -n '/^static const struct key socket_keys\[\] = {/,/^};/p' "$TOP/injector/spec.c" |
        grep -oE 'SOCK_KEY\("[a-z0-9_]+"' | sed 's/.*"\(.*\)"/\1/' >"$T/socket-keys"
awk -F '\t' '$3 ~ /^ works/ { print $2 }' "$T/rows" | grep -oE '`[a-z0-9_]+`' | tr -d '`' \
        >"$T/works-keys"
check "spec.c's socket_keys found" test -s "$T/socket-keys"
expect "every works key of docs/directives.md is in spec.c's socket_keys" \
        "$(missing "$T/works-keys" "$T/socket-keys")" ""

# sockjail convert knows every directive (none becomes "not a directive sockjail knows").
sed -n '/^static const struct conv_directive directives\[\] = {/,/^};/p' \
        "$TOP/injector/convert.c" | grep -oE '"[A-Z][A-Za-z0-9]*"' | tr -d '"' >"$T/convert"
expect "sockjail convert's table has every directive of the seeds" \
        "$(missing "$T/list" "$T/convert")" ""
