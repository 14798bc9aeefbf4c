#!/usr/bin/env bash
# tests/systemd/unit-checks.sh — the runtime's systemd cgroup driver checked against systemd itself.
# Run by tests/systemd/run.sh inside the guest, inside systemd's pid+mount namespace.
#
#   unit-checks.sh units RUNTIME   systemd is up: the scope and its properties (systemctl/busctl
#                                  against the cgroup files), exec/pause/update/delete, cgroupsPath
#                                  forms, annotations, and failure injection (systemd refuses a
#                                  property, the scope already exists): clear error, nothing left
#   unit-checks.sh nobus RUNTIME   no systemd, no bus: a clear error naming it, nothing left
#
# Prints "ok"/"FAIL" per check (a FAIL with the command, its exit status and output) and
# "N passed, N failed"; exit status 1 if a check failed.
set -u
MODE=$1 RT=$2
W=$(mktemp -d /tmp/sdunit.XXXXXX)
STATE=$W/state
TAG=sdtest$$
PASS=0 FAIL=0
ok()  { echo "ok   $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $*"; FAIL=$((FAIL + 1)); }
# eq WHAT EXPECTED ACTUAL
eq() { if [ "$2" = "$3" ]; then ok "$1: $3"; else bad "$1: expected [$2], got [$3]"; fi; }
# R ARGS...: the runtime with --systemd-cgroup; output in $OUT, status in $ST
# (into a file: a created container's init keeps the runtime's stdout open, a $(...) would wait)
R() { timeout -k 5 120 "$RT" --root "$STATE" --systemd-cgroup "$@" >"$W/out" 2>&1 </dev/null; ST=$?; OUT=$(cat "$W/out"); }
# must WHAT ARGS...: R, and a check that it succeeded
must() { local what=$1; shift; R "$@"; if [ $ST -eq 0 ]; then ok "$what"; else bad "$what: \`${RT##*/} $*\` exit $ST: $OUT"; fi; }

# A busybox bundle: bundle NAME CGROUPSPATH RESOURCES-JSON ANNOTATIONS-JSON ARGS-JSON
bundle() {
  local b=$W/$1
  mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/sys" "$b/rootfs/dev" "$b/rootfs/tmp"
  [ -e "$b/rootfs/bin/busybox" ] || { cp /bin/busybox "$b/rootfs/bin/"; for a in sh sleep cat true; do ln -s busybox "$b/rootfs/bin/$a"; done; }
  jq -n --arg cg "$2" --argjson res "$3" --argjson ann "$4" --argjson args "$5" --arg tag "SDTEST_TAG=$TAG" '{
    ociVersion: "1.0.2",
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: $args, env: ["PATH=/bin", $tag], cwd: "/",
               capabilities: { bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"] },
               noNewPrivileges: true },
    root: { path: "rootfs", readonly: true },
    hostname: "sd",
    mounts: [ { destination: "/proc", type: "proc", source: "proc" },
              { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
              { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] } ],
    annotations: $ann,
    linux: { namespaces: [ { type: "pid" }, { type: "mount" }, { type: "ipc" }, { type: "uts" } ],
             cgroupsPath: $cg, resources: $res,
             maskedPaths: ["/proc/kcore"], readonlyPaths: ["/proc/sys"] } }' > "$b/config.json"
  echo "$b"
}

