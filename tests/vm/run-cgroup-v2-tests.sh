#!/usr/bin/env bash
# run-cgroup-v2-tests.sh — the conformance tests that concern cgroups, run against out/ociruntime
# inside a throwaway cgroup-v2-only QEMU guest (tests/vm/run-in-vm.sh), where every controller is
# available. The guest sees the host's / read-only and this worktree read-write, so the already
# built runtime, probe and test assembly are used as they are (dotnet test --no-build).
#
#   tests/vm/run-cgroup-v2-tests.sh [xunit filter]
#
# The guest is its own sandbox (fresh cgroup2 tree, thrown away at poweroff), so the variables
# that run-in-sandbox.sh would export are set here. Prints dotnet test's summary; exit status is
# dotnet test's (or run-in-vm.sh's 124/125 on timeout / VM failure).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FILTER=${1:-"FullyQualifiedName~ResourceTests|FullyQualifiedName~CgroupCommandConformanceTests|FullyQualifiedName~Device_cgroup|FullyQualifiedName~Cgroup_namespace|FullyQualifiedName~RootlessDelegationTests|FullyQualifiedName~Cve_2023_25809"}
export VM_RW=$ROOT VM_WORKDIR=$ROOT VM_SMP=${VM_SMP:-2} VM_MEM=${VM_MEM:-3072} VM_TIMEOUT=${VM_TIMEOUT:-900}
export OCI_VM_FILTER=$FILTER OCI_VM_LOGGER=${OCI_VM_LOGGER:-} VM_ENV="OCI_VM_FILTER OCI_VM_LOGGER ${VM_ENV:-}"
exec "$ROOT/tests/vm/run-in-vm.sh" '
set -e
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || { echo "guest: /sys/fs/cgroup is not cgroup2" >&2; exit 1; }
export OCI_CALL_TIMEOUT=60 OCI_SANDBOX=1 OCI_SANDBOX_RUN_ID=vm OCI_CONFORMANCE_TMP=$(mktemp -d /tmp/conformance.XXXXXX)
export OCI_RUNTIME=$PWD/out/ociruntime DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
echo "guest: kernel $(uname -r), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
dotnet test tests/conformance/OciRuntime.Conformance/OciRuntime.Conformance.csproj --no-build -v q -nologo --filter "$OCI_VM_FILTER" ${OCI_VM_LOGGER:-}
'
