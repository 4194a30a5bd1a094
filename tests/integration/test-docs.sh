#!/bin/sh
# The man pages follow the code: every option of `sockjail --help` and of
# main.c's option table has an entry in sockjail(1), every key of spec.c's
# *_keys tables has an entry in its section of sockjail.yaml(5) (and no entry
# names a key that is gone), every directive of the *_later tables is listed
# as not supported yet, and both pages render without warnings.
. "$(dirname "$0")/lib.sh"
LC_ALL=C
export LC_ALL

MAN1=$TOP/docs/sockjail.1
MAN5=$TOP/docs/sockjail.yaml.5
SPEC_C=$TOP/injector/spec.c
MAIN_C=$TOP/injector/main.c

# ---- what the code has ----

# names KIND TABLE: the names in spec.c's "static const struct KIND TABLE[] = {...};".
# Rows are SOCK_KEY("name", ...), SVC_KEY, NS_KEY, POL_KEY, {"name", fn, 0} or {"name"};
# an empty table is written "= {};".
names() {
        sed -n -e "/^static const struct $1 $2\[\] = {};/q" \
                -e "/^static const struct $1 $2\[\] = {/,/^};/p" "$SPEC_C" |
                grep -oE '(SOCK|SVC|NS|POL)_KEY\("[a-z0-9_]+"|\{"[a-z0-9_]+"[,}]' |
                sed 's/^[^"]*"\([a-z0-9_]*\)".*/\1/'
}

# Options of --help: the leading -x / --long words of its option lines.
"$SOCKJAIL" --help >"$T/help" 2>&1
expect "sockjail --help exits 0" "$?" 0
awk '/^ +-/ {
        for (i = 1; i <= NF && $i ~ /^-/; i++) {
                w = $i; sub(/,$/, "", w); sub(/=.*/, "", w); print w
        }
}' "$T/help" | sort -u >"$T/opts-help"
# Options of main.c: the long names of struct option rows, the short ones of getopt_long.
{
        sed -n 's/^ *{"\([a-z-]*\)", *[a-z]*_argument.*/--\1/p' "$MAIN_C"
        sed -n 's/.*getopt_long([^"]*"+*\([^"]*\)".*/\1/p' "$MAIN_C" | tr -d ':' |
                sed 's/./-&\n/g' | grep .
} | sort -u >"$T/opts-main"
# Commands of --help: the first word of the lines of its "Commands:" block.
sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$T/help" | sort -u >"$T/cmds"

# ---- what the pages say ----

