using OciRuntime.Linux;

namespace OciRuntime.Plan;

// The step types, one per opcode of plan.h. Each is a value: the planner's unit tests compare them.

internal sealed record SetnsStep(uint NsType, string Path, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Setns;
    public override void EncodePayload(PlanWriter w) { w.U32(NsType); w.Str(Path); }
    public override string Describe() => $"join {Namespaces.Name(NsType)} namespace {Path}";
}

internal sealed record UnshareStep(uint Flags, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Unshare;
    public override void EncodePayload(PlanWriter w) => w.U32(Flags);
    public override string Describe() => $"unshare {Namespaces.Names(Flags)}";
}

internal sealed record ForkStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Fork;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "fork into the pid namespace (the child becomes the container's init)";
}

internal sealed record SyncStep(SyncTag Tag, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Sync;
    public override void EncodePayload(PlanWriter w) => w.U32((uint)Tag);
    public override string Describe() => $"wait for the runtime: {Tag}";
}

internal sealed record NotifyStep(SyncTag Tag, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Notify;
    public override void EncodePayload(PlanWriter w) => w.U32((uint)Tag);
    public override string Describe() => $"tell the runtime: {Tag}";
}

internal sealed record SetHostnameStep(string Name, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.SetHostname;
    public override void EncodePayload(PlanWriter w) => w.Str(Name);
    public override string Describe() => $"sethostname \"{Name}\"";
}

internal sealed record SetDomainnameStep(string Name, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.SetDomainname;
    public override void EncodePayload(PlanWriter w) => w.Str(Name);
    public override string Describe() => $"setdomainname \"{Name}\"";
}

internal sealed record OpenRootStep(string HostPath, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.OpenRoot;
    public override void EncodePayload(PlanWriter w) => w.Str(HostPath);
    public override string Describe() => $"open the root {HostPath}";
}

internal sealed record MountStep(string Source, string Target, string FsType, string Data, ulong Flags,
    MountOpts Opts, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Mount;
    public override void EncodePayload(PlanWriter w)
    {
        w.Str(Source); w.Str(Target); w.Str(FsType); w.Str(Data); w.U64(Flags); w.U32((uint)Opts);
    }
    public override string Describe()
    {
        string where = Opts.HasFlag(MountOpts.TargetInRoot) ? $"<root>{Target}" : Target;
        string what = (Flags & MountFlags.MS_BIND) != 0 ? $"bind {Source}" : $"{FsType} {Source}";
        string data = Data.Length > 0 ? $" data={Data}" : "";
        return $"mount {what} on {where} flags={MountFlags.Describe(Flags)}{data}{DescribeOpts(Opts)}";
    }
    internal static string DescribeOpts(MountOpts o) => o == MountOpts.None ? "" : $" [{o}]";
}

internal sealed record PropagateStep(string Target, ulong Flags, MountOpts Opts, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Propagate;
    public override void EncodePayload(PlanWriter w) { w.Str(Target); w.U64(Flags); w.U32((uint)Opts); }
    public override string Describe() =>
        $"make {(Opts.HasFlag(MountOpts.TargetInRoot) ? "<root>" : "")}{Target} {MountFlags.Describe(Flags)}";
}

internal sealed record MknodStep(string Path, uint Mode, uint Major, uint Minor, uint Uid, uint Gid, string Origin)
    : Step(Origin)
{
    public override PlanOp Op => PlanOp.Mknod;
    public override void EncodePayload(PlanWriter w)
    {
        w.Str(Path); w.U32(Mode); w.U32(Major); w.U32(Minor); w.U32(Uid); w.U32(Gid);
    }
    public override string Describe() =>
        $"mknod <root>{Path} mode={Convert.ToString(Mode, 8)} {Major}:{Minor} owner {Uid}:{Gid}";
}

