namespace OciRuntime.Plan;

// Steps that drop privileges: the user and groups, no_new_privs, the capability sets and the
// seccomp filter.

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

internal sealed record SeccompStep(uint Flags, SeccompOpts Opts, IReadOnlyList<uint> Program, bool Listener, string Origin)
    : Step(Origin)
{
    public override PlanOp Op => PlanOp.Seccomp;
    public override void EncodePayload(PlanWriter w) { w.U32(Flags); w.U32((uint)Opts); w.U32List(Program); }
    public override string Describe() =>
        $"load the seccomp filter ({Program.Count / 2} BPF instructions, flags={Flags:x})" +
        (Opts.HasFlag(SeccompOpts.AtExec) ? " right before execve" : " now") +
        (Listener ? " and pass its notify fd to the runtime" : "");
    public bool Equals(SeccompStep? o) => o is not null && Flags == o.Flags && Opts == o.Opts &&
        Program.SequenceEqual(o.Program) && Listener == o.Listener && Origin == o.Origin;
    public override int GetHashCode() => HashCode.Combine(Flags, Opts, Program.Count, Origin);
}
