#!/bin/sh
# The file-system keys of the sandbox section (systemd.exec(5)'s), seen from
# inside: a small Python script run as the service tries each path and says
# what it got (ok, an errno name, a listing, ro/rw); the probe, run by fd,
# reports from inside a root_directory. Every check is an exact outcome.
. "$(dirname "$0")/lib.sh"

# Host-side fixtures under /run: the sandbox's /tmp is private.
R=$(mktemp -d /run/sockjail-keys.XXXXXX)
chmod 755 "$R"
trap 'rm -rf "$R"; cleanup' EXIT
mkdir -p "$R/src" "$R/ro/rw" "$R/hide" "$R/tmpfs" "$R/rw"
echo from-src >"$R/src/file"
echo secret >"$R/hide/secret"
echo host >"$R/tmpfs/host-file"

# look OP:PATH...: one line per argument, "OP:PATH=RESULT", plus hostname and cwd.
LOOK='import errno, os, socket, sys
def res(f):
    try:
        v = f()
        return "ok" if v is None else str(v)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
def write(p):
    os.close(os.open(p, os.O_WRONLY | os.O_CREAT, 0o644))
def read(p):
    with open(p, "rb") as f:
        return f.read(64).decode(errors="replace").strip() or "empty"
ops = {
    "w": write,
    "r": read,
    "ls": lambda p: " ".join(sorted(os.listdir(p))) or "empty",
    "ro": lambda p: "ro" if os.statvfs(p).f_flag & os.ST_RDONLY else "rw",
    "mode": lambda p: oct(os.stat(p).st_mode & 0o7777),
    "pids": lambda p: sum(1 for n in os.listdir(p) if n.isdigit()),
}
print("hostname=" + socket.gethostname())
print("cwd=" + res(os.getcwd))
for a in sys.argv[1:]:
    op, p = a.split(":", 1)
    print(a + "=" + res(lambda: ops[op](p)))'

# run NAME SANDBOX-YAML [POLICY-YAML] -- LOOK-ARGS...: run the look script with
# the given sandbox section; its report in $T/NAME.r, sockjail's status in $rc.
run() {
        _n=$1 _sb=$2 _pol=$3
        shift 4
        {
                printf 'service:\n  exec:\n    - /usr/bin/python3\n    - -c\n    - |\n'
                echo "$LOOK" | sed 's/^/      /'
                for a in "$@"; do printf '    - "%s"\n' "$a"; done
                printf '  start: immediate\n'
                [ -n "$_sb" ] && printf 'sandbox:\n%s\n' "$_sb"
                [ -n "$_pol" ] && printf 'policy:\n%s\n' "$_pol"
        } >"$T/$_n.yaml"
        "$SOCKJAIL" run "$T/$_n.yaml" >"$T/$_n.r" 2>"$T/$_n.err"
        rc=$?
}

# got NAME KEY: the value of KEY= in $T/NAME.r (keys hold '/' and ':').
got() { awk -v k="$2=" 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }' "$T/$1.r"; }

# ---- protect_system, read_write_paths, read_only_paths ----
run strict '  protect_system: strict
  private_devices: no
  read_only_paths: '"$R/ro"'
  read_write_paths: ['"$R/rw"', '"$R/ro/rw"']' '' -- \
        w:/etc/sockjail-keys w:/usr/sockjail-keys w:/var/sockjail-keys ro:/ \
        w:/tmp/x w:/var/tmp/x ro:/dev ro:/proc w:/dev/null \
        w:"$R/rw/new" w:"$R/ro/new" w:"$R/ro/rw/new" ro:"$R/ro"
expect "strict: runs" "$rc" 0
expect "strict: /etc is read-only" "$(got strict w:/etc/sockjail-keys)" EROFS
expect "strict: /usr is read-only" "$(got strict w:/usr/sockjail-keys)" EROFS
expect "strict: /var is read-only" "$(got strict w:/var/sockjail-keys)" EROFS
expect "strict: / is mounted read-only" "$(got strict ro:/)" ro
expect "strict: the private /tmp is writable" "$(got strict w:/tmp/x)" ok
expect "strict: the private /var/tmp is writable" "$(got strict w:/var/tmp/x)" ok
expect "strict: /dev stays writable" "$(got strict ro:/dev)" rw
expect "strict: /proc stays writable" "$(got strict ro:/proc)" rw
expect "strict: /dev/null can be written" "$(got strict w:/dev/null)" ok
expect "strict: read_write_paths is writable" "$(got strict w:"$R/rw/new")" ok
expect "strict: read_only_paths is read-only" "$(got strict w:"$R/ro/new")" EROFS
expect "strict: read_write_paths inside read_only_paths" "$(got strict w:"$R/ro/rw/new")" ok
expect "strict: read_only_paths is a read-only mount" "$(got strict ro:"$R/ro")" ro
check "strict: what read_write_paths wrote is on the host" test -f "$R/rw/new"
check "strict: the host's / is still writable" touch "$R/host-check"

