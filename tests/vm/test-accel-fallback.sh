#!/usr/bin/env bash
# test-accel-fallback.sh — run-in-vm.sh's choice of accelerator, proven without a broken host.
#
# A fake qemu-system-x86_64 on PATH fails every KVM boot the way a host with a writable but
# unusable /dev/kvm does (it aborts on an MSR, or it hangs without a word) and hands every TCG
# boot to the real qemu, so each case boots a real guest under TCG. VM_KVM_DEV points at a
# writable file of our own so that KVM is tried whatever this host has. Prints one line per case
# and "N passed, N failed"; exit status 1 if a case failed.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REAL_QEMU=$(command -v qemu-system-x86_64) || { "$HERE/run-in-vm.sh" --setup >/dev/null && REAL_QEMU=$(command -v qemu-system-x86_64); } \
  || { echo "test-accel-fallback: qemu-system-x86_64 missing and could not be installed"; echo "0 passed, 1 failed"; exit 1; }
T=$(mktemp -d /tmp/accel-fallback.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir "$T/bin"
cat > "$T/bin/qemu-system-x86_64" <<'EOF'
#!/bin/bash
echo "$*" >> "$FAKE_QEMU_LOG"
case " $* " in
  *" -accel kvm "*)
    echo $$ > "$FAKE_QEMU_LOG.kvmpid"
    case $FAKE_QEMU_KVM in
      abort) echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
             echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion \`ret == cpu->kvm_msr_buf->nmsrs' failed." >&2
             kill -ABRT $$ ;;
      hang) exec sleep 3600 ;;
    esac ;;
esac
exec "$REAL_QEMU" "$@"
EOF
chmod +x "$T/bin/qemu-system-x86_64"
: > "$T/kvm"   # a writable "device": KVM is tried
export REAL_QEMU PATH="$T/bin:$PATH" VM_KVM_DEV="$T/kvm" VM_RW="" VM_WORKDIR=/ VM_DISK_MB=0 VM_SMP=1 VM_MEM=512

PASSED=0 FAILED=0
check() { # name, condition (a bash expression), details
  if eval "$2"; then PASSED=$((PASSED + 1)); echo "PASS $1"
  else FAILED=$((FAILED + 1)); echo "FAIL $1 ($2)"; printf '%s\n' "$3" | sed 's/^/    /'; fi
}
# case NAME KVM-MODE [env...] -- COMMAND: runs run-in-vm.sh, sets OUT, ERR, RC, LOG
vm() {
  local mode=$1; shift
  rm -f "$T/qemu.log" "$T/qemu.log.kvmpid"
  env FAKE_QEMU_LOG="$T/qemu.log" FAKE_QEMU_KVM="$mode" "$@" >"$T/out" 2>"$T/err"; RC=$?
  OUT=$(cat "$T/out"); ERR=$(cat "$T/err"); LOG=$(cat "$T/qemu.log" 2>/dev/null)
}

# 1. qemu aborts under KVM before the guest starts: TCG boots, the command's status comes back,
#    the reason is printed once and remembered.
vm abort VM_KVM_CACHE="$T/verdict" "$HERE/run-in-vm.sh" 'echo guest-ran; exit 3'
check "abort: the command ran under TCG" '[[ $OUT == guest-ran && $RC == 3 ]]' "rc=$RC out=$OUT err=$ERR"
check "abort: reason printed once" '[[ $(grep -c "accel=" <<< "$ERR") == 1 && $ERR == *"accel=tcg: kvm failed: qemu exited with status 134"*"MSR 0x10a"* ]]' "$ERR"
check "abort: kvm tried, then tcg" '[[ $(grep -c -- "-accel kvm" <<< "$LOG") == 1 && $(grep -c -- "-accel tcg" <<< "$LOG") == 1 ]]' "$LOG"
check "abort: verdict remembered" '[[ -s $T/verdict ]]' "$(ls -l "$T")"

# 2. The remembered verdict: no second KVM attempt.
vm abort VM_KVM_CACHE="$T/verdict" "$HERE/run-in-vm.sh" 'echo again'
check "remembered: no kvm attempt" '[[ $OUT == again && $RC == 0 && $LOG != *"-accel kvm"* && $ERR == *"kvm failed earlier"* ]]' "rc=$RC out=$OUT err=$ERR log=$LOG"

# 3. A KVM guest that hangs silently is killed after VM_ALIVE_TIMEOUT and TCG is used.
vm hang VM_KVM_CACHE="$T/verdict2" VM_ALIVE_TIMEOUT=3 "$HERE/run-in-vm.sh" 'echo after-hang'
check "hang: the command ran under TCG" '[[ $OUT == after-hang && $RC == 0 ]]' "rc=$RC out=$OUT err=$ERR"
check "hang: reason printed" '[[ $ERR == *"accel=tcg: kvm failed: no sign of life from the guest within 3s"* ]]' "$ERR"
kvmpid=$(cat "$T/qemu.log.kvmpid" 2>/dev/null)
check "hang: the hung qemu was ended" '[[ -n $kvmpid ]] && ! kill -0 "$kvmpid" 2>/dev/null' "pid=$kvmpid"

# 4. No KVM device: TCG straight away, and forced VM_ACCEL=kvm does not fall back.
vm abort VM_KVM_DEV="$T/absent" "$HERE/run-in-vm.sh" 'true'
check "no device: tcg without a kvm attempt" '[[ $RC == 0 && $LOG != *"-accel kvm"* && $ERR == *"accel=tcg: no $T/absent"* ]]' "rc=$RC err=$ERR log=$LOG"
vm abort VM_ACCEL=kvm "$HERE/run-in-vm.sh" 'true'
check "forced kvm: fails clearly" '[[ $RC == 125 && $LOG != *"-accel tcg"* && $ERR == *"without a command exit status"* ]]' "rc=$RC err=$ERR log=$LOG"

# 5. The time bound: a command past VM_TIMEOUT is ended with a message naming the bound. The guest
#    runs longer than the sign-of-life bound, which a live guest must not trip.
vm abort VM_ACCEL=tcg VM_ALIVE_TIMEOUT_TCG=45 VM_TIMEOUT=70 "$HERE/run-in-vm.sh" 'sleep 600'
check "timeout: bounded with a clear message" '[[ $RC == 124 && $ERR == *"did not finish within VM_TIMEOUT=70s (accel=tcg)"* ]]' "rc=$RC err=$ERR"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
