using OciRuntime.Linux;

namespace OciRuntime.Plan;

// Steps that enter, create and set up namespaces: setns, unshare, the UTS names and the time
// namespace's offsets.

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

/// <summary>Writes the offsets of the time namespace the executor has just unshared (before it forks).</summary>
internal sealed record TimensOffsetsStep(string Offsets, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.TimensOffsets;
    public override void EncodePayload(PlanWriter w) => w.Str(Offsets);
    public override string Describe() => $"set the time namespace offsets \"{Offsets.Replace("\n", "; ").TrimEnd(' ', ';')}\"";
}
