#!/usr/bin/env bash
# tests/systemd/pause-delete-race.sh RUNTIME [ROUNDS] — `delete --force` of a paused container
# under --systemd-cgroup, with the race made certain: strace holds the runtime for 3 s right after
# its SIGKILL of the init returns, so systemd sees the scope empty and removes its cgroup before the
# runtime's thaw. delete must still succeed and leave nothing (state, unit, cgroup, process).
# Before the fix, delete failed there with `cgroup: write "0" to .../cgroup.freeze: No such file
# or directory` (the failure seen once of Pause_freezes_and_resume_thaws in the conformance phase).
# Run inside systemd's namespaces (tests/systemd/run.sh: unit checks). Prints ok/FAIL lines and
# "N passed, N failed".
set -u
RT=$1 ROUNDS=${2:-1}
W=$(mktemp -d /tmp/sdrace.XXXXXX)
ST=$W/state
PASS=0 FAIL=0
ok()  { echo "ok   $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $*"; FAIL=$((FAIL + 1)); }
if ! command -v strace >/dev/null; then
  echo "skipped: pause-delete race: no strace to hold the runtime after its SIGKILL"; echo "0 passed, 0 failed"; exit 0
fi
B=$W/b
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev"
cp /bin/busybox "$B/rootfs/bin/" && ln -s busybox "$B/rootfs/bin/sleep"
jq -n '{ ociVersion: "1.0.2",
  process: { terminal: false, user: { uid: 0, gid: 0 }, args: ["/bin/sleep", "600"], env: ["PATH=/bin"], cwd: "/" },
  root: { path: "rootfs", readonly: true },
  mounts: [ { destination: "/proc", type: "proc", source: "proc" },
            { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755", "size=65536k"] } ],
  linux: { namespaces: [ { type: "pid" }, { type: "mount" } ], cgroupsPath: "system.slice:sdrace:r" } }' > "$B/config.json"
for i in $(seq 1 "$ROUNDS"); do
  id=race$i
  sed -i "s/sdrace:r[0-9]*\"/sdrace:r$i\"/" "$B/config.json"
  D=/sys/fs/cgroup/system.slice/sdrace-r$i.scope
  # (into a file: the init keeps the runtime's stdout and stderr open, a $(...) would wait)
  if ! "$RT" --root "$ST" --systemd-cgroup run -d -b "$B" $id </dev/null >"$W/out" 2>&1; then
    bad "round $i: run -d: $(cat "$W/out")"; continue
  fi
  "$RT" --root "$ST" --systemd-cgroup pause $id || bad "round $i: pause"
  strace -f -qq -o /dev/null -e trace=kill -e inject=kill:delay_exit=3000000 \
    "$RT" --root "$ST" --systemd-cgroup delete -f $id >"$W/out" 2>&1 </dev/null &
  dpid=$!
  gone=no
  while kill -0 $dpid 2>/dev/null; do [ -d "$D" ] || { gone=yes; break; }; sleep 0.05; done
  wait $dpid; rc=$?
  if [ $rc -eq 0 ]; then ok "round $i: delete -f of a paused container (cgroup removed by systemd while delete was held after its SIGKILL: $gone)"
  else bad "round $i: delete -f of a paused container exit $rc (cgroup removed by systemd while delete was held: $gone): $(cat "$W/out")"; fi
  left=""
  "$RT" --root "$ST" state $id >/dev/null 2>&1 && left+=" state;"
  [ "$(systemctl show -P LoadState sdrace-r$i.scope 2>&1)" = not-found ] || left+=" unit sdrace-r$i.scope: $(systemctl show -P ActiveState sdrace-r$i.scope 2>&1);"
  [ -d "$D" ] && left+=" cgroup $D;"
  if [ -z "$left" ]; then ok "round $i: nothing left"; else bad "round $i: left:$left"; fi
  # whatever a failed round left
  "$RT" --root "$ST" --systemd-cgroup delete -f $id >/dev/null 2>&1
  systemctl stop sdrace-r$i.scope >/dev/null 2>&1; systemctl reset-failed sdrace-r$i.scope >/dev/null 2>&1
done
rm -rf "$W"
echo "$PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
