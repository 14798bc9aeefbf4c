using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>process.capabilities as five bit masks, limited to what the runtime can grant.</summary>
internal sealed record CapabilitySets(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient)
{
    public static IEnumerable<string> Names(ulong mask) =>
        Enumerable.Range(0, 64).Where(i => (mask & (1UL << i)) != 0).Select(i => Capabilities.NameOf(i) ?? $"capability {i}");

    /// <summary>
    /// The sets asked for. runtime-spec v1.3.0: a capability the runtime cannot grant MUST be
    /// logged as a warning and SHOULD NOT fail the container; runc and crun drop it and go on
    /// (specs/decisions.md §9). An unknown name, or one outside the runtime's own bounding set
    /// (root here lacks CAP_SYS_RESOURCE), is dropped with a warning naming the entry.
    /// </summary>
    public static CapabilitySets From(LinuxCapabilities c, ulong runtimeBounding, List<string> warnings)
    {
        ulong Mask(List<string>? names, string field)
        {
            ulong m = 0;
            for (int i = 0; i < (names?.Count ?? 0); i++)
            {
                string name = names![i];
                if (!Capabilities.TryGetNumber(name, out int n))
                    warnings.Add($"{field}[{i}]: unknown capability \"{name}\" ignored");
                else if ((runtimeBounding & (1UL << n)) == 0)
                    warnings.Add($"{field}[{i}]: {name} is not in the runtime's own bounding set, so it cannot be granted on this host; ignored");
                else
                    m |= 1UL << n;
            }
            return m;
        }

        return new CapabilitySets(
            Mask(c.Bounding, "process.capabilities.bounding"),
            Mask(c.Effective, "process.capabilities.effective"),
            Mask(c.Permitted, "process.capabilities.permitted"),
            Mask(c.Inheritable, "process.capabilities.inheritable"),
            Mask(c.Ambient, "process.capabilities.ambient"));
    }
}
