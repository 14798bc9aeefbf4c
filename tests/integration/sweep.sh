# sweep.sh — sourced by tests/integration/run.sh and tests/cri/run.sh, inside the test sandbox
# (whose pid and mount namespaces are the tests' own): what the daemons left behind, after they
# were stopped. Prints one line per leftover and per failure.

# sweep_leftovers TMPDIR CGPARENT: kills every process of this pid namespace but us and our
# ancestors (shims, conmon, containers), unmounts what was mounted under TMPDIR and on /run and
# /var/lib (deepest first), and removes the cgroups below CGPARENT (deepest first).
sweep_leftovers() {
    local t=$1 cgparent=$2 p pid d
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        [[ $pid == 1 || $pid == $$ || $pid == "$BASHPID" ]] && continue
        grep -qx "PPid:[[:space:]]*0" "$p/status" 2>/dev/null && continue
        # (SWEEP_SPARE: a regex of cgroups whose processes are not ours, e.g. systemd's own)
        [[ -n ${SWEEP_SPARE:-} ]] && grep -qE "$SWEEP_SPARE" "$p/cgroup" 2>/dev/null && continue
        echo "leftover process $pid: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
        kill -KILL "$pid" 2>/dev/null
    done
    sleep 0.3
    awk -v t="$t" '$5 == "/run" || $5 == "/var/lib" || index($5, t "/") == 1 || index($5, "/run/") == 1 { print $5 }' /proc/self/mountinfo |
        awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2- |
        while read -r d; do umount -l "$(printf '%b' "$d")" 2>/dev/null; done
    find /sys/fs/cgroup -mindepth 2 -depth -type d \( -path "*/$cgparent" -o -path "*/$cgparent/*" \) 2>/dev/null |
        while read -r d; do rmdir "$d" 2>/dev/null || echo "cannot remove cgroup $d"; done
}

# private_run TMPDIR SYSTEMD: a private, empty /run in this mount namespace (the caller's own: the
# sandbox's, or an unshare --mount in the systemd guest). With SYSTEMD=1, systemd's sockets and
# /run/systemd/system (which says systemd runs) and the system bus are carried over.
private_run() {
    local t=$1 systemd=$2
    if [[ $systemd == 1 ]]; then
        mkdir -p "$t/keep-run/systemd" "$t/keep-run/dbus"
        mount --rbind /run/systemd "$t/keep-run/systemd" && mount --rbind /run/dbus "$t/keep-run/dbus" || { echo "cannot keep /run/systemd"; return 1; }
    fi
    mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run || { echo "cannot mount a tmpfs on /run"; return 1; }
    if [[ $systemd == 1 ]]; then
        mkdir -p /run/systemd /run/dbus
        mount --move "$t/keep-run/systemd" /run/systemd && mount --move "$t/keep-run/dbus" /run/dbus || { echo "cannot keep /run/systemd"; return 1; }
    fi
}

# stop_systemd_leftovers SLICE LOG: the units the daemons left below SLICE (containers' scopes)
# named in LOG, the slice stopped (systemd kills what is in it) and failed units reset; the sweep
# that follows spares systemd's own processes (SWEEP_SPARE).
stop_systemd_leftovers() {
    local slice=$1
    systemctl list-units --all --plain --no-legend 2>/dev/null | awk '$1 ~ /^(libpod|docker|ctr|cri-containerd|ociruntime|runc)-.*scope$/ { print "unit left: " $0 }'
    systemctl stop "$slice" 2>&1
    systemctl reset-failed 2>&1
    SWEEP_SPARE='^0::/(init\.scope|system\.slice/dbus\.)'
}
