#!/usr/bin/env bash
# check.sh BINARY SYMBOL_FILE TRACE_CALLS LAYOUT_DIR — is the code layout still that of the code?
# Run inside tests/sandbox/run-in-sandbox.sh. Traces one `run` of BINARY (SYMBOL_FILE: its
# unstripped twin, ociruntime.dbg) and counts the functions it ran that LAYOUT_DIR/*.order do not
# place. A function renamed or added on the start path falls back to the cold end of the binary,
# and every start then maps more of it: more than 5% of either kind unplaced fails, with the fix
# (`./build.sh layout`). Names of static C functions are gone from a shipped binary; only the
# ones it still has are counted. Prints "1 passed, 0 failed" or "0 passed, 1 failed".
set -euo pipefail
bin=$1 dbg=$2 tracer=$3 layout=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${OCI_CONFORMANCE_TMP:-/tmp}/layout-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$here/symbols.sh" "$dbg" > "$work/symbols.txt"
if ! "$here/scenario.sh" "$bin" "$work/symbols.txt" "$tracer" "$work/traces" run; then
  echo "layout: the traced \`run\` failed"
  echo "0 passed, 1 failed"
  exit 1
fi
awk -v managed="$layout/managed.order" -v native="$layout/native.order" '
  BEGIN {
    while ((getline name < managed) > 0) placed["M " name] = 1
    while ((getline name < native) > 0) placed["N " name] = 1
  }
  NF == 2 { ran[$1]++; if (!placed[$0]) { missing[$1]++; if (shown[$1]++ < 10) example[$1] = example[$1] "\n    " $2 } }
  END {
    bad = 0
    for (k in ran) {
      kind = k == "M" ? "managed" : "native"
      printf "layout: `run` ran %d %s functions, %d not in %s.order%s\n", ran[k], kind, missing[k], kind, example[k]
      if (missing[k] > ran[k] * 0.05) bad = 1
    }
    if (bad) print "layout: the code layout is stale: run ./build.sh layout and commit src/OciRuntime/Layout"
    print bad ? "0 passed, 1 failed" : "1 passed, 0 failed"
    exit bad
  }' "$work"/traces/*.txt
