#!/usr/bin/env bash
# run-in-sandbox.sh CMD [ARGS...]
#
# Runs CMD as root inside a private sandbox made for container tests:
#   * new cgroup, mount and pid namespaces (unshare -C -m -p -f --mount-proc, propagation private),
#     so CMD and everything it starts is PID >1 of a fresh pid namespace and dies with it;
#   * a fresh tmpfs on /sys/fs/cgroup with every cgroup v1 hierarchy of the host mounted again
#     (same controller options) and cgroup2 at /sys/fs/cgroup/unified: inside the cgroup
#     namespace the root of each hierarchy is the cgroup this script was started in, so whatever
#     the tests create stays in our own subtree;
#     OCI_SANDBOX_UNIFIED=0 leaves cgroup2 out (a pure v1 layout): crun 1.8 refuses this host's
#     hybrid layout because hugetlb is enabled in cgroup2 ("cgroups in hybrid mode not supported");
#   * a temp dir for the tests, exported as OCI_CONFORMANCE_TMP (and OCI_SANDBOX=1).
#
# After CMD ends it
#   * reports and kills processes left in the sandbox's pid namespace,
#   * reports (and lazily unmounts) mounts made in the sandbox's mount namespace while CMD ran,
#     in particular anything mounted under the test temp dir,
#   * removes (rmdir, deepest first) and reports cgroup directories created while CMD ran whose
#     name contains this run's id, OCI_SANDBOX_RUN_ID (exported for CMD: the tests put it in every
#     container id). Only those: on this host our cgroup is the root of most hierarchies, so other
#     sessions' sandboxes create cgroups in the same place at the same time — never touch theirs;
#   * removes the test temp dir.
# Exit status: CMD's status if it failed; otherwise 125 if anything was left behind; else 0.
# 126 if not root or the sandbox could not be set up.
set -u

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
PROG=run-in-sandbox.sh

die() { echo "$PROG: $*" >&2; exit 126; }

