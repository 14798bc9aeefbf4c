#!/usr/bin/env bash
# merge.sh TRACES_DIR LAYOUT_DIR — the traces of scenario.sh (NN-COMMAND.txt and, for its
# executor, NN-COMMAND.x.txt; "KIND NAME" lines) into LAYOUT_DIR/managed.order (ILC --order) and
# LAYOUT_DIR/native.order (lld --symbol-ordering-file): every function that ran, once, in the order
# it first ran, commands in scenario order, each command's runtime before its executor. The code a
# `run` needs ends up together at the front, then what the executor adds (so that the few pages a
# created container's waiting process maps back are near each other), then what the other
# commands add.
set -euo pipefail
traces=$1 layout=$2
mkdir -p "$layout"
# shellcheck disable=SC2046
awk -v managed="$layout/managed.order" -v native="$layout/native.order" '
  NF == 2 && !seen[$0]++ { print $2 > ($1 == "M" ? managed : native) }' $(ls "$traces"/*.txt | sort)
wc -l "$layout/managed.order" "$layout/native.order"