# index FILE: one line per text line of the page, "SECTION<TAB>TAG<TAB>KIND<TAB>TEXT",
# KIND "tag" for the heading line of a .TP/.TQ item, else "body"; fonts, quotes
# and roff escapes removed, "\-" read as "-".
index() {
        sed -e 's/\\f[BIRPC]//g' -e 's/\\f(CW//g' -e 's/\\-/-/g' -e 's/\\&//g' \
                -e 's/\\://g' -e 's/\\~/ /g' "$1" |
                awk -v OFS='\t' '
                /^\.\\"/ { next }
                /^\.SH/ { sh = $0; sub(/^\.SH[ \t]*/, "", sh); gsub(/"/, "", sh); tag = ""; next }
                /^\.(TP|TQ)([ \t]|$)/ { want = 1; next }
                /^\.(PP|LP|P)([ \t]|$)/ { tag = ""; next }
                {
                        t = $0
                        if (t ~ /^\./) sub(/^\.[A-Za-z]+[ \t]*/, "", t)
                        gsub(/"/, "", t)
                        if (t == "") next
                        if (want) { tag = t; want = 0; print sh, tag, "tag", t }
                        else print sh, tag, "body", t
                }'
}
index "$MAN1" >"$T/man1"
index "$MAN5" >"$T/man5"

# tagged FILE SECTION: the words of the item headings in SECTION, one a line
# (split at spaces, commas, "=", "[", "]" and "|").
tagged() {
        awk -F '\t' -v s="$2" '$1 == s && $3 == "tag" {
                n = split($4, w, /[][ ,=|]+/)
                for (i = 1; i <= n; i++) if (w[i] != "") print w[i]
        }' "$1" | sort -u
}

# missing WANTED HAVE: the lines of WANTED not in HAVE, on one line.
missing() { sort -u "$1" | comm -23 - "$2" | tr '\n' ' ' | sed 's/ $//'; }

# covered NAME WANTED HAVE MIN: PASS when WANTED has at least MIN lines (the
# extraction found something) and every one of them is in HAVE.
covered() {
        _n=$(sort -u "$2" | wc -l | tr -d ' ')
        _m=$(missing "$2" "$3")
        if [ "$_n" -lt "$4" ]; then
                fail "$1: only $_n found in the code, extraction broken?"
        elif [ -n "$_m" ]; then
                fail "$1: missing $_m"
        else
                pass "$1 ($_n)"
        fi
}

# ---- sockjail(1) ----

tagged "$T/man1" OPTIONS >"$T/man1-opts"
covered "sockjail.1 has an entry for every option of sockjail --help" \
        "$T/opts-help" "$T/man1-opts" 10
covered "sockjail.1 has an entry for every option in main.c" "$T/opts-main" "$T/man1-opts" 10
grep '^-' "$T/man1-opts" >"$T/man1-opts-only"
sort -u "$T/opts-help" "$T/opts-main" >"$T/opts-all"
covered "every option sockjail.1 describes exists" "$T/man1-opts-only" "$T/opts-all" 10
tagged "$T/man1" COMMANDS >"$T/man1-cmds"
covered "sockjail.1 has an entry for every command of sockjail --help" \
        "$T/cmds" "$T/man1-cmds" 3

# ---- sockjail.yaml(5) ----

check_section() { # TABLE SECTION
        names key "$1" | sort -u >"$T/keys-$1"
        tagged "$T/man5" "$2" | sed -n 's/^\([a-z0-9_]*\):$/\1/p' >"$T/man5-$1"
        covered "sockjail.yaml.5 $2 has an entry for every key of $1" "$T/keys-$1" \
                "$T/man5-$1" 5
        covered "every key sockjail.yaml.5 $2 describes is in $1" "$T/man5-$1" "$T/keys-$1" 5
}
check_section socket_keys SOCKETS
check_section service_keys SERVICE
check_section sandbox_keys SANDBOX
check_section policy_keys POLICY

check_later() { # TABLE TAG [MIN]: every directive of TABLE in the "NOT SUPPORTED YET" item TAG
        names later "$1" | sort -u >"$T/later-$1"
        awk -F '\t' -v t="$2" '$1 == "NOT SUPPORTED YET" && $2 == t && $3 == "body" {
                n = split($4, w, /[ ,.]+/)
                for (i = 1; i <= n; i++) if (w[i] != "") print w[i]
        }' "$T/man5" | sort -u >"$T/man5-later-$1"
        covered "sockjail.yaml.5 lists every directive of $1 as not supported yet" \
                "$T/later-$1" "$T/man5-later-$1" "${3:-5}"
}
check_later socket_later sockets 0 # every socket directive may be implemented
check_later service_later service 0 # the lifecycle and readiness keys may all be done
check_later sandbox_later sandbox
check_later policy_later policy 1

# ---- both ----

version=$("$SOCKJAIL" version)
for f in "$MAN1" "$MAN5"; do
        check "$(basename "$f") carries the version '$version'" \
                grep -q "^\.TH .*\"$version\"" "$f"
done

if command -v groff >/dev/null 2>&1; then
        for f in "$MAN1" "$MAN5"; do
                groff -man -Tutf8 -ww -z "$f" >"$T/groff.out" 2>&1
                expect "$(basename "$f") renders without groff warnings" \
                        "$(cat "$T/groff.out")" ""
        done
else
        echo "SKIP: the pages render without groff warnings (groff not installed)"
fi
if command -v man >/dev/null 2>&1; then
        for f in "$MAN1" "$MAN5"; do
                man --warnings -l "$f" >/dev/null 2>"$T/man.err"
                expect "$(basename "$f") renders without man --warnings output" \
                        "$(cat "$T/man.err")" ""
        done
else
        echo "SKIP: the pages render without man --warnings output (man not installed)"
fi
