# Podman (conmon): the runtime under test configured in containers.conf (the snippet README.md
# documents). Sourced by run.sh.

PDM=$T/podman
# the cgroup manager and parent: cgroupfs below CGPARENT, or systemd with a slice (run.sh's SYSTEMD)
PODMAN_CGM=cgroupfs PODMAN_CGP=/$CGPARENT/podman
[[ $SYSTEMD == 1 ]] && PODMAN_CGM=systemd PODMAN_CGP=$CGPARENT
PODMAN=(env TMPDIR="$PDM/tmp" CONTAINERS_CONF="$PDM/containers.conf" CONTAINERS_STORAGE_CONF="$PDM/storage.conf" podman --root "$PDM/root" --runroot "$PDM/run" --tmpdir "$PDM/tmp" --storage-driver vfs
        --cgroup-manager "$PODMAN_CGM" --events-backend file)
PODMAN_RUN=(--network none --cgroup-parent "$PODMAN_CGP")
p_status() { "${PODMAN[@]}" inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
p_pid() { "${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$1" 2>/dev/null; }

podman_start() {
    mkdir -p "$PDM"/{root,run,tmp,net}
    # Root here lacks CAP_SYS_RESOURCE: podman's default ulimits (nofile 1048576, nproc
    # 4194304) are above this machine's hard limits and cannot be raised, so ask for today's.
    cat >"$PDM/containers.conf" <<TOML
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=$(ulimit -Hu):$(ulimit -Hu)"]
netns = "none"

[network]
network_config_dir = "$PDM/net"

[engine]
runtime = "$RTNAME"
# podman passes --log-format json --log FILE (and reads the error back from FILE) only to the
# runtimes listed here; the built-in list has runc and crun but not ociruntime
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "$RTNAME"]
cgroup_manager = "$PODMAN_CGM"
events_logger = "file"
events_logfile_path = "$PDM/events.log"
static_dir = "$PDM/root/libpod"
volume_path = "$PDM/root/volumes"

[engine.runtimes]
$RTNAME = ["$RUNTIME"]
TOML
    printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' "$PDM/run" "$PDM/root" >"$PDM/storage.conf"
    do_ "${PODMAN[@]}" load -i "$T/busybox.tar" || { echo "$OUTPUT" | tee "$T/podman.log"; return 1; }
    do_ "${PODMAN[@]}" image exists "$IMAGE" || do_ "${PODMAN[@]}" tag "$(tail -n 1 <<<"$OUTPUT" | awk '{ print $NF }')" "$IMAGE"
    do_ "${PODMAN[@]}" image exists "$IMAGE" || { echo "image $IMAGE not loaded"; return 1; }
}

