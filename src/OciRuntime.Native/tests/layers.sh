#!/bin/sh
# layers.sh OBJDIR - the native folders' rules, checked on what is really linked: the calls between
# the objects of OBJDIR (nm: each undefined symbol resolved to the object that defines it).
#   - a folder calls only downward: startup -> executor, host, common; executor -> common;
#     host -> common; common -> nothing (README, "Layout");
#   - no circle between files, inside a folder or across (tsort finds any loop).
# Also no #include of a folder a folder may not call, and startup/early.h only in early.c. Prints the offending edge; exit 1 if any.
set -u
objdir=$1
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$objdir" || exit 1
bad=0
edges=$(
    for o in */*.o; do nm "$o" | awk -v o="$o" '$1 == "U" { print "U", $2, o } NF == 3 && $2 ~ /^[TDBR]$/ { print "D", $3, o }'; done |
    awk '$1 == "D" { def[$2] = $3; next } { use[++n] = $2; from[n] = $3 }
         END { for (i = 1; i <= n; i++) if ((use[i] in def) && def[use[i]] != from[i]) print from[i], def[use[i]] }' | sort -u
)
allowed() { # from-folder to-folder
    [ "$1" = "$2" ] && return 0
    case "$1:$2" in
    startup:executor | startup:host | startup:common | executor:common | host:common) return 0 ;;
    esac
    return 1
}
echo "$edges" | while read -r a b; do
    [ -n "$a" ] || continue
    allowed "${a%%/*}" "${b%%/*}" || { echo "layers: $a calls into $b (${a%%/*}/ may not call ${b%%/*}/)"; exit 1; }
done || bad=1
if ! echo "$edges" | tsort >/dev/null 2>"$objdir/tsort.err"; then
    echo "layers: a circle between files:" >&2; cat "$objdir/tsort.err" >&2; bad=1
fi
for dir in executor host startup common; do
    for other in executor host startup common; do
        allowed "$dir" "$other" && continue
        if grep -n "#include \"$other/" "$src/$dir"/*.c "$src/$dir"/*.h 2>/dev/null; then
            echo "layers: $dir/ includes $other/" >&2; bad=1
        fi
    done
done
# startup/early.h is early.c's protocol with the C# side (decisions §24): no other file of the
# programs includes it or uses its names (the tests may).
for f in "$src"/*.h "$src"/*/*.c "$src"/*/*.h; do
    case "$f" in "$src"/startup/early.[ch] | "$src"/tests/*) continue ;; esac
    if grep -n 'early\.h"\|OCI_EARLY_' "$f"; then
        echo "layers: $f knows the early executor's protocol (startup/early.h is early.c's alone)" >&2; bad=1
    fi
done
[ $bad -eq 0 ] && echo "layers: $(echo "$edges" | wc -l) calls between files, all downward, no circle"
exit $bad
