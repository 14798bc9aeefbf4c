using OciRuntime.Cgroups;
using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Rootless;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;

namespace OciRuntime.Lifecycle;

/// <param name="ConsoleFd">a console socket already connected (`run` attached to the caller's
/// terminal), used instead of <paramref name="ConsoleSocket"/>; -1: none</param>
/// <param name="SystemdCgroup">--systemd-cgroup: linux.cgroupsPath is "slice:prefix:name"</param>
/// <param name="NoCgroup">--cgroup-manager=disabled: the container stays in the runtime's cgroup</param>
/// <param name="Rootless">who runs the runtime (null: the host's root, cgroups as usual)</param>
/// <param name="StartedByCaller">the caller starts the container itself (`run`): no exec fifo;
/// the init waits for `start` on the sync socket, which the returned LaunchedInit holds</param>
internal sealed record CreateOptions(string Id, string Bundle, string? PidFile, bool NoPivot, int PreserveFds,
    string? ConsoleSocket = null, int ConsoleFd = -1, bool SystemdCgroup = false, Rootless.RootlessMode? Rootless = null,
    bool StartedByCaller = false, string? PidfdSocket = null, bool NoCgroup = false);

/// <summary>
/// `create`: config → plan → init waiting on the exec fifo → state.json. Anything that fails
/// leaves nothing: the init is killed and the state directory removed.
/// </summary>
internal static class ContainerCreator
{
    /// <param name="parsedConfig">the bundle's config.json when the caller already parsed it
    /// (`run`, which needs process.terminal first); validated here like one read here</param>
    public static (Container Container, LaunchedInit Init) Create(StateStore store, CreateOptions o, Spec.Spec? parsedConfig = null)
    {
        StateStore.ValidateId(o.Id);
        string bundle = Path.GetFullPath(o.Bundle);
        if (!Directory.Exists(bundle))
            throw new RuntimeError($"bundle {bundle}: no such directory");
        var parsed = parsedConfig ?? ParseConfig(bundle);
        // A config without a process can be created, not run: `start` then fails (runtime-spec).
        var config = Validated(parsed, processOptional: !o.StartedByCaller);
        JoinOfOwnMountNamespaceIsInherit(config);
        string? fifo = o.StartedByCaller ? null : store.FifoOf(o.Id);
        int listenFds = InheritedFds.ListenFdsOfThisProcess();
        // The early executor makes the plan's first namespaces while this process reads the host
        // and plans; the plan goes on from the start planned for it.
        var start = EarlyExecutor.Prepare(config, bundle, fifo, listenFds + o.PreserveFds);
        string rootfs = Path.GetFullPath(Path.Combine(bundle, config.Root!.Path!));
        if (!Directory.Exists(rootfs))
            throw new RuntimeError($"root.path: {rootfs}: no such directory");

        if (listenFds > 0 && config.Process is not null)
            config.Process.Env = InheritedFds.WithListenEnv(config.Process.Env, listenFds);

        string mountinfo = SysFile.Read("/proc/self/mountinfo"); // host facts and the rootfs' parent mount
        var host = HostFactsReader.Read(needCgroups: true, mountinfo);
        // --systemd-cgroup: a unit of the system's systemd, or of the user's own instance for a
        // runtime that is not root (decisions §46). Refused here, before anything exists, on a
        // host without cgroup v2 or systemd.
        var systemd = o.SystemdCgroup
            ? Cgroups.Systemd.SystemdCgroupManager.ForNew(host, config, o.Id, userInstance: o.Rootless is { Unprivileged: true })
            : null;
        // --rootless: the hierarchies where the caller may create the container's cgroup; in the
        // others the container stays in the caller's cgroup (which a cgroup mount then shows).
        var cgroupHost = o.NoCgroup ? host with { CgroupHierarchies = [] }
            : o.Rootless is { Cgroups: true } && systemd is null
            ? Rootless.RootlessCgroups.Usable(host, config.Linux?.CgroupsPath, o.Id, Rootless.RootlessCgroups.MayCreate)
            : host;
        var plan = Planner.PlanInit(new PlanRequest(o.Id, config, bundle, rootfs, fifo, o.NoPivot, listenFds + o.PreserveFds, host,
            HomeOf(config, rootfs), ParentMountOf(rootfs, mountinfo), Diagnostics.StartupTrace.Enabled,
            SetgroupsDenied: Rootless.RootlessIdMaps.DeniesSetgroups(config, o.Rootless),
            CgroupsNotCreated: host.CgroupHierarchies.Except(cgroupHost.CgroupHierarchies).Select(h => h.MountPoint).ToList(),
            ContainerCgroup: systemd?.CgroupPath, Start: start));
        Diagnostics.StartupTrace.Mark("plan");
        foreach (var w in plan.Warnings)
            Diagnostics.Log.Warn(w);
        if (Diagnostics.Log.DebugEnabled)
            Diagnostics.Log.Debug($"container {o.Id}: bundle {bundle}, rootfs {rootfs}, a plan of {plan.Steps.Count} steps for the executor");
        IdMapWriter.CheckWritable(config);
        CheckProcBindSources(config, bundle, rootfs);
        IdmappedMountCheck.CheckWritable(config, bundle);
        if (o.Rootless is { Unprivileged: true } unprivileged)
            Rootless.RootlessIdMaps.Check(config, unprivileged);
        ICgroupManager cgroup = systemd is not null ? systemd
            : o.NoCgroup ? NoCgroupManager(host, config)
            : o.Rootless is { Cgroups: true }
            ? RootlessCgroupManager(host, cgroupHost, config, o.Id, Rootless.RootlessCgroups.KeepsDeviceRules(o.Rootless))
            : CgroupManagers.ForNew(host, config.Linux?.CgroupsPath, o.Id, config.Linux?.Resources);

        using var console = o.ConsoleFd >= 0 ? null : ConsoleSocket.Open(o.ConsoleSocket, config.Process?.Terminal == true);
        using var pidfdSocket = PidfdSocket.Open(o.PidfdSocket);
        int consoleFd = o.ConsoleFd >= 0 ? o.ConsoleFd : console?.Fd ?? -1;
        // In the runtime's mount namespace (none listed), the mount at the rootfs before any of
        // the container's: what is stacked on it later is the container's (decisions §45).
        ulong? rootfsBase = NamespacePlanner.SharesRuntimeMounts(config) ? HostMounts.TopMountId(rootfs) : null;
        store.CreateDir(o.Id);
        bool cgroupCreated = false;
        bool hooksStarted = false;
        try
        {
            if (fifo is not null && LibC.mkfifo(fifo, 0b110_010_010) != 0) // 0622, as runc
                throw SyscallException.Last($"mkfifo {fifo}");

            // The cgroup is made, and the executor placed in it, while the executor starts (exec,
            // plan checks, namespaces): on two cores that hides the cost of both (on cgroup v1 an
            // attach costs ~50 µs per hierarchy). The executor waits at PlaceInCgroup until then;
            // the pid there is the spawned one (the init, or the process that will fork it).
            int placed = 0;
            var created = DateTime.UtcNow;
            void Place(int pid)
            {
                cgroup.AddProcess(pid);
                ExecCpuAffinity.Reset(pid); // the caller's affinity is not the container's (runc)
                if (config.Process?.OomScoreAdj is { } oom)
                    OomScoreAdj.Apply(pid, oom);
                placed = pid;
            }
            var launched = InitLauncher.Launch(plan, whileStarting: spawned =>
            {
                cgroup.Create();
                cgroupCreated = true;
                Place(spawned);
                Diagnostics.StartupTrace.Mark("cgroup");
            }, onSync: (tag, pid) =>
            {
                if (tag == Plan.SyncTag.WriteIdMaps && o.Rootless is { Unprivileged: true } caller)
                    Rootless.RootlessIdMaps.Write(pid, config, caller);
                else if (tag == Plan.SyncTag.WriteIdMaps)
                    IdMapWriter.Write(pid, config);
                else if (tag == Plan.SyncTag.PlaceInCgroup && pid != placed)
                    Place(pid); // not the spawned process: no create plan does this, but it is no reason to leave one out
                else if (tag == Plan.SyncTag.NetDevices)
                    Linux.NetDevices.MoveInto(config.Linux!.NetDevices!.ToDictionary(d => d.Key, d => d.Value.Name), pid);
                else if (tag == Plan.SyncTag.CreateHooks)
                {
                    hooksStarted = true;
                    RunCreateHooks(config, o.Id, bundle, rootfs, pid);
                }
            }, onSeccompFd: (notifyFd, pid) => SeccompListener.Send(config.Linux!.Seccomp!.ListenerPath
                    ?? throw new RuntimeError("linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used"), notifyFd,
                SeccompListener.StateFor(o.Id, pid, bundle, config.Linux.Seccomp.ListenerMetadata, config.Annotations)),
                consoleSocket: consoleFd, keepSync: o.StartedByCaller,
                hookState: pid => StateWriter.Serialize(Spec.State.Runc(o.Id, pid, ContainerStatus.Created.Name(), bundle, rootfs,
                    created.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"), config.Annotations), indented: false));
            try
            {
                var stat = ProcStat.Read(launched.InitPid)
                    ?? throw new RuntimeError("the container's init exited before it was ready");
                var record = new ContainerRecord
                {
                    Id = o.Id,
                    Pid = launched.InitPid,
                    InitStartTime = stat.StartTime,
                    Bundle = bundle,
                    Rootfs = rootfs,
                    Created = created,
                    Annotations = config.Annotations,
                    NoProcess = config.Process is null,
                    CgroupDirectories = new Dictionary<string, string>(cgroup.Directories),
                    SystemdUnit = systemd?.Unit,
                    SystemdUser = systemd?.UserInstance ?? false,
                    Hooks = config.Hooks,
                    RootfsBaseMount = rootfsBase,
                };
                store.Save(record);
                if (Diagnostics.Log.DebugEnabled)
                    Diagnostics.Log.Debug($"container {o.Id}: init pid {launched.InitPid} ready, cgroup {string.Join(", ", cgroup.Directories.Values.Distinct())}");
                if (o.PidFile is not null)
                    WritePidFile(o.PidFile, launched.InitPid);
                pidfdSocket?.Send(launched.InitPid);
                InitLauncher.ReapSpawned(launched);
                return (new Container(store, record), launched);
            }
            catch
            {
                InitLauncher.KillAndReap(launched.InitPid, launched.SpawnedPid);
                LibC.close(launched.SyncFd);
                throw;
            }
        }
        catch
        {
            if (cgroupCreated)
            {
                // The error that made create fail is the one to report; one while undoing is a warning.
                try
                {
                    cgroup.Destroy();
                }
                catch (Exception e) when (e is RuntimeError or SyscallException or IOException)
                {
                    Diagnostics.Log.Warn($"container {o.Id}: removing its cgroup after the failed create: {e.Message}");
                }
            }
            if (rootfsBase is { } mountBase)
                HostMounts.UndoAbove(rootfs, mountBase);
            store.Remove(o.Id);
            // Once the create hooks have run, a failed create goes on as a delete would
            // (runtime-spec lifecycle): the poststop hooks run, their failures only warned about.
            if (hooksStarted)
                HookRunner.Run("poststop", config.Hooks?.Poststop, () => Spec.State.Runc(o.Id, 0, ContainerStatus.Stopped.Name(), bundle, rootfs, "", config.Annotations),
                    warnOnly: true);
            throw;
        }
    }

    /// <summary>A `mount` entry whose path is the runtime's own mount namespace is the same as
    /// leaving the entry out: joined, pivot_root would move the runtime's own root. It is removed,
    /// so the config is planned as inheriting the namespace (decisions §45).</summary>
    private static void JoinOfOwnMountNamespaceIsInherit(Spec.Spec config)
    {
        var list = config.Linux?.Namespaces;
        int i = list?.FindIndex(n => n.Type == "mount" && !string.IsNullOrEmpty(n.Path)) ?? -1;
        if (i >= 0 && HostMounts.IsOwnMountNamespace(list![i].Path!))
            list.RemoveAt(i);
    }

    /// <summary>A bind onto /proc itself must bring a procfs (as runc's checkProcMount): anything
    /// else would stand where the container's tools expect the kernel's files.</summary>
    private static void CheckProcBindSources(Spec.Spec config, string bundle, string rootfs)
    {
        var mounts = config.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            bool bind = m.Type == "bind" || (m.Options?.Any(o => o is "bind" or "rbind") ?? false);
            if (!bind || string.IsNullOrEmpty(m.Source) || ContainerPath.Clean(ContainerPath.StripRoot(m.Destination ?? "", rootfs)) != "/proc")
                continue;
            string source = Path.IsPathRooted(m.Source) ? m.Source : Path.GetFullPath(Path.Combine(bundle, m.Source));
            if (!ProcFile.IsProcfs(source))
                throw new RuntimeError($"mounts[{i}].source: {source} is not a proc filesystem: only a procfs may be bound onto /proc");
        }
    }

    /// <summary>--cgroup-manager=disabled (crun's): no cgroup is made, so any limit is refused by name.</summary>
    private static ICgroupManager NoCgroupManager(HostFacts host, Spec.Spec config)
    {
        var r = config.Linux?.Resources;
        ResourceValidator.Validate(r);
        if (r is not null)
        {
            var writes = host.CgroupMode == CgroupMode.Unified ? Cgroups.V2.V2Resources.Map(r) : Cgroups.V1.V1Resources.Map(r);
            if (writes.Count > 0)
                throw new PlanningException(writes[0].Field, "cannot be applied with --cgroup-manager=disabled (the container gets no cgroup of its own)");
        }
        return new Cgroups.V1.CgroupV1Manager(new Dictionary<string, string>(), [], []);
    }

    /// <summary>--rootless: the container's cgroup only where the caller may create it.</summary>
    private static ICgroupManager RootlessCgroupManager(HostFacts host, HostFacts usable, Spec.Spec config, string id, bool keepDeviceRules)
    {
        string? path = config.Linux?.CgroupsPath;
        Rootless.RootlessCgroups.CheckLimits(host, usable, path, id, config.Linux?.Resources);
        return Rootless.RootlessCgroups.ForNew(usable, path, id, config.Linux?.Resources, keepDeviceRules);
    }

    /// <summary>runtime-spec: prestart and createRuntime in the runtime's namespaces, then
    /// createContainer in the container's, all after its environment exists and before pivot_root.
    /// Their state says "created", as crun's and as the runtime-tools suite expects (decisions §33).</summary>
    private static void RunCreateHooks(Spec.Spec config, string id, string bundle, string rootfs, int pid)
    {
        var state = Spec.State.Runc(id, pid, ContainerStatus.Created.Name(), bundle, rootfs,
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"), config.Annotations);
        // Working directories as runc's: the bundle for the runtime's hooks (runc has chdir'd
        // there), the container's root, still at its host path before pivot_root, for
        // createContainer (runc's init runs it from there): a relative path in a hook lands there.
        HookRunner.Run("prestart", config.Hooks?.Prestart, () => state, cwd: bundle);
        HookRunner.Run("createRuntime", config.Hooks?.CreateRuntime, () => state, cwd: bundle);
        HookRunner.Run("createContainer", config.Hooks?.CreateContainer, () => state, nsOfPid: pid, cwd: rootfs);
    }

    public static string ParentMountOf(string rootfs, string? mountinfo = null) =>
        MountTable.MountPointOf(MountTable.RealPath(rootfs), mountinfo ?? SysFile.Read("/proc/self/mountinfo"));

    /// <summary>Read only when the config leaves HOME out; from the image, resolved inside it.</summary>
    public static string HomeOf(Spec.Spec config, string rootfs)
    {
        if (config.Process?.Env?.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)) == true)
            return "/";
        return PasswdFile.HomeOf(InRootFile.ReadText(rootfs, "/etc/passwd"), config.Process?.User?.Uid ?? 0);
    }

    public static Spec.Spec LoadConfig(string bundle) => Validated(ParseConfig(bundle));

    /// <summary>The bundle's config.json, parsed but not validated.</summary>
    public static Spec.Spec ParseConfig(string bundle)
    {
        var config = ConfigLoader.Load(Path.Combine(bundle, "config.json"));
        Diagnostics.StartupTrace.Mark("parse config.json");
        return config;
    }

    private static Spec.Spec Validated(Spec.Spec config, bool processOptional = false)
    {
        var errors = SpecValidator.Validate(config);
        if (config.Process is null && !processOptional)
            errors = [.. errors, new SpecError("process", "required to run a container")];
        if (errors.Count > 0)
            throw new RuntimeError("config.json: " + string.Join("; ", errors.Select(e => e.ToString())));
        Diagnostics.StartupTrace.Mark("validate");
        return config;
    }

    /// <summary>Written next to its final name and renamed, so a reader never sees a partial pid.</summary>
    internal static void WritePidFile(string path, int pid)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new RuntimeError($"--pid-file {path}: the directory {dir} does not exist");
        string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + ".tmp");
        SysFile.ReplaceFile(full, tmp, System.Text.Encoding.ASCII.GetBytes(pid.ToString()));
    }
}
