using OciRuntime.Diagnostics;
using OciRuntime.Planning;
using OciRuntime.Security;
using OciRuntime.Spec.Json;
using OciRuntime.Spec;

namespace OciRuntime.Cli;

/// <summary>
/// `features`: the runtime-spec v1.3.0 features document, listing only what this build carries
/// out (fields it refuses are reported as unsupported, not left out as "unknown"). Seccomp details
/// are asked of the kernel and of the linked libseccomp; AppArmor and SELinux are reported enabled
/// only where the kernel runs them, since a label cannot be applied elsewhere.
/// </summary>
internal sealed class FeaturesCommand : Command
{
    public override string Name => "features";
    public override string Summary => "print the runtime-spec features document (JSON)";
    public override string Usage => "";
    public override int MinArgs => 0;
    public override int MaxArgs => 0;

    public static Features Build() => new()
    {
        OciVersionMin = "1.0.0",
        OciVersionMax = BuildInfo.SpecVersion,
        Hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        MountOptions = [.. MountOptions.Supported.Where(o => o is not ("idmap" or "ridmap") || Linux.IdmapSupport.KernelSupportsIdmappedMounts())],
        Linux = new FeaturesLinux
        {
            Namespaces = ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"],
            Capabilities = [.. Capabilities.All],
            // systemd: the driver (--systemd-cgroup), for cgroup v2 hosts; systemdUser: its
            // rootless form with the user's own systemd instance.
            Cgroup = new FeaturesCgroup { V1 = true, V2 = true, Systemd = true, SystemdUser = true, Rdma = true },
            Seccomp = new FeaturesSeccomp
            {
                Enabled = true,
                Actions = SeccompSupport.Actions(),
                Operators = [.. SeccompNames.Operators],
                Archs = SeccompSupport.Architectures(),
                KnownFlags = [.. SeccompNames.Flags],
                SupportedFlags = SeccompSupport.Flags(),
            },
            Apparmor = new FeaturesEnabled { Enabled = Lsm.AppArmorEnabled() },
            Selinux = new FeaturesEnabled { Enabled = Lsm.SelinuxEnabled() },
            IntelRdt = new FeaturesIntelRdt { Enabled = false, Schemata = false, Monitoring = false },
            // set_mempolicy needs a kernel with NUMA support, which shows /sys/devices/system/node
            MemoryPolicy = Directory.Exists("/sys/devices/system/node")
                ? new FeaturesMemoryPolicy { Modes = [.. MemoryPolicyPlanner.Modes.Keys], Flags = [.. MemoryPolicyPlanner.Flags.Keys] }
                : new FeaturesMemoryPolicy { Modes = [], Flags = [] },
            // Id-mapped bind mounts (mounts[].uidMappings/gidMappings, "idmap", "ridmap") need a
            // kernel with MOUNT_ATTR_IDMAP; the executor always carries them out.
            MountExtensions = new FeaturesMountExtensions
            {
                IdMap = new FeaturesEnabled { Enabled = Linux.IdmapSupport.KernelSupportsIdmappedMounts() },
            },
            NetDevices = new FeaturesEnabled { Enabled = true },
        },
        // Passed to systemd as unit properties as they are (runc lists the same prefix).
        PotentiallyUnsafeConfigAnnotations = [Cgroups.Systemd.SystemdAnnotations.Prefix],
        Annotations = new Dictionary<string, string>
        {
            ["io.github.seccomp.libseccomp.version"] = SeccompCompiler.LibraryVersion(),
        },
    };

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        Output.Out(JsonOut.Text(Build(), JsonOut.Indented, FeaturesWriter.WriteFeatures) + "\n");
        return 0;
    }
}