# show UNIT: every property of the unit into SP[...] (one systemctl call: each exec is slow under TCG)
declare -A SP
show() {
  local k v out
  SP=()
  out=$(systemctl show "$1" 2>&1) || echo "(systemctl show $1 failed: $out)"
  while IFS='=' read -r k v; do SP[$k]=$v; done <<<"$out"
}
prop() { systemctl show -P "$2" "$1" 2>&1; }
pidof_ct() { "$RT" --root "$STATE" --systemd-cgroup state "$1" 2>/dev/null | jq -r .pid; }
tagged() { grep -l "SDTEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | tr '\n' ' '; }

# nothing_left WHAT ID UNIT: no state, no unit (loaded or failed), no cgroup, no process of ours
nothing_left() {
  local what=$1 id=$2 unit=$3 problems="" load
  "$RT" --root "$STATE" state "$id" >/dev/null 2>&1 && problems+=" state of $id still there;"
  [ -e "$STATE/$id" ] && problems+=" $STATE/$id exists;"
  if [ "$MODE" = units ]; then
    # (a failed unit stays loaded: not-found means neither active nor failed)
    show "$unit"
    [ "${SP[LoadState]:-}" = not-found ] || problems+=" unit $unit: LoadState=${SP[LoadState]:-} ActiveState=${SP[ActiveState]:-} Result=${SP[Result]:-};"
  fi
  local cg; cg=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "*${unit%.scope}*" 2>/dev/null | tr '\n' ' ')
  [ -n "$cg" ] && problems+=" cgroup left: $cg;"
  local p; p=$(tagged); [ -n "$p" ] && problems+=" processes left: $p;"
  if [ -z "$problems" ]; then ok "$what: nothing left (state, unit, cgroup, processes)"; else bad "$what: left behind:$problems"; fi
}

SLEEP='["/bin/sleep","600"]'
NOANN='{}'

if [ "$MODE" = nobus ]; then
  # No systemd and no dbus-daemon running: the driver cannot reach a bus.
  B=$(bundle nobus system.slice:sdtest:nobus '{"pids":{"limit":20}}' "$NOANN" "$SLEEP")
  R run -d --bundle "$B" nobus
  if [ $ST -ne 0 ] && echo "$OUT" | grep -qiE 'systemd|d-?bus|bus'; then ok "no bus: run -d fails naming it: $(echo $OUT | head -c 300)"
  else bad "no bus: \`run -d\` exit $ST, expected a failure naming systemd/dbus: $OUT"; fi
  nothing_left "no bus" nobus sdtest-nobus.scope
  # systemd said to run (/run/systemd/system, its marker), but neither the system bus nor
  # /run/systemd/private answers: the connection fails, naming what it tried
  mkdir -p /run/systemd/system
  R run -d --bundle "$B" nobus2
  if [ $ST -ne 0 ] && echo "$OUT" | grep -qiE 'd-?bus|bus|socket|connect'; then ok "bus unreachable: run -d fails naming it: $(echo $OUT | head -c 300)"
  else bad "bus unreachable: \`run -d\` exit $ST, expected a failure naming the bus: $OUT"; fi
  nothing_left "bus unreachable" nobus2 sdtest-nobus.scope
  rmdir /run/systemd/system /run/systemd 2>/dev/null
  echo "$PASS passed, $FAIL failed"
  rm -rf "$W"
  [ $FAIL -eq 0 ]; exit
fi