internal sealed record SymlinkStep(string LinkContent, string Path, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Symlink;
    public override void EncodePayload(PlanWriter w) { w.Str(LinkContent); w.Str(Path); }
    public override string Describe() => $"symlink <root>{Path} -> {LinkContent}";
}

internal sealed record MkdirStep(string Path, uint Mode, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Mkdir;
    public override void EncodePayload(PlanWriter w) { w.Str(Path); w.U32(Mode); }
    public override string Describe() => $"mkdir -p <root>{Path} mode={Convert.ToString(Mode, 8)}";
}

internal sealed record PivotRootStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.PivotRoot;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "pivot_root into the root and detach the old one";
}

internal sealed record MoveRootStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.MoveRoot;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "move the root onto / and chroot (--no-pivot)";
}

/// <summary>Without a mount namespace of the container's own: chroot into the root fd (empty
/// HostPath, `create`) or into HostPath (`exec`: /proc/&lt;init&gt;/root). Decisions §45.</summary>
internal sealed record ChrootStep(string HostPath, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Chroot;
    public override void EncodePayload(PlanWriter w) => w.Str(HostPath);
    public override string Describe() => HostPath.Length == 0 ? "chroot into the root (the runtime's mount namespace)" : $"chroot into {HostPath}";
}

internal sealed record RemountStep(string Path, ulong Flags, MountOpts Opts, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Remount;
    public override void EncodePayload(PlanWriter w) { w.Str(Path); w.U64(Flags); w.U32((uint)Opts); }
    public override string Describe() =>
        $"remount <root>{Path} flags={MountFlags.Describe(Flags)}{MountStep.DescribeOpts(Opts)}";
}

/// <summary>mount_setattr(AT_RECURSIVE) on the mount at Path and every mount below it.</summary>
internal sealed record MountSetattrStep(string Path, ulong AttrSet, ulong AttrClr, MountOpts Opts, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.MountSetattr;
    public override void EncodePayload(PlanWriter w) { w.Str(Path); w.U64(AttrSet); w.U64(AttrClr); w.U32((uint)Opts); }
    public override string Describe() =>
        $"mount_setattr recursive <root>{Path} set={MountFlags.DescribeAttr(AttrSet)} clear={MountFlags.DescribeAttr(AttrClr)}{MountStep.DescribeOpts(Opts)}";
}

internal sealed record MaskStep(string Path, string NullDevice, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Mask;
    public override void EncodePayload(PlanWriter w) { w.Str(Path); w.Str(NullDevice); }
    public override string Describe() => $"mask <root>{Path}";
}

internal sealed record ChdirStep(string Path, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Chdir;
    public override void EncodePayload(PlanWriter w) => w.Str(Path);
    public override string Describe() => $"chdir {Path}";
}

internal sealed record UmaskStep(uint Mask, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Umask;
    public override void EncodePayload(PlanWriter w) => w.U32(Mask);
    public override string Describe() => $"umask {Convert.ToString(Mask, 8).PadLeft(4, '0')}";
}

internal sealed record RlimitStep(uint Resource, ulong Soft, ulong Hard, string Name, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Rlimit;
    public override void EncodePayload(PlanWriter w) { w.U32(Resource); w.U64(Soft); w.U64(Hard); }
    public override string Describe() => $"setrlimit {Name} soft={Soft} hard={Hard}";
}

internal sealed record SetsidStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Setsid;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "setsid";
}

internal sealed record NoNewPrivsStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.NoNewPrivs;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "set no_new_privs";
}

internal sealed record CapsBoundingStep(ulong Keep, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.CapsBounding;
    public override void EncodePayload(PlanWriter w) => w.U64(Keep);
    public override string Describe() => $"limit the bounding set to {Keep:x16}";
}

