#!/bin/bash
# systemd-driver-check.sh — the manual end-to-end check of ociruntime's systemd cgroup driver
# (issue 19) against systemd 252 in the cgroup2-only QEMU guest, built on
# ../shared/tools/systemd-in-vm-example.sh (whose notes hold the pitfalls): systemd runs as PID 1
# of a pid+mount namespace and the runtime is run through nsenter into it. Checks: run in a scope
# with the limits (files and `systemctl show` agree), run -d + state/ps/pause/resume/update/exec/
# events/delete, a scope name in use refused (the other container untouched), systemd refusing
# a property (its D-Bus error named, nothing left), the private socket as a peer, a timing of
# 5 runs each with systemd and cgroupfs. Not a test group (h19vm's tests/ has that).
#   copy to a writable dir, then: VM_ACCEL=tcg VMSH=../shared/tools/run-in-vm.sh \
#     RT=/path/to/out/ociruntime bash systemd-driver-check.sh      (logs in ./logs)
# It starts systemd with tests/systemd/start-systemd.sh (found next to this file's repo, or name
# it in SD_LIB=/path/to/start-systemd.sh when the copy is elsewhere).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VMSH=${VMSH:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/run-in-vm.sh}
export SD_LIB=${SD_LIB:-$HERE/../tests/systemd/start-systemd.sh}

if [ "${1:-}" != guest ]; then
  rm -rf "$HERE/logs"; mkdir -p "$HERE/logs"
  t0=$(date +%s.%N)
  [ -r "$SD_LIB" ] || { echo "systemd-driver-check.sh: $SD_LIB not found (set SD_LIB to tests/systemd/start-systemd.sh)"; exit 1; }
  SD_LIB=$(readlink -f "$SD_LIB")
  VM_ENV="PROTO_MODE PROTO_QUIET PROTO_STOP RT SD_LIB" VM_RW=$HERE VM_WORKDIR=$HERE VM_TIMEOUT=${VM_TIMEOUT:-600} VM_MEM=${VM_MEM:-2048} \
    "$VMSH" "bash $HERE/$(basename "${BASH_SOURCE[0]}") guest"
  rc=$?
  echo "HOST: run-in-vm rc=$rc, host wall time $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}")s"
  exit $rc
fi

# ------------------------------------------------------------------------------- guest side
LOG=$HERE/logs; mkdir -p "$LOG"
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "[$(up)] $*"; }
FAILS=0
ok()   { say "OK   $*"; }
bad()  { say "FAIL $*"; FAILS=$((FAILS + 1)); }
say "guest command started"

# 1. unit tweaks on the (already writable: overlay+tmpfs) root.
#   PROTO_MODE=min (default): proto.target + dbus.socket + dbus.service with DefaultDependencies=no,
#     so sysinit.target/basic.target (journald, tmpfiles, modprobe@, mounts, ...) are never pulled in;
#     all generators masked (each is an exec; 13 on this host incl. postgresql/sysv).
#   PROTO_MODE=full: proto.target = basic.target + dbus (the "normal" early boot), host units that
#     sockets.target/timers.target would pull (docker.socket, podman.socket, timers) masked.
#     (multi-user.target would pull docker/containerd/postgresql/sysstat from the host's /etc.)
MODE=${PROTO_MODE:-min}
SD=/etc/systemd/system
# (an EMPTY unit file counts as masked; only bash builtins: start-systemd.sh says why)
. "$SD_LIB"
if [ "$MODE" = min ]; then
  sd_dbus_only_target proto.target 'Prototype target: dbus only'
else
  printf '[Unit]\nDescription=Prototype target: basic.target + dbus\nRequires=basic.target\nWants=dbus.service\nAfter=basic.target dbus.service\n' > $SD/proto.target
  for u in docker.socket podman.socket apt-daily.timer apt-daily-upgrade.timer man-db.timer \
           dpkg-db-backup.timer e2scrub_all.timer fstrim.timer sysstat-collect.timer \
           sysstat-summary.timer podman-auto-update.timer; do : > $SD/$u; done
fi
say "unit setup done (mode=$MODE)"

