#!/usr/bin/env bash
# run-file.sh RUNTIME FILE.t LOG   (inside tests/sandbox/run-in-sandbox.sh, cwd = the built suite)
#
# Runs one runtime-tools validation file against RUNTIME with its own state root and temp dir
# (both under the sandbox's OCI_CONFORMANCE_TMP, removed with it), writes the file's TAP output and
# stderr to LOG, then deletes any container the file left behind. Exit status: the file's.
set -u
rt=$1 file=$2 log=$3
: "${OCI_CONFORMANCE_TMP:?run inside tests/sandbox/run-in-sandbox.sh}"
state=$OCI_CONFORMANCE_TMP/state tmp=$OCI_CONFORMANCE_TMP/tmp
mkdir -p "$state" "$tmp"
# The suite calls $RUNTIME with runc's command line and no global options: a wrapper adds --root,
# so the file's containers live in a state directory nobody else uses.
wrapper=$OCI_CONFORMANCE_TMP/runtime
printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$rt" "$state" > "$wrapper"
chmod 755 "$wrapper"
# cgroup directories the suite names (its fixed cgrouptest/testdir paths, and container ids, which are
# UUIDs) that exist before the file; those made during it and left behind are removed afterwards.
ours='^(cgrouptest|testdir|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$'
cgdirs() { find /sys/fs/cgroup/ -mindepth 2 -type d 2>/dev/null | awk -F/ -v re="$ours" '{ for (i = 6; i <= NF; i++) if ($i ~ re) { print; next } }' | sort; }
before=$(cgdirs)
RUNTIME=$wrapper TMPDIR=$tmp "$file" > "$log" 2>&1
rc=$?
# Containers the file did not delete (a failed check often returns before its cleanup).
for id in $("$wrapper" list -q 2>/dev/null); do
    "$wrapper" delete --force "$id" >/dev/null 2>&1
done
comm -13 <(echo "$before") <(cgdirs) | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2- |
    while read -r d; do rmdir -- "$d" 2>/dev/null; done
exit $rc