internal sealed record SetUserStep(uint Uid, uint Gid, bool SetGroups, IReadOnlyList<uint> AdditionalGids, string Origin)
    : Step(Origin)
{
    public override PlanOp Op => PlanOp.SetUser;
    public override void EncodePayload(PlanWriter w)
    {
        w.U32(Uid); w.U32(Gid); w.U32(SetGroups ? 1u : 0u); w.U32List(AdditionalGids);
    }
    public override string Describe() =>
        $"become uid={Uid} gid={Gid}" + (SetGroups ? $" groups=[{string.Join(',', AdditionalGids)}]" : "");
    public bool Equals(SetUserStep? o) => o is not null && Uid == o.Uid && Gid == o.Gid &&
        SetGroups == o.SetGroups && AdditionalGids.SequenceEqual(o.AdditionalGids) && Origin == o.Origin;
    public override int GetHashCode() => HashCode.Combine(Uid, Gid, SetGroups, Origin);
}

internal sealed record CapsStep(ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient, string Origin)
    : Step(Origin)
{
    public override PlanOp Op => PlanOp.Caps;
    public override void EncodePayload(PlanWriter w) { w.U64(Effective); w.U64(Permitted); w.U64(Inheritable); w.U64(Ambient); }
    public override string Describe() =>
        $"capabilities effective={Effective:x} permitted={Permitted:x} inheritable={Inheritable:x} ambient={Ambient:x}";
}

/// <summary>The sets EXEC lowers to right after it loaded the seccomp filter (plan.h CAPS_AT_EXEC).</summary>
internal sealed record CapsAtExecStep(ulong Effective, ulong Permitted, ulong Inheritable, string Origin)
    : Step(Origin)
{
    public override PlanOp Op => PlanOp.CapsAtExec;
    public override void EncodePayload(PlanWriter w) { w.U64(Effective); w.U64(Permitted); w.U64(Inheritable); }
    public override string Describe() =>
        $"after the seccomp filter, right before execve: capabilities effective={Effective:x} permitted={Permitted:x} inheritable={Inheritable:x}";
}

internal sealed record OpenFifoStep(string HostPath, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.OpenFifo;
    public override void EncodePayload(PlanWriter w) => w.Str(HostPath);
    public override string Describe() => $"open the exec fifo {HostPath}";
}

internal sealed record ReleaseCodeStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.ReleaseCode;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "drop the executor's code pages from its page tables while it waits";
}

internal sealed record WaitFifoStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.WaitFifo;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "wait for `start`";
}

internal sealed record ResolveExecStep(string File, IReadOnlyList<string> SearchDirs, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.ResolveExec;
    public override void EncodePayload(PlanWriter w) { w.Str(File); w.StrList(SearchDirs); }
    public override string Describe() =>
        File.Contains('/') ? $"check the program {File}" : $"find the program {File} in {string.Join(':', SearchDirs)}";
    public bool Equals(ResolveExecStep? o) => o is not null && File == o.File &&
        SearchDirs.SequenceEqual(o.SearchDirs) && Origin == o.Origin;
    public override int GetHashCode() => HashCode.Combine(File, Origin);
}

internal sealed record ExecStep(uint KeepFds, IReadOnlyList<string> Argv, IReadOnlyList<string> Env, string Origin)
    : Step(Origin)
{
    public override PlanOp Op => PlanOp.Exec;
    public override void EncodePayload(PlanWriter w) { w.U32(KeepFds); w.StrList(Argv); w.StrList(Env); }
    public override string Describe() =>
        $"execve [{string.Join(", ", Argv.Select(a => $"\"{a}\""))}] with {Env.Count} environment variables, fds from {KeepFds} on closed";
    public bool Equals(ExecStep? o) => o is not null && KeepFds == o.KeepFds && Argv.SequenceEqual(o.Argv) &&
        Env.SequenceEqual(o.Env) && Origin == o.Origin;
    public override int GetHashCode() => HashCode.Combine(KeepFds, Argv.Count, Origin);
}

internal sealed record CloseFdsStep(uint KeepFds, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.CloseFds;
    public override void EncodePayload(PlanWriter w) => w.U32(KeepFds);
    public override string Describe() => $"close every inherited fd from {KeepFds} on (fds 0-{KeepFds - 1} kept)";
}

