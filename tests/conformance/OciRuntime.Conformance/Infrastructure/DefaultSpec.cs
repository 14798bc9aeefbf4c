using System.Text.Json.Nodes;

namespace OciRuntime.Conformance;

/// <summary>
/// The config every bundle starts from: what `runc spec` writes (runc 1.1.5), plus a cgroup
/// namespace and with process.terminal=false. Tests mutate their own copy through JsonNode.
/// </summary>
public static class DefaultSpec
{
    public const string Json = """
    {
      "ociVersion": "1.0.2-dev",
      "process": {
        "terminal": false,
        "user": { "uid": 0, "gid": 0 },
        "args": [ "sh" ],
        "env": [
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "TERM=xterm"
        ],
        "cwd": "/",
        "capabilities": {
          "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
        },
        "rlimits": [
          { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }
        ],
        "noNewPrivileges": true
      },
      "root": { "path": "rootfs", "readonly": true },
      "hostname": "runc",
      "mounts": [
        { "destination": "/proc", "type": "proc", "source": "proc" },
        { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
          "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
        { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
          "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
        { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
          "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
        { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
          "options": [ "nosuid", "noexec", "nodev" ] },
        { "destination": "/sys", "type": "sysfs", "source": "sysfs",
          "options": [ "nosuid", "noexec", "nodev", "ro" ] },
        { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
          "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
      ],
      "linux": {
        "resources": {
          "devices": [ { "allow": false, "access": "rwm" } ]
        },
        "namespaces": [
          { "type": "pid" },
          { "type": "network" },
          { "type": "ipc" },
          { "type": "uts" },
          { "type": "mount" },
          { "type": "cgroup" }
        ],
        "maskedPaths": [
          "/proc/acpi",
          "/proc/asound",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/sys/firmware",
          "/proc/scsi"
        ],
        "readonlyPaths": [
          "/proc/bus",
          "/proc/fs",
          "/proc/irq",
          "/proc/sys",
          "/proc/sysrq-trigger"
        ]
      }
    }
    """;

    public static JsonObject Create() => (JsonObject)JsonNode.Parse(Json)!;

    /// <summary>CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29) as /proc/self/status shows them.</summary>
    public const string DefaultCapsHex = "0000000020000420";
}
