using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// runtime-spec v1.3.0 MUSTs that the OCI runtime-tools suite checks (issue 16): namespaces of
/// every type joined by path from a process that is not a container (a mount namespace included,
/// where the root filesystem is then set up), a hostname set in a joined UTS namespace (as runc),
/// an unbindable root propagation, `start` of a container whose config has no process, and
/// `start` returning only once the program runs.
/// </summary>
public sealed class SpecMustTests : ConformanceTest
{
    public SpecMustTests(ITestOutputHelper output) : base(output) { }

    /// <summary>unshare(1) with these options, then `sleep 60`, killed (with its tree) at the end.</summary>
    private sealed class Holder : IDisposable
    {
        private readonly Process _p;
        public Holder(params string[] unshareArgs)
        {
            var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in unshareArgs)
                psi.ArgumentList.Add(a);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add("sleep");
            psi.ArgumentList.Add("60");
            _p = Process.Start(psi)!;
        }

        public int Pid => _p.Id;

        /// <summary>The namespace link once unshare has made it (it differs from ours).</summary>
        public string Ns(string file, string ours)
        {
            for (int i = 0; i < 300; i++)
            {
                if (HostState.ReadNsLink(Pid, file) is { } l && l != ours)
                    return l;
                Thread.Sleep(10);
            }
            throw new Xunit.Sdk.XunitException($"unshare {Pid} made no {file} namespace");
        }

        public void Dispose()
        {
            try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _p.WaitForExit();
            _p.Dispose();
        }
    }

    [Theory]
    [InlineData("mount", "mnt", "--mount")]
    [InlineData("uts", "uts", "--uts")]
    [InlineData("ipc", "ipc", "--ipc")]
    [InlineData("network", "net", "--net")]
    [InlineData("cgroup", "cgroup", "--cgroup")]
    [InlineData("pid", "pid", "--pid", "--fork")]
    [InlineData("time", "time", "--time", "--fork")]
    public void A_namespace_joined_by_path_is_the_containers(string type, string link, params string[] unshare)
    {
        // pid and time namespaces hold unshare's children, not unshare: join what its children get
        string file = type is "pid" or "time" ? link + "_for_children" : link;
        using var holder = new Holder(unshare);
        string target = holder.Ns(file, HostState.ReadNsLink(Environment.ProcessId, link)!);

        var b = NewBundle().Probe("ns");
        b.Namespace(type, $"/proc/{holder.Pid}/ns/{file}");
        if (type == "uts")
            b.Config["hostname"] = "joined-uts";
        var p = Rt.Run(b).AssertOk("run joining " + type).Probe;
        Assert.Equal(target, p.Get("ns." + link));
    }

    [Fact]
    public void A_hostname_is_set_in_a_joined_uts_namespace()
    {
        using var holder = new Holder("--uts");
        holder.Ns("uts", HostState.ReadNsLink(Environment.ProcessId, "uts")!);
        var b = NewBundle().Probe("hostname");
        b.Namespace("uts", $"/proc/{holder.Pid}/ns/uts");
        b.Config["hostname"] = "joined-uts";
        Assert.Equal("joined-uts", Rt.Run(b).AssertOk().Probe.Get("hostname"));
        // the namespace's own process sees it too
        var nsenter = Process.Start(new ProcessStartInfo("nsenter", $"-u -t {holder.Pid} hostname") { RedirectStandardOutput = true })!;
        string seen = nsenter.StandardOutput.ReadToEnd().Trim();
        nsenter.WaitForExit();
        Assert.Equal("joined-uts", seen);
    }

    [Fact]
    public void An_unbindable_root_propagation_is_applied_to_the_containers_root()
    {
        var b = NewBundle().Probe("mount", "/");
        b.Linux["rootfsPropagation"] = "unbindable";
        var p = Rt.Run(b).AssertOk("run with rootfsPropagation unbindable").Probe;
        Assert.Contains("unbindable", p.Get("propagation"));
    }

    [Fact]
    public void Start_fails_when_the_config_has_no_process_and_the_container_stops()
    {
        var b = NewBundle();
        b.Config.Remove("process");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk("create without a process");
        Assert.Equal("created", (string?)Rt.StateJson(id)["status"]);
        Rt.StartContainer(id).AssertFailed("start without a process").AssertStderrMentions("process");
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk("delete");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Run_refuses_a_config_without_a_process()
    {
        var b = NewBundle();
        b.Config.Remove("process");
        string id = Rt.NewId();
        Rt.Run(b, id).AssertFailed("run without a process").AssertStderrMentions("process");
        Scope.AssertNothingLeft([id]);
    }

    /// <summary>A signal sent right after `start` must reach the program: `start` returns once
    /// the init has exec'd it (before, the executor, pid 1 without handlers, could still be there
    /// and drop it; runtime-tools killsig failed now and then).</summary>
    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Start_returns_once_the_program_runs()
    {
        for (int i = 0; i < 5; i++)
        {
            var b = NewBundle().Probe("sleep", "30");
            string id = Rt.NewId();
            Rt.Create(b, id).AssertOk("create");
            int pid = Rt.Pid(id);
            Rt.StartContainer(id).AssertOk("start");
            string exe = new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "";
            Assert.EndsWith("/probe", exe);
            Rt.Delete(id, force: true).AssertOk("delete --force");
        }
    }

    [Theory]
    [InlineData("c", 1, 5, true)]   // the node there is c 1:5: the same device
    [InlineData("c", 1, 3, false)]  // another device number
    [InlineData("b", 1, 5, false)]  // another type
    public void An_existing_file_at_a_device_path_must_be_that_device(string type, int major, int minor, bool same)
    {
        var b = NewBundle().Probe("id");
        var mknod = Process.Start("mknod", [b.HostPath("/etc/node"), "c", "1", "5"])!;
        mknod.WaitForExit();
        Assert.Equal(0, mknod.ExitCode);
        b.Linux["devices"] = new JsonArray(new JsonObject
        {
            ["path"] = "/etc/node", ["type"] = type, ["major"] = major, ["minor"] = minor, ["fileMode"] = 438,
        });
        string id = Rt.NewId();
        var r = Rt.Run(b, id);
        if (same)
            r.AssertOk("a device that is already there");
        else
            r.AssertFailed("a different file at a device's path").AssertStderrMentions("linux.devices[0]");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void An_annotation_with_an_empty_key_is_refused()
    {
        var b = NewBundle().Probe("id");
        b.Config["annotations"] = new JsonObject { [""] = "x" };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("an empty annotation key").AssertStderrMentions("annotations");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Listener_metadata_without_a_listener_path_is_refused()
    {
        var b = NewBundle().Probe("id");
        b.Linux["seccomp"] = new JsonObject { ["defaultAction"] = "SCMP_ACT_ALLOW", ["listenerMetadata"] = "m" };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("listenerMetadata without listenerPath").AssertStderrMentions("listenerMetadata");
        Scope.AssertNothingLeft([id]);
    }

    /// <summary>linux.intelRdt is not applied (issue 16 item 6: a clear refusal where it cannot be):
    /// create fails naming the field and leaves nothing behind, whether or not the host has resctrl.</summary>
    [Fact]
    public void Intel_rdt_is_refused_naming_the_field()
    {
        var b = NewBundle().Probe("id");
        b.Linux["intelRdt"] = new JsonObject { ["closID"] = "ocitest", ["l3CacheSchema"] = "L3:0=ff" };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("linux.intelRdt").AssertStderrMentions("linux.intelRdt");
        Scope.AssertNothingLeft([id]);
    }
}
