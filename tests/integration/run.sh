#!/usr/bin/env bash
# tests/integration/run.sh — the runtime under test driven by real container managers.
#
#   OCI_RUNTIME=/path/to/runtime tests/integration/run.sh [MANAGER...]
#
# OCI_RUNTIME: the runc-compatible binary under test (default: out/ociruntime; `OCI_RUNTIME=runc`
# checks the harness itself against runc). MANAGER: containerd, docker, podman (default: all three).
#
# Installs the Debian packages it needs if missing (containerd, docker.io, podman, conmon,
# busybox-static, bsdutils for script(1)), then re-runs itself inside tests/sandbox/run-in-sandbox.sh, where it
#   * builds a busybox image from busybox-static (an OCI layout that is also a `docker save`
#     archive: no registry is reachable) and imports it into each manager;
#   * starts each daemon with every piece of its state under the sandbox's temp dir (tmpfs mounts
#     over /run and /var/lib hide the paths the managers hard-code, such as the shim's runc root
#     /run/containerd/runc and podman's /var/lib/containers/cache): vfs/native
#     storage, cgroupfs driver, no iptables, no bridge, host or none networking, every container
#     cgroup under a parent named after this run;
#   * runs the same steps through the runtime under test with each manager: run --rm (output,
#     exit code, -t), detached sleep, exec (plain, -t, detached), top/ps, pause/resume,
#     update --memory, stop, kill, rm -f, and that the runtime's own error (read back from its
#     --log JSON) reaches the user;
#   * stops every daemon and removes every trace (containers, mounts, cgroups, state, sockets,
#     processes), also when a step fails.
# Prints one line per manager and step (PASS, FAIL with the command's output, SKIP when the
# manager has no such command), then "N passed, N failed". Exit status 1 if a step failed (125
# from the sandbox if something was left behind). The step log (every command, its output and
# status) and the daemons' logs are kept in build/integration-logs/ (INTEG_LOGS overrides).
#
# INTEG_CGROUP_DRIVER=systemd: the managers in their systemd configuration instead (Podman's
# cgroup_manager = "systemd", ctr --runc-systemd-cgroup as the CRI's SystemdCgroup = true sets it,
# dockerd's native.cgroupdriver=systemd), every container in the slice integ.slice. Run that way by
# tests/systemd inside its guest, within systemd's pid namespace and a mount namespace of its own,
# with __OCI_INTEG_INNER=1, OCI_SANDBOX_RUN_ID and OCI_CONFORMANCE_TMP set (the guest is the sandbox).
set -u

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
ROOT=$(cd "$HERE/../.." && pwd)

