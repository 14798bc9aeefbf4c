using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Id-mapped bind mounts (mounts[].uidMappings/gidMappings, options "idmap"/"ridmap"): the owners
/// the container sees through the mount (the static probe's lstat, from inside) against the host's,
/// and the host owner of a file the container writes through it.
/// </summary>
public sealed class IdmappedMountTests : ConformanceTest
{
    public IdmappedMountTests(ITestOutputHelper output) : base(output) { }

    private const uint Overflow = 65534; // /proc/sys/kernel/overflowuid: an id the mount does not map

    private static JsonArray Map(uint containerId, uint hostId, uint size) =>
        new(new JsonObject { ["containerID"] = containerId, ["hostID"] = hostId, ["size"] = size });

    private static void SetMaps(Bundle b, JsonArray uid, JsonArray gid)
    {
        var m = b.Mounts[^1]!.AsObject();
        m["uidMappings"] = uid;
        m["gidMappings"] = gid;
    }

    private static void Chown(string path, uint uid, uint gid)
    {
        using var p = Process.Start("chown", [$"{uid}:{gid}", path])!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>A host directory with "u1000" owned by 1000:1000 and "root" owned by 0:0.</summary>
    private string SourceDir(string name, string mode = "755")
    {
        string dir = Scope.NewDir(name);
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32(mode, 8));
        File.WriteAllText(Path.Combine(dir, "u1000"), "x");
        Chown(Path.Combine(dir, "u1000"), 1000, 1000);
        File.WriteAllText(Path.Combine(dir, "root"), "x");
        return dir;
    }

    /// <summary>"uid gid" of each path, as the probe inside the container sees it, in order.</summary>
    private static string[] Owners(RuntimeResult r)
    {
        var p = r.Probe;
        return p.All("uid").Zip(p.All("gid"), (u, g) => $"{u} {g}").ToArray();
    }

    private static string StatAll(params string[] paths) => string.Join("; ", paths.Select(x => $"/probe stat {x}"));

    [Fact]
    public void Own_maps_without_a_user_namespace_change_the_owners_seen_and_written()
    {
        // containerID is the id on disk, hostID the id seen through the mount: 1000 on disk is 0
        // (the container's root) through it, and what that root creates is 1000 on disk.
        // The kernel refuses writes into a directory whose owner the mount does not map (EACCES),
        // so the directory is on-disk 1000 as well.
        string src = SourceDir("src");
        Chown(src, 1000, 1000);
        var b = NewBundle().Args("sh", "-c", StatAll("/mnt/u1000", "/mnt/root") + "; /probe write /mnt/new");
        b.AddMount("/mnt", "bind", src, "rbind", "rw");
        SetMaps(b, Map(1000, 0, 1), Map(1000, 0, 1));
        var r = Rt.Run(b).AssertOk();
        Assert.Equal(["0 0", $"{Overflow} {Overflow}"], Owners(r));
        Assert.Equal("ok", r.Probe.Get("result"));
        Assert.Equal((1000u, 1000u), HostState.Owner(Path.Combine(src, "new")));
        Assert.Equal((1000u, 1000u), HostState.Owner(Path.Combine(src, "u1000"))); // the disk is unchanged
    }

    [Fact]
    public void Idmap_uses_the_container_user_namespace_maps_and_ridmap_maps_submounts_too()
    {
        string src = SourceDir("src");
        string sub = Path.Combine(src, "sub");
        Directory.CreateDirectory(sub);
        Scope.HostMount("tmpfs", sub, "tmpfs", 0, "size=1m,mode=755");
        File.WriteAllText(Path.Combine(sub, "g"), "x");
        Chown(Path.Combine(sub, "g"), 1000, 1000);

        // /mnt: "idmap" (the top mount only), /home: "ridmap" (the tmpfs below it too); both take
        // the container's maps (0 -> 100000, 65536 ids), so on-disk ids show unchanged inside.
        var b = NewBundle().Args("sh", "-c",
            StatAll("/mnt/u1000", "/mnt/root", "/mnt/sub/g", "/home/u1000", "/home/sub/g") + "; /probe write /mnt/new");
        UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        b.AddMount("/mnt", "bind", src, "rbind", "idmap");
        b.AddMount("/home", "bind", src, "rbind", "ridmap");
        var r = Rt.Run(b).AssertOk();
        Assert.Equal(["1000 1000", "0 0", $"{Overflow} {Overflow}", "1000 1000", "1000 1000"], Owners(r));
        // The container's root (host 100000) writes through the mount as on-disk 0.
        Assert.Equal("ok", r.Probe.Get("result"));
        Assert.Equal((0u, 0u), HostState.Owner(Path.Combine(src, "new")));
    }

    [Fact]
    public void Own_maps_in_a_user_namespace_apply_instead_of_the_container_maps()
    {
        // On-disk 1000 -> host 100000 = the container's root; on-disk 0 is not mapped by the mount.
        string src = SourceDir("src");
        var b = NewBundle().Args("sh", "-c", StatAll("/mnt/u1000", "/mnt/root"));
        UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        b.AddMount("/mnt", "bind", src, "bind", "ro", "idmap");
        SetMaps(b, Map(1000, UserNamespaceTests.HostBase, 1), Map(1000, UserNamespaceTests.HostBase, 1));
        var r = Rt.Run(b).AssertOk();
        Assert.Equal(["0 0", $"{Overflow} {Overflow}"], Owners(r));
    }

