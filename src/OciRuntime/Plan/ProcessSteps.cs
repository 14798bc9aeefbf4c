namespace OciRuntime.Plan;

// Steps that set the container process's attributes and exec it: cwd, umask, rlimits, session,
// scheduling, memory policy, procfs writes (sysctl, LSM labels), the executable's lookup and execve.

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

internal sealed record WriteProcStep(string Path, string Value, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.WriteProc;
    public override void EncodePayload(PlanWriter w) { w.Str(Path); w.Str(Value); }
    public override string Describe() => $"write \"{Value}\" to <procfs>/{Path}";
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
