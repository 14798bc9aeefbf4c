using System.Text;
using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// linux.timeOffsets. unshare(CLONE_NEWTIME) moves only the children of the caller into the new
/// time namespace, and its offsets can be written only until the first process enters it: so the
/// offsets are written by the executor to its own /proc/self/timens_offsets right after the
/// unshare and before the FORK that the namespace planner emits for a time namespace.
/// </summary>
internal static class TimeNamespacePlanner
{
    /// <summary>The step, or null when there are no offsets (SpecValidator already refused
    /// offsets without a new time namespace and unknown clocks).</summary>
    public static TimensOffsetsStep? Plan(Spec.Spec config)
    {
        var offsets = config.Linux?.TimeOffsets;
        if (offsets is not { Count: > 0 })
            return null;
        var text = new StringBuilder();
        // Sorted: the plan does not depend on the order of the JSON object's keys.
        foreach (var (clock, o) in offsets.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (clock is not ("monotonic" or "boottime"))
                throw new PlanningException($"linux.timeOffsets.{clock}", "unknown clock (expected monotonic or boottime)");
            text.Append(clock).Append(' ').Append(o.Secs ?? 0).Append(' ').Append(o.Nanosecs ?? 0).Append('\n');
        }
        return new TimensOffsetsStep(text.ToString(), "linux.timeOffsets");
    }
}
