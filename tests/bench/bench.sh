#!/usr/bin/env bash
# bench.sh OUT.md — ociruntime, runc and crun side by side on one read-only busybox bundle (the
# default config of `ociruntime spec`: pid, network, ipc, uts, mount namespaces, and cgroup on v2),
# in one run, inside the test sandbox. Writes a markdown table to OUT.md.
#
# Measured: `run` of /bin/true to exit (hyperfine), create/start/delete separately, peak RSS of
# `run`, RSS/PSS of the process a created container leaves waiting, binary size, and start-up of
# `--version` against /bin/true. Knobs: BENCH_RUNS (default 100), BENCH_WARMUP (10).
# The state directories (--root) are on a tmpfs, as where containerd, Docker and Podman keep them
# (/run/containerd/runc, /run/runc, /run/crun); on a disk file system each state file costs a
# journalled create and unlink (~0.5 ms here) that no deployment pays.
set -euo pipefail

OUT=${1:?usage: bench.sh OUT.md}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OCI=$REPO/out/ociruntime
RUNS=${BENCH_RUNS:-100}
WARMUP=${BENCH_WARMUP:-10}
[ -n "${OCI_SANDBOX:-}" ] || { echo "bench.sh: run me inside tests/sandbox/run-in-sandbox.sh" >&2; exit 2; }

WORK=$(mktemp -d "${OCI_CONFORMANCE_TMP:-/tmp}/bench.XXXXXX")
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs"/{bin,dev,proc,sys,tmp,etc}
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$BUNDLE/rootfs/bin/$a"; done
"$OCI" spec --bundle "$BUNDLE"
# crun 1.8 knows no ociVersion newer than 1.0.x; the config uses nothing newer.
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/^\(\t*\)"sh"$/\1"\/bin\/true"/' -e 's/"ociVersion": "1.3.0"/"ociVersion": "1.0.2"/' "$BUNDLE/config.json"
grep -q '"/bin/true"' "$BUNDLE/config.json" || { echo "bench.sh: could not set args" >&2; exit 1; }
# The namespaces `spec` chose (a cgroup namespace only on a cgroup v2 host, as runc).
NAMESPACES=$(sed -n '/"namespaces"/,/\]/s/.*"type": "\([a-z]*\)".*/\1/p' "$BUNDLE/config.json" | paste -sd, - | sed 's/,/, /g')

declare -A BIN=([ociruntime]=$OCI [crun]=$(command -v crun) [runc]=$(command -v runc))
NAMES=(ociruntime crun runc)
mkdir -p "$WORK/roots"
mount -t tmpfs -o mode=0700 bench-roots "$WORK/roots"
trap 'umount "$WORK/roots" 2>/dev/null; rm -rf "$WORK"' EXIT
for n in "${NAMES[@]}"; do mkdir -p "$WORK/roots/$n"; done
rt() { local n=$1; shift; "${BIN[$n]}" --root "$WORK/roots/$n" "$@"; }

# --- run /bin/true: all three in one hyperfine invocation --------------------------------------
cmds=()
for n in "${NAMES[@]}"; do cmds+=("${BIN[$n]} --root $WORK/roots/$n run --bundle $BUNDLE b-$n"); done
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-csv "$WORK/run.csv" -n ociruntime -n crun -n runc "${cmds[@]}" >&2

# --- phases -------------------------------------------------------------------------------------
for n in "${NAMES[@]}"; do
  b=${BIN[$n]} r=$WORK/roots/$n
  hyperfine -N --warmup 3 --runs "$((RUNS / 2))" --export-csv "$WORK/create-$n.csv" \
    --prepare "$b --root $r delete --force p-$n" "$b --root $r create --bundle $BUNDLE p-$n" >&2
  hyperfine -N --warmup 3 --runs "$((RUNS / 2))" --export-csv "$WORK/start-$n.csv" \
    --prepare "sh -c '$b --root $r delete --force p-$n; $b --root $r create --bundle $BUNDLE p-$n'" "$b --root $r start p-$n" >&2
  hyperfine -N --warmup 3 --runs "$((RUNS / 2))" --export-csv "$WORK/delete-$n.csv" \
    --prepare "sh -c '$b --root $r delete --force p-$n; $b --root $r create --bundle $BUNDLE p-$n'" "$b --root $r delete --force p-$n" >&2
  rt "$n" delete --force "p-$n" >/dev/null 2>&1 || true
