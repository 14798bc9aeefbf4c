#!/usr/bin/env bash
# build.sh — build ociruntime, run a demo container, run the tests, run the benchmarks.
#
#   ./build.sh            install missing OS packages, build out/ociruntime, run one demo container
#   ./build.sh test       build, then every test: unit, native (C executor), conformance (as root,
#                         inside a private cgroup+mount+pid namespace sandbox)
#   ./build.sh test unit|native|layout|conformance|vm|systemd|integration|cri|runtime-tools   one
#                         group only (layout: is the committed code layout still that of the code;
#                         vm: the cgroup tests inside a cgroup-v2-only QEMU guest,
#                         tests/vm/run-cgroup-v2-tests.sh; systemd: --systemd-cgroup against a
#                         real systemd in that guest, tests/systemd/run.sh; integration: out/ociruntime driven by
#                         containerd, Docker and Podman; cri: a CRI client driving containerd's CRI
#                         plugin with out/ociruntime and runc as runtime handlers, tests/cri/run.sh;
#                         runtime-tools: the OCI validation suite from ../shared/runtime-tools)
#   ./build.sh fuzz [ITERATIONS] [SEED]   the fuzz tests (config reader, exec's process.json,
#                         update --resources, command line, plan encoder past 64 KiB) for longer:
#                         ITERATIONS (default 300) per fuzzer, SEED random unless given (printed;
#                         OCI_FUZZ_SEED=SEED replays). Not part of `test`, which runs them briefly.
#   ./build.sh bench      ociruntime, runc and crun side by side; the table goes into README.md
#   ./build.sh layout     trace which functions the commands run and rewrite
#                         src/OciRuntime/Layout/*.order, the code layout of the binary
#   ./build.sh clean
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
BUILD=$ROOT/build
OUT=$ROOT/out
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\n== %s\n' "$*"; }

