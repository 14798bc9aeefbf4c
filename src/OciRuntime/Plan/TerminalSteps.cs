namespace OciRuntime.Plan;

// Steps of the container's terminal: the console socket, the pty, /dev/console and the
// controlling terminal, and the ownership of stdio.

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