run system-full '  protect_system: full' '' -- w:/etc/sockjail-keys w:/usr/sockjail-keys ro:/
expect "protect_system full: /etc is read-only" "$(got system-full w:/etc/sockjail-keys)" EROFS
expect "protect_system full: /usr is read-only" "$(got system-full w:/usr/sockjail-keys)" EROFS
expect "protect_system full: / is not" "$(got system-full ro:/)" rw

# ---- protect_home, inaccessible_paths ----
run home '  protect_home: yes
  inaccessible_paths: ['"$R/hide"', "-/nonexistent"]' '' -- \
        ls:/home ls:/root mode:/root ls:"$R/hide" r:"$R/hide/secret"
expect "protect_home: runs" "$rc" 0
expect "protect_home: /home is inaccessible" "$(got home ls:/home)" EACCES
expect "protect_home: /root is inaccessible" "$(got home ls:/root)" EACCES
expect "protect_home: /root is mode 000" "$(got home mode:/root)" 0o0
expect "inaccessible_paths: the directory" "$(got home ls:"$R/hide")" EACCES
expect "inaccessible_paths: a file in it" "$(got home r:"$R/hide/secret")" EACCES

run home-tmpfs '  protect_home: tmpfs' '' -- ls:/root w:/root/x mode:/root
expect "protect_home tmpfs: /root is empty" "$(got home-tmpfs ls:/root)" empty
expect "protect_home tmpfs: /root is read-only" "$(got home-tmpfs w:/root/x)" EROFS
expect "protect_home tmpfs: /root is mode 0700" "$(got home-tmpfs mode:/root)" 0o700

# ---- bind_paths, bind_read_only_paths, temporary_file_system ----
run binds '  bind_paths: ["'"$R/src:$R/dst"'", "-'"$R/missing:$R/never"'"]
  bind_read_only_paths: '"$R/src:$R/dst-ro"'
  temporary_file_system: "'"$R/tmpfs:mode=0700"'"' '' -- \
        r:"$R/dst/file" w:"$R/dst/new" r:"$R/dst-ro/file" w:"$R/dst-ro/new" \
        ls:"$R/tmpfs" mode:"$R/tmpfs" w:"$R/tmpfs/new"
expect "binds: runs" "$rc" 0
expect "bind_paths: the source's file is there" "$(got binds r:"$R/dst/file")" from-src
expect "bind_paths: writable" "$(got binds w:"$R/dst/new")" ok
expect "bind_read_only_paths: the file is there" "$(got binds r:"$R/dst-ro/file")" from-src
expect "bind_read_only_paths: read-only" "$(got binds w:"$R/dst-ro/new")" EROFS
expect "bind_paths: written through to the source" "$(cat "$R/src/new" 2>&1 && echo ok)" ok
check "bind_paths: '-' skips a missing source (no destination made)" test ! -e "$R/never"
expect "temporary_file_system: empty" "$(got binds ls:"$R/tmpfs")" empty
expect "temporary_file_system: mode from its options" "$(got binds mode:"$R/tmpfs")" 0o700
expect "temporary_file_system: writable" "$(got binds w:"$R/tmpfs/new")" ok
check "temporary_file_system: the host's directory is untouched" \
        test -f "$R/tmpfs/host-file" -a ! -e "$R/tmpfs/new"

run bind-missing '  bind_paths: '"$R/missing:$R/never"'' '' --
expect "bind_paths: a missing source fails the start" "$rc" 1
expect "bind_paths: the message names the key" "$(grep -c "sandbox: bind-mount a bind_paths or bind_read_only_paths entry: No such file or directory" "$T/bind-missing.err")" 1

