namespace OciRuntime.Plan;

/// <summary>
/// One instruction for the executor. <see cref="Origin"/> names the config.json field the step
/// comes from, so an executor failure (step index, errno) becomes an error about that field.
/// </summary>
internal abstract record Step(string Origin)
{
    public abstract PlanOp Op { get; }

    /// <summary>Writes the payload (the fields after op and size).</summary>
    public abstract void EncodePayload(PlanWriter w);

    /// <summary>One human-readable line for `ociruntime plan`.</summary>
    public abstract string Describe();
}
