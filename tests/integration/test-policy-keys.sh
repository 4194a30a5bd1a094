#!/bin/sh
# The policy keys of systemd.exec(5) take effect in the service: environment
# keys, supplementary groups, ambient capabilities, umask, limits, nice,
# oom_score_adj, the memory, realtime, set-id and namespace restrictions, and
# profiles (strict, and a spec key overriding one). The probe reports ids,
# env and caps; /bin/sh and python3 report the rest from inside.
. "$(dirname "$0")/lib.sh"

# run NAME: run $T/NAME.yaml, output in $T/NAME.r, status in $rc.
run() {
        "$SOCKJAIL" run "$T/$1.yaml" >"$T/$1.r" 2>"$T/$1.err"
        rc=$?
}

has() { grep -qx "$2" "$T/$1.r"; }

# ---- environment, groups, capabilities: the probe ----

printf 'FILE=from the file\nBOTH="file"\n# a comment\n' >"$T/a.env"
cat >"$T/env.yaml" <<EOF
service:
  exec: [$PROBE]
  start: immediate
  environment: [SVC=1, BOTH=service]
policy:
  user: nobody
  supplementary_groups: [42, 4242]
  environment: [POL=2, BOTH=policy, GONE=x, KEEP=y]
  environment_file: [$T/a.env, -$T/missing.env]
  pass_environment: [SJ_PASSED, SJ_NOT_SET]
  unset_environment: [GONE, "KEEP=z"]
  capability_bounding_set: [CAP_NET_BIND_SERVICE, CAP_CHOWN]
  ambient_capabilities: [CAP_NET_BIND_SERVICE]
EOF
SJ_PASSED=hello run env
r=$T/env.r
expect "env: the service runs" "$rc" 0
expect "service.environment reaches the service" "$(key "$r" env.SVC)" 1
expect "policy.environment reaches the service" "$(key "$r" env.POL)" 2
expect "environment_file is read (and wins over environment)" "$(key "$r" env.BOTH)" file
expect "environment_file keeps spaces" "$(key "$r" env.FILE)" "from the file"
expect "pass_environment passes sockjail's variable" "$(key "$r" env.SJ_PASSED)" hello
expect "pass_environment skips an unset variable" "$(grep -c '^env.SJ_NOT_SET=' "$r")" 0
expect "unset_environment NAME removes it" "$(grep -c '^env.GONE=' "$r")" 0
expect "unset_environment NAME=value removes only that value" "$(key "$r" env.KEEP)" y
expect "PATH is still systemd's" "$(key "$r" env.PATH)" \
        /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
expect "user: nobody" "$(key "$r" uid)" 65534
expect "supplementary_groups add to nobody's" "$(key "$r" groups)" 42,4242,65534
expect "ambient_capabilities: only CAP_NET_BIND_SERVICE is ambient" \
        "$(key "$r" status.CapAmb)" 0000000000000400
expect "ambient_capabilities: effective as nobody" "$(key "$r" status.CapEff)" 0000000000000400
expect "capability_bounding_set keeps both" "$(key "$r" status.CapBnd)" 0000000000000401

# ---- the process: umask, limits, nice, oom_score_adj ----
# (within what root may do without CAP_SYS_RESOURCE, which a container may withhold)

cat >"$T/proc.yaml" <<'EOF'
service:
  exec:
    - /bin/sh
    - -c
    - >-
      echo umask=$(umask);
      echo nice=$(cut -d' ' -f19 /proc/self/stat);
      echo oom=$(cat /proc/self/oom_score_adj);
      grep -E '^Max (open files|core file size|cpu time|msgqueue size|realtime timeout)' /proc/self/limits
  start: immediate
policy:
  umask: "0027"
  limit_nofile: 100:200
  limit_core: 0
  limit_cpu: 2min
  limit_msgqueue: 8K:16K
  limit_rttime: 5ms:infinity
  nice: 5
  oom_score_adjust: 300
