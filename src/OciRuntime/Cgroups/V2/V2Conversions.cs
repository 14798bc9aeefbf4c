namespace OciRuntime.Cgroups.V2;

/// <summary>
/// The v1 units of runtime-spec (cpu shares, blkio weights, memory+swap) turned into the v2 files'
/// units, with the formulas runc uses so that a container gets the same values under either runtime.
/// </summary>
internal static class V2Conversions
{
    /// <summary>cpu.shares [2, 262144] onto cpu.weight [1, 10000], linearly; 0 leaves the weight alone.</summary>
    public static ulong CpuWeight(ulong shares)
    {
        if (shares == 0)
            return 0;
        shares = Math.Clamp(shares, 2UL, 262144UL);
        return 1 + (shares - 2) * 9999 / 262142;
    }

    /// <summary>The inverse, for `events` and `update` output on v2.</summary>
    public static ulong CpuShares(ulong weight)
    {
        if (weight == 0)
            return 0;
        weight = Math.Clamp(weight, 1UL, 10000UL);
        return 2 + (weight - 1) * 262142 / 9999;
    }

    /// <summary>blkio weight [10, 1000] onto io.weight [1, 10000].</summary>
    public static ulong IoWeight(ulong blkioWeight)
    {
        if (blkioWeight == 0)
            return 0;
        blkioWeight = Math.Clamp(blkioWeight, 10UL, 1000UL);
        return 1 + (blkioWeight - 10) * 9999 / 990;
    }

    /// <summary>
    /// memory.swap.max from the spec's memory+swap: v2 limits swap alone. Null when nothing is to be
    /// written; -1 means "max". Throws (with the reason) for a swap limit that has no meaning.
    /// </summary>
    public static long? SwapMax(long? memorySwap, long? memory, out string? error)
    {
        error = null;
        long mem = memory ?? 0;
        if (memorySwap is null or 0)
            return null;
        long swap = memorySwap.Value;
        if (swap == -1)
            return -1;
        if (mem is 0 or -1)
        {
            error = "a memory+swap limit needs a memory limit (v2 limits swap on its own, as swap minus memory)";
            return null;
        }
        if (swap < mem)
        {
            error = $"memory+swap limit {swap} is below the memory limit {mem}";
            return null;
        }
        return swap - mem;
    }

    public static string Max(long v) => v < 0 ? "max" : v.ToString();
}
