# containerd, driven with ctr through its runc v2 shim: `--runc-binary` names the runtime under
# test. Sourced by run.sh (uses its T, RUNTIME, CGPARENT, IMAGE, step, do_, expect_*).

CTRD=$T/containerd
CTR=(ctr --address "$CTRD/containerd.sock" --namespace integ)
# what every container gets: the runtime under test, a cgroup below CGPARENT, no network (a new
# empty network namespace: ctr adds none without --net-host), native snapshots
CTR_RUN=(--runtime io.containerd.runc.v2 --runc-binary "$RUNTIME" --snapshotter native)
ctr_cg() { echo "/$CGPARENT/ctr-$1"; }
# systemd (run.sh's SYSTEMD): the shim's SystemdCgroup option, as the CRI's SystemdCgroup = true
# sets it, and cgroupsPath in slice:prefix:name form
if [[ $SYSTEMD == 1 ]]; then
    CTR_RUN+=(--runc-systemd-cgroup)
    ctr_cg() { echo "$CGPARENT:ctr:$1"; }
fi
ctr_status() { "${CTR[@]}" task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
ctr_pid() { "${CTR[@]}" task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'; }

# start_containerd DIR LOG: a containerd with everything (root, state, sockets) below DIR
start_containerd() {
    local dir=$1
    mkdir -p "$dir"
    # its own root/state/sockets; no CRI (no kubelet here); no plugins that create host dirs
    # (the "opt" plugin makes /opt/containerd)
    cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
[metrics]
  address = ""
TOML
    containerd --config "$dir/config.toml" >"$2" 2>&1 &
    DAEMON_PIDS+=($!)
    wait_for 30 ctr --address "$dir/containerd.sock" version
}

containerd_start() {
    start_containerd "$CTRD" "$T/containerd.log" || return 1
    do_ "${CTR[@]}" images import --snapshotter native "$T/busybox.tar" || { echo "$OUTPUT"; return 1; }
    do_ "${CTR[@]}" images ls -q
    grep -qx "$IMAGE" <<<"$OUTPUT" || { echo "image $IMAGE not imported: $OUTPUT"; return 1; }
}

c_run_output() { do_ "${CTR[@]}" run --rm "${CTR_RUN[@]}" --cgroup "$(ctr_cg r1)" "$IMAGE" r1 echo hello-from-ctr; expect_ok && expect_out '^hello-from-ctr$'; }
c_run_exit() { do_ "${CTR[@]}" run --rm "${CTR_RUN[@]}" --cgroup "$(ctr_cg r2)" "$IMAGE" r2 sh -c 'exit 3'; expect_rc 3; }
c_run_tty() { do_tty "${CTR[@]}" run --rm -t "${CTR_RUN[@]}" --cgroup "$(ctr_cg r3)" "$IMAGE" r3 sh -c 'test -t 0 && test -t 1 && echo is-a-tty'; expect_ok && expect_out 'is-a-tty'; }
c_run_detached() {
    do_ "${CTR[@]}" run -d "${CTR_RUN[@]}" --cgroup "$(ctr_cg c1)" "$IMAGE" c1 sleep 1000 || { expect_ok; return; }
    wait_for 10 status_is ctr_status c1 RUNNING || { echo "task c1 is $(ctr_status c1), want RUNNING"; return 1; }
}
c_exec() { do_ "${CTR[@]}" task exec --exec-id e1 c1 sh -c 'echo exec-out; exit 4'; expect_rc 4 && expect_out '^exec-out$'; }
c_exec_tty() { do_tty "${CTR[@]}" task exec -t --exec-id e2 c1 sh -c 'test -t 0 && test -t 1 && echo is-a-tty'; expect_ok && expect_out 'is-a-tty'; }
c_exec_detached() {
    do_ "${CTR[@]}" task exec -d --exec-id e3 c1 sleep 999 || { expect_ok; return; }
    do_ "${CTR[@]}" task exec --exec-id e4 c1 ps -o args; expect_ok && expect_out '^sleep 999'
}
c_top() { local pid; pid=$(ctr_pid c1); do_ "${CTR[@]}" task ps c1; expect_ok && expect_out "^$pid( |$)"; }
c_pause() {
    do_ "${CTR[@]}" task pause c1 || { expect_ok; return; }
    [[ $(ctr_status c1) == PAUSED ]] || { echo "task c1 is $(ctr_status c1) after pause"; return 1; }
    do_ "${CTR[@]}" task resume c1 || { expect_ok; return; }
    [[ $(ctr_status c1) == RUNNING ]] || { echo "task c1 is $(ctr_status c1) after resume"; return 1; }
}
# ctr 1.6 has no `task update` (the shim's Update, i.e. `runtime update`, is what Docker's step
# exercises)
c_update() { echo "ctr $(ctr --version | awk '{ print $3 }') has no task update"; return 2; }
# ctr has no stop: what managers do — SIGTERM (ignored by sleep as PID 1), then SIGKILL, delete
c_stop() {
    do_ "${CTR[@]}" task kill c1 || { expect_ok; return; }
    sleep 1
    [[ $(ctr_status c1) == STOPPED ]] || do_ "${CTR[@]}" task kill -s SIGKILL c1 || { expect_ok; return; }
    wait_for 10 status_is ctr_status c1 STOPPED || { echo "task c1 is $(ctr_status c1), want STOPPED"; return 1; }
    do_ "${CTR[@]}" task delete c1 || { expect_ok; return; }
    do_ "${CTR[@]}" container rm c1; expect_ok
}
c_kill() {
    do_ "${CTR[@]}" run -d "${CTR_RUN[@]}" --cgroup "$(ctr_cg c2)" "$IMAGE" c2 sleep 1000 || { expect_ok; return; }
    do_ "${CTR[@]}" task kill -s SIGKILL c2 || { expect_ok; return; }
    wait_for 10 status_is ctr_status c2 STOPPED || { echo "task c2 is $(ctr_status c2), want STOPPED"; return 1; }
    do_ "${CTR[@]}" task delete c2; expect_ok && expect_out 'exit code 137' || return 1
    do_ "${CTR[@]}" container rm c2; expect_ok
}
c_rm_force() {
    do_ "${CTR[@]}" run -d "${CTR_RUN[@]}" --cgroup "$(ctr_cg c3)" "$IMAGE" c3 sleep 1000 || { expect_ok; return; }
    do_ "${CTR[@]}" task delete -f c3 || { expect_ok; return; }
    do_ "${CTR[@]}" container rm c3 || { expect_ok; return; }
    do_ "${CTR[@]}" task ls; ! expect_out '^c3 ' || { echo "task c3 still listed"; return 1; }
}

# the runtime's own error, which the shim reads back from the --log JSON, reaches the user
c_runtime_error() {
    do_ "${CTR[@]}" run --rm "${CTR_RUN[@]}" --cgroup "$(ctr_cg r4)" "$IMAGE" r4 /no/such/binary
    [[ $RC != 0 ]] || { echo "exit status 0 for a missing binary"; return 1; }
    expect_out 'OCI runtime .*no/such/binary'
}

containerd_steps() {
    step containerd "run --rm (output)" c_run_output
    step containerd "run --rm (exit code)" c_run_exit
    step containerd "run --rm -t" c_run_tty
    step containerd "runtime error shown" c_runtime_error
    step containerd "run -d sleep" c_run_detached
    step containerd "exec" c_exec
    step containerd "exec -t" c_exec_tty
    step containerd "exec -d" c_exec_detached
    step containerd "top (task ps)" c_top
    step containerd "pause/resume" c_pause
    step containerd "update --memory" c_update
    step containerd "stop" c_stop
    step containerd "kill" c_kill
    step containerd "rm -f" c_rm_force
}

containerd_cleanup() {
    [[ -S "$CTRD/containerd.sock" ]] || return 0
    local id
    for id in $("${CTR[@]}" task ls -q 2>/dev/null); do timeout 20 "${CTR[@]}" task delete -f "$id" >/dev/null; done
    for id in $("${CTR[@]}" container ls -q 2>/dev/null); do timeout 20 "${CTR[@]}" container rm "$id" >/dev/null; done
}
