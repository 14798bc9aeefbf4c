using OciRuntime.Cli;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Security;

/// <summary>`features` lists only what this build carries out.</summary>
public class FeaturesTests
{
    private static readonly Features F = FeaturesCommand.Build();

    [Fact]
    public void Versions_and_refused_features()
    {
        Assert.Equal("1.3.0", F.OciVersionMax);
        Assert.Equal(new[] { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" }, F.Hooks);
        Assert.Contains("user", F.Linux!.Namespaces!);
        Assert.Contains("time", F.Linux.Namespaces!);
        Assert.Contains("idmap", F.MountOptions!); // kernel 6.18 has MOUNT_ATTR_IDMAP
        Assert.Contains("ridmap", F.MountOptions!);
        // Docker and nerdctl use "rro" only when features lists it
        Assert.Subset(F.MountOptions!.ToHashSet(), new HashSet<string> { "tmpcopyup", "symfollow", "nosymfollow", "rro", "rrw",
            "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnoatime", "ratime", "rrelatime", "rnorelatime",
            "rstrictatime", "rnostrictatime", "rnodiratime", "rdiratime", "rnosymfollow", "rsymfollow" });
        Assert.True(F.Linux.MountExtensions!.IdMap!.Enabled);
        Assert.False(F.Linux.IntelRdt!.Enabled);
        // The rdma limits are mapped on v1 and v2; the systemd driver (system and user instance),
        // whose org.systemd.property.* annotations go to systemd as they are (runc lists them too).
        Assert.True(F.Linux.Cgroup!.Rdma);
        Assert.True(F.Linux.Cgroup.Systemd);
        Assert.True(F.Linux.Cgroup.SystemdUser);
        Assert.Equal(["org.systemd.property."], F.PotentiallyUnsafeConfigAnnotations);
    }

    [Fact]
    public void Seccomp_lists_what_kernel_and_libseccomp_support()
    {
        var s = F.Linux!.Seccomp!;
        Assert.True(s.Enabled);
        Assert.Equal(SeccompNames.Actions, s.Actions!); // kernel 6.18 knows them all
        Assert.Equal(SeccompNames.Operators, s.Operators!);
        Assert.Contains("SCMP_ARCH_X86_64", s.Archs!);
        Assert.Contains("SCMP_ARCH_X32", s.Archs!);
        Assert.Equal(SeccompNames.Flags, s.KnownFlags!);
        Assert.Subset(s.KnownFlags!.ToHashSet(), s.SupportedFlags!.ToHashSet());
        Assert.Contains("SECCOMP_FILTER_FLAG_TSYNC", s.SupportedFlags!);
        Assert.Matches(@"^\d+\.\d+\.\d+$", F.Annotations!["io.github.seccomp.libseccomp.version"]);
    }

    [Fact]
    public void Every_listed_capability_is_known()
    {
        Assert.All(F.Linux!.Capabilities!, c => Assert.True(Capabilities.TryGetNumber(c, out _), c));
    }
}