if [[ $# -eq 0 || "$1" == "-h" || "$1" == "--help" ]]; then
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$SELF"
    [[ $# -eq 0 ]] && exit 2 || exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    die "must be run as root (uid 0); you are uid $(id -u). Try: sudo $0 $*"
fi

# ---------------------------------------------------------------------------------------------
# Outer stage: remember the host's cgroup mounts, then re-exec inside the new namespaces.
# ---------------------------------------------------------------------------------------------
if [[ "${__OCI_SANDBOX_STAGE:-}" != inner ]]; then
    command -v unshare >/dev/null || die "unshare (util-linux) not found"
    # mountinfo: id parent maj:min root mountpoint opts [optional...] - fstype source superopts
    cgmounts=$(awk '{
            for (i = 7; i <= NF && $i != "-"; i++) ;
            fstype = $(i + 1); superopts = $(i + 3);
            if ((fstype == "cgroup" || fstype == "cgroup2") && index($5, "/sys/fs/cgroup/") == 1)
                print $5 " " fstype " " superopts
        }' /proc/self/mountinfo)
    [[ -n "$cgmounts" ]] || die "no cgroup hierarchies mounted under /sys/fs/cgroup on this host"
    # symlinks such as cpu -> cpu,cpuacct next to the hierarchies
    cglinks=""
    for l in /sys/fs/cgroup/*; do
        [[ -L "$l" ]] && cglinks+="${l##*/} $(readlink "$l")"$'\n'
    done
    # util-linux (mount/umount/unshare --mount-proc) would otherwise create /run/mount for its utab
    utabdir=$(mktemp -d /tmp/oci-sandbox-utab.XXXXXX) || die "mktemp -d"
    export LIBMOUNT_UTAB="$utabdir/utab" __OCI_SANDBOX_UTABDIR="$utabdir"
    export __OCI_SANDBOX_STAGE=inner __OCI_SANDBOX_CGMOUNTS="$cgmounts" __OCI_SANDBOX_CGLINKS="$cglinks"
    exec unshare --cgroup --mount --pid --fork --kill-child --propagation private --mount-proc \
        -- /bin/bash "$SELF" "$@"
    die "exec unshare failed"
fi

# ---------------------------------------------------------------------------------------------
# Inner stage: PID 1 of the new pid namespace.
# ---------------------------------------------------------------------------------------------
unset __OCI_SANDBOX_STAGE
cgmounts=$__OCI_SANDBOX_CGMOUNTS
cglinks=$__OCI_SANDBOX_CGLINKS
utabdir=$__OCI_SANDBOX_UTABDIR
unset __OCI_SANDBOX_CGMOUNTS __OCI_SANDBOX_CGLINKS __OCI_SANDBOX_UTABDIR
trap 'rm -rf -- "$utabdir"' EXIT

# Drop the host's cgroup mounts from this (private) mount namespace so that /proc/self/mountinfo
# shows only the fresh ones (a runtime parsing mountinfo must not pick a shadowed host mount).
umount -R /sys/fs/cgroup 2>/dev/null || umount -R -l /sys/fs/cgroup 2>/dev/null
mount -t tmpfs -o rw,nosuid,nodev,noexec,mode=755 tmpfs /sys/fs/cgroup \
    || die "cannot mount tmpfs on /sys/fs/cgroup"

hierarchies=()
while read -r mnt fstype superopts; do
    [[ -n "$mnt" ]] || continue
    if [[ "$fstype" == cgroup2 && "${OCI_SANDBOX_UNIFIED:-1}" == 0 ]]; then
        continue
    fi
    # drop rw/ro: the remaining super options name the controllers (cpu, name=systemd, ...)
    opts=$(tr ',' '\n' <<<"$superopts" | grep -v -x -e rw -e ro | paste -sd, -)
    mkdir -p "$mnt" || die "mkdir $mnt"
    if [[ -n "$opts" ]]; then
        mount -t "$fstype" -o "rw,nosuid,nodev,noexec,$opts" "$fstype" "$mnt" \
            || die "cannot mount $fstype ($opts) at $mnt"
    else
        mount -t "$fstype" -o rw,nosuid,nodev,noexec "$fstype" "$mnt" \
            || die "cannot mount $fstype at $mnt"
    fi
    hierarchies+=("$mnt")
done <<<"$cgmounts"
while read -r name target; do
    [[ -n "$name" ]] && ln -s "$target" "/sys/fs/cgroup/$name"
done <<<"$cglinks"

# cgroup dirs that exist before CMD (left alone afterwards)
cg_before=$(mktemp /tmp/oci-sandbox-cg.XXXXXX) || die "mktemp"
for h in "${hierarchies[@]}"; do find "$h" -mindepth 1 -type d; done | sort >"$cg_before"

# mounts that exist before CMD
mountids() { awk '{ print $1 " " $5 }' /proc/self/mountinfo | sort; }
mounts_before=$(mountids)

OCI_CONFORMANCE_TMP=$(mktemp -d /tmp/oci-conformance.XXXXXX) || die "mktemp -d"
chmod 755 "$OCI_CONFORMANCE_TMP"
OCI_SANDBOX_RUN_ID=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
[[ ${#OCI_SANDBOX_RUN_ID} -eq 8 ]] || die "cannot make a run id"
export OCI_CONFORMANCE_TMP OCI_SANDBOX=1 OCI_SANDBOX_RUN_ID
# dotnet build servers would otherwise outlive CMD inside the pid namespace
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

"$@"
rc=$?

leftover=0

# --- processes ---------------------------------------------------------------------------------
list_procs() {
    local p pid state rest comm
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        [[ $pid == 1 || $pid == "$BASHPID" ]] && continue
        read -r rest 2>/dev/null <"$p/stat" || continue
        rest=${rest##*) }
        state=${rest%% *}
        [[ $state == Z || $state == X ]] && continue
        read -r comm 2>/dev/null <"$p/comm" || continue
        echo "$pid $comm"
    done
}
procs=$(list_procs)
if [[ -n "$procs" ]]; then
    sleep 0.5
    procs=$(list_procs)
fi
if [[ -n "$procs" ]]; then
    leftover=1
    echo "$PROG: LEFTOVER PROCESSES (killed):" >&2
    while read -r pid comm; do
        args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
        echo "  pid $pid ($comm): $args" >&2
        kill -KILL "$pid" 2>/dev/null
    done <<<"$procs"
    sleep 0.2
fi

# --- mounts ------------------------------------------------------------------------------------
new_mounts=$(comm -13 <(echo "$mounts_before") <(mountids))
if [[ -n "$new_mounts" ]]; then
    leftover=1
    echo "$PROG: LEFTOVER MOUNTS (made while CMD ran; unmounting):" >&2
    while read -r id mp; do
        tag=""
        case "$mp" in "$OCI_CONFORMANCE_TMP"|"$OCI_CONFORMANCE_TMP"/*) tag=" [under test temp dir]";; esac
        echo "  $mp$tag" >&2
    done <<<"$new_mounts"
    # deepest first
    awk '{ print $2 }' <<<"$new_mounts" | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2- |
        while read -r mp; do umount -l "$(printf '%b' "$mp")" 2>/dev/null; done
fi
# anything still mounted under the test dir (e.g. mounted before our snapshot raced) must go too
while read -r mp; do
    leftover=1
    echo "$PROG: LEFTOVER MOUNT under test temp dir: $mp" >&2
    umount -l "$(printf '%b' "$mp")" 2>/dev/null
done < <(awk -v t="$OCI_CONFORMANCE_TMP" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo)

# --- cgroups -----------------------------------------------------------------------------------
cg_left=()
cg_busy=()
for h in "${hierarchies[@]}"; do
    while read -r d; do
        [[ -n "$d" ]] || continue
        grep -qxF -- "$d" "$cg_before" && continue
        [[ "${d##*/}" == *"$OCI_SANDBOX_RUN_ID"* ]] || continue   # not ours: another session's
        cg_left+=("$d")
        rmdir -- "$d" 2>/dev/null || cg_busy+=("$d")
    done < <(find "$h" -mindepth 1 -depth -type d)
done
if [[ ${#cg_left[@]} -gt 0 ]]; then
    leftover=1
    echo "$PROG: LEFTOVER CGROUPS (${#cg_left[@]} removed with rmdir):" >&2
    printf '  %s\n' "${cg_left[@]}" >&2
fi
if [[ ${#cg_busy[@]} -gt 0 ]]; then
    echo "$PROG: could not remove cgroups (busy?):" >&2
    printf '  %s\n' "${cg_busy[@]}" >&2
fi
rm -f "$cg_before"

# --- temp dir ----------------------------------------------------------------------------------
if awk -v t="$OCI_CONFORMANCE_TMP" '$5 == t || index($5, t "/") == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
    echo "$PROG: not removing $OCI_CONFORMANCE_TMP: mounts remain under it" >&2
    leftover=1
else
    rm -rf --one-file-system -- "$OCI_CONFORMANCE_TMP"
fi

if [[ $rc -ne 0 ]]; then
    exit "$rc"
fi
if [[ $leftover -ne 0 ]]; then
    echo "$PROG: CMD succeeded but left things behind (see above): exit 125" >&2
    exit 125
fi
exit 0