done

# --- memory ---------------------------------------------------------------------------------------
peak_rss() { # KiB, the runtime and the children it waited for, median of 5
  local n=$1 i v=()
  for i in 1 2 3 4 5; do
    v+=("$( { /usr/bin/time -f '%M' "${BIN[$n]}" --root "$WORK/roots/$n" run --bundle "$BUNDLE" "m-$n" >/dev/null; } 2>&1 | tail -1)")
  done
  printf '%s\n' "${v[@]}" | sort -n | sed -n 3p
}
waiting_mem() { # "RSS PSS" in KiB of the created-but-not-started container's process
  local n=$1 pid rss pss
  rt "$n" create --bundle "$BUNDLE" "w-$n" >/dev/null
  pid=$(rt "$n" state "w-$n" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
  rss=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup")
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
  rt "$n" delete --force "w-$n" >/dev/null
  echo "$rss $pss"
}

# mean stddev min max in ms of result row $2 of a hyperfine CSV (command,mean,stddev,median,user,system,min,max)
mean() { awk -F, -v row="$2" 'NR == row + 2 { printf "%.1f %.1f %.1f %.1f\n", $2*1000, $3*1000, $7*1000, $8*1000 }' "$1"; }

{
  echo "Measured $(date -u +%Y-%m-%d) on this project's CI machine kind (2 cores, kernel $(uname -r)), one run, inside the test sandbox, state directories on a tmpfs; bundle: busybox-static, read-only root, \`ociruntime spec\` defaults ($NAMESPACES namespaces), process \`/bin/true\`. crun $(crun --version | sed -n 's/crun version //p'), $(runc --version | head -1)."
  echo
  echo "| \`run /bin/true\` ($RUNS runs) | mean ms | stddev | min | max |"
  echo "| --- | --- | --- | --- | --- |"
  for i in 0 1 2; do read -r m s lo hi < <(mean "$WORK/run.csv" "$i"); echo "| ${NAMES[$i]} | $m | $s | $lo | $hi |"; done
  read -r om _ < <(mean "$WORK/run.csv" 0); read -r cm _ < <(mean "$WORK/run.csv" 1)
  echo
  echo "ociruntime / crun: **$(awk -v a="$om" -v b="$cm" 'BEGIN { printf "%.2f", a / b }')×** (target ≤ 0.6×)"
  echo
  echo "| phase, mean ms | ociruntime | crun | runc |"
  echo "| --- | --- | --- | --- |"
  for ph in create start delete; do
    row="| $ph"
    for n in "${NAMES[@]}"; do read -r m _ < <(mean "$WORK/$ph-$n.csv" 0); row+=" | $m"; done
    echo "$row |"
  done
  echo
  echo "| memory, KiB | ociruntime | crun | runc |"
  echo "| --- | --- | --- | --- |"
  row="| peak RSS of \`run\` (with the children it waits for)"
  for n in "${NAMES[@]}"; do row+=" | $(peak_rss "$n")"; done
  echo "$row |"
  declare -A W
  for n in "${NAMES[@]}"; do W[$n]=$(waiting_mem "$n"); done
  row="| created container's waiting process, RSS"
  for n in "${NAMES[@]}"; do row+=" | ${W[$n]% *}"; done
  echo "$row |"
  row="| created container's waiting process, PSS"
  for n in "${NAMES[@]}"; do row+=" | ${W[$n]#* }"; done
  echo "$row |"
  echo
  hyperfine -N --warmup 20 --runs 300 --export-csv "$WORK/startup.csv" -n "ociruntime --version" -n "/bin/true" "$OCI --version" "/bin/true" >&2
  read -r vm _ < <(mean "$WORK/startup.csv" 0); read -r tm _ < <(mean "$WORK/startup.csv" 1)
  echo "Binary: $(stat -c %s "$OCI" | awk '{printf "%.1f MiB", $1/1048576}') (crun $(stat -c %s "$(command -v crun)" | awk '{printf "%.1f MiB", $1/1048576}'), runc $(stat -c %s "$(command -v runc)" | awk '{printf "%.1f MiB", $1/1048576}')). Start-up: \`ociruntime --version\` $vm ms, \`/bin/true\` $tm ms."
} > "$OUT"
umount "$WORK/roots"
rm -rf "$WORK"
trap - EXIT
cat "$OUT"
