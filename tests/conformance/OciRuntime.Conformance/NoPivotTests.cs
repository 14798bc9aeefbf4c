using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// runc's no_pivot.bats "runc run --no-pivot must not expose bare /proc": with --no-pivot the
/// runtime's own mounts stay in the container's mount namespace below its root, and a whole
/// procfs there (the host's /proc) would let a user namespace made in the container mount a new
/// proc without the masked paths. The executor detaches (or covers) every proc and sysfs outside
/// the rootfs before the move (decisions §48).
/// </summary>
public sealed class NoPivotTests : ConformanceTest
{
    public NoPivotTests(ITestOutputHelper output) : base(output) { }

    private Bundle UnshareAndMountProc()
    {
        var b = NewBundle().Args("/bin/busybox", "unshare", "-mrpf", "/bin/busybox", "sh", "-c",
            "/bin/busybox mount -t proc none /proc && echo MOUNTED");
        // mapping uid 0 in the new user namespace needs CAP_SETFCAP (as runc's test adds it)
        foreach (string set in new[] { "bounding", "permitted", "effective" })
            ((JsonArray)b.Process["capabilities"]![set]!).Add("CAP_SETFCAP");
        return b;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)] // the host's proc is locked there: covered, not detached
    public void A_user_namespace_in_the_container_cannot_mount_a_bare_proc(bool noPivot, bool userns)
    {
        var b = UnshareAndMountProc();
        if (userns)
            UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        var r = noPivot ? Rt.Run(b, null, "--no-pivot") : Rt.Run(b);
        Assert.DoesNotContain("MOUNTED", r.Stdout);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("permission denied", r.Stdout + r.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