    [Fact]
    public void A_mount_below_an_id_mapped_mount_of_a_shared_source_does_not_reach_the_host()
    {
        // The source is shared with the host here: the clone must not stay in the host's peer
        // group, or the tmpfs the runtime mounts below it (the next config mount) would appear on
        // the host too.
        string src = SourceDir("src");
        string sub = Path.Combine(src, "sub");
        Directory.CreateDirectory(sub);
        Scope.HostMount(src, src, null, Native.MS_BIND);
        Native.Mount("", src, null, Native.MS_SHARED);
        var b = NewBundle().Probe("mountinfo");
        b.AddMount("/mnt", "bind", src, "rbind");
        SetMaps(b, Map(0, 0, 65536), Map(0, 0, 65536));
        b.AddMount("/mnt/sub", "tmpfs", "tmpfs", "size=1m");
        var r = Rt.Run(b).AssertOk();
        Assert.Contains("/mnt/sub", r.Stdout);
        Assert.DoesNotContain($" {sub} ", File.ReadAllText("/proc/self/mountinfo"));
    }

    [Fact]
    public void In_a_user_namespace_the_submounts_of_an_id_mapped_rbind_stay_locked()
    {
        // The clone is taken from the container's copy of the source (decisions §53), whose
        // submounts the kernel locked when the user namespace's mount namespace was made: the
        // container's root cannot unmount one to see what it covers. A clone taken in the
        // runtime's mount namespace (before) had no locks, and the umount worked.
        string src = SourceDir("src");
        string sub = Path.Combine(src, "sub");
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Combine(sub, "covered"), "x");
        Scope.HostMount("tmpfs", sub, "tmpfs", 0, "size=1m");
        var b = NewBundle().Args("sh", "-c", "/bin/busybox umount /mnt/sub; /bin/busybox ls /mnt/sub; echo done");
        foreach (string set in new[] { "bounding", "permitted", "effective" })
            ((JsonArray)b.Process["capabilities"]![set]!).Add("CAP_SYS_ADMIN");
        UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        b.AddMount("/mnt", "bind", src, "rbind", "idmap");
        var r = Rt.Run(b);
        Assert.Contains("done", r.Stdout);
        Assert.DoesNotContain("covered", r.Stdout);
        Assert.Contains("Invalid argument", r.Stdout + r.Stderr); // EINVAL: a locked mount
    }

    [Fact]
    public void A_read_only_id_mapped_mount_stays_read_only()
    {
        string src = SourceDir("src", "777");
        var b = NewBundle().Probe("write", "/mnt/new");
        b.AddMount("/mnt", "bind", src, "rbind", "ro");
        SetMaps(b, Map(0, 0, 65536), Map(0, 0, 65536));
        Assert.Equal("EROFS", Rt.Run(b).Probe.Get("error"));
        Assert.False(File.Exists(Path.Combine(src, "new")));
    }

    /// <summary>Expected messages name the bundle's last mount as mounts[#] (the default spec has others before it).</summary>
    private void CreateFails(Bundle b, string stderrMentions)
    {
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with a bad id-mapped mount")
            .AssertStderrMentions(stderrMentions.Replace("mounts[#]", $"mounts[{b.Mounts.Count - 1}]"));
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    [Trait("runtime", "ociruntime-only")]
    public void Bad_maps_are_refused_naming_the_field_and_leave_nothing()
    {
        string src = SourceDir("src");
        var overlap = NewBundle().Probe("id");
        overlap.AddMount("/mnt", "bind", src, "rbind");
        SetMaps(overlap, new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 1000, ["size"] = 10 },
            new JsonObject { ["containerID"] = 5, ["hostID"] = 5000, ["size"] = 1 }), Map(0, 1000, 10));
        CreateFails(overlap, "mounts[#].uidMappings[1]: containerID range overlaps");

        var onlyUid = NewBundle().Probe("id");
        onlyUid.AddMount("/mnt", "bind", src, "rbind");
        onlyUid.Mounts[^1]!["uidMappings"] = Map(0, 1000, 10);
        CreateFails(onlyUid, "mounts[#].gidMappings: required with mounts[#].uidMappings");

        var range = NewBundle().Probe("id");
        range.AddMount("/mnt", "bind", src, "rbind");
        SetMaps(range, Map(0, 4294967290, 10), Map(0, 1000, 10));
        CreateFails(range, "mounts[#].uidMappings[0]: hostID 4294967290 + size 10 goes beyond");

        var noUserns = NewBundle().Probe("id");
        noUserns.AddMount("/mnt", "bind", src, "rbind", "idmap");
        CreateFails(noUserns, "mounts[#].options[1]: \"idmap\" without");

        var notBind = NewBundle().Probe("id");
        notBind.AddMount("/mnt", "tmpfs", "tmpfs", "ridmap");
        CreateFails(notBind, "mounts[#].options[0]: id-mapped mounts are bind mounts only");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("runtime", "ociruntime-only")]
    public void A_filesystem_without_id_mapped_mounts_fails_naming_the_mount_and_leaves_nothing(bool userns)
    {
        // sysfs does not support id-mapped mounts: the kernel says EINVAL at mount_setattr, while
        // the helper user namespace already exists; it must be gone, like everything else. With a
        // user namespace the host makes the clone (decisions §53) and reports it the same way.
        var b = NewBundle().Probe("id");
        if (userns)
            UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        b.AddMount("/mnt", "bind", "/sys/kernel", "rbind");
        SetMaps(b, Map(0, 0, 65536), Map(0, 0, 65536));
        CreateFails(b, "mounts[#]: mount_setattr idmap: Invalid argument");
    }

    [Fact]
    public void Features_report_idmap_enabled()
    {
        var f = JsonNode.Parse(Rt.Invoke("features").AssertOk().Stdout)!;
        Assert.True((bool?)f["linux"]?["mountExtensions"]?["idmap"]?["enabled"]);
        Assert.Contains("ridmap", f["mountOptions"]!.AsArray().Select(o => (string?)o));
    }
}