EOF
run proc
expect "process keys: the service runs" "$rc" 0
expect "umask: 0027" "$(key "$T/proc.r" umask)" 0027
expect "nice: 5" "$(key "$T/proc.r" nice)" 5
expect "oom_score_adjust: 300" "$(key "$T/proc.r" oom)" 300
lim() { grep "^Max $1" "$T/proc.r" | awk '{print $(NF-2) ":" $(NF-1)}'; }
expect "limit_nofile 100:200" "$(lim 'open files')" 100:200
expect "limit_core 0" "$(lim 'core file size')" 0:0
expect "limit_cpu 2min is 120 seconds" "$(lim 'cpu time')" 120:120
expect "limit_msgqueue 8K:16K" "$(lim 'msgqueue size')" 8192:16384
expect "limit_rttime 5ms:infinity" "$(lim 'realtime timeout')" 5000:unlimited

cat >"$T/umask.yaml" <<'EOF'
service:
  exec: [/bin/sh, -c, 'umask']
  start: immediate
EOF
run umask
expect "umask defaults to 0022" "$(cat "$T/umask.r")" 0022

# ---- restrictions, seen by python3 inside ----

cat >"$T/restrict.py" <<'EOF'
import ctypes, errno, mmap, os, subprocess
def err(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
print("mmap_rwx=" + err(lambda: mmap.mmap(-1, 4096, prot=7)))
print("mmap_rw=" + err(lambda: mmap.mmap(-1, 4096, prot=3)))
print("suid=" + err(lambda: os.chmod("/tmp/f", 0o4755) if open("/tmp/f", "w") else 0))
print("fifo=" + err(lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))))
print("setpriority=" + err(lambda: os.setpriority(os.PRIO_PROCESS, 0, 3)))
libc = ctypes.CDLL(None, use_errno=True)
print("securebits=%d" % libc.prctl(27, 0, 0, 0, 0))
r = subprocess.run(["unshare", "-U", "true"], stderr=subprocess.DEVNULL)
print("unshare_user=%d" % r.returncode)
EOF
cp "$T/restrict.py" /run/sockjail-restrict-$$.py
trap 'rm -f /run/sockjail-restrict-$$.py; cleanup' EXIT
cat >"$T/restrict.yaml" <<EOF
service:
  exec: [python3, /run/sockjail-restrict-$$.py]
  start: immediate
policy:
  capability_bounding_set: [CAP_SYS_NICE]
  memory_deny_write_execute: yes
  restrict_realtime: yes
  restrict_suid_sgid: yes
  restrict_namespaces: [user]
  secure_bits: [noroot, noroot-locked]
EOF
run restrict
r=$T/restrict.r
expect "restrictions: python3 runs" "$rc" 0
expect "memory_deny_write_execute: mmap RWX is EPERM" "$(key "$r" mmap_rwx)" EPERM
expect "memory_deny_write_execute: mmap RW still works" "$(key "$r" mmap_rw)" ok
expect "restrict_suid_sgid: chmod 4755 is EPERM" "$(key "$r" suid)" EPERM
expect "restrict_realtime: SCHED_FIFO is EPERM (CAP_SYS_NICE kept)" "$(key "$r" fifo)" EPERM
expect "secure_bits: noroot noroot-locked" "$(key "$r" securebits)" 3
expect "restrict_namespaces: [user] lets unshare -U through" "$(key "$r" unshare_user)" 0

# The same script without the keys: everything works, so the refusals are theirs.
sed -e '/memory_deny_write_execute/d' -e '/restrict_realtime/d' -e '/restrict_suid_sgid/d' \
        -e '/secure_bits/d' -e 's/restrict_namespaces: \[user\]/restrict_namespaces: yes/' \
        "$T/restrict.yaml" >"$T/control.yaml"
run control
r=$T/control.r
expect "control: mmap RWX works" "$(key "$r" mmap_rwx)" ok
expect "control: chmod 4755 works" "$(key "$r" suid)" ok
expect "control: SCHED_FIFO works with CAP_SYS_NICE" "$(key "$r" fifo)" ok
expect "control: secure bits untouched" "$(key "$r" securebits)" 0
check "control: restrict_namespaces: yes refuses unshare -U" test "$(key "$r" unshare_user)" != 0

