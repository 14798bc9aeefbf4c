#!/usr/bin/env bash
# run.sh [-e EXPECTED_PASS] RUNTIME SUITE LOGDIR [NAME...]
#
# Runs the OCI runtime-tools validation files of a built suite (SUITE: the source tree after
# `make runtimetest validation-executables`) against RUNTIME, each file alone in a fresh
# tests/sandbox/run-in-sandbox.sh with a time bound (OCI_RT_TIMEOUT seconds, default 120), its
# TAP output in LOGDIR/NAME.tap. NAME... limits the run to those files (default: every .t).
#
# A file passes when it exits 0, prints a TAP plan and no "not ok" line. With EXPECTED_PASS (one
# file name a line, '#' comments), a file listed there that does not pass is a failure; any other
# file that does not pass is an expected failure, and one that passes is pointed out (add it),
# unless listed as ?NAME (a known race that may pass or fail). Closing line: "N passed, N failed",
# N passed counting the expected-pass files that passed. Exit 1 when one of them failed.
set -u
expected=""
if [ "${1:-}" = -e ]; then expected=$(readlink -f -- "$2"); shift 2; fi
[ $# -ge 3 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SANDBOX=$HERE/../sandbox/run-in-sandbox.sh
rt=$(readlink -f -- "$1") suite=$(cd "$2" && pwd) logdir=$3
shift 3
timeout_s=${OCI_RT_TIMEOUT:-120}
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)

declare -A want racy
if [ -n "$expected" ]; then
    while read -r name _; do
        if [[ $name == \?* ]]; then racy[${name#\?}]=1
        elif [[ -n $name && $name != \#* ]]; then want[$name]=1; fi
    done < "$expected"
fi

if [ $# -gt 0 ]; then names=("$@"); else
    names=()
    for t in "$suite"/validation/*/*.t; do names+=("$(basename "$t" .t)"); done
fi

passed=0 failed=0 xfail=0 xpass=0 fails=() xpasses=()
for name in "${names[@]}"; do
    file=validation/$name/$name.t log=$logdir/$name.tap
    start=$SECONDS
    ( cd "$suite" && timeout -k 10 "$timeout_s" "$SANDBOX" "$HERE/run-file.sh" "$rt" "./$file" "$log" ) \
        > "$logdir/$name.sandbox" 2>&1
    rc=$?
    secs=$((SECONDS - start))
    ok=0
    if [ $rc -eq 0 ] && grep -q '^1\.\.[0-9]' "$log" 2>/dev/null && ! grep -q '^not ok' "$log"; then ok=1; fi
    why=""
    [ $rc -eq 124 ] || [ $rc -eq 137 ] && why=" (timed out after ${timeout_s}s)"
    [ $rc -eq 125 ] && why=" (left things behind: $logdir/$name.sandbox)"
    if [ -z "$expected" ] || [ -n "${want[$name]:-}" ]; then
        if [ $ok = 1 ]; then passed=$((passed + 1)); echo "pass  $name (${secs}s)"
        else failed=$((failed + 1)); fails+=("$name"); echo "FAIL  $name (${secs}s)$why: $log"; fi
    else
        if [ $ok = 1 ] && [ -n "${racy[$name]:-}" ]; then echo "pass  $name (${secs}s; a known race, not required)"
        elif [ $ok = 1 ]; then xpass=$((xpass + 1)); xpasses+=("$name"); echo "pass  $name (${secs}s; not in the expected-pass list: add it)"
        else xfail=$((xfail + 1)); echo "xfail $name (${secs}s)$why"; fi
    fi
done
echo
[ ${#fails[@]} -eq 0 ] || echo "runtime-tools: failed: ${fails[*]}"
[ -z "$expected" ] || echo "runtime-tools: $xfail expected failures (specs/conformance.md says why), $xpass unexpected passes${xpasses:+: ${xpasses[*]}}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
