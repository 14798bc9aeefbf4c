# tests/systemd/start-systemd.sh — sourced (not run) in the cgroup2 QEMU guest by tests/systemd/run.sh
# and tools/systemd-driver-check.sh: Debian's systemd as PID 1 of a new pid+mount namespace with
# dbus only. No cgroup namespace: the guest's real cgroup2 root becomes systemd's root (it creates
# /init.scope, /system.slice, ...). Only bash builtins where it can: every exec costs ~0.3 s under
# TCG. An EMPTY unit or generator file counts as masked for systemd (as a link to /dev/null does).

# sd_dbus_only_target NAME DESCRIPTION: the unit NAME (a target) wants dbus.socket and dbus.service
# only; both get DefaultDependencies=no, so sysinit.target and basic.target (journald, tmpfiles,
# modprobe@, mounts, ...) are never pulled in; every generator is masked (each is an exec).
sd_dbus_only_target() {
  local sd=/etc/systemd/system g
  mkdir -p $sd/dbus.service.d $sd/dbus.socket.d /etc/systemd/system-generators
  printf '[Unit]\nDescription=%s\nDefaultDependencies=no\nWants=dbus.socket dbus.service\nAfter=dbus.service\n' "$2" > $sd/$1
  printf '[Unit]\nDefaultDependencies=no\n' > $sd/dbus.service.d/nodeps.conf
  printf '[Unit]\nDefaultDependencies=no\n' > $sd/dbus.socket.d/nodeps.conf
  for g in /lib/systemd/system-generators/*; do : > /etc/systemd/system-generators/${g##*/}; done
}

# sd_start UNIT OUTFILE [SYSTEMD-FLAG...]: systemd --system --unit=UNIT in the background under
# `unshare --pid --fork --mount --mount-proc --kill-child=SIGKILL` (its stdout and stderr to
# OUTFILE). Sets USPID (unshare, the caller's child: `wait $USPID`) and SDPID (systemd as this pid
# namespace sees it, for nsenter -t; empty when unshare has no child within 10 s).
sd_start() {
  local unit=$1 out=$2 i
  shift 2
  unshare --pid --fork --mount --mount-proc --kill-child=SIGKILL \
    env -i container=other PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    /lib/systemd/systemd --system --unit="$unit" "$@" \
    </dev/null >"$out" 2>&1 &
  USPID=$!
  SDPID=
  for i in $(seq 1 200); do
    read -r SDPID _ < /proc/$USPID/task/$USPID/children 2>/dev/null
    [ -n "$SDPID" ] && break; sleep 0.05
  done
}

# sd_wait_private SECONDS: waits up to SECONDS for systemd's private socket (/run/systemd/private,
# the runtime's peer connection; D-Bus is up once is-system-running --wait says running)
sd_wait_private() {
  local i
  for i in $(seq 1 $(($1 * 10))); do [ -S /run/systemd/private ] && break; sleep 0.1; done
}
