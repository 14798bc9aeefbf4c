#!/usr/bin/env bash
# tests/cri/run.sh — the Kubernetes path: a CRI client driving containerd's CRI plugin, whose
# runtime handlers run the runtime under test (and runc) through the runc v2 shim.
#
#   OCI_RUNTIME=/path/to/runtime tests/cri/run.sh [dotnet test arguments...]
#
# Installs what it needs if missing (containerd 1.6 with its CRI plugin, containernetworking-plugins,
# runc, busybox-static, iproute2), builds the test project tests/cri/OciRuntime.Cri.Tests (a CRI v1
# gRPC client in C#), then re-runs itself inside tests/sandbox/run-in-sandbox.sh, where it
#   * builds two images, imported into containerd's k8s.io namespace (no registry is reachable): a
#     pause image from tests/cri/pause.c built static, and a busybox image from busybox-static;
#   * starts containerd with every piece of its state under the sandbox's temp dir (tmpfs mounts
#     over /run and /var/lib hide the paths containerd and the shim hard-code), in a network
#     namespace of its own (so the pod network's bridge and veths never touch the host's), with
#     the CRI plugin configured as a kubelet's node would be: cgroupfs driver, runtime handler
#     `runc` (the default) and `ociruntime` (runc v2 shim, BinaryName = the runtime under test),
#     a CNI bridge + host-local network;
#   * runs the tests (dotnet test), which talk to containerd's socket ($CRI_SOCKET) and put every
#     pod's cgroups below $CRI_CGROUP_PARENT;
#   * stops containerd and removes every trace (pods, containers, shims, mounts, cgroups, state),
#     also when a test fails.
# Prints dotnet test's summary ("Failed: N, Passed: N"). containerd's log is kept in
# build/cri-logs/ (CRI_LOGS overrides).
#
# CRI_CGROUP_DRIVER=systemd: the kubeadm default instead, `SystemdCgroup = true` for both handlers
# and every pod's cgroup_parent a systemd slice as the kubelet's systemd driver sends it
# (kubepods-besteffort-pod<uid>.slice); only the tests of the systemd driver run then
# (SystemdCgroupTests, and Version_and_status). Run that way by tests/systemd/run.sh (manager
# `cri`) inside its cgroup2 guest, within systemd's pid namespace and a mount namespace of its own,
# with __OCI_CRI_INNER=1 (no second sandbox); the default run is cgroupfs on this hybrid host and
# leaves the systemd tests out.
set -u

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
ROOT=$(cd "$HERE/../.." && pwd)
PROJECT=$HERE/OciRuntime.Cri.Tests/OciRuntime.Cri.Tests.csproj

