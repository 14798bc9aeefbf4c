using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// linux.memoryPolicy (runtime-spec v1.3.0; runc 1.4, crun 1.24): the NUMA memory policy of the
/// container's process, set with set_mempolicy(2) by the executor before exec and inherited by
/// everything it starts. The mode and flags become the kernel's numbers; "nodes" ("0-3,7") the
/// node mask. What the kernel would refuse with a bare EINVAL is refused here by name: nodes for
/// MPOL_DEFAULT/MPOL_LOCAL, no nodes for the modes that need them, both node-interpretation flags,
/// MPOL_F_NUMA_BALANCING without MPOL_BIND. Nodes the host does not have fail in the executor
/// (set_mempolicy: EINVAL), naming the field.
/// </summary>
internal static class MemoryPolicyPlanner
{
    /// <summary>The kernel's MAX_NUMNODES is at most 1024 on x86-64 (CONFIG_NODES_SHIFT 10).</summary>
    public const int MaxNode = 1023;

    private const string F = "linux.memoryPolicy";

    public static readonly IReadOnlyDictionary<string, uint> Modes = new Dictionary<string, uint>
    {
        ["MPOL_DEFAULT"] = 0, ["MPOL_PREFERRED"] = 1, ["MPOL_BIND"] = 2, ["MPOL_INTERLEAVE"] = 3,
        ["MPOL_LOCAL"] = 4, ["MPOL_PREFERRED_MANY"] = 5, ["MPOL_WEIGHTED_INTERLEAVE"] = 6,
    };

    public static readonly IReadOnlyDictionary<string, uint> Flags = new Dictionary<string, uint>
    {
        ["MPOL_F_STATIC_NODES"] = 1u << 15, ["MPOL_F_RELATIVE_NODES"] = 1u << 14, ["MPOL_F_NUMA_BALANCING"] = 1u << 13,
    };

    public static void Plan(Spec.Linux? linux, List<Step> steps)
    {
        if (linux?.MemoryPolicy is not { } mp)
            return;
        if (mp.Mode is null || !Modes.TryGetValue(mp.Mode, out uint mode))
            throw new PlanningException(F + ".mode", $"unknown memory policy mode \"{mp.Mode}\"");
        uint flags = 0;
        var given = mp.Flags ?? [];
        for (int i = 0; i < given.Count; i++)
        {
            if (!Flags.TryGetValue(given[i], out uint f))
                throw new PlanningException($"{F}.flags[{i}]", $"unknown memory policy flag \"{given[i]}\"");
            flags |= f;
        }
        if ((flags & Flags["MPOL_F_STATIC_NODES"]) != 0 && (flags & Flags["MPOL_F_RELATIVE_NODES"]) != 0)
            throw new PlanningException(F + ".flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
        if ((flags & Flags["MPOL_F_NUMA_BALANCING"]) != 0 && mp.Mode != "MPOL_BIND")
            throw new PlanningException(F + ".flags", "MPOL_F_NUMA_BALANCING applies only to MPOL_BIND");

        var nodes = string.IsNullOrWhiteSpace(mp.Nodes) ? [] : ParseNodes(mp.Nodes, F + ".nodes");
        bool none = nodes.All(w => w == 0);
        switch (mp.Mode)
        {
            case "MPOL_DEFAULT" or "MPOL_LOCAL" when !none:
                throw new PlanningException(F + ".nodes", $"must be empty for {mp.Mode}");
            case "MPOL_DEFAULT" or "MPOL_LOCAL" when flags != 0:
                throw new PlanningException(F + ".flags", $"must be empty for {mp.Mode}");
            case "MPOL_BIND" or "MPOL_INTERLEAVE" or "MPOL_PREFERRED_MANY" or "MPOL_WEIGHTED_INTERLEAVE" when none:
                throw new PlanningException(F + ".nodes", $"{mp.Mode} needs at least one node");
        }
        steps.Add(new MemoryPolicyStep(mode | flags, none ? [] : nodes, F));
    }

    /// <summary>"0-3,7" → the node mask, 32 nodes per word.</summary>
    public static uint[] ParseNodes(string list, string field)
    {
        var ranges = CpuSet.Ranges(list, field, "node", MaxNode);
        var mask = new uint[ranges.Max(r => r.To) / 32 + 1];
        foreach (var (from, to) in ranges)
            for (int n = from; n <= to; n++)
                mask[n / 32] |= 1u << (n % 32);
        return mask;
    }
}