# ---- private_devices, the kernel keys, protect_proc ----
run devices '  private_devices: yes
  protect_kernel_tunables: yes
  protect_kernel_modules: yes
  protect_kernel_logs: yes' '' -- \
        ls:/dev ro:/dev w:/dev/null w:/dev/new w:/proc/sys/kernel/domainname r:/proc/kmsg
expect "devices: runs" "$rc" 0
expect "private_devices: only the API devices" "$(got devices ls:/dev)" \
        "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
expect "private_devices: /dev is read-only" "$(got devices ro:/dev)" ro
expect "private_devices: /dev/null works" "$(got devices w:/dev/null)" ok
expect "private_devices: nothing new in /dev" "$(got devices w:/dev/new)" EROFS
expect "protect_kernel_tunables: /proc/sys is read-only" \
        "$(got devices w:/proc/sys/kernel/domainname)" EROFS
expect "protect_kernel_logs: /proc/kmsg is inaccessible" "$(got devices r:/proc/kmsg)" EACCES

run logs '  protect_kernel_logs: yes
  private_devices: no' '' -- r:/dev/kmsg
expect "protect_kernel_logs: /dev/kmsg is inaccessible" "$(got logs r:/dev/kmsg)" EACCES

run cgroups '  private_network: no
  protect_kernel_tunables: no
  protect_control_groups: yes' '' -- ro:/sys/fs/cgroup ro:/sys
expect "protect_control_groups: /sys/fs/cgroup is read-only" "$(got cgroups ro:/sys/fs/cgroup)" ro
expect "protect_control_groups: the rest of the host's /sys is not" "$(got cgroups ro:/sys)" rw

run proc '  protect_proc: invisible' '  user: nobody' -- pids:/proc
expect "protect_proc invisible: only its own process" "$(got proc pids:/proc)" 1
run proc-default '' '  user: nobody' -- pids:/proc
expect "protect_proc default: the init too" "$(got proc-default pids:/proc)" 2

# ---- hostname, working_directory ----
run names '  hostname: sockjail-test
  working_directory: /usr/share' '' --
expect "hostname: set inside" "$(got names hostname)" sockjail-test
expect "working_directory: the service starts there" "$(got names cwd)" /usr/share
check "hostname: the host's is unchanged" test "$(hostname)" != sockjail-test

run home-dir '  working_directory: "~"' '' --
expect "working_directory ~: root's home" "$(got home-dir cwd)" "$(getent passwd root | cut -d: -f6)"
run home-nobody '  working_directory: "-~"' '  user: nobody' --
expect "working_directory -~: nobody's home does not exist, no matter" "$rc" 0
expect "working_directory -~: stays where it was" "$(got home-nobody cwd)" "$(pwd)"
run wd-missing '  working_directory: /nonexistent' '' --
expect "working_directory: a missing one fails the start" "$rc" 1
expect "working_directory: the message says so" \
        "$(grep -c "sandbox: change to working_directory: No such file or directory" "$T/wd-missing.err")" 1

# ---- root_directory: /usr bound in, the probe run by fd ----
mkdir -p "$R/root/etc"
ln -s usr/bin "$R/root/bin"
ln -s usr/lib "$R/root/lib"
ln -s usr/lib64 "$R/root/lib64"
echo inside >"$R/root/marker"
cat >"$T/root.yaml" <<EOF
service:
  exec: [$PROBE]
  start: immediate
sandbox:
  root_directory: $R/root
  bind_read_only_paths: /usr
  read_only_paths: "+/etc"
  working_directory: /etc
EOF
"$SOCKJAIL" run "$T/root.yaml" >"$T/root.r" 2>"$T/root.err"
expect "root_directory: the probe runs (by fd)" "$?" 0
expect "root_directory: cwd inside it" "$(key "$T/root.r" cwd)" /etc
expect "root_directory: its own /proc" "$(key "$T/root.r" proc.pids)" 2
expect "root_directory: a private /tmp in it" "$(key "$T/root.r" tmp.files)" 0
run root-look '  root_directory: '"$R/root"'
  bind_read_only_paths: /usr' '' -- r:/marker r:/etc/passwd ls:/ w:/usr/x
expect "root_directory: python runs in it" "$rc" 0
expect "root_directory: its files" "$(got root-look r:/marker)" inside
expect "root_directory: not the host's" "$(got root-look r:/etc/passwd)" ENOENT
expect "root_directory: its / (mount points made)" "$(got root-look ls:/)" \
        "bin dev etc lib lib64 marker proc sys tmp usr"
