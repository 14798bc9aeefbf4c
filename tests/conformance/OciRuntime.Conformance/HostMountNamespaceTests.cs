using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// runtime-spec: a namespace type left out of linux.namespaces is inherited from the runtime.
/// For `mount` (decisions §45) the container's mounts are then made in the runtime's mount
/// namespace, under the rootfs, the root is entered with chroot, and `delete` (or a failed
/// `create`) detaches every mount the container made. runc and crun leave those mounts behind,
/// hence OciRuntimeOnly.
/// </summary>
[Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
public sealed class HostMountNamespaceTests : ConformanceTest
{
    public HostMountNamespaceTests(ITestOutputHelper output) : base(output) { }

    private Bundle NoMountNamespace(params string[] probe)
    {
        var b = NewBundle().Probe(probe);
        b.RemoveNamespace("mount");
        // runc's rule, kept (decisions §45): masking needs a mount namespace of the container's own
        b.Linux.Remove("maskedPaths");
        b.Linux.Remove("readonlyPaths");
        return b;
    }

    private static List<MountEntry> MountsUnder(string dir) => MountInfo.ReadSelf().Under(dir);

    [Fact]
    public void Without_a_mount_namespace_the_container_has_the_runtimes_and_delete_leaves_no_mount()
    {
        var b = NoMountNamespace("sleep", "30");
        File.WriteAllText(b.HostPath("/only-in-the-rootfs"), "x");
        Assert.Empty(MountsUnder(b.Rootfs));
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id).AssertOk("create and start without a mount namespace");
        int pid = Rt.Pid(id);

        // the runtime's mount namespace, and its mounts are in the runtime's mount table
        Assert.Equal(HostState.ReadNsLink(Environment.ProcessId, "mnt"), HostState.ReadNsLink(pid, "mnt"));
        var mounts = MountsUnder(b.Rootfs);
        Scope.Log("under the rootfs:\n" + string.Join("\n", mounts.Select(m => m.Line)));
        Assert.Contains(mounts, m => m.MountPoint == b.Rootfs.TrimEnd('/'));
        Assert.Contains(mounts, m => m.MountPoint == Path.Combine(b.Rootfs, "proc") && m.FsType == "proc");
        Assert.Contains(mounts, m => m.MountPoint == Path.Combine(b.Rootfs, "dev") && m.FsType == "tmpfs");
        // its root is the rootfs (chroot), for the init and for exec
        // (the host reads the init's root as the rootfs' path)
        Assert.Equal(b.Rootfs.TrimEnd('/'), new FileInfo($"/proc/{pid}/root").LinkTarget);
        var inside = Rt.Invoke("exec", id, "/probe", "stat", "/only-in-the-rootfs").AssertOk("exec").Probe;
        Assert.Equal("file", inside.Get("type"));
        Assert.Equal("/", Rt.Invoke("exec", id, "/probe", "cwd").AssertOk("exec cwd").Probe.Get("cwd"));

        Rt.Kill(id, "KILL").AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk("delete");
        Assert.Empty(MountsUnder(b.Rootfs));
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Without_a_mount_namespace_the_runtimes_own_mounts_and_propagation_are_untouched()
    {
        // (mounts under the conformance run's temp dir are other tests', made in parallel)
        string tests = Path.GetDirectoryName(Scope.Dir.TrimEnd('/'))!;
        var before = MountInfo.ReadSelf().Where(m => !m.MountPoint.StartsWith(tests, StringComparison.Ordinal))
            .Select(m => (m.Id, m.MountPoint, string.Join(' ', m.OptionalFields))).ToList();
        var b = NoMountNamespace("ns");
        var p = Rt.Run(b).AssertOk("run without a mount namespace").Probe;
        Assert.Equal(HostState.ReadNsLink(Environment.ProcessId, "mnt"), p.Get("ns.mnt"));
        var after = MountInfo.ReadSelf().Where(m => !m.MountPoint.StartsWith(tests, StringComparison.Ordinal))
            .Select(m => (m.Id, m.MountPoint, string.Join(' ', m.OptionalFields))).ToList();
        Assert.Equal(before, after);
        Assert.Empty(MountsUnder(b.Rootfs));
    }

    /// <summary>Joining the runtime's own mount namespace by path is inheriting it: planned the
    /// same way (chroot, mounts undone by delete), never with a pivot_root that would move the
    /// runtime's own root. (Not run against a build without the guard: that pivot_root would
    /// re-root every process of the test sandbox.)</summary>
    [Fact]
    public void Joining_the_runtimes_own_mount_namespace_by_path_is_inheriting_it()
    {
        string ourRoot = new FileInfo($"/proc/{Environment.ProcessId}/root").LinkTarget!;
        var b = NoMountNamespace("ns");
        b.Namespace("mount", $"/proc/{Environment.ProcessId}/ns/mnt");
        var p = Rt.Run(b).AssertOk("run joining the runtime's own mount namespace").Probe;
        Assert.Equal(HostState.ReadNsLink(Environment.ProcessId, "mnt"), p.Get("ns.mnt"));
        Assert.Equal(ourRoot, new FileInfo($"/proc/{Environment.ProcessId}/root").LinkTarget);
        Assert.Empty(MountsUnder(b.Rootfs));
    }

    [Fact]
    public void A_create_that_fails_after_mounting_leaves_no_mount()
    {
        var b = NoMountNamespace("true");
        // mounted last, after /proc, /dev, ... are there: no such filesystem type
        b.AddMount("/late", "no-such-fs-type", "none");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with a mount that fails").AssertStderrMentions("mounts[");
        Assert.Empty(MountsUnder(b.Rootfs));
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData("maskedPaths")]
    [InlineData("readonlyPaths")]
    [InlineData("rootfsPropagation")]
    [InlineData("user")]
    public void What_needs_a_mount_namespace_of_its_own_is_refused_naming_the_field(string field)
    {
        var b = NoMountNamespace("true");
        switch (field)
        {
            case "maskedPaths": b.Linux["maskedPaths"] = new System.Text.Json.Nodes.JsonArray("/proc/kcore"); break;
            case "readonlyPaths": b.Linux["readonlyPaths"] = new System.Text.Json.Nodes.JsonArray("/proc/sys"); break;
            case "rootfsPropagation": b.Linux["rootfsPropagation"] = "shared"; break;
            case "user":
                b.Namespace("user");
                b.Linux["uidMappings"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 1 });
                b.Linux["gidMappings"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 1 });
                break;
        }
        string id = Rt.NewId();
        Rt.Run(b, id).AssertFailed("run without a mount namespace").AssertStderrMentions(field == "user" ? "linux.namespaces" : "linux." + field);
        Assert.Empty(MountsUnder(b.Rootfs));
        Scope.AssertNothingLeft([id]);
    }
}
