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

internal sealed record PersonalityStep(uint Persona, string Name, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Personality;
    public override void EncodePayload(PlanWriter w) => w.U32(Persona);
    public override string Describe() => $"personality {Name} (0x{Persona:x})";
}

internal sealed record IoPriorityStep(uint Value, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Ioprio;
    public override void EncodePayload(PlanWriter w) => w.U32(Value);
    public override string Describe() => $"ioprio_set class={Value >> 13} level={Value & 0x1FFF}";
}

internal sealed record SchedulerStep(uint Policy, ulong Flags, int Nice, uint Priority, ulong Runtime, ulong Deadline,
    ulong Period, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Sched;
    public override void EncodePayload(PlanWriter w)
    {
        w.U32(Policy); w.U64(Flags); w.U32((uint)Nice); w.U32(Priority); w.U64(Runtime); w.U64(Deadline); w.U64(Period);
    }
    public override string Describe() =>
        $"sched_setattr policy={Policy} flags={Flags:x} nice={Nice} priority={Priority} runtime={Runtime} deadline={Deadline} period={Period}";
}

/// <summary>set_mempolicy(Mode, Nodes): linux.memoryPolicy (node n at bit n % 32 of Nodes[n / 32]).</summary>
internal sealed record MemoryPolicyStep(uint Mode, IReadOnlyList<uint> Nodes, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.Mempolicy;
    public override void EncodePayload(PlanWriter w) { w.U32(Mode); w.U32List(Nodes); }
    public override string Describe() =>
        $"set_mempolicy mode=0x{Mode:x} nodes=[{string.Join(",", Enumerable.Range(0, Nodes.Count * 32).Where(n => (Nodes[n / 32] & (1u << (n % 32))) != 0))}]";
    public bool Equals(MemoryPolicyStep? o) => o is not null && Mode == o.Mode && Nodes.SequenceEqual(o.Nodes) && Origin == o.Origin;
    public override int GetHashCode() => HashCode.Combine(Mode, Nodes.Count, Origin);
}
