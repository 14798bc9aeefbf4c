#!/usr/bin/env bash
# scenario.sh BINARY SYMBOLS TRACE_CALLS OUTDIR [run] — run inside tests/sandbox/run-in-sandbox.sh.
#
# Runs the commands a container manager calls, in the order a container's life calls them, each
# under trace-calls, and writes OUTDIR/NN-COMMAND.txt: the functions each one ran, in first-use
# order, and OUTDIR/NN-COMMAND.x.txt: those its executor ran (the binary re-executed). `run`
# comes first: its start path is what the layout is for. With "run" as the fifth
# argument only `run` is traced (tools/layout/check.sh).
set -euo pipefail
bin=$1 symbols=$2 tracer=$3 out=$4 only=${5:-}
work=$(mktemp -d "${OCI_CONFORMANCE_TMP:-/tmp}/layout.XXXXXX")
root=$work/state
bundle=$work/bundle
mkdir -p "$root" "$bundle"/rootfs/{bin,dev,proc,sys,tmp,etc} "$out"
mount -t tmpfs layout-state "$root" # state directories live on a tmpfs, as /run does
cleanup() {
  for id in layout-c layout-s; do "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; done
  umount "$root" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for app in sh true sleep; do ln -s busybox "$bundle/rootfs/bin/$app"; done
"$bin" spec --bundle "$bundle"
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/^\(\t*\)"sh"$/\1"\/bin\/true"/' "$bundle/config.json"
cp "$bundle/config.json" "$work/true.json"
sed 's/"\/bin\/true"/"\/bin\/sleep", "30"/' "$work/true.json" > "$work/sleep.json"
echo '{"args":["/bin/true"],"cwd":"/","user":{"uid":0,"gid":0}}' > "$work/process.json"

n=0
trace() { # NAME ARGS...: one traced command
  local name=$1; shift
  n=$((n + 1))
  local file=$out/$(printf %02d $n)-$name
  local status=0
  "$tracer" "$symbols" "$file.txt" "$file.x.txt" -- "$bin" "$@" >/dev/null || status=$?
  if [ "$status" -ne 0 ]; then
    echo "scenario.sh: traced \`$name\` exited with $status" >&2
    return "$status"
  fi
}
"$bin" --root "$root" run --bundle "$bundle" layout-warm # caches warm, like every later start
trace run --root "$root" run --bundle "$bundle" layout-r
[ "$only" = run ] && exit 0
trace create --root "$root" create --bundle "$bundle" layout-c
trace state --root "$root" state layout-c
trace start --root "$root" start layout-c
for _ in $(seq 50); do "$bin" --root "$root" state layout-c | grep -q '"stopped"' && break; sleep 0.1; done
trace delete --root "$root" delete layout-c
cp "$work/sleep.json" "$bundle/config.json"
"$bin" --root "$root" create --bundle "$bundle" layout-s
"$bin" --root "$root" start layout-s
trace exec --root "$root" exec --process "$work/process.json" layout-s
trace exec-detach --root "$root" exec --detach --pid-file "$work/exec.pid" --process "$work/process.json" layout-s
trace ps --root "$root" ps --format json layout-s
trace list --root "$root" list
trace pause --root "$root" pause layout-s
trace resume --root "$root" resume layout-s
echo '{"pids":{"limit":100}}' > "$work/resources.json"
trace update --root "$root" update --resources "$work/resources.json" layout-s
trace kill --root "$root" kill layout-s KILL
for _ in $(seq 50); do "$bin" --root "$root" state layout-s | grep -q '"stopped"' && break; sleep 0.1; done
trace delete-force --root "$root" delete --force layout-s
trace version --version
trace features features