# ---- 1. a scope with every mapped resource, and systemd agreeing with the cgroup files ---------
U=sdtest-u1.scope
RES='{"memory":{"limit":67108864},"cpu":{"shares":1024,"quota":50000,"period":100000,"cpus":"0"},"pids":{"limit":50}}'
ANN='{"org.systemd.property.TimeoutStopUSec":"uint64 123456789","org.systemd.property.CollectMode":"'"'inactive-or-failed'"'"}'
B=$(bundle u1 system.slice:sdtest:u1 "$RES" "$ANN" "$SLEEP")
must "create in a scope" create --bundle "$B" u1
must "start" start u1
PID=$(pidof_ct u1)
show $U
eq "unit active" active "${SP[ActiveState]:-}"
eq "Delegate" yes "${SP[Delegate]:-}"
eq "Slice" system.slice "${SP[Slice]:-}"
CG=${SP[ControlGroup]:-}
eq "ControlGroup" /system.slice/$U "$CG"
eq "the init's cgroup is the scope's" "0::$CG" "$(cat /proc/$PID/cgroup 2>&1)"
D=/sys/fs/cgroup$CG
eq "MemoryMax" 67108864 "${SP[MemoryMax]:-}"
eq "memory.max" 67108864 "$(cat $D/memory.max 2>&1)"
eq "TasksMax" 50 "${SP[TasksMax]:-}"
eq "pids.max" 50 "$(cat $D/pids.max 2>&1)"
W1=${SP[CPUWeight]:-}
eq "cpu.weight agrees with CPUWeight" "$W1" "$(cat $D/cpu.weight 2>&1)"
case $W1 in 39|100) ok "CPUWeight for shares 1024 is runc's ($W1)";; *) bad "CPUWeight for shares 1024: $W1, expected 39 (runc <1.3.2) or 100 (runc >=1.3.2)";; esac
eq "CPUQuotaPerSecUSec" 500ms "${SP[CPUQuotaPerSecUSec]:-}"
eq "cpu.max" "50000 100000" "$(cat $D/cpu.max 2>&1)"
eq "AllowedCPUs" 0 "${SP[AllowedCPUs]:-}"
eq "cpuset.cpus" 0 "$(cat $D/cpuset.cpus 2>&1)"
eq "annotation org.systemd.property.TimeoutStopUSec" "2min 3.456789s" "${SP[TimeoutStopUSec]:-}"
eq "annotation org.systemd.property.CollectMode" inactive-or-failed "${SP[CollectMode]:-}"
# Delegate=yes: the controllers are enabled for the scope, which may hand them on
for c in memory pids cpu cpuset; do
  grep -qw $c $D/cgroup.controllers 2>/dev/null && ok "delegated controller $c in $CG" || bad "controller $c missing in $CG: [$(cat $D/cgroup.controllers 2>&1)]"
done

# exec joins the scope; ps lists both
must "exec -d" exec -d u1 /bin/sleep 601
R ps --format json u1
N=$(echo "$OUT" | jq length 2>/dev/null)
eq "ps lists init and the exec'd process" 2 "$N"
for p in $(echo "$OUT" | jq -r '.[]' 2>/dev/null); do eq "pid $p's cgroup" "0::$CG" "$(cat /proc/$p/cgroup 2>&1)"; done

# pause/resume through the scope's cgroup.freeze; the unit stays active
must "pause" pause u1
eq "cgroup.freeze while paused" 1 "$(cat $D/cgroup.freeze 2>&1)"
eq "state while paused" paused "$("$RT" --root "$STATE" --systemd-cgroup state u1 2>&1 | jq -r .status)"
must "resume" resume u1
eq "cgroup.freeze after resume" 0 "$(cat $D/cgroup.freeze 2>&1)"

# update: systemd's properties and the files change together
must "update" update --memory 134217728 --pids-limit 70 --cpu-quota 20000 --cpu-period 100000 --cpu-share 512 --cpuset-cpus 0-1 u1
show $U
eq "unit still active" active "${SP[ActiveState]:-}"
eq "MemoryMax after update" 134217728 "${SP[MemoryMax]:-}"
eq "memory.max after update" 134217728 "$(cat $D/memory.max 2>&1)"
eq "TasksMax after update" 70 "${SP[TasksMax]:-}"
eq "pids.max after update" 70 "$(cat $D/pids.max 2>&1)"
eq "CPUQuotaPerSecUSec after update" 200ms "${SP[CPUQuotaPerSecUSec]:-}"
eq "cpu.max after update" "20000 100000" "$(cat $D/cpu.max 2>&1)"
W2=${SP[CPUWeight]:-}
eq "cpu.weight agrees with CPUWeight after update" "$W2" "$(cat $D/cpu.weight 2>&1)"
[ "$W2" != "$W1" ] && ok "CPUWeight changed by --cpu-share 512 ($W1 -> $W2)" || bad "CPUWeight unchanged by --cpu-share 512 ($W2)"
eq "AllowedCPUs after update" 0-1 "${SP[AllowedCPUs]:-}"
eq "cpuset.cpus after update" 0-1 "$(cat $D/cpuset.cpus 2>&1)"
# a systemd reload must not undo what update set (runc's reason to set properties, not only files)
systemctl daemon-reload
eq "memory.max after daemon-reload" 134217728 "$(cat $D/memory.max 2>&1)"
eq "pids.max after daemon-reload" 70 "$(cat $D/pids.max 2>&1)"