# ---- profiles ----

cat >"$T/strict.yaml" <<EOF
service:
  exec: [$PROBE]
  start: immediate
policy:
  profile: strict
EOF
run strict
expect "profile: strict: the probe runs" "$rc" 0
expect "profile: strict denies setuid(0) (@setuid)" "$(key "$T/strict.r" errno.setuid0)" EPERM
expect "profile: strict still allows AF_UNIX" "$(key "$T/strict.r" errno.socket_unix)" ok
sed "s|exec: \[$PROBE\]|exec: [python3, /run/sockjail-restrict-$$.py]|" "$T/strict.yaml" \
        >"$T/strict-py.yaml"
run strict-py
expect "profile: strict: setpriority is EPERM (@resources)" \
        "$(key "$T/strict-py.r" setpriority)" EPERM
expect "profile: strict: mmap RWX is EPERM" "$(key "$T/strict-py.r" mmap_rwx)" EPERM
cat >"$T/default.yaml" <<EOF
service:
  exec: [$PROBE]
  start: immediate
EOF
run default
expect "no profile: setuid(0) works for root" "$(key "$T/default.r" errno.setuid0)" ok

# A spec key replaces the profile's key, the rest of the profile stays.
cat >"$T/override.yaml" <<EOF
service:
  exec: [python3, /run/sockjail-restrict-$$.py]
  start: immediate
policy:
  system_call_filter: ["@system-service"]
  profile: strict
  capability_bounding_set: [CAP_SYS_NICE]
EOF
run override
expect "override: python3 runs under strict with its own filter" "$rc" 0
expect "override: strict's memory_deny_write_execute stays" "$(key "$T/override.r" mmap_rwx)" EPERM
expect "override: strict's restrict_realtime stays" "$(key "$T/override.r" fifo)" EPERM
expect "override: the spec's filter replaces strict's (@resources back: setpriority)" \
        "$(key "$T/override.r" setpriority)" ok
"$SOCKJAIL" check "$T/override.yaml" >"$T/override.check" 2>&1
check "check names the profile" grep -q "^  profile: strict (.*/strict.yaml)$" "$T/override.check"
check "check shows memory_deny_write_execute" \
        grep -q "^memory_deny_write_execute: yes, restrict_realtime: yes" "$T/override.check"
check "check shows sched_setscheduler allowed with the realtime note" \
        grep -q "^  allow   sched_setscheduler (realtime policies: EPERM)$" "$T/override.check"

# SOCKJAIL_PROFILE_PATH comes first.
mkdir "$T/profiles"
printf 'policy:\n  umask: "0077"\n' >"$T/profiles/mine.yaml"
cat >"$T/mine.yaml" <<'EOF'
service:
  exec: [/bin/sh, -c, 'umask']
  start: immediate
policy:
  profile: mine
EOF
SOCKJAIL_PROFILE_PATH=$T/profiles run mine
expect "SOCKJAIL_PROFILE_PATH: a profile of one's own" "$(cat "$T/mine.r")" 0077

# ---- errors ----

printf 'service:\n  exec: /bin/true\n  start: immediate\npolicy:\n  profile: nope\n' >"$T/bad.yaml"
"$SOCKJAIL" check "$T/bad.yaml" >/dev/null 2>"$T/bad.err"
expect "unknown profile: exit 2" "$?" 2
expect "unknown profile: the message" "$(cat "$T/bad.err")" \
        "$T/bad.yaml:5:12: unknown profile 'nope' (available: default, strict)"
printf 'A=1\n2B=x\n' >"$T/bad.env"
printf 'service:\n  exec: /bin/true\n  start: immediate\npolicy:\n  environment_file: %s\n' \
        "$T/bad.env" >"$T/badenv.yaml"
"$SOCKJAIL" check "$T/badenv.yaml" >/dev/null 2>"$T/badenv.err"
expect "environment_file: an error has the file's line" "$(cat "$T/badenv.err")" \
        "$T/badenv.yaml:5:21: environment file $T/bad.env:2: invalid variable name '2B'"
