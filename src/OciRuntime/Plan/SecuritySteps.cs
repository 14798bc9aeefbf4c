namespace OciRuntime.Plan;

// Steps of the security work (issue 5), beside Steps.cs so that each area adds its own file.

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
