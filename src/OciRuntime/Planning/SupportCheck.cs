namespace OciRuntime.Planning;

/// <summary>
/// Fields of runtime-spec v1.3.0 that this version does not carry out yet. Each is refused with a
/// clear error naming the field, never silently ignored: a container that silently lacks its
/// seccomp filter or memory limit is worse than one that does not start.
/// </summary>
internal static class SupportCheck
{
    public static void ThrowIfUnsupported(Spec.Spec c)
    {
        var l = c.Linux;
        if (l is null)
            return;
        // linux.resources: every field is applied (Cgroups/); what a host lacks is refused there.
        Refuse(l.IntelRdt is not null, "linux.intelRdt", "Intel RDT");
    }

    private static void Refuse(bool present, string field, string what)
    {
        if (present)
            throw new PlanningException(field, $"{what} not supported yet by ociruntime");
    }
}
