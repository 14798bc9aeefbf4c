# Docker: dockerd with the runtime under test registered in daemon.json "runtimes" (the snippet
# README.md documents), containers run with `--runtime`. Sourced by run.sh.

DKR=$T/docker
# Docker reserves the name "runc" for its built-in runtime.
DOCKER_RT=$RTNAME; [[ $DOCKER_RT != runc ]] || DOCKER_RT=runc-under-test
DOCKER=(env DOCKER_CONFIG="$DKR/cli" docker -H "unix://$DKR/docker.sock")
DOCKER_RUN=(--runtime "$DOCKER_RT" --network none)
# the cgroup driver and parent: cgroupfs below CGPARENT, or systemd with a slice (run.sh's SYSTEMD)
DOCKER_CGD=cgroupfs DOCKER_CGP=/$CGPARENT/docker
[[ $SYSTEMD == 1 ]] && DOCKER_CGD=systemd DOCKER_CGP=$CGPARENT
d_status() { "${DOCKER[@]}" inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
d_pid() { "${DOCKER[@]}" inspect -f '{{.State.Pid}}' "$1" 2>/dev/null; }

docker_start() {
    mkdir -p "$DKR"
    # deprecated-key-path: dockerd 20.10 otherwise writes a trust key to /etc/docker/key.json
    cat >"$DKR/daemon.json" <<JSON
{
  "runtimes": { "$DOCKER_RT": { "path": "$RUNTIME" } },
  "exec-opts": ["native.cgroupdriver=$DOCKER_CGD"],
  "cgroup-parent": "$DOCKER_CGP",
  "storage-driver": "vfs",
  "iptables": false,
  "ip-masq": false,
  "bridge": "none",
  "userland-proxy": false,
  "deprecated-key-path": "$DKR/key.json"
}
JSON
    # a containerd of its own (one dockerd would start uses the host's /opt/containerd)
    start_containerd "$DKR/containerd" "$T/docker-containerd.log" || return 1
    dockerd --containerd "$DKR/containerd/containerd.sock" --config-file "$DKR/daemon.json" --data-root "$DKR/data" --exec-root "$DKR/exec" \
        --pidfile "$DKR/docker.pid" -H "unix://$DKR/docker.sock" >"$T/docker.log" 2>&1 &
    DAEMON_PIDS+=($!)
    wait_for 60 "${DOCKER[@]}" version || return 1
    do_ "${DOCKER[@]}" load -i "$T/busybox.tar" || { echo "$OUTPUT"; return 1; }
    do_ "${DOCKER[@]}" image inspect "$IMAGE" || { echo "image $IMAGE not loaded: $OUTPUT"; return 1; }
}

d_run_output() { do_ "${DOCKER[@]}" run --rm "${DOCKER_RUN[@]}" "$IMAGE" echo hello-from-docker; expect_ok && expect_out '^hello-from-docker$'; }
d_run_exit() { do_ "${DOCKER[@]}" run --rm "${DOCKER_RUN[@]}" "$IMAGE" sh -c 'exit 3'; expect_rc 3; }
d_run_tty() { do_tty "${DOCKER[@]}" run --rm -t "${DOCKER_RUN[@]}" "$IMAGE" sh -c 'test -t 0 && test -t 1 && echo is-a-tty'; expect_ok && expect_out 'is-a-tty'; }
d_run_detached() {
    do_ "${DOCKER[@]}" run -d --name c1 --runtime "$DOCKER_RT" --network host "$IMAGE" sleep 1000 || { expect_ok; return; }
    [[ $(d_status c1) == running ]] || { echo "c1 is $(d_status c1), want running"; return 1; }
}
d_exec() { do_ "${DOCKER[@]}" exec c1 sh -c 'echo exec-out; exit 4'; expect_rc 4 && expect_out '^exec-out$'; }
d_exec_tty() { do_tty "${DOCKER[@]}" exec -t c1 sh -c 'test -t 0 && test -t 1 && echo is-a-tty'; expect_ok && expect_out 'is-a-tty'; }
d_exec_detached() {
    do_ "${DOCKER[@]}" exec -d c1 sleep 999 || { expect_ok; return; }
    do_ "${DOCKER[@]}" exec c1 ps -o args; expect_ok && expect_out '^sleep 999'
}
d_top() { do_ "${DOCKER[@]}" top c1; expect_ok && expect_out 'sleep 1000' && expect_out 'sleep 999'; }
d_pause() {
    do_ "${DOCKER[@]}" pause c1 || { expect_ok; return; }
    [[ $(d_status c1) == paused ]] || { echo "c1 is $(d_status c1) after pause"; return 1; }
    do_ "${DOCKER[@]}" unpause c1 || { expect_ok; return; }
    [[ $(d_status c1) == running ]] || { echo "c1 is $(d_status c1) after unpause"; return 1; }
}
d_update() {
    do_ "${DOCKER[@]}" update --memory 64m --memory-swap 128m c1 || { expect_ok; return; }
    local pid; pid=$(d_pid c1)
    [[ $(memory_limit_of "$pid") == 67108864 ]] || { echo "memory limit is $(memory_limit_of "$pid"), want 67108864"; return 1; }
}
d_stop() {
    do_ "${DOCKER[@]}" stop -t 1 c1 || { expect_ok; return; }
    [[ $(d_status c1) == exited ]] || { echo "c1 is $(d_status c1) after stop"; return 1; }
    do_ "${DOCKER[@]}" rm c1; expect_ok
}
d_kill() {
    do_ "${DOCKER[@]}" run -d --name c2 "${DOCKER_RUN[@]}" "$IMAGE" sleep 1000 || { expect_ok; return; }
    do_ "${DOCKER[@]}" kill c2 || { expect_ok; return; }
    wait_for 10 status_is d_status c2 exited || { echo "c2 is $(d_status c2) after kill"; return 1; }
    do_ "${DOCKER[@]}" inspect -f '{{.State.ExitCode}}' c2; expect_out '^137$' || return 1
    do_ "${DOCKER[@]}" rm c2; expect_ok
}
d_rm_force() {
    do_ "${DOCKER[@]}" run -d --name c3 "${DOCKER_RUN[@]}" "$IMAGE" sleep 1000 || { expect_ok; return; }
    do_ "${DOCKER[@]}" rm -f c3 || { expect_ok; return; }
    do_ "${DOCKER[@]}" ps -aq --filter name=c3; [[ -z $OUTPUT ]] || { echo "c3 still listed"; return 1; }
}

# the runtime's own error, which the shim reads back from the --log JSON, reaches the user
d_runtime_error() {
    do_ "${DOCKER[@]}" run --rm "${DOCKER_RUN[@]}" "$IMAGE" /no/such/binary
    [[ $RC != 0 ]] || { echo "exit status 0 for a missing binary"; return 1; }
    expect_out 'OCI runtime .*no/such/binary'
}

docker_steps() {
    step docker "run --rm (output)" d_run_output
    step docker "run --rm (exit code)" d_run_exit
    step docker "run --rm -t" d_run_tty
    step docker "runtime error shown" d_runtime_error
    step docker "run -d sleep" d_run_detached
    step docker "exec" d_exec
    step docker "exec -t" d_exec_tty
    step docker "exec -d" d_exec_detached
    step docker "top" d_top
    step docker "pause/resume" d_pause
    step docker "update --memory" d_update
    step docker "stop" d_stop
    step docker "kill" d_kill
    step docker "rm -f" d_rm_force
}

docker_cleanup() {
    [[ -S "$DKR/docker.sock" ]] || return 0
    local ids; ids=$(timeout 20 "${DOCKER[@]}" ps -aq 2>/dev/null)
    [[ -z $ids ]] || timeout 60 "${DOCKER[@]}" rm -f $ids >/dev/null
}