p_run_output() { do_ "${PODMAN[@]}" run --rm "${PODMAN_RUN[@]}" "$IMAGE" echo hello-from-podman; expect_ok && expect_out '^hello-from-podman$'; }
p_run_exit() { do_ "${PODMAN[@]}" run --rm "${PODMAN_RUN[@]}" "$IMAGE" sh -c 'exit 3'; expect_rc 3; }
p_run_tty() { do_tty "${PODMAN[@]}" run --rm -t "${PODMAN_RUN[@]}" "$IMAGE" sh -c 'test -t 0 && test -t 1 && echo is-a-tty'; expect_ok && expect_out 'is-a-tty'; }
p_run_detached() {
    do_ "${PODMAN[@]}" run -d --name c1 --network host --cgroup-parent "$PODMAN_CGP" "$IMAGE" sleep 1000 || { expect_ok; return; }
    [[ $(p_status c1) == running ]] || { echo "c1 is $(p_status c1), want running"; return 1; }
}
p_exec() { do_ "${PODMAN[@]}" exec c1 sh -c 'echo exec-out; exit 4'; expect_rc 4 && expect_out '^exec-out$'; }
p_exec_tty() { do_tty "${PODMAN[@]}" exec -t c1 sh -c 'test -t 0 && test -t 1 && echo is-a-tty'; expect_ok && expect_out 'is-a-tty'; }
p_exec_detached() {
    do_ "${PODMAN[@]}" exec -d c1 sleep 999 || { expect_ok; return; }
    do_ "${PODMAN[@]}" exec c1 ps -o args; expect_ok && expect_out '^sleep 999'
}
p_top() { do_ "${PODMAN[@]}" top c1; expect_ok && expect_out 'sleep 1000' && expect_out 'sleep 999'; }
p_pause() {
    do_ "${PODMAN[@]}" pause c1 || { expect_ok; return; }
    [[ $(p_status c1) == paused ]] || { echo "c1 is $(p_status c1) after pause"; return 1; }
    do_ "${PODMAN[@]}" unpause c1 || { expect_ok; return; }
    [[ $(p_status c1) == running ]] || { echo "c1 is $(p_status c1) after unpause"; return 1; }
}
p_update() {
    if ! "${PODMAN[@]}" update --help >/dev/null 2>&1; then
        echo "podman $(podman --version | awk '{ print $3 }') has no update"; return 2
    fi
    do_ "${PODMAN[@]}" update --memory 64m c1 || { expect_ok; return; }
    local pid; pid=$(p_pid c1)
    [[ $(memory_limit_of "$pid") == 67108864 ]] || { echo "memory limit is $(memory_limit_of "$pid"), want 67108864"; return 1; }
}
p_stop() {
    do_ "${PODMAN[@]}" stop -t 1 c1 || { expect_ok; return; }
    [[ $(p_status c1) == exited ]] || { echo "c1 is $(p_status c1) after stop"; return 1; }
    do_ "${PODMAN[@]}" rm c1; expect_ok
}
p_kill() {
    do_ "${PODMAN[@]}" run -d --name c2 "${PODMAN_RUN[@]}" "$IMAGE" sleep 1000 || { expect_ok; return; }
    do_ "${PODMAN[@]}" kill c2 || { expect_ok; return; }
    wait_for 10 status_is p_status c2 exited || { echo "c2 is $(p_status c2) after kill"; return 1; }
    do_ "${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' c2; expect_out '^137$' || return 1
    do_ "${PODMAN[@]}" rm c2; expect_ok
}
p_rm_force() {
    do_ "${PODMAN[@]}" run -d --name c3 "${PODMAN_RUN[@]}" "$IMAGE" sleep 1000 || { expect_ok; return; }
    do_ "${PODMAN[@]}" rm -f -t 1 c3 || { expect_ok; return; }
    do_ "${PODMAN[@]}" ps -aq --filter name=c3; [[ -z $OUTPUT ]] || { echo "c3 still listed"; return 1; }
}
# the error a manager reports when the runtime fails: podman reads it back from the --log JSON
p_runtime_error() {
    do_ "${PODMAN[@]}" run --rm "${PODMAN_RUN[@]}" "$IMAGE" /no/such/binary
    [[ $RC != 0 ]] || { echo "exit status 0 for a missing binary"; return 1; }
    expect_out 'no/such/binary'
}

podman_steps() {
    step podman "run --rm (output)" p_run_output
    step podman "run --rm (exit code)" p_run_exit
    step podman "run --rm -t" p_run_tty
    step podman "runtime error shown" p_runtime_error
    step podman "run -d sleep" p_run_detached
    step podman "exec" p_exec
    step podman "exec -t" p_exec_tty
    step podman "exec -d" p_exec_detached
    step podman "top" p_top
    step podman "pause/resume" p_pause
    step podman "update --memory" p_update
    step podman "stop" p_stop
    step podman "kill" p_kill
    step podman "rm -f" p_rm_force
}

podman_cleanup() {
    [[ -d "$PDM/root" ]] || return 0
    timeout 60 "${PODMAN[@]}" rm -f -a -t 0 >/dev/null
    # podman leaves its vfs/overlay storage mounted (shm, ...): run.sh unmounts everything under T
}