expect "root_directory: /usr bound read-only" "$(got root-look w:/usr/x)" EROFS

# ---- spec errors ----
printf 'service:\n  exec: [/bin/true]\n  start: immediate\nsandbox:\n  hostname: x\n  protect_hostname: no\n' >"$T/e1.yaml"
"$SOCKJAIL" check "$T/e1.yaml" >/dev/null 2>"$T/e1.err"
expect "hostname without protect_hostname: exit 2" "$?" 2
expect "hostname without protect_hostname: message" "$(cat "$T/e1.err")" \
        "$T/e1.yaml: hostname needs a UTS namespace of its own: protect_hostname: yes"
printf 'service:\n  exec: [/bin/true]\nsandbox:\n  bind_paths: ["/a:/b:bogus"]\n' >"$T/e2.yaml"
"$SOCKJAIL" check "$T/e2.yaml" >/dev/null 2>"$T/e2.err"
expect "bad bind: exit 2" "$?" 2
expect "bad bind: message" "$(cat "$T/e2.err")" \
        "$T/e2.yaml:4:16: 'bind_paths' takes [-]SOURCE[:DESTINATION[:rbind|norbind]] with absolute paths, not '/a:/b:bogus'"
printf 'service:\n  exec: [/bin/true]\nsandbox:\n  protect_system: read-only\n' >"$T/e3.yaml"
"$SOCKJAIL" check "$T/e3.yaml" >/dev/null 2>"$T/e3.err"
expect "bad protect_system: message" "$(cat "$T/e3.err")" \
        "$T/e3.yaml:4:19: 'protect_system' takes a boolean, full or strict, not 'read-only'"
printf 'service:\n  exec: [/bin/true]\nsandbox:\n  read_only_paths: ["/usr", "usr"]\n' >"$T/e4.yaml"
"$SOCKJAIL" check "$T/e4.yaml" >/dev/null 2>"$T/e4.err"
expect "relative read_only_paths: message" "$(cat "$T/e4.err")" \
        "$T/e4.yaml:4:29: 'read_only_paths' takes absolute paths without '..', each may start with '-' then '+', not 'usr'"

# ---- sockjail check shows them ----
"$SOCKJAIL" check "$T/strict.yaml" >"$T/plan" 2>&1
expect "check: protect_system shown" \
        "$(grep -c '^  protect_system: strict, protect_home: read-only, protect_proc: default$' "$T/plan")" 1
expect "check: read_write_paths shown" "$(grep -c "^  read-write: $R/rw\$" "$T/plan")" 1

# ---- the value syntax, as check prints it ----
cat >"$T/syntax.yaml" <<'EOF2'
service:
  exec: [/bin/true]
  start: immediate
sandbox:
  read_only_paths: ["/a /b", "", "/c '/d e'"]
  inaccessible_paths: "-/x +/y"
  bind_paths: ["-/src:/dst:norbind /s2"]
  bind_read_only_paths: '/r\:o:/ro'
  temporary_file_system: ["/t1:ro,size=1m /t2"]
  working_directory: "~"
policy:
  user: nobody
EOF2
"$SOCKJAIL" check "$T/syntax.yaml" >"$T/syntax.plan" 2>&1
expect "syntax: check accepts it" "$?" 0
expect "syntax: \"\" drops the paths before it, words split, quotes kept together" \
        "$(grep '^  read-only: ' "$T/syntax.plan" | tr '\n' '|')" "  read-only: /c|  read-only: /d e|"
expect "syntax: '-' and '+' prefixes kept" \
        "$(grep '^  inaccessible: ' "$T/syntax.plan" | tr '\n' '|')" "  inaccessible: -/x|  inaccessible: +/y|"
expect "syntax: binds" "$(grep '^  bind: ' "$T/syntax.plan" | tr '\n' '|')" \
        "  bind: -/src on /dst (norbind)|  bind: /s2 on /s2 (rbind)|  bind: /r:o on /ro (read-only, rbind)|"
expect "syntax: temporary file systems" "$(grep '^  tmpfs: ' "$T/syntax.plan" | tr '\n' '|')" \
        "  tmpfs: /t1 with ro,size=1m|  tmpfs: /t2|"
expect "syntax: ~ is the user's home" "$(grep '^  working directory: ' "$T/syntax.plan")" \
        "  working directory: $(getent passwd nobody | cut -d: -f6)"
