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
