using System.Text;
using Grpc.Core;
using OciRuntime.Cri.Tests.V1;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Cri.Tests;

/// <summary>
/// One pod of a test, as a kubelet would drive it: the sandbox config (kept, since CreateContainer
/// sends it again), its containers, and a Dispose that stops and removes whatever is left (when a
/// test failed half-way) and removes the pod's cgroup directories, as the kubelet does.
/// </summary>
public sealed class Pod : IDisposable
{
    private readonly Cri _cri;
    private readonly ITestOutputHelper _log;
    private readonly List<string> _containers = [];

    public string Handler { get; }
    public PodSandboxConfig Config { get; }
    public string Id { get; private set; } = "";
    public string Uid { get; } = Guid.NewGuid().ToString("N")[..12];
    /// <summary>The pod's cgroup as the kubelet sends it: cgroupfs syntax (each container's is
    /// this/ID), or with the systemd driver the pod's slice, kubepods-besteffort-pod&lt;uid&gt;.slice
    /// (each container a scope cri-containerd-ID.scope in it).</summary>
    public string CgroupParent => Env.SystemdDriver ? $"{Env.CgroupParent}-pod{Uid}.slice" : $"{Env.CgroupParent}/pod{Uid}";
    public string LogDir => Path.Combine(Env.Tmp, "pods", Uid);