# delete: the unit, its cgroup and every process go
must "kill KILL" kill u1 KILL
for i in $(seq 1 100); do [ "$("$RT" --root "$STATE" state u1 2>/dev/null | jq -r .status)" = stopped ] && break; sleep 0.1; done
must "delete" delete u1
nothing_left "delete of a stopped container" u1 $U

# ---- 2. delete --force of a running container; run in the foreground; cgroupsPath forms --------
B=$(bundle u2 system.slice:sdtest:u2 '{"pids":{"limit":20}}' "$NOANN" "$SLEEP")
must "run -d" run -d --bundle "$B" u2
eq "u2 active" active "$(prop sdtest-u2.scope ActiveState)"
must "delete --force of a running container" delete --force u2
nothing_left "delete --force" u2 sdtest-u2.scope

B=$(bundle u3 system.slice:sdtest:u3 '{"memory":{"limit":33554432}}' "$NOANN" '["/bin/sh","-c","cat /proc/self/cgroup; exit 3"]')
R run --bundle "$B" u3
eq "run in the foreground: exit status of the container" 3 "$ST"
echo "$OUT" | grep -q "sdtest-u3.scope" && ok "run: the container saw its scope: $(echo $OUT)" || bad "run: cgroup not the scope: $OUT"
nothing_left "run in the foreground" u3 sdtest-u3.scope

# nested slice "sdtest-a-b.slice": systemd makes sdtest.slice/sdtest-a.slice/sdtest-a-b.slice
B=$(bundle u4 sdtest-a-b.slice:sdtest:u4 '{"pids":{"limit":20}}' "$NOANN" "$SLEEP")
must "run -d in a nested slice" run -d --bundle "$B" u4
eq "nested slice: ControlGroup" /sdtest.slice/sdtest-a.slice/sdtest-a-b.slice/sdtest-u4.scope "$(prop sdtest-u4.scope ControlGroup)"
must "delete --force (nested slice)" delete --force u4
nothing_left "nested slice" u4 sdtest-u4.scope
systemctl stop sdtest.slice >/dev/null 2>&1

# empty slice: system.slice, as runc
B=$(bundle u5 :sdtest:u5 '{"pids":{"limit":20}}' "$NOANN" "$SLEEP")
must "run -d with cgroupsPath :sdtest:u5" run -d --bundle "$B" u5
eq "empty slice part: ControlGroup" /system.slice/sdtest-u5.scope "$(prop sdtest-u5.scope ControlGroup)"
must "delete --force (empty slice)" delete --force u5
nothing_left "empty slice" u5 sdtest-u5.scope

# no cgroupsPath: the runtime's default scope in system.slice, named after the id
B=$(bundle u6 "" '{"pids":{"limit":20}}' "$NOANN" "$SLEEP")
jq 'del(.linux.cgroupsPath)' "$B/config.json" > "$B/c.json" && mv "$B/c.json" "$B/config.json"
must "run -d without cgroupsPath" run -d --bundle "$B" sdtestu6
CG6=$(cut -d: -f3 /proc/$(pidof_ct sdtestu6)/cgroup 2>&1)
case $CG6 in /system.slice/*-sdtestu6.scope) ok "default cgroupsPath: $CG6";; *) bad "default cgroupsPath: $CG6, expected /system.slice/PREFIX-sdtestu6.scope";; esac
U6=${CG6##*/}
eq "default scope: Delegate" yes "$(prop "$U6" Delegate)"
must "delete --force (default cgroupsPath)" delete --force sdtestu6
nothing_left "default cgroupsPath" sdtestu6 "$U6"

