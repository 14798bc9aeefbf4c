using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>process.capabilities as five bit masks, checked against what the runtime holds.</summary>
internal sealed record CapabilitySets(ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient)
{
    public static IEnumerable<string> Names(ulong mask) =>
        Enumerable.Range(0, 64).Where(i => (mask & (1UL << i)) != 0).Select(i => Capabilities.NameOf(i) ?? $"capability {i}");

    public static CapabilitySets From(LinuxCapabilities c, ulong runtimeBounding)
    {
        ulong Mask(List<string>? names, string field)
        {
            ulong m = 0;
            for (int i = 0; i < (names?.Count ?? 0); i++)
            {
                string name = names![i];
                if (!Capabilities.TryGetNumber(name, out int n))
                    throw new PlanningException($"{field}[{i}]", $"unknown capability \"{name}\"");
                // A capability the runtime itself lacks cannot be given (e.g. CAP_SYS_RESOURCE
                // where the host withholds it); say so instead of failing in capset.
                if ((runtimeBounding & (1UL << n)) == 0)
                    throw new PlanningException($"{field}[{i}]",
                        $"{name} is not in the runtime's own bounding set, so it cannot be granted on this host");
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