# 2. systemd as PID 1 of a new pid+mount namespace (start-systemd.sh)
# PROTO_QUIET=1: no status lines / logs on the (slow, serial) VM console; logs go to kmsg (dmesg)
SDFLAGS="--log-level=info"
[ "${PROTO_QUIET:-1}" = 1 ] && SDFLAGS="--show-status=no --log-target=kmsg --log-level=info"
say "starting systemd"
T_START=$(up)
sd_start proto.target "$LOG/systemd.stdout" $SDFLAGS
say "unshare pid=$USPID systemd (outer) pid=$SDPID"
IN() { nsenter -t "$SDPID" -m -p -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# 3. wait for the private socket, then for startup to finish
sd_wait_private 60
say "/run/systemd/private exists: $([ -S /run/systemd/private ] && echo yes || echo NO)"
STATE=$(IN timeout 120 systemctl is-system-running --wait 2>&1)
T_READY=$(up)
say "is-system-running: $STATE (systemd start -> ready: $(awk "BEGIN{print $T_READY - $T_START}")s, guest uptime $T_READY)"
say "analyze:"; IN systemd-analyze time 2>&1 | head -1
# (systemd-analyze blame is NOT used: it took ~100 s under TCG in one run)
say "failed units:"; IN systemctl --failed --no-legend --plain 2>&1
say "systemd's cgroup: $(cat /proc/$SDPID/cgroup); top-level: $(echo /sys/fs/cgroup/*.slice /sys/fs/cgroup/*.scope); root subtree_control=[$(cat /sys/fs/cgroup/cgroup.subtree_control)]"

# 4. dbus
say "dbus.socket/dbus.service: $(IN systemctl is-active dbus.socket dbus.service | tr '\n' ' ')"
[ -S /run/dbus/system_bus_socket ] && ok "system bus socket present" || bad "no /run/dbus/system_bus_socket"
T=$(up); V=$(IN busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager Version 2>&1)
[ $? -eq 0 ] && ok "busctl get-property Version -> $V ($(awk "BEGIN{print $(up) - $T}")s)" || bad "busctl: $V"
IN busctl list --no-pager 2>&1 | head -8
say "systemd-run --scope:"

# 5. ociruntime --systemd-cgroup (h19's manual check)
RT=${RT:-/work/wt/h19/out/ociruntime}
B=/tmp/bundle; mkdir -p $B/rootfs/bin $B/rootfs/proc $B/rootfs/sys $B/rootfs/dev $B/rootfs/tmp
cp /bin/busybox $B/rootfs/bin/ && ln -sf busybox $B/rootfs/bin/sh
mk() { # mk NAME CGROUPSPATH ARGS-JSON [EXTRA-PY]
  mkdir -p /tmp/b-$1 && ln -sfn $B/rootfs /tmp/b-$1/rootfs
  ( cd /tmp/b-$1 && rm -f config.json && $RT spec && /usr/bin/python3 - "$2" "$3" "${4:-}" <<'EOP'
import json,sys; s=json.load(open('config.json'))
s['process']['terminal']=False; s['process']['args']=json.loads(sys.argv[2])
s['linux']['cgroupsPath']=sys.argv[1]
s['linux']['resources']={'memory':{'limit':67108864},'pids':{'limit':50},'cpu':{'shares':1024,'quota':12345,'period':100000}}
s['root']['readonly']=True
exec(sys.argv[3])
json.dump(s,open('config.json','w'))
EOP
  )
}
INRT() { IN env XDG_RUNTIME_DIR=/run "$@"; }
chk() { if eval "$2"; then ok "$1"; else bad "$1 ($2)"; fi; }

mk one system.slice:h19:one '["/bin/busybox","sh","-c","cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max"]'
T=$(up); R=$(INRT sh -c "cd /tmp/b-one && $RT --systemd-cgroup run one" 2>&1); rc=$?
say "run one rc=$rc ($(awk "BEGIN{print $(up) - $T}")s): $(echo $R)"
chk "run in a scope with the limits" '[ $rc = 0 ] && echo "$R" | grep -q "0::/" && echo "$R" | grep -qx 67108864 && echo "$R" | grep -qx 50 && echo "$R" | grep -qx 100 && echo "$R" | grep -qx "13000 100000"'
chk "no unit left after run" '! IN systemctl list-units --all --no-legend h19-one.scope | grep -q .'
chk "no cgroup left after run" '[ ! -d /sys/fs/cgroup/system.slice/h19-one.scope ]'

mk two kubepods-besteffort.slice:h19:two '["/bin/busybox","sleep","300"]' 's["annotations"]={"org.systemd.property.TimeoutStopSec":"uint64 7","org.systemd.property.CollectMode":"'"'"'inactive-or-failed'"'"'"}'
INRT sh -c "cd /tmp/b-two && $RT --systemd-cgroup run -d two" >/tmp/two.out 2>&1 </dev/null; rc=$?; R=$(cat /tmp/two.out)
say "run -d two rc=$rc: $R"
U=h19-two.scope; CG=/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/$U
SH=$(IN systemctl show -p Delegate -p MemoryMax -p TasksMax -p CPUWeight -p CPUQuotaPerSecUSec -p ControlGroup -p TimeoutStopUSec -p CollectMode -p Slice $U 2>&1 | tr '\n' ' ')
say "systemctl show: $SH"
chk "scope with Delegate=yes and mapped properties" 'echo "$SH" | grep -q "Delegate=yes" && echo "$SH" | grep -q "MemoryMax=67108864" && echo "$SH" | grep -q "TasksMax=50" && echo "$SH" | grep -q "CPUWeight=100" && echo "$SH" | grep -q "CPUQuotaPerSecUSec=130ms" && echo "$SH" | grep -q "Slice=kubepods-besteffort.slice" && echo "$SH" | grep -q "TimeoutStopUSec=7s" && echo "$SH" | grep -q "CollectMode=inactive-or-failed"'
chk "cgroup files agree" '[ "$(cat $CG/memory.max)" = 67108864 ] && [ "$(cat $CG/pids.max)" = 50 ] && [ "$(cat $CG/cpu.weight)" = 100 ] && [ "$(cat $CG/cpu.max)" = "13000 100000" ]'
P=$(INRT $RT state two | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
chk "init in the scope" 'IN grep -q "$U" /proc/$P/cgroup'
chk "ps lists the init" 'INRT $RT ps --format json two | grep -q "$P"'
INRT $RT pause two; chk "pause" 'INRT $RT state two | grep -q paused && [ "$(cat $CG/cgroup.freeze)" = 1 ]'
INRT $RT resume two; chk "resume" 'INRT $RT state two | grep -q running'
INRT $RT update --memory 100m --pids-limit 60 two; rc=$?
SH=$(IN systemctl show -p MemoryMax -p TasksMax $U | tr '\n' ' ')
chk "update: properties and files (rc=$rc, $SH)" '[ $rc = 0 ] && echo "$SH" | grep -q MemoryMax=104857600 && echo "$SH" | grep -q TasksMax=60 && [ "$(cat $CG/memory.max)" = 104857600 ]'
INRT $RT exec -d two /bin/busybox sleep 20 >/dev/null 2>&1 </dev/null; E=$(cat $CG/cgroup.procs | tr '\n' ' '); chk "exec joins the scope (procs: $E)" '[ $(cat $CG/cgroup.procs | wc -l) -ge 2 ]'
chk "events --stats" 'INRT $RT events --stats two | grep -q "\"pids\""'
# failure injection: the same unit name again
mk dup kubepods-besteffort.slice:h19:two '["/bin/busybox","true"]'
R=$(INRT sh -c "cd /tmp/b-dup && $RT --systemd-cgroup run dup" 2>&1); rc=$?
chk "a scope name in use is refused ($R)" '[ $rc != 0 ] && echo "$R" | grep -q "exists"'
chk "the first container is untouched" 'INRT $RT state two | grep -q running && [ -d $CG ]'
chk "no state left by the refused one" '! INRT $RT state dup >/dev/null 2>&1'
# systemd refuses a property
mk bad system.slice:h19:bad '["/bin/busybox","true"]' 's["annotations"]={"org.systemd.property.NoSuchThing":"true"}'
R=$(INRT sh -c "cd /tmp/b-bad && $RT --systemd-cgroup run bad" 2>&1); rc=$?
chk "systemd refusing the unit names its error ($R)" '[ $rc != 0 ] && echo "$R" | grep -q "org.freedesktop" '
chk "nothing left of the refused unit" '! IN systemctl list-units --all --no-legend h19-bad.scope | grep -q . && [ ! -d /sys/fs/cgroup/system.slice/h19-bad.scope ] && ! INRT $RT state bad >/dev/null 2>&1'
INRT $RT kill two KILL; sleep 0.5; INRT $RT delete two; rc=$?
chk "delete: no unit, failed unit or cgroup (rc=$rc)" '[ $rc = 0 ] && ! IN systemctl list-units --all --no-legend $U | grep -q . && [ ! -d $CG ]'
# the private socket (no dbus-daemon address): a peer connection
mk priv system.slice:h19:priv '["/bin/busybox","cat","/sys/fs/cgroup/pids.max"]'
R=$(IN env XDG_RUNTIME_DIR=/run DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent sh -c "cd /tmp/b-priv && $RT --systemd-cgroup --debug run priv" 2>&1); rc=$?
chk "run over /run/systemd/private ($(echo $R))" '[ $rc = 0 ] && echo "$R" | grep -qx 50'
# timing: 5 runs each way
for mgr in systemd cgroupfs; do
  mk t-$mgr "$([ $mgr = systemd ] && echo system.slice:h19:t || echo /h19t)" '["/bin/busybox","true"]' 's["linux"]["resources"]={}'
  T=$(up); for i in 1 2 3 4 5; do INRT sh -c "cd /tmp/b-t-$mgr && $RT --cgroup-manager=$mgr run t$i" >/dev/null 2>&1 || bad "timing run $mgr $i"; done
  say "TIMING $mgr: 5 runs in $(awk "BEGIN{print $(up) - $T}")s"
done
chk "no h19 unit left at all" '! IN systemctl list-units --all --no-legend "h19-*" | grep -q .'
say "failed units: $(IN systemctl --failed --no-legend --plain 2>&1)"

echo "--- cgroup tree (slices/scopes):"; (cd /sys/fs/cgroup && find . -name '*.scope' -o -name '*.slice' | sort | head -30)
echo "--- journal warnings/errors:"; IN journalctl -b -p warning --no-pager -q 2>&1 | grep -v kernel: | tail -15
dmesg > $LOG/dmesg.txt 2>&1; echo "--- kmsg lines from systemd/dbus mentioning fail/error/warn:"
grep -E 'systemd|dbus' $LOG/dmesg.txt | grep -iE 'fail|error|warn|cannot|couldn' | tail -15

# 8. shut down. PROTO_STOP=poweroff: clean "systemctl poweroff" (in a container systemd stops all
#    units, then systemd-shutdown's reboot() SIGINTs the ns init -> unshare exits 130).
#    PROTO_STOP=kill: SIGKILL the ns init (kills the whole pid ns at once; cgroups stay behind).
#    PROTO_STOP=none: just exit; the VM's poweroff -f ends everything anyway.
T=$(up)
case ${PROTO_STOP:-poweroff} in
  poweroff) IN systemctl poweroff 2>&1 ;;
  kill) kill -KILL $SDPID ;;
  none) say "done, FAILS=$FAILS (systemd left running)"; exit $FAILS ;;
esac
for i in $(seq 1 300); do kill -0 $USPID 2>/dev/null || break; sleep 0.1; done
if kill -0 $USPID 2>/dev/null; then bad "systemd did not exit; killing unshare $USPID"; kill -9 $USPID; wait $USPID
else wait $USPID; say "systemd namespace exited (unshare rc=$?) after $(awk "BEGIN{print $(up) - $T}")s (${PROTO_STOP:-poweroff})"; fi
echo "--- leftover cgroups:"; ls -d /sys/fs/cgroup/*/ 2>&1 | tr '\n' ' '; echo; echo "PID1 cgroup: $(cat /proc/1/cgroup), mine: $(cat /proc/self/cgroup)"
say "done, FAILS=$FAILS"
exit $FAILS
