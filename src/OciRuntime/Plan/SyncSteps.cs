namespace OciRuntime.Plan;

// Steps that fork and talk to the runtime: the sync socket, the exec fifo, hooks the runtime runs
// at the init's request.

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