# ---- 3. failure injection -----------------------------------------------------------------------
# systemd refuses the unit: a property it does not know
B=$(bundle f1 system.slice:sdtest:f1 '{"pids":{"limit":20}}' '{"org.systemd.property.NoSuchProperty":"uint64 1"}' "$SLEEP")
R run -d --bundle "$B" f1
if [ $ST -ne 0 ] && echo "$OUT" | grep -q NoSuchProperty; then ok "systemd refuses an unknown property: run -d fails naming it: $(echo $OUT | head -c 300)"
else bad "unknown property: \`run -d\` exit $ST, expected a failure naming NoSuchProperty: $OUT"; fi
nothing_left "refused unit (unknown property)" f1 sdtest-f1.scope

# systemd refuses the unit: a known property of the wrong type
B=$(bundle f2 system.slice:sdtest:f2 '{"pids":{"limit":20}}' '{"org.systemd.property.CPUWeight":"'"'heavy'"'"}' "$SLEEP")
R run -d --bundle "$B" f2
if [ $ST -ne 0 ] && echo "$OUT" | grep -qi CPUWeight; then ok "systemd refuses a property of the wrong type: run -d fails naming it: $(echo $OUT | head -c 300)"
else bad "wrong-typed property: \`run -d\` exit $ST, expected a failure naming CPUWeight: $OUT"; fi
nothing_left "refused unit (wrong type)" f2 sdtest-f2.scope

# the scope name already exists (another process's scope): refused, and that scope is untouched
if [ "${RT##*/}" = runc ]; then
  echo "skip the scope already exists: runc 1.1.5 joins the existing scope (a deprecation warning only) and its delete --force then stops that foreign scope; not asked of runc"
else
  systemd-run --scope --unit=sdtest-f3.scope --quiet /bin/sleep 300 </dev/null >/dev/null 2>&1 &
  SRPID=$!
  for i in $(seq 1 100); do [ "$(prop sdtest-f3.scope ActiveState)" = active ] && break; sleep 0.1; done
  eq "a foreign scope sdtest-f3.scope is active" active "$(prop sdtest-f3.scope ActiveState)"
  B=$(bundle f3 system.slice:sdtest:f3 '{"pids":{"limit":20}}' "$NOANN" "$SLEEP")
  R run -d --bundle "$B" f3
  if [ $ST -ne 0 ] && echo "$OUT" | grep -qiE 'exist'; then ok "the scope exists: run -d fails naming it: $(echo $OUT | head -c 300)"
  else bad "existing scope: \`run -d\` exit $ST, expected a failure saying the unit exists: $OUT"
    "$RT" --root "$STATE" --systemd-cgroup delete --force f3 >/dev/null 2>&1; fi
  "$RT" --root "$STATE" state f3 >/dev/null 2>&1 && bad "existing scope: state of f3 left" || ok "existing scope: no state left"
  eq "the foreign scope is still active" active "$(prop sdtest-f3.scope ActiveState)"
  eq "the foreign scope holds only its own process" "$SRPID" "$(cat /sys/fs/cgroup/system.slice/sdtest-f3.scope/cgroup.procs 2>&1 | tr '\n' ' ' | sed 's/ $//')"
  [ -z "$(tagged)" ] && ok "existing scope: no process left" || bad "existing scope: processes left: $(tagged)"
  systemctl stop sdtest-f3.scope >/dev/null 2>&1; wait $SRPID 2>/dev/null
  nothing_left "foreign scope stopped" f3 sdtest-f3.scope
fi

echo "$PASS passed, $FAIL failed"
rm -rf "$W"
[ $FAIL -eq 0 ]
