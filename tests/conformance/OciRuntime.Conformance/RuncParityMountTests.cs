using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Behaviours runc's own integration tests check (its mounts.bats and cpu_affinity.bats, issue 21):
/// mount order when a bind's source or destination is a host path inside the rootfs, mount
/// targets through a symlink that points to nothing yet, a read-only /dev with mounts under it,
/// and a container that does not inherit the caller's CPU affinity.
/// </summary>
public sealed class RuncParityMountTests : ConformanceTest
{
    public RuncParityMountTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Binds_from_and_onto_host_paths_inside_the_rootfs_see_the_earlier_mounts_in_order()
    {
        // runc's test_mount_order: a tree of binds under /mnt (two of them through symlinked
        // sources), then binds whose source AND destination are written as host paths inside the
        // rootfs: the destination is that place in the container, the source is looked up when its
        // turn comes, so it shows the mounts made before it.
        var b = NewBundle().Args("/bin/cat", "/final/x/y/z/z/x/y/z/x/file");
        string src = Scope.NewDir("bind-src");
        foreach (var sub in new[] { "a/x", "b/y", "c/z" })
        {
            Directory.CreateDirectory(Path.Combine(src, sub));
            File.WriteAllText(Path.Combine(src, sub, "file"), sub + "\n");
            string top = sub[..1];
            File.CreateSymbolicLink(Path.Combine(src, "sym-" + top), top);
        }
        Directory.CreateDirectory(b.HostPath("/mnt"));
        Directory.CreateDirectory(b.HostPath("/final"));
        string root = b.Rootfs;
        b.AddMount("/mnt", "bind", Path.Combine(src, "a"), "bind", "rprivate");
        b.AddMount("/mnt/x", "bind", Path.Combine(src, "sym-b"), "bind", "rprivate");
        b.AddMount("/mnt/x/y", "bind", Path.Combine(src, "c"), "bind", "rprivate");
        b.AddMount("/mnt/x/y/z", "bind", Path.Combine(src, "sym-a"), "bind", "rprivate");
        b.AddMount(root + "/mnt/x/y/z/x", "bind", root + "/mnt/x", "rbind", "rprivate");
        b.AddMount(root + "/mnt/x/y/z", "bind", root + "/mnt/x/y", "rbind", "rprivate");
        b.AddMount(root + "/final", "bind", root + "/mnt", "rbind", "rprivate");
        Assert.Equal("a/x", Rt.Run(b).AssertOk().Stdout.Trim());
        // Nothing was made below the rootfs under the host path's name.
        Assert.False(Directory.Exists(Path.Combine(root, root.TrimStart('/'))));
    }
}
