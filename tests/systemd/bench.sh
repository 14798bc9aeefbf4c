#!/usr/bin/env bash
# tests/systemd/bench.sh OCIRUNTIME — the systemd cgroup driver's cost, side by side in one boot of
# tests/systemd's guest (run by run.sh's phase `bench`, inside systemd's pid+mount namespace):
# `run /bin/true` of a busybox bundle (ociruntime spec defaults, read-only root) with
#   ociruntime --systemd-cgroup, ociruntime --cgroup-manager=cgroupfs, crun --systemd-cgroup
#   (Debian's 1.8.1, built +SYSTEMD), the crun 1.27.1 anchor (../shared/anchors) if it is there,
#   and runc --systemd-cgroup,
# BENCH_N rounds (default 10), the runtimes interleaved within each round (load drift hits all
# alike), state directories on a tmpfs. Prints a markdown table: mean and min ms, and their
# ratios to Debian's crun --systemd-cgroup. Under TCG the milliseconds are ~50× the host's: read
# the ratios. A runtime whose run fails is named with its error and left out of the table.
set -u
OCI=$1
N=${BENCH_N:-10}
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
ANCHOR=${BENCH_CRUN_ANCHOR:-$ROOT/../shared/anchors/crun-1.27.1/crun}
W=$(mktemp -d /tmp/sdbench.XXXXXX)
mkdir -p "$W/roots" && mount -t tmpfs -o mode=0700 sdbench "$W/roots" || { echo "bench: no tmpfs"; exit 1; }
trap 'umount "$W/roots"; rm -rf "$W"' EXIT
mk() { # mk NAME CGROUPSPATH
  local b=$W/$1
  mkdir -p "$b/rootfs"/{bin,dev,proc,sys,tmp,etc}
  cp /bin/busybox "$b/rootfs/bin/busybox"; ln -s busybox "$b/rootfs/bin/true"
  "$OCI" spec --bundle "$b"
  jq --arg cg "$2" '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"] | .linux.cgroupsPath = $cg' \
    "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
}
mk sd system.slice:sdbench:x
mk fs /sdbench-fs
# name|binary|global flags|bundle
RTS=("ociruntime --systemd-cgroup|$OCI|--systemd-cgroup|sd"
     "ociruntime cgroupfs|$OCI|--cgroup-manager=cgroupfs|fs"
     "crun $(crun --version | sed -n 's/^crun version //p') --systemd-cgroup|$(command -v crun)|--systemd-cgroup|sd")
[ -x "$ANCHOR" ] && "$ANCHOR" --version >/dev/null 2>&1 &&
  RTS+=("crun $("$ANCHOR" --version | sed -n 's/^crun version //p') --systemd-cgroup|$(readlink -f "$ANCHOR")|--systemd-cgroup|sd")
RTS+=("runc $(runc --version | sed -n 's/^runc version //p') --systemd-cgroup|$(command -v runc)|--systemd-cgroup|sd")
declare -A SUM MIN BAD
for ((i = 0; i < ${#RTS[@]}; i++)); do SUM[$i]=0; MIN[$i]=; mkdir -p "$W/roots/$i"; done
for ((r = 1; r <= N; r++)); do
  for ((i = 0; i < ${#RTS[@]}; i++)); do
    [ -n "${BAD[$i]:-}" ] && continue
    IFS='|' read -r name bin flags bun <<<"${RTS[$i]}"
    t0=$EPOCHREALTIME
    "$bin" --root "$W/roots/$i" $flags run --bundle "$W/$bun" "b$i" >"$W/out" 2>&1 </dev/null
    st=$? t1=$EPOCHREALTIME
    if [ $st -ne 0 ]; then BAD[$i]="exit $st: $(head -c 300 "$W/out")"; "$bin" --root "$W/roots/$i" $flags delete --force "b$i" >/dev/null 2>&1; continue; fi
    us=$(( (${t1/./} - ${t0/./}) ))
    SUM[$i]=$(( SUM[$i] + us ))
    [ -z "${MIN[$i]}" ] || [ "$us" -lt "${MIN[$i]}" ] && MIN[$i]=$us
  done
done
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
REF=2   # Debian's crun --systemd-cgroup
CV=$(crun --version | sed -n 's/^crun version //p')
echo "| \`run /bin/true\`, $N runs each, interleaved | mean ms | min ms | mean / crun $CV | min / crun $CV |"
echo "|---|---|---|---|---|"
for ((i = 0; i < ${#RTS[@]}; i++)); do
  IFS='|' read -r name _ _ _ <<<"${RTS[$i]}"
  if [ -n "${BAD[$i]:-}" ]; then echo "| $name | failed: ${BAD[$i]//|/ } | | |"; continue; fi
  mean=$(( SUM[$i] / N ))
  ratio=- mratio=-
  if [ -z "${BAD[$REF]:-}" ]; then
    ratio=$(awk -v a="$mean" -v b="$(( ${SUM[$REF]} / N ))" 'BEGIN { printf "%.2f", a / b }')
    mratio=$(awk -v a="${MIN[$i]}" -v b="${MIN[$REF]}" 'BEGIN { printf "%.2f", a / b }')
  fi
  echo "| $name | $(ms $mean) | $(ms "${MIN[$i]}") | $ratio | $mratio |"
done
# nothing left: no unit, no cgroup
left=$(systemctl list-units --all --plain --no-legend 'sdbench*' 2>/dev/null; find /sys/fs/cgroup -name '*sdbench*' 2>/dev/null)
if [ -z "$left" ]; then echo "1 passed, 0 failed"; else echo "bench: left behind: $left"; echo "0 passed, 1 failed"; exit 1; fi
