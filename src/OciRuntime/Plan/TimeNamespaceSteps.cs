namespace OciRuntime.Plan;

/// <summary>Writes the offsets of the time namespace the executor has just unshared (before it forks).</summary>
internal sealed record TimensOffsetsStep(string Offsets, string Origin) : Step(Origin)
{
    public override PlanOp Op => PlanOp.TimensOffsets;
    public override void EncodePayload(PlanWriter w) => w.Str(Offsets);
    public override string Describe() => $"set the time namespace offsets \"{Offsets.Replace("\n", "; ").TrimEnd(' ', ';')}\"";
}
