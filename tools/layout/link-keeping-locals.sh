#!/bin/sh
# The linker for the profiling build of `./build.sh layout`: NativeAOT links with --discard-all,
# which drops the names of static C functions; the layout needs them (lld orders by any symbol,
# local ones included), so the last word here keeps them. The shipped binary is linked as usual.
exec gcc "$@" -Wl,--discard-none
