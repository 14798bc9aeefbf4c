namespace OciRuntime.Plan;

/// <summary>The ordered steps for one container process, and their binary encoding (plan.h).</summary>
internal sealed class ExecutionPlan(IReadOnlyList<Step> steps, IReadOnlyList<string>? warnings = null)
{
    public IReadOnlyList<Step> Steps { get; } = steps;

    /// <summary>What the plan could not honour exactly but runc also lets pass, to be logged.</summary>
    public IReadOnlyList<string> Warnings { get; } = warnings ?? [];

    /// <summary>Namespaces the host clones the executor into (CLONE_NEWPID or 0): then the
    /// executor is the container's init itself, and the plan has no FORK.</summary>
    public uint SpawnNamespaces { get; init; }

    public byte[] Encode()
    {
        var w = new PlanWriter();
        w.U32(PlanFormat.Magic);
        w.U32(PlanFormat.Version);
        w.U32(0); // total size, patched below
        w.U32((uint)Steps.Count);
        foreach (var step in Steps)
        {
            w.U32((uint)step.Op);
            int sizeAt = w.Length;
            w.U32(0);
            int start = w.Length;
            step.EncodePayload(w);
            w.PatchU32(sizeAt, (uint)(w.Length - start));
        }
        w.PatchU32(8, (uint)w.Length);
        return w.Written.ToArray();
    }

    public string Describe()
    {
        var sb = new System.Text.StringBuilder();
        if (SpawnNamespaces != 0)
            sb.Append($"  -  spawn into {Linux.Namespaces.Names(SpawnNamespaces)} (the executor becomes the container's init)    # linux.namespaces\n");
        for (int i = 0; i < Steps.Count; i++)
            sb.Append($"{i,3}  {Steps[i].Describe()}").Append("    # ").Append(Steps[i].Origin).Append('\n');
        return sb.ToString();
    }
}
