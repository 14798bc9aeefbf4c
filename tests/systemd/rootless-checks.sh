#!/usr/bin/env bash
# tests/systemd/rootless-checks.sh RUNTIME — rootless `--systemd-cgroup` with the user's own
# systemd instance, in tests/systemd's guest (run.sh phase `rootless`, inside systemd's pid+mount
# namespace). A user made for the test in the guest's throwaway root (useradd), its user@UID.service
# started with systemctl (no logind there: nothing else starts it; Debian's unit delegates
# cpu, memory and pids to it), then as that user, with a rootless bundle (`spec --rootless`):
# run -d puts the init in a scope of the user's instance (user@UID.service/user.slice/sdrl-x.scope,
# Delegate=yes, TasksMax and pids.max agreeing), pause/resume freeze and thaw it, delete -f leaves
# no unit, cgroup or state; last the user's instance is stopped and the user removed.
# Prints ok/FAIL per check and "N passed, N failed".
set -u
RT=$1
PASS=0 FAIL=0
ok()  { echo "ok   $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $*"; FAIL=$((FAIL + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1: $3"; else bad "$1: expected [$2], got [$3]"; fi; }
NAME=sdrootless
useradd -M -d /nonexistent -s /usr/sbin/nologin "$NAME" 2>/dev/null || { id "$NAME" >/dev/null 2>&1 || { bad "useradd $NAME failed"; echo "$PASS passed, $FAIL failed"; exit 1; }; }
U=$(id -u "$NAME") G=$(id -g "$NAME")
W=$(mktemp -d /tmp/sdrl.XXXXXX); chmod 755 "$W"
B=$W/b ST=$W/state
cleanup() {
  AS "$RT" --root "$ST" --systemd-cgroup delete -f rl1 >/dev/null 2>&1
  systemctl stop "user@$U.service" >/dev/null 2>&1
  systemctl reset-failed >/dev/null 2>&1
  userdel "$NAME" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
AS() { setpriv --reuid "$U" --regid "$G" --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR=/run/user/$U HOME=$W "$@"; }
USYS() { AS systemctl --user "$@"; }

if systemctl start "user@$U.service" && [ "$(systemctl is-active "user@$U.service")" = active ]; then
  ok "user@$U.service started (Delegate: $(systemctl show -P DelegateControllers "user@$U.service"))"
else
  bad "user@$U.service did not start: $(systemctl status "user@$U.service" --no-pager 2>&1 | tail -5)"
  echo "$PASS passed, $FAIL failed"; exit 1
fi
mkdir -p "$B/rootfs"/{bin,proc,dev,sys} && cp /bin/busybox "$B/rootfs/bin/" && ln -s busybox "$B/rootfs/bin/sleep"
chown -R "$U:$G" "$W"
AS "$RT" spec --rootless --bundle "$B" || bad "spec --rootless"
AS sh -c 'jq ".process.terminal = false | .process.args = [\"/bin/sleep\", \"600\"] | .linux.cgroupsPath = \"user.slice:sdrl:x\" | .linux.resources = {pids: {limit: 20}}" "$1/config.json" > "$1/c.json" && mv "$1/c.json" "$1/config.json"' sh "$B"
# To a file, not $(...): the detached init inherits the runtime's stdout and stderr, so a pipe
# would stay open (and the substitution wait) as long as the container runs.
AS timeout 120 "$RT" --root "$ST" --systemd-cgroup run -d --bundle "$B" rl1 >"$W/run.out" 2>&1 </dev/null; st=$?
OUT=$(cat "$W/run.out")
if [ $st -eq 0 ]; then ok "rootless run -d --systemd-cgroup"; else bad "rootless run -d --systemd-cgroup: exit $st: $OUT"; echo "$PASS passed, $FAIL failed"; exit 1; fi
SCOPE_CG=/user.slice/user-$U.slice/user@$U.service/user.slice/sdrl-x.scope
P=$(AS "$RT" --root "$ST" state rl1 | jq -r .pid)
eq "the init's cgroup: the user's instance's scope" "0::$SCOPE_CG" "$(cat /proc/"$P"/cgroup)"
eq "the init runs as the user on the host" "$U" "$(awk '/^Uid:/ { print $2 }' /proc/"$P"/status)"
eq "scope active in the user's instance" active "$(USYS show -P ActiveState sdrl-x.scope 2>&1)"
eq "scope Delegate" yes "$(USYS show -P Delegate sdrl-x.scope 2>&1)"
eq "TasksMax" 20 "$(USYS show -P TasksMax sdrl-x.scope 2>&1)"
eq "pids.max" 20 "$(cat /sys/fs/cgroup$SCOPE_CG/pids.max 2>&1)"
AS "$RT" --root "$ST" pause rl1 && eq "pause: cgroup.freeze" 1 "$(cat /sys/fs/cgroup$SCOPE_CG/cgroup.freeze)" || bad "pause"
eq "state after pause" paused "$(AS "$RT" --root "$ST" state rl1 | jq -r .status)"
AS "$RT" --root "$ST" resume rl1 && eq "resume: cgroup.freeze" 0 "$(cat /sys/fs/cgroup$SCOPE_CG/cgroup.freeze)" || bad "resume"
OUT=$(AS timeout 120 "$RT" --root "$ST" --systemd-cgroup delete -f rl1 2>&1); st=$?
if [ $st -eq 0 ]; then ok "rootless delete -f"; else bad "rootless delete -f: exit $st: $OUT"; fi
eq "no unit left in the user's instance" not-found "$(USYS show -P LoadState sdrl-x.scope 2>&1)"
left=$(find /sys/fs/cgroup -name '*sdrl*' 2>/dev/null; [ -e "$ST/rl1" ] && echo "$ST/rl1")
if [ -z "$left" ]; then ok "no cgroup or state left"; else bad "left: $left"; fi
echo "$PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
