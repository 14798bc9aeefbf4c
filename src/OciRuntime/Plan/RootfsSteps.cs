using OciRuntime.Linux;

namespace OciRuntime.Plan;

// Steps that build the container's root: mounts, devices, links, directories, pivot_root, masks
// and the procfs the later steps write through (id-mapped mounts are in IdmapSteps.cs).

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
        return $"mount {what} on {where} flags={DescribeFlags(Flags, Opts)}{data}{DescribeOpts(Opts)}";
    }
    /// <summary>With ExactFlags, bits 32-63 are the flags the options cleared.</summary>
    internal static string DescribeFlags(ulong flags, MountOpts o) =>
        o.HasFlag(MountOpts.ExactFlags) && flags >> 32 != 0
            ? $"{MountFlags.Describe(flags & 0xffffffff)} cleared={MountFlags.Describe(flags >> 32)}"
            : MountFlags.Describe(flags);
    internal static string DescribeOpts(MountOpts o) => o == MountOpts.None ? "" : $" [{o}]";
}

/// <summary>Bind sources opened before the executor becomes a user namespace's root, for the
/// bind mounts (MountOpts.SourceOpened) whose source that root cannot reach.</summary>
internal sealed record OpenSourcesStep(IReadOnlyList<string> Paths, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.OpenSources;
    public override void EncodePayload(PlanWriter w) => w.StrList(Paths);
    public override string Describe() => $"open the bind sources {string.Join(", ", Paths)}";
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

internal sealed record OpenProcfsStep(ProcfsHow How, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.OpenProcfs;
    public override void EncodePayload(PlanWriter w) => w.U32((uint)How);
    public override string Describe() => How == ProcfsHow.New
        ? "mount a procfs of the runtime's own (detached) for the writes to /proc"
        : "open the runtime's /proc for the writes to /proc";
}
