# runtime.sh — sourced by tests/integration/run.sh and tests/cri/run.sh before they enter the
# sandbox: the runtime under test.

# resolve_runtime PROG ROOT: sets runtime to the absolute, symlink-free path of $OCI_RUNTIME (a path,
# or a name on PATH such as runc; default ROOT/out/ociruntime), or exits naming what is wrong.
resolve_runtime() {
    local prog=$1 root=$2
    runtime=${OCI_RUNTIME:-$root/out/ociruntime}
    [[ "$runtime" == */* ]] || runtime=$(command -v "$runtime") || { echo "$prog: no runtime ${OCI_RUNTIME}" >&2; exit 1; }
    runtime=$(readlink -f -- "$runtime")
    [[ -x "$runtime" ]] || { echo "$prog: $runtime is not an executable (build it: ./build.sh)" >&2; exit 1; }
}
