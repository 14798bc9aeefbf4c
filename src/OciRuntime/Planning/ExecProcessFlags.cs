using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>`exec`'s flag form: the container's own process (from its config.json) with these
/// changes, as runc makes them.</summary>
internal sealed record ExecProcessFlags(
    IReadOnlyList<string> Args,
    string? Cwd = null,
    IReadOnlyList<string>? Env = null,
    bool? Tty = null,
    string? User = null,
    IReadOnlyList<string>? AdditionalGids = null,
    IReadOnlyList<string>? Caps = null,
    bool? NoNewPrivs = null,
    string? Apparmor = null,
    string? ProcessLabel = null)
{
    /// <summary>Applies the flags to <paramref name="p"/> (the config's process, loaded for this
    /// call and changed in place) and returns it.</summary>
    public Process ApplyTo(Process p)
    {
        p.Args = [.. Args];
        // The container's own commandLine (Windows) would otherwise win over the new args.
        p.CommandLine = null;
        if (!string.IsNullOrEmpty(Cwd))
            p.Cwd = Cwd;
        if (Env is { Count: > 0 })
            p.Env = [.. p.Env ?? [], .. Env];
        if (Tty is { } tty)
            p.Terminal = tty;
        if (NoNewPrivs is { } nnp)
            p.NoNewPrivileges = nnp;
        if (!string.IsNullOrEmpty(Apparmor))
            p.ApparmorProfile = Apparmor;
        if (!string.IsNullOrEmpty(ProcessLabel))
            p.SelinuxLabel = ProcessLabel;
        if (!string.IsNullOrEmpty(User))
        {
            p.User ??= new User();
            var parts = User.Split(':', 2);
            p.User.Uid = ParseId(parts[0], "--user", "uid");
            if (parts.Length > 1)
                p.User.Gid = ParseId(parts[1], "--user", "gid");
            // The name no longer says who the process is.
            p.User.Username = null;
        }
        if (AdditionalGids is { Count: > 0 })
        {
            p.User ??= new User();
            p.User.AdditionalGids = [.. p.User.AdditionalGids ?? [], .. AdditionalGids.Select(g => ParseId(g, "--additional-gids", "gid"))];
        }
        if (Caps is { Count: > 0 })
        {
            // Added to the bounding, effective and permitted sets only: an exec'd process gets an
            // inheritable capability only where its config asks for one (CVE-2022-29162), and an
            // ambient one only where inheritable ones exist to make it possible.
            var c = p.Capabilities ??= new LinuxCapabilities();
            c.Bounding = Union(c.Bounding, Caps);
            c.Effective = Union(c.Effective, Caps);
            c.Permitted = Union(c.Permitted, Caps);
            if (c.Inheritable is { Count: > 0 })
                c.Ambient = Union(c.Ambient, Caps.Where(c.Inheritable.Contains));
        }
        return p;
    }

    private static List<string> Union(List<string>? set, IEnumerable<string> add) => [.. (set ?? []).Union(add)];

    private static uint ParseId(string s, string flag, string what) =>
        uint.TryParse(s, System.Globalization.NumberStyles.None, null, out uint v)
            ? v
            : throw new PlanningException(flag, $"\"{s}\" is not a numeric {what}");
}
