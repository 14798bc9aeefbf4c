#!/usr/bin/env bash
# symbols.sh BINARY_WITH_SYMBOLS — the functions of the binary for trace-calls, one a line:
# "ADDRESS KIND NAME", KIND M for managed code (ILC's __managedcode and __unbox sections, ordered
# by ILC's --order file) and N for native code (the C runtime, libc, the executor; ordered by the
# linker's --symbol-ordering-file).
set -euo pipefail
bin=$1
# Section index -> kind, for the executable sections.
readelf -SW "$bin" | awk '
  match($0, /^ *\[ *[0-9]+\]/) {
    idx = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", idx)
    rest = substr($0, RSTART + RLENGTH); split(rest, f, " ")
    if (rest ~ / AX /) print idx, (f[1] == "__managedcode" || f[1] == "__unbox") ? "M" : "N"
  }' > "${TMPDIR:-/tmp}/layout-sections.$$"
readelf -sW "$bin" | awk -v sections="${TMPDIR:-/tmp}/layout-sections.$$" '
  BEGIN { while ((getline line < sections) > 0) { split(line, f, " "); kind[f[1]] = f[2] } }
  ($4 == "FUNC" || $4 == "NOTYPE") && ($7 in kind) && $2 !~ /^0+$/ && NF >= 8 { print $2, kind[$7], $8 }'
rm -f "${TMPDIR:-/tmp}/layout-sections.$$"