internal sealed record OpenProcfsStep(ProcfsHow How, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.OpenProcfs;
    public override void EncodePayload(PlanWriter w) => w.U32((uint)How);
    public override string Describe() => How == ProcfsHow.New
        ? "mount a procfs of the runtime's own (detached) for the writes to /proc"
        : "open the runtime's /proc for the writes to /proc";
}

internal sealed record RecvHookStateStep(SyncTag Tag, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.RecvHookState;
    public override void EncodePayload(PlanWriter w) => w.U32((uint)Tag);
    public override string Describe() => "receive the container's state for the hooks";
}

/// <summary>A hook the init runs itself, with its own credentials, capabilities, seccomp filter,
/// cgroup and namespaces (startContainer, as runc); Label names it in errors.</summary>
internal sealed record RunHookStep(string Label, string Path, IReadOnlyList<string> Argv, IReadOnlyList<string> Env,
    uint TimeoutSeconds, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.RunHook;
    public override void EncodePayload(PlanWriter w)
    {
        w.Str(Label);
        w.Str(Path);
        w.StrList(Argv);
        w.StrList(Env);
        w.U32(TimeoutSeconds);
    }
    public override string Describe() =>
        $"run the hook {Path} [{string.Join(", ", Argv.Select(a => $"\"{a}\""))}]" +
        (TimeoutSeconds > 0 ? $", killed after {TimeoutSeconds} s" : "");
    public bool Equals(RunHookStep? o) => o is not null && Label == o.Label && Path == o.Path &&
        Argv.SequenceEqual(o.Argv) && Env.SequenceEqual(o.Env) && TimeoutSeconds == o.TimeoutSeconds && Origin == o.Origin;
    public override int GetHashCode() => HashCode.Combine(Label, Path, Origin);
}

internal sealed record WriteProcStep(string Path, string Value, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.WriteProc;
    public override void EncodePayload(PlanWriter w) { w.Str(Path); w.Str(Value); }
    public override string Describe() => $"write \"{Value}\" to <procfs>/{Path}";
}

internal sealed record RecvConsoleStep(SyncTag Tag, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.RecvConsole;
    public override void EncodePayload(PlanWriter w) => w.U32((uint)Tag);
    public override string Describe() => "receive the console socket from the runtime";
}

internal sealed record CreatePtyStep(string Ptmx, uint Rows, uint Cols, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.CreatePty;
    public override void EncodePayload(PlanWriter w) { w.Str(Ptmx); w.U32(Rows); w.U32(Cols); }
    public override string Describe() =>
        $"create a pty from <root>{Ptmx} (devpts checked) and send its master to the console socket" +
        (Rows != 0 && Cols != 0 ? $", size {Cols}x{Rows}" : "");
}

internal sealed record BindConsoleStep(string Path, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.BindConsole;
    public override void EncodePayload(PlanWriter w) => w.Str(Path);
    public override string Describe() => $"bind the pty (devpts checked) onto <root>{Path}";
}

internal sealed record SetCttyStep(string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.SetCtty;
    public override void EncodePayload(PlanWriter w) { }
    public override string Describe() => "make the pty stdio and the controlling terminal";
}

/// <summary>runc's fixStdioPermissions: stdio (the pty, the caller's pipes) owned by the process's
/// uid, so that it can reopen them (/dev/stdout, /proc/self/fd/N); the character device
/// Major:Minor (/dev/null) is left alone.</summary>
internal sealed record ChownStdioStep(uint Uid, uint SkipMajor, uint SkipMinor, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.ChownStdio;
    public override void EncodePayload(PlanWriter w) { w.U32(Uid); w.U32(SkipMajor); w.U32(SkipMinor); }
    public override string Describe() => $"stdio owned by uid {Uid} (the group kept; not the device {SkipMajor}:{SkipMinor})";
}
