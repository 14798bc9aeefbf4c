namespace OciRuntime.Cgroups.V2;

/// <summary>
/// The v1 units of runtime-spec (cpu shares, blkio weights, memory+swap) turned into the v2 files'
/// units, with the formulas runc uses so that a container gets the same values under either runtime.
/// </summary>
internal static class V2Conversions
{
    /// <summary>
    /// cpu.shares [2, 262144] onto cpu.weight [1, 10000] with the curve runc 1.3.2+ and crun 1.23+
    /// use (opencontainers/cgroups' ConvertCPUSharesToCgroupV2Value): in log2(shares) a quadratic
    /// that meets the ends and sends the default 1024 to the default 100 (the linear formula before
    /// it sent 1024 to 39). 0 leaves the weight alone. The cgroupfs and the systemd driver (CPUWeight)
    /// both take it from here, so either gives a container the same weight.
    /// </summary>
    public static ulong CpuWeight(ulong shares)
    {
        if (shares == 0)
            return 0;
        if (shares <= 2)
            return 1;
        if (shares >= 262144)
            return 10000;
        double l = Math.Log2(shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (ulong)Math.Ceiling(Math.Pow(10, exponent));
    }

    /// <summary>The inverse (the root of the quadratic), for `events` and `update` output on v2.</summary>
    public static ulong CpuShares(ulong weight)
    {
        if (weight == 0)
            return 0;
        if (weight <= 1)
            return 2;
        if (weight >= 10000)
            return 262144;
        double e = Math.Log10(weight) + 7.0 / 34.0;
        double l = (-125 + Math.Sqrt(125.0 * 125.0 + 4 * 612.0 * e)) / 2;
        return (ulong)Math.Round(Math.Pow(2, l));
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
