using OciRuntime.Linux;

namespace OciRuntime.Plan;

// Steps of id-mapped mounts (plan.h opcodes 60-64). The user namespace steps run before the
// executor enters the container's user namespace and keep namespace fds in slots; IdmapTreeStep
// clones and id-maps a source at its mount's turn (in a user namespace, the host does it:
// IdmapOpts.ByHost), and AttachTreeStep right after puts the tree where a bind mount would go.

/// <summary>enum oci_idmap_opts in plan.h.</summary>
[Flags]
internal enum IdmapOpts : uint
{
    None = 0,
    CloneRecursive = 1u << 0,
    Recursive = 1u << 1,
    CloseUserns = 1u << 2,
    /// <summary>The host clones and id-maps the source for the executor (in a user namespace it may not).</summary>
    ByHost = 1u << 3,
}

/// <summary>A user namespace carrying these maps (kernel format), in userns slot Slot.</summary>
internal sealed record UsernsFromMapsStep(uint Slot, string UidMap, string GidMap, string Origin) : Step(Origin)
{
    public const uint MaxSlots = 256; // OCI_IDMAP_MAX_SLOTS

    public override PlanOp Op => PlanOp.UsernsFromMaps;
    public override void EncodePayload(PlanWriter w) { w.U32(Slot); w.Str(UidMap); w.Str(GidMap); }
    public override string Describe() =>
        $"user namespace #{Slot} for id-mapped mounts: uid_map [{Lines(UidMap)}] gid_map [{Lines(GidMap)}]";
    private static string Lines(string map) => map.TrimEnd('\n').Replace("\n", "; ");
}

/// <summary>The user namespace at Path, in userns slot Slot.</summary>
internal sealed record UsernsFromPathStep(uint Slot, string Path, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.UsernsFromPath;
    public override void EncodePayload(PlanWriter w) { w.U32(Slot); w.Str(Path); }
    public override string Describe() => $"user namespace #{Slot} for id-mapped mounts: {Path}";
}

/// <summary>A detached clone of Source, id-mapped with userns slot Userns, kept in tree slot Tree.</summary>
internal sealed record IdmapTreeStep(uint Tree, uint Userns, string Source, ulong Propagation, IdmapOpts Opts, string Origin)
    : Step(Origin)
{
    public override PlanOp Op => PlanOp.IdmapTree;
    public override void EncodePayload(PlanWriter w)
    {
        w.U32(Tree); w.U32(Userns); w.Str(Source); w.U64(Propagation); w.U32((uint)Opts);
    }
    public override string Describe() =>
        $"clone {Source}{(Opts.HasFlag(IdmapOpts.CloneRecursive) ? " with its submounts" : "")} as tree #{Tree}, " +
        $"id-mapped{(Opts.HasFlag(IdmapOpts.Recursive) ? " recursively" : "")} by user namespace #{Userns}" +
        (Propagation != 0 ? $", {MountFlags.Describe(Propagation)}" : "") +
        (Opts.HasFlag(IdmapOpts.ByHost) ? ", by the host in the container's mount namespace" : "");
}

/// <summary>Attaches tree slot Tree on Target (in the root), with the flags of the mount.</summary>
internal sealed record AttachTreeStep(uint Tree, string Target, ulong Flags, MountOpts Opts, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.AttachTree;
    public override void EncodePayload(PlanWriter w) { w.U32(Tree); w.Str(Target); w.U64(Flags); w.U32((uint)Opts); }
    public override string Describe() =>
        $"attach id-mapped tree #{Tree} on <root>{Target} flags={MountStep.DescribeFlags(Flags, Opts)}{MountStep.DescribeOpts(Opts)}";
}