    public Pod(Cri cri, ITestOutputHelper log, string handler, string name, NamespaceMode network, bool privileged = false)
    {
        _cri = cri;
        _log = log;
        Handler = handler;
        Directory.CreateDirectory(LogDir);
        Config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Uid = Uid, Namespace = "cri-tests", Attempt = 0 },
            Hostname = network == NamespaceMode.Node ? "" : name,
            LogDirectory = LogDir,
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = CgroupParent,
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption { Network = network, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Pod },
                    Privileged = privileged,
                    Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault },
                },
            },
        };
        Config.Labels["test"] = name;
    }

    public RuntimeService.RuntimeServiceClient Rt => _cri.Runtime;

    public string Run()
    {
        Id = Rt.RunPodSandbox(new RunPodSandboxRequest { Config = Config, RuntimeHandler = Handler }, Cri.Deadline(120)).PodSandboxId;
        Assert.False(string.IsNullOrEmpty(Id), "RunPodSandbox returned no id");
        _log.WriteLine($"pod {Config.Metadata.Name} ({Handler}): {Id}");
        return Id;
    }

    public PodSandboxStatusResponse Status(bool verbose = false) =>
        Rt.PodSandboxStatus(new PodSandboxStatusRequest { PodSandboxId = Id, Verbose = verbose }, Cri.Deadline());

    /// <summary>A busybox container of this pod running <paramref name="script"/> with sh.</summary>
    public ContainerConfig Container(string name, string script)
    {
        var c = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = Env.BusyboxImage },
            LogPath = name + ".log",
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources(),
                SecurityContext = new LinuxContainerSecurityContext
                {
                    NamespaceOptions = Config.Linux.SecurityContext.NamespaceOptions.Clone(),
                },
            },
        };
        c.Command.Add("/bin/sh");
        c.Args.Add("-c");
        c.Args.Add(script);
        return c;
    }

    public string Create(ContainerConfig c)
    {
        string id = Rt.CreateContainer(new CreateContainerRequest { PodSandboxId = Id, Config = c, SandboxConfig = Config }, Cri.Deadline(120)).ContainerId;
        Assert.False(string.IsNullOrEmpty(id), "CreateContainer returned no id");
        _containers.Add(id);
        _log.WriteLine($"  container {c.Metadata.Name}: {id}");
        return id;
    }

    /// <summary>CreateContainer, StartContainer, and the container is running.</summary>
    public string Start(ContainerConfig c)
    {
        string id = Create(c);
        Assert.Equal(ContainerState.ContainerCreated, ContainerStatus(id).State);
        Rt.StartContainer(new StartContainerRequest { ContainerId = id }, Cri.Deadline(120));
        Assert.Equal(ContainerState.ContainerRunning, ContainerStatus(id).State);
        return id;
    }

    public ContainerStatus ContainerStatus(string id) =>
        Rt.ContainerStatus(new ContainerStatusRequest { ContainerId = id }, Cri.Deadline()).Status;

    public int ContainerPid(string id) =>
        Host.PidFromInfo(Rt.ContainerStatus(new ContainerStatusRequest { ContainerId = id, Verbose = true }, Cri.Deadline()).Info);

    public int SandboxPid() => Host.PidFromInfo(Status(verbose: true).Info);

    /// <summary>ExecSync: stdout, stderr, exit code.</summary>
    public (string Out, string Err, int Exit) Exec(string id, string script, long timeout = 0)
    {
        var req = new ExecSyncRequest { ContainerId = id, Timeout = timeout };
        req.Cmd.Add("/bin/sh");
        req.Cmd.Add("-c");
        req.Cmd.Add(script);
        var r = Rt.ExecSync(req, Cri.Deadline(60));
        return (Encoding.UTF8.GetString(r.Stdout.Span), Encoding.UTF8.GetString(r.Stderr.Span), r.ExitCode);
    }

    /// <summary>ExecSync that must succeed: its stdout, trimmed.</summary>
    public string ExecOk(string id, string script)
    {
        var (o, e, x) = Exec(id, script);
        Assert.True(x == 0, $"`{script}` in {id} exited {x}: {o}{e}");
        return o.Trim();
    }

    /// <summary>The runtime's state directory for a container of this pod.</summary>
    public static string StateDir(string id) => Path.Combine(Host.RuntimeRoot, id);

    /// <summary>Which runtime made the container: ociruntime's state.json records the init's start
    /// time under "initStartTime", runc's under "init_process_start".</summary>
    public void AssertMadeByHandler(string id)
    {
        string state = File.ReadAllText(Path.Combine(StateDir(id), "state.json"));
        if (Handler == "ociruntime")
            Assert.Contains("\"initStartTime\"", state);
        else
            Assert.Contains("\"init_process_start\"", state);
    }

    /// <summary>After RemovePodSandbox: no trace of the pod or its containers anywhere.</summary>
    public void AssertNothingLeft(IEnumerable<string> containerIds)
    {
        var ids = containerIds.Append(Id).ToList();
        Assert.DoesNotContain(Rt.ListPodSandbox(new ListPodSandboxRequest(), Cri.Deadline()).Items, p => p.Id == Id);
        Assert.Empty(Rt.ListContainers(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = Id } }, Cri.Deadline()).Containers);
        foreach (string id in ids)
        {
            Assert.False(Directory.Exists(StateDir(id)), $"runtime state {StateDir(id)} left behind");
            Assert.True(Host.WaitUntil(() => Host.MountsMentioning(id).Count == 0, 10),
                $"mounts left behind: {string.Join('\n', Host.MountsMentioning(id))}");
            Assert.True(Host.WaitUntil(() => Host.ProcessesMentioning(id).Count == 0, 10),
                $"processes left behind: {string.Join('\n', Host.ProcessesMentioning(id))}");
        }
        foreach (string h in Host.Hierarchies())
        {
            string dir = h + CgroupParent;
            if (Directory.Exists(dir))
                Assert.Empty(Directory.GetDirectories(dir));
        }
    }

    /// <summary>Stops and removes the containers and the pod (idempotent calls, as the kubelet
    /// makes them), then the pod's cgroup directories.</summary>
    public void Dispose()
    {
        try
        {
            if (Id.Length > 0)
            {
                foreach (string c in _containers)
                    Try(() => Rt.RemoveContainer(new RemoveContainerRequest { ContainerId = c }, Cri.Deadline()));
                Try(() => Rt.StopPodSandbox(new StopPodSandboxRequest { PodSandboxId = Id }, Cri.Deadline()));
                Try(() => Rt.RemovePodSandbox(new RemovePodSandboxRequest { PodSandboxId = Id }, Cri.Deadline()));
            }
        }
        finally
        {
            // the kubelet's systemd driver stops the pod's slice once the pod is gone
            if (Env.SystemdDriver)
                Try(() => Systemd.Run("stop", CgroupParent));
            foreach (string h in Host.Hierarchies())
            {
                string dir = h + CgroupParent;
                if (Directory.Exists(dir))
                    Try(() => Directory.Delete(dir));
            }
        }
    }

    private void Try(Action a)
    {
        try
        {
            a();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // removed by the test already
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException)
        {
            _log.WriteLine($"cleanup: {e.Message}");
        }
    }
}
