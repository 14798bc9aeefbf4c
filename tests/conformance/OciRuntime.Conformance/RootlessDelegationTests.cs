using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Rootless with a delegated cgroup, on whichever cgroup mode the host has (also run in the cgroup
/// v2 guest, tests/vm, whose read-only /etc admits no useradd): the runtime runs as a uid that has
/// no account (single-id maps need none), and the test delegates a cgroup to it as a login manager
/// would. v1: the memory hierarchy's directory is the user's. v2: a subtree whose directories and
/// cgroup.procs/subtree_control are the user's, with the runtime itself started inside it (moving a
/// process needs write access to cgroup.procs of the common ancestor of both cgroups).
/// </summary>
public sealed class RootlessDelegationTests : ConformanceTest
{
    public RootlessDelegationTests(ITestOutputHelper output) : base(output) { }

    internal static bool HostIsCgroupV2 => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    /// <summary>What <see cref="Delegate"/> set up: a uid without an account, its home (also its
    /// XDG_RUNTIME_DIR), the delegated cgroup (its name under the hierarchy's root), and a bundle
    /// holding that uid's `spec --rootless`.</summary>
    internal sealed record Delegation(uint Uid, string Home, string Name, string Delegated, Bundle Bundle, JsonObject Config)
    {
        public static readonly InvokeOptions AsUser = new() { NoGlobalArgs = true };

        public void Save() => File.WriteAllText(Bundle.ConfigPath, Config.ToJsonString());
    }

    /// <summary>
    /// Delegates a cgroup to a fresh uid as a login manager would (v1: the memory hierarchy's
    /// directory; v2: a subtree with memory and pids, the runtime started inside it), makes
    /// <paramref name="rt"/> run the runtime as that uid, and writes its `spec --rootless` bundle
    /// (no terminal, the scope's tag in the environment, cgroupsPath /NAME/ctr).
    /// </summary>
    internal static Delegation Delegate(TestScope scope, Runtime rt)
    {
        uint uid = 2_000_000_000u + (uint)Random.Shared.Next(1_000_000);
        string home = scope.NewDir("home");
        Chown(home, uid);
        File.SetUnixFileMode(home, (UnixFileMode)Convert.ToInt32("700", 8));
        RootlessUser.OpenParents(home);

        string name = rt.NewId() + "deleg";
        string delegated, moveInto = "";
        if (HostIsCgroupV2)
        {
            delegated = Path.Combine("/sys/fs/cgroup", name);
            TryWrite("/sys/fs/cgroup/cgroup.subtree_control", "+memory +pids");
            Directory.CreateDirectory(delegated);
            scope.OnCleanup("rmdir " + delegated, () => RemoveTree(delegated));
            File.WriteAllText(Path.Combine(delegated, "cgroup.subtree_control"), "+memory +pids");
            string runtimeCgroup = Path.Combine(delegated, "runtime");
            Directory.CreateDirectory(runtimeCgroup);
            foreach (var p in new[] { delegated, runtimeCgroup })
                foreach (var f in new[] { "", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads" })
                    Chown(Path.Combine(p, f), uid);
            moveInto = Path.Combine(runtimeCgroup, "cgroup.procs");
        }
        else
        {
            delegated = Path.Combine("/sys/fs/cgroup/memory", name);
            Directory.CreateDirectory(delegated);
            scope.OnCleanup("rmdir " + delegated, () => RemoveTree(delegated));
            foreach (var f in new[] { "", "cgroup.procs", "tasks" })
                Chown(Path.Combine(delegated, f), uid);
        }

        string wrapper = Path.Combine(scope.Dir, "as-uid.sh");
        File.WriteAllText(wrapper,
            "#!/bin/sh\n" +
            (moveInto.Length > 0 ? $"echo $$ > '{moveInto}' || exit 99\n" : "") +
            $"export XDG_RUNTIME_DIR='{home}' HOME='{home}'\n" +
            $"exec /usr/bin/setpriv --reuid={uid} --regid={uid} --clear-groups -- '{TestEnv.RuntimeBinary}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)Convert.ToInt32("755", 8));
        rt.Binary = wrapper;

        var b = scope.NewBundle();
        RootlessUser.OpenParents(b.Rootfs);
        Chown(b.Dir, uid);
        rt.Invoke(Delegation.AsUser, "spec", "--rootless", "--bundle", b.Dir).AssertOk("spec --rootless as the uid");
        var config = JsonNode.Parse(File.ReadAllText(b.ConfigPath))!.AsObject();
        config["process"]!["terminal"] = false;
        config["process"]!["env"]!.AsArray().Add($"{HostState.TagVariable}={scope.Tag}");
        config["linux"]!["cgroupsPath"] = "/" + name + "/ctr";
        return new Delegation(uid, home, name, delegated, b, config);
    }

    [Fact]
    public void A_delegated_cgroup_is_used_with_its_limits_and_removed_with_the_container()
    {
        var d = Delegate(Scope, Rt);
        string limitFile = HostIsCgroupV2 ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes";
        d.Config["process"]!["args"] = new JsonArray("/probe", "cat", limitFile);
        d.Config["linux"]!["resources"] = new JsonObject { ["memory"] = new JsonObject { ["limit"] = 64L << 20 } };
        d.Save();

        string id = Rt.NewId();
        Scope.OnCleanup("delete --force " + id, () => Rt.Invoke(Delegation.AsUser, "delete", "--force", id));
        var r = Rt.Invoke(Delegation.AsUser, "run", "--bundle", d.Bundle.Dir, id).AssertOk("rootless run in a delegated cgroup");
        Assert.Contains((64L << 20).ToString(), r.Stdout);
        Assert.False(Directory.Exists(Path.Combine(d.Delegated, "ctr")), "the container's cgroup is removed with it");
        Assert.False(Directory.Exists(Path.Combine(d.Home, "ociruntime", id)), "state left under $XDG_RUNTIME_DIR/ociruntime");
        Scope.AssertNothingLeft([id]);
    }

    private static void Chown(string path, uint uid)
    {
        if (chown(path.TrimEnd('/'), uid, uid) != 0)
            throw new IOException($"chown {path}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    private static void TryWrite(string file, string text)
    {
        try { File.WriteAllText(file, text); }
        catch (IOException) { }
    }

    /// <summary>Deepest first; the cgroups must be empty by now.</summary>
    private static void RemoveTree(string dir)
    {
        if (!Directory.Exists(dir))
            return;
        foreach (var sub in Directory.GetDirectories(dir))
            RemoveTree(sub);
        Directory.Delete(dir);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, uint owner, uint group);
}