if [[ "${__OCI_CRI_INNER:-}" != 1 ]]; then
    [[ "$(id -u)" == 0 ]] || { echo "cri/run.sh: the CRI tests need root" >&2; exit 1; }
    source "$ROOT/tests/integration/runtime.sh"
    resolve_runtime cri/run.sh "$ROOT"
    need=()
    for p in containerd containernetworking-plugins runc busybox-static iproute2; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    if [[ ${#need[@]} -gt 0 ]]; then
        echo "== installing ${need[*]}"
        apt-get -o DPkg::Lock::Timeout=600 update -qq || exit 1
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
            --no-install-recommends "${need[@]}" >/dev/null || exit 1
    fi
    dotnet build "$PROJECT" -v q -nologo >/dev/null || { dotnet build "$PROJECT" -v q -nologo; exit 1; }
    export OCI_RUNTIME=$runtime __OCI_CRI_INNER=1
    exec "$ROOT/tests/sandbox/run-in-sandbox.sh" "$SELF" "$@"
fi

# ---------------------------------------------------------------------------------------------
# Inside the sandbox
# ---------------------------------------------------------------------------------------------
unset __OCI_CRI_INNER
RUNID=$OCI_SANDBOX_RUN_ID
T=$OCI_CONFORMANCE_TMP/cri
CTRD=$T/containerd
CGPARENT=cri-$RUNID              # every pod's cgroups live below this (the tests name it)
SYSTEMD=0; [[ ${CRI_CGROUP_DRIVER:-cgroupfs} == systemd ]] && SYSTEMD=1
# systemd: kubelet's slices (kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid>.slice)
[[ $SYSTEMD == 1 ]] && CGPARENT=kubepods.slice
SYSTEMD_CGROUP=false; [[ $SYSTEMD == 1 ]] && SYSTEMD_CGROUP=true
CTR=(ctr --address "$CTRD/containerd.sock" --namespace k8s.io)
BUSYBOX=localhost/busybox:latest
PAUSE=localhost/pause:test
SUBNET=10.88.0.0/16
LOGS=${CRI_LOGS:-$ROOT/build/cri-logs}
mkdir -p "$T"
echo "runtime under test: $OCI_RUNTIME ($("$OCI_RUNTIME" --version 2>&1 | head -1))"
echo "containerd: $(containerd --version), cgroup driver: ${CRI_CGROUP_DRIVER:-cgroupfs}"

CTRD_PID=""
cleanup() {
    local pid p d
    trap - EXIT INT TERM
    {
        # what the tests left: every task killed and deleted, every container removed
        if [[ -S "$CTRD/containerd.sock" ]]; then
            for id in $(timeout 20 "${CTR[@]}" task ls -q 2>/dev/null); do
                echo "leftover task $id"; timeout 20 "${CTR[@]}" task delete -f "$id"
            done
            for id in $(timeout 20 "${CTR[@]}" container ls -q 2>/dev/null); do
                echo "leftover container $id"; timeout 20 "${CTR[@]}" container rm "$id"
            done
        fi
        if [[ -n "$CTRD_PID" ]]; then
            kill -TERM "$CTRD_PID" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$CTRD_PID" 2>/dev/null || break; sleep 0.2; done
            kill -KILL "$CTRD_PID" 2>/dev/null
            wait "$CTRD_PID" 2>/dev/null
        fi
        # systemd: what is left below kubepods.slice stopped by systemd, its own processes spared
        [[ $SYSTEMD == 1 ]] && stop_systemd_leftovers "$CGPARENT"
        # shims and containers, mounts, cgroups
        sweep_leftovers "$T" "$CGPARENT"
    } >>"$T/cleanup.log" 2>&1
    # the tests clean up after themselves: anything here is worth a look
    grep -v '^leftover container \|^leftover task ' "$T/cleanup.log" >/dev/null 2>&1 && { echo "== cleanup log"; cat "$T/cleanup.log"; }
    rm -rf "$LOGS"; mkdir -p "$LOGS" && cp "$T"/*.log "$LOGS"/ 2>/dev/null
    rm -rf --one-file-system "$T" 2>/dev/null
}
source "$ROOT/tests/integration/sweep.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private, empty /run and /var/lib (this mount namespace only): the shim keeps runtime state in
# /run/containerd/runc/k8s.io, the CRI plugin pod network namespaces in /run/netns, CNI its
# results and leases in /var/lib/cni (systemd: its sockets are carried over).
private_run "$T" "$SYSTEMD" || exit 1
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /var/lib || { echo "cannot mount a tmpfs on /var/lib"; exit 1; }

# --- images ------------------------------------------------------------------------------------
source "$ROOT/tests/integration/images.sh"
busybox_image "$BUSYBOX" "$T/busybox.tar" || { echo "cannot build the busybox image"; exit 1; }
mkdir -p "$T/pause-rootfs"
gcc -static -Os -Wall -o "$T/pause-rootfs/pause" "$HERE/pause.c" || { echo "cannot build pause"; exit 1; }
image_archive "$T/pause-rootfs" "$PAUSE" '{"Entrypoint":["/pause"]}' "$T/pause.tar" || { echo "cannot build the pause image"; exit 1; }

# --- containerd with the CRI plugin ------------------------------------------------------------
mkdir -p "$CTRD" "$T/cni/net.d" "$T/cni/ipam"
cat >"$T/cni/net.d/10-crinet.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "crinet",
  "plugins": [
    { "type": "bridge", "bridge": "cri0", "isGateway": true, "ipMasq": false,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$SUBNET" }]], "dataDir": "$T/cni/ipam" } }
  ]
}
JSON
# restrict_oom_score_adj: the pause container's oom_score_adj (-998) is clamped to containerd's
# own, because root here lacks CAP_SYS_RESOURCE and could not lower it (kind and rootless
# setups do the same).
cat >"$CTRD/config.toml" <<TOML
version = 2
root = "$CTRD/root"
state = "$CTRD/state"
disabled_plugins = ["io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CTRD/containerd.sock"
[ttrpc]
  address = "$CTRD/containerd.sock.ttrpc"
[debug]
  address = "$CTRD/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "10010"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = $SYSTEMD_CGROUP
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ociruntime]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ociruntime.options]
        BinaryName = "$OCI_RUNTIME"
        SystemdCgroup = $SYSTEMD_CGROUP
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$T/cni/net.d"
TOML
# its own network namespace (loopback up): host-network pods share it, pod networks hang off its
# bridge. Its sysfs is mounted read-write first, as a node's /sys is at boot: every later sysfs
# mount of a network namespace shares the first one's superblock and so its read-only flag (a
# privileged container gets a writable /sys only where the first mount was writable).
unshare --net -- /bin/sh -c 'ip link set lo up && mkdir -p "$2" && mount -t sysfs sysfs "$2" && exec containerd --config "$1"' \
    sh "$CTRD/config.toml" "$CTRD/sys" >"$T/containerd.log" 2>&1 &
CTRD_PID=$!
for _ in $(seq 150); do
    ctr --address "$CTRD/containerd.sock" version >/dev/null 2>&1 && break
    kill -0 "$CTRD_PID" 2>/dev/null || break
    sleep 0.2
done
ctr --address "$CTRD/containerd.sock" version >/dev/null 2>&1 || { echo "containerd did not start; its log:"; tail -n 30 "$T/containerd.log"; exit 1; }
for img in busybox pause; do
    "${CTR[@]}" images import --snapshotter native "$T/$img.tar" >"$T/import.log" 2>&1 ||
        { echo "cannot import the $img image"; cat "$T/import.log"; exit 1; }
done

# --- the tests ---------------------------------------------------------------------------------
# (systemd: the pods' slices are named kubepods-besteffort-pod<uid>.slice, CRI_CGROUP_PARENT the
# slice name's stem)
export CRI_SOCKET=$CTRD/containerd.sock CRI_CGROUP_PARENT=/$CGPARENT CRI_TMP=$T CRI_CONTAINERD_PID=$CTRD_PID \
    CRI_BUSYBOX_IMAGE=$BUSYBOX CRI_PAUSE_IMAGE=$PAUSE CRI_POD_SUBNET=$SUBNET CRI_RUNTIME=$OCI_RUNTIME \
    CRI_CGROUP_DRIVER=${CRI_CGROUP_DRIVER:-cgroupfs}
[[ $SYSTEMD == 1 ]] && CRI_CGROUP_PARENT=kubepods-besteffort
# the tests of the other driver are left out unless a filter is given
FILTER=(--filter "Category!=systemd")
[[ $SYSTEMD == 1 ]] && FILTER=(--filter "Category=systemd|FullyQualifiedName~Version_and_status")
for a in "$@"; do [[ $a == --filter ]] && FILTER=(); done
dotnet test "$PROJECT" --no-build -v q -nologo "${FILTER[@]}" "$@"