if [[ "${__OCI_INTEG_INNER:-}" != 1 ]]; then
    [[ "$(id -u)" == 0 ]] || { echo "run.sh: integration tests need root" >&2; exit 1; }
    source "$HERE/runtime.sh"
    resolve_runtime run.sh "$ROOT"
    need=()
    for p in containerd docker.io podman conmon busybox-static bsdutils; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    if [[ ${#need[@]} -gt 0 ]]; then
        echo "== installing ${need[*]}"
        apt-get -o DPkg::Lock::Timeout=600 update -qq || exit 1
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
            --no-install-recommends "${need[@]}" >/dev/null || exit 1
    fi
    export OCI_RUNTIME=$runtime __OCI_INTEG_INNER=1
    exec "$ROOT/tests/sandbox/run-in-sandbox.sh" "$SELF" "$@"
fi

# ---------------------------------------------------------------------------------------------
# Inside the sandbox
# ---------------------------------------------------------------------------------------------
unset __OCI_INTEG_INNER
RUNTIME=$OCI_RUNTIME
RTNAME=${RUNTIME##*/}
RUNID=$OCI_SANDBOX_RUN_ID
T=$OCI_CONFORMANCE_TMP/integ
CGPARENT=integ-$RUNID            # every container cgroup lives below this (sandbox cleanup knows it)
SYSTEMD=0; [[ ${INTEG_CGROUP_DRIVER:-cgroupfs} == systemd ]] && SYSTEMD=1
# systemd: a slice of systemd's (a top-level one; its cgroup is /integ.slice)
[[ $SYSTEMD == 1 ]] && CGPARENT=integ.slice
IMAGE=localhost/busybox:latest
MANAGERS=("$@")
[[ ${#MANAGERS[@]} -gt 0 ]] || MANAGERS=(containerd docker podman)
mkdir -p "$T"
echo "runtime under test: $RUNTIME ($("$RUNTIME" --version 2>&1 | head -1)), cgroup driver: ${INTEG_CGROUP_DRIVER:-cgroupfs}"

PASSED=0 FAILED=0 SKIPPED=0
RESULTS=()
OUTPUT=""   # the last step command's stdout+stderr
RC=0        # and its exit status

# do CMD... : runs CMD with a deadline, keeps its output in OUTPUT and status in RC.
do_() {
    OUTPUT=$(timeout -k 5 "${INTEG_TIMEOUT:-60}" "$@" 2>&1 </dev/null)
    RC=$?
    printf '    $ %s\n%s\n    (exit %d)\n' "$*" "$(sed 's/^/    | /' <<<"$OUTPUT")" "$RC" >>"$T/steps.log"
    return $RC
}
# the same, with a terminal on stdin/stdout (script(1) gives CMD a pty)
do_tty() {
    OUTPUT=$(timeout -k 5 "${INTEG_TIMEOUT:-60}" script -qec "$(printf '%q ' "$@")" /dev/null 2>&1 </dev/null | tr -d '\r')
    RC=${PIPESTATUS[0]}
    printf '    $ (tty) %s\n%s\n    (exit %d)\n' "$*" "$(sed 's/^/    | /' <<<"$OUTPUT")" "$RC" >>"$T/steps.log"
    return $RC
}
expect_rc() { [[ $RC == "$1" ]] || { echo "exit status $RC, want $1"; return 1; }; }
expect_out() { grep -qE -- "$1" <<<"$OUTPUT" || { echo "output does not match /$1/"; return 1; }; }
expect_ok() { expect_rc 0; }

# step MANAGER NAME FUNCTION : runs FUNCTION (which uses do_/expect_*), records PASS/FAIL/SKIP.
# FUNCTION returns 0 (pass), 1 (fail) or 2 (skip, reason on stdout).
step() {
    local m=$1 name=$2 fn=$3 why rc
    echo "  -- $m: $name" >>"$T/steps.log"
    "$fn" >"$T/why" 2>&1
    rc=$?
    why=$(cat "$T/why")
    case $rc in
        0) PASSED=$((PASSED + 1)); RESULTS+=("$(printf '%-10s %-22s PASS' "$m" "$name")") ;;
        2) SKIPPED=$((SKIPPED + 1)); RESULTS+=("$(printf '%-10s %-22s SKIP %s' "$m" "$name" "$why")") ;;
        *) FAILED=$((FAILED + 1))
           RESULTS+=("$(printf '%-10s %-22s FAIL %s' "$m" "$name" "$(tail -n 1 <<<"$why")")")
           printf '%s: %s FAILED: %s\n  last command output:\n%s\n' "$m" "$name" "$why" \
               "$(tail -n 15 <<<"$OUTPUT" | sed 's/^/    /')" ;;
    esac
    printf '%-10s %-22s %s\n' "$m" "$name" "$(case $rc in 0) echo PASS;; 2) echo SKIP;; *) echo FAIL;; esac)"
}

# The memory limit the runtime set on PID's cgroup (cgroup v1 memory controller, or cgroup v2).
memory_limit_of() {
    local pid=$1 path
    if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
        path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup" 2>/dev/null)
        cat "/sys/fs/cgroup$path/memory.max" 2>/dev/null
        return
    fi
    path=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$pid/cgroup" 2>/dev/null)
    cat "/sys/fs/cgroup/memory$path/memory.limit_in_bytes" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# The busybox image: one layer with busybox-static, as an OCI layout plus docker's manifest.json
# ---------------------------------------------------------------------------------------------
source "$HERE/images.sh"
source "$HERE/sweep.sh"
build_image() { busybox_image "$IMAGE" "$T/busybox.tar"; }

# ---------------------------------------------------------------------------------------------
# Cleanup: runs on every exit path
# ---------------------------------------------------------------------------------------------
DAEMON_PIDS=()
cleanup() {
    local pid i d
    trap - EXIT INT TERM
    for m in "${MANAGERS[@]}"; do declare -F "${m}_cleanup" >/dev/null && "${m}_cleanup" >>"$T/cleanup.log" 2>&1; done
    for ((i = ${#DAEMON_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${DAEMON_PIDS[i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    # systemd: the slice's units (the containers' scopes, conmon's) stopped by systemd first, and
    # systemd's own processes (init.scope, dbus) spared by the sweep
    if [[ $SYSTEMD == 1 ]]; then
        stop_systemd_leftovers "$CGPARENT" >>"$T/cleanup.log"
    fi
    # shims, conmon and containers the daemons left, their mounts, the container cgroups (all
    # below CGPARENT; the daemons' own cgroups are named after RUNID)
    sweep_leftovers "$T" "$CGPARENT" >>"$T/cleanup.log" 2>&1
    [[ -s "$T/cleanup.log" ]] && { echo "== cleanup log"; cat "$T/cleanup.log"; }
    # the step log and the daemons' logs stay for a look afterwards
    rm -rf "$LOGS"; mkdir -p "$LOGS" && cp "$T"/*.log "$LOGS"/ 2>/dev/null
    rm -rf --one-file-system "$T" 2>/dev/null
}
LOGS=${INTEG_LOGS:-$ROOT/build/integration-logs}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private, empty /run (this mount namespace only): containerd's shim keeps runc state in
# /run/containerd/runc, podman in /run/libpod and /run/containers — all of it vanishes with this.
# (systemd: its sockets and /run/systemd/system, which says systemd runs, are carried over)
private_run "$T" "$SYSTEMD" || exit 1
# and /var/lib: podman 4.3 keeps a blob-info cache in /var/lib/containers/cache whatever --root says
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /var/lib || { echo "cannot mount a tmpfs on /var/lib"; exit 1; }

build_image || { echo "cannot build the busybox image"; exit 1; }

# status_is FUNCTION ID STATUS: FUNCTION ID prints STATUS (for wait_for, which re-runs it)
status_is() { [[ $("$1" "$2") == "$3" ]]; }
wait_for() { # wait_for SECONDS CMD... : until CMD succeeds
    local n=$(($1 * 5)); shift
    for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    return 1
}

# ---------------------------------------------------------------------------------------------
# The managers (each file defines <m>_start, <m>_steps, <m>_cleanup)
# ---------------------------------------------------------------------------------------------
source "$HERE/containerd.sh"
source "$HERE/docker.sh"
source "$HERE/podman.sh"

for m in "${MANAGERS[@]}"; do
    declare -F "${m}_start" >/dev/null || { echo "unknown manager $m"; FAILED=$((FAILED + 1)); continue; }
    echo "== $m"
    if "${m}_start"; then
        "${m}_steps"
    else
        FAILED=$((FAILED + 1)); RESULTS+=("$(printf '%-10s %-22s FAIL cannot start' "$m" "daemon/setup")")
        echo "$m: cannot start; its log:"; tail -n 30 "$T/$m.log" 2>/dev/null | sed 's/^/    /'
    fi
    "${m}_cleanup" >>"$T/cleanup.log" 2>&1
done

echo
echo "== results against $RUNTIME"
printf '%s\n' "${RESULTS[@]}"
echo
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