# Every test group's counts are added up into one closing "N passed, N failed" line.
PASSED=0 FAILED=0
count() { # reads a group's output, echoes it, adds its counts (dotnet test's or "N passed, N failed")
  local line p f
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ $line =~ Failed:\ +([0-9]+),\ Passed:\ +([0-9]+) ]]; then
      f=${BASH_REMATCH[1]}; p=${BASH_REMATCH[2]}; PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
    elif [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
      p=${BASH_REMATCH[1]}; f=${BASH_REMATCH[2]}; PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
    elif [[ $line =~ ^\[xUnit\.net\ [^]]*\]\ +(.+)\ \[FAIL\]$ ]]; then # xUnit's line for a failed test
      FAILED_AT[${BASH_REMATCH[1]}]=${#FAILED_TESTS[@]}; FAILED_TESTS+=("${BASH_REMATCH[1]}")
    elif [[ $line =~ ^\ +Failed\ (.+)\ \[[0-9][^]]*\]$ ]]; then # the console logger's (minimal), its message follows
      want_message=1 message_at=${FAILED_AT[${BASH_REMATCH[1]}]:-${#FAILED_TESTS[@]}}
      [ "$message_at" -lt ${#FAILED_TESTS[@]} ] || FAILED_TESTS+=("${BASH_REMATCH[1]}")
    elif [ "$want_message" = 1 ] && [[ $line =~ ^\ +Error\ Message: ]]; then
      want_message=2
    elif [ "$want_message" = 2 ]; then # the first line of its message, kept for the closing lines
      line=${line#"${line%%[! ]*}"}; FAILED_TESTS[message_at]+=": ${line:0:300}"; want_message=0
    elif [[ $line =~ ^(FAIL|not\ ok)\  ]]; then # the scripts' and TAP's failed checks
      FAILED_TESTS+=("${line:0:300}")
    fi
  done
}
GROUP_FAILED=() FAILED_TESTS=() want_message=0 message_at=0
declare -A FAILED_AT=()

# ../shared (the suite, the anchors) sits next to the main checkout; a worktree finds it through
# its main checkout. OCI_SHARED overrides. Empty when absent (a user's own clone).
shared_dir() {
  local d common
  for d in "${OCI_SHARED:-}" "$ROOT/../shared"; do
    [ -n "$d" ] && [ -d "$d" ] && { (cd "$d" && pwd); return; }
  done
  common=$(git -C "$ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) || return 0
  d=$(dirname "$common")/../shared
  [ -d "$d" ] && (cd "$d" && pwd)
  return 0
}

# --- OS packages -------------------------------------------------------------------------------
ensure_packages() {
  local need=() p
  for p in gcc make libc6-dev libseccomp-dev lld busybox-static uidmap strace; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    [ "$(id -u)" = 0 ] || { echo "build.sh: need root to install ${need[*]}" >&2; exit 1; }
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}"
  fi
  command -v dotnet >/dev/null || { echo "build.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }
}

# --- build -------------------------------------------------------------------------------------
build_native() {
  say "building the C executor"
  make -s -C src/OciRuntime.Native OUT="$BUILD/native"
}

build_runtime() {
  build_native
  say "publishing out/ociruntime (NativeAOT)"
  dotnet publish src/OciRuntime/OciRuntime.csproj -c Release -r linux-x64 -p:PublishAot=true \
    -p:NativeOutDir="$BUILD/native/" -o "$BUILD/publish" -v q -nologo
  mkdir -p "$OUT"
  cp "$BUILD/publish/ociruntime" "$OUT/ociruntime"
  ls -l "$OUT/ociruntime"
}

# A bundle whose rootfs is busybox-static: small, static, and everything a demo or test needs.
make_busybox_rootfs() {
  local rootfs=$1 app
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc,root}
  cp /bin/busybox "$rootfs/bin/busybox"
  for app in sh echo cat ls hostname id sleep true false mount ps; do ln -s busybox "$rootfs/bin/$app"; done
  echo "root:x:0:0:root:/root:/bin/sh" > "$rootfs/etc/passwd"
  echo "root:x:0:" > "$rootfs/etc/group"
}

demo() {
  local bundle=$BUILD/demo-bundle
  say "demo: a container from a busybox-static bundle"
  make_busybox_rootfs "$bundle/rootfs"
  rm -f "$bundle/config.json"
  "$OUT/ociruntime" spec --bundle "$bundle"
  # The default config wants a terminal; the demo prints to the build's own stdout instead.
  sed -i -e 's/"terminal": true/"terminal": false/' \
         -e 's/^\(\t*\)"sh"$/\1"sh", "-c", "echo hello from $(hostname), pid $$, as $(id -u):$(id -g); ls \/"/' \
         "$bundle/config.json"
  tests/sandbox/run-in-sandbox.sh "$OUT/ociruntime" --root "$BUILD/demo-state" run --bundle "$bundle" demo
}

# --- tests -------------------------------------------------------------------------------------
test_unit() {
  say "unit tests"
  dotnet test tests/OciRuntime.Tests/OciRuntime.Tests.csproj -v q -nologo --logger "console;verbosity=minimal"
}

test_native() {
  say "native tests (C executor)"
  make -s -C src/OciRuntime.Native OUT="$BUILD/native" test
}

# A stale layout does not break anything; it makes every start map more of the binary.
test_layout() {
  say "code layout (src/OciRuntime/Layout against what \`run\` runs)"
  mkdir -p "$BUILD/layout"
  gcc -O2 -Wall -o "$BUILD/layout/trace-calls" tools/layout/trace-calls.c
  tests/sandbox/run-in-sandbox.sh tools/layout/check.sh "$OUT/ociruntime" "$BUILD/publish/ociruntime.dbg" \
    "$BUILD/layout/trace-calls" src/OciRuntime/Layout
}

test_conformance() {
  say "conformance tests (real binary, real bundles, in the sandbox)"
  [ "$(id -u)" = 0 ] || { echo "build.sh: conformance tests need root" >&2; return 1; }
  OCI_RUNTIME="$OUT/ociruntime" tests/sandbox/run-in-sandbox.sh \
    dotnet test tests/conformance/OciRuntime.Conformance/OciRuntime.Conformance.csproj -v q -nologo \
    --logger "console;verbosity=minimal"
}

# cgroup v2 exists with every controller only in a guest: the conformance tests that concern cgroups
# run there against the same out/ociruntime (the guest shares / read-only and the worktree
# read-write). run-in-vm.sh installs qemu and fetches the guest kernel on first use.
test_vm() {
  say "cgroup v2 tests (conformance subset, in a cgroup2-only QEMU guest)"
  [ "$(id -u)" = 0 ] || { echo "build.sh: the VM tests need root" >&2; return 1; }
  dotnet build tests/conformance/OciRuntime.Conformance/OciRuntime.Conformance.csproj -v q -nologo >/dev/null
  # run-in-vm.sh's choice of accelerator (KVM, or TCG where /dev/kvm cannot run a guest) first.
  local rc=0
  tests/vm/test-accel-fallback.sh || rc=1
  tests/vm/run-cgroup-v2-tests.sh || rc=1
  return $rc
}

# The systemd cgroup driver against a real systemd: one cgroup2-only guest in which systemd (dbus
# only) runs as PID 1 of a pid+mount namespace; bus-absent, unit-level and failure-injection checks,
# then the cgroup conformance tests with --systemd-cgroup. Skips, saying why, without qemu or systemd.
test_systemd() {
  say "systemd cgroup driver (a real systemd in a cgroup2-only QEMU guest, tests/systemd/run.sh)"
  [ "$(id -u)" = 0 ] || { echo "build.sh: the systemd tests need root" >&2; return 1; }
  tests/systemd/run.sh
}

# The OCI runtime-tools validation suite (../shared/runtime-tools), built once into
# build/runtime-tools (rebuilt only when its source changes), every file run against
# out/ociruntime in the sandbox; tests/runtime-tools/expected-pass.txt lists the files that must
# pass, specs/conformance.md why the others fail.
test_runtime_tools() {
  say "runtime-tools validation suite (every file against out/ociruntime, in the sandbox)"
  local shared src dir=$BUILD/runtime-tools stamp
  shared=$(shared_dir)
  src=${shared:+$shared/runtime-tools/src}
  if [ -z "$src" ] || [ ! -f "$src/Makefile" ]; then
    echo "skipped: the suite's source is not here (../shared/runtime-tools/src next to the main checkout, or OCI_SHARED)"
    return 0
  fi
  [ "$(id -u)" = 0 ] || { echo "build.sh: the runtime-tools suite needs root" >&2; return 1; }
  if ! command -v go >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends golang-go
  fi
  stamp=$(cd "$src" && find . -type f -printf '%P %s %T@\n' | sort | sha1sum | cut -d' ' -f1)
  if [ "$(cat "$dir/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -x "$dir/src/runtimetest" ]; then
    echo "building the suite (Go, vendored modules) in $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r "$src" "$dir/src"
    (cd "$dir/src" && GOFLAGS=-mod=vendor GOCACHE="$BUILD/go-cache" make -s runtimetest validation-executables) || return 1
    echo "$stamp" > "$dir/stamp"
  fi
  tests/runtime-tools/run.sh -e tests/runtime-tools/expected-pass.txt "$OUT/ociruntime" "$dir/src" "$dir/logs"
}

# The real managers (containerd, Docker, Podman), installed from Debian, driving out/ociruntime.
test_integration() {
  say "integration tests (containerd, Docker, Podman driving out/ociruntime, in the sandbox)"
  OCI_RUNTIME="$OUT/ociruntime" tests/integration/run.sh
}

# Kubernetes' path: a CRI client (tests/cri/OciRuntime.Cri.Tests) driving containerd's CRI plugin,
# with out/ociruntime as the RuntimeClass handler "ociruntime" and runc as the default one.
test_cri() {
  say "CRI tests (containerd's CRI plugin, handlers ociruntime and runc, in the sandbox)"
  OCI_RUNTIME="$OUT/ociruntime" tests/cri/run.sh
}

# The code layout: a build that keeps the C functions' local names, every command of a
# container's life run under tools/layout/trace-calls, and the functions that ran, in the order
# they first ran, written to src/OciRuntime/Layout (ILC and lld place them first; decisions §26).
layout() {
  local dir=$BUILD/layout
  build_native
  say "profiling build (local symbols kept, no layout)"
  rm -rf "$dir"
  dotnet publish src/OciRuntime/OciRuntime.csproj -c Release -r linux-x64 -p:PublishAot=true \
    -p:NativeOutDir="$BUILD/native/" -p:IlcOrderFile= -p:NativeOrderFile= \
    -p:CppLinker="$ROOT/tools/layout/link-keeping-locals.sh" \
    -p:IntermediateOutputPath="$dir/obj/" -p:OutputPath="$dir/bin/" -o "$dir/publish" -v q -nologo
  gcc -O2 -Wall -o "$dir/trace-calls" tools/layout/trace-calls.c
  tools/layout/symbols.sh "$dir/publish/ociruntime.dbg" > "$dir/symbols.txt"
  say "tracing the commands"
  tests/sandbox/run-in-sandbox.sh tools/layout/scenario.sh "$dir/publish/ociruntime" "$dir/symbols.txt" \
    "$dir/trace-calls" "$dir/traces"
  tools/layout/merge.sh "$dir/traces" src/OciRuntime/Layout
}

bench() {
  local p need=()
  for p in runc crun hyperfine time; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}"
  fi
  say "benchmarks: ociruntime, crun, runc"
  mkdir -p "$BUILD"
  # crun 1.8 refuses a hybrid layout whose cgroup2 has a controller: all three get pure v1.
  OCI_SANDBOX_UNIFIED=0 tests/sandbox/run-in-sandbox.sh tests/bench/bench.sh "$BUILD/bench.md"
  # README.md keeps the latest table between the bench markers.
  awk -v table="$BUILD/bench.md" '
    /<!-- bench:start -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0 }
    !skip { print }' README.md > "$BUILD/README.md.new" && mv "$BUILD/README.md.new" README.md
}

# The fuzzers of the unit and conformance suites, with a random (or given) seed and many iterations.
fuzz() {
  local iterations=${1:-300} seed=${2:-$RANDOM$RANDOM} out rc=0
  [ "$(id -u)" = 0 ] || { echo "build.sh: the fuzz tests need root (they run containers)" >&2; return 1; }
  say "fuzz: $iterations iterations per fuzzer, seed $seed (replay: ./build.sh fuzz $iterations $seed)"
  export OCI_FUZZ_ITERATIONS=$iterations OCI_FUZZ_SEED=$seed
  set +e
  out=$(dotnet test tests/OciRuntime.Tests/OciRuntime.Tests.csproj -v q -nologo --filter "FullyQualifiedName~Fuzz" 2>&1) || rc=1
  count <<< "$out"
  out=$(OCI_RUNTIME="$OUT/ociruntime" OCI_CALL_TIMEOUT=30 tests/sandbox/run-in-sandbox.sh \
    dotnet test tests/conformance/OciRuntime.Conformance/OciRuntime.Conformance.csproj -v q -nologo \
    --filter "FullyQualifiedName~FuzzTests|FullyQualifiedName~Cve_2021_43784" 2>&1) || rc=1
  count <<< "$out"
  set -e
  echo
  echo "seed $seed"
  echo "$PASSED passed, $FAILED failed"
  return $rc
}

cmd=${1:-build}
case "$cmd" in
  build)
    ensure_packages
    build_runtime
    demo
    ;;
  test)
    ensure_packages
    build_runtime
    case "${2:-all}" in
      unit|native|layout|conformance|vm|systemd|integration|cri) groups=("$2") ;;
      runtime-tools) groups=(runtime_tools) ;;
      all) groups=(unit native layout conformance vm systemd integration cri runtime_tools) ;;
      *) echo "build.sh test: unknown group ${2}" >&2; exit 2 ;;
    esac
    for g in "${groups[@]}"; do
      set +e; out=$("test_$g" 2>&1); rc=$?; set -e
      count <<< "$out"
      [ $rc -eq 0 ] || GROUP_FAILED+=("${g//_/-}")
    done
    echo
    # The failures again at the end: CI may keep only the end of the output.
    [ ${#FAILED_TESTS[@]} -eq 0 ] || { echo "failed tests:"; printf '  %s\n' "${FAILED_TESTS[@]}"; }
    [ ${#GROUP_FAILED[@]} -eq 0 ] || echo "failed groups: ${GROUP_FAILED[*]}"
    echo "$PASSED passed, $FAILED failed"
    [ ${#GROUP_FAILED[@]} -eq 0 ] && [ "$FAILED" -eq 0 ]
    ;;
  bench)
    ensure_packages
    build_runtime
    bench
    ;;
  layout)
    ensure_packages
    layout
    ;;
  fuzz)
    ensure_packages
    build_runtime
    fuzz "${2:-}" "${3:-}"
    ;;
  clean)
    rm -rf "$BUILD" "$OUT"
    ;;
  *)
    awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0" >&2
    exit 2
    ;;
esac
