using static OciRuntime.Linux.MountFlags;

namespace OciRuntime.Planning;

/// <summary>
/// The meaning of each entry of mounts[].options, as runc and the runtime-spec define it: a flag
/// set or cleared, a propagation type, or (anything else) filesystem data passed to mount(2).
/// </summary>
/// <param name="IdMap">"idmap" or "ridmap" (the last one given), with the index of that option</param>
internal sealed record MountOptions(ulong Flags, ulong Propagation, string Data, bool Bind, bool Recursive,
    IdMapOption? IdMap = null)
{
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagTable = new()
    {
        ["async"] = (true, MS_SYNCHRONOUS),
        ["atime"] = (true, MS_NOATIME),
        ["bind"] = (false, MS_BIND),
        ["defaults"] = (false, 0),
        ["dev"] = (true, MS_NODEV),
        ["diratime"] = (true, MS_NODIRATIME),
        ["dirsync"] = (false, MS_DIRSYNC),
        ["exec"] = (true, MS_NOEXEC),
        ["iversion"] = (false, MS_I_VERSION),
        ["lazytime"] = (false, MS_LAZYTIME),
        ["loud"] = (true, MS_SILENT),
        ["mand"] = (false, MS_MANDLOCK),
        ["noatime"] = (false, MS_NOATIME),
        ["nodev"] = (false, MS_NODEV),
        ["nodiratime"] = (false, MS_NODIRATIME),
        ["noexec"] = (false, MS_NOEXEC),
        ["noiversion"] = (true, MS_I_VERSION),
        ["nolazytime"] = (true, MS_LAZYTIME),
        ["nomand"] = (true, MS_MANDLOCK),
        ["norelatime"] = (true, MS_RELATIME),
        ["nostrictatime"] = (true, MS_STRICTATIME),
        ["nosuid"] = (false, MS_NOSUID),
        ["nosymfollow"] = (false, MS_NOSYMFOLLOW),
        ["rbind"] = (false, MS_BIND | MS_REC),
        ["relatime"] = (false, MS_RELATIME),
        ["remount"] = (false, MS_REMOUNT),
        ["ro"] = (false, MS_RDONLY),
        ["rw"] = (true, MS_RDONLY),
        ["silent"] = (false, MS_SILENT),
        ["strictatime"] = (false, MS_STRICTATIME),
        ["suid"] = (true, MS_NOSUID),
        ["sync"] = (false, MS_SYNCHRONOUS),
    };

    private static readonly Dictionary<string, ulong> PropagationTable = new()
    {
        ["private"] = MS_PRIVATE, ["rprivate"] = MS_PRIVATE | MS_REC,
        ["shared"] = MS_SHARED, ["rshared"] = MS_SHARED | MS_REC,
        ["slave"] = MS_SLAVE, ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE, ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    /// <summary>Options runtime-spec v1.3.0 defines that this runtime does not carry out yet.</summary>
    private static readonly HashSet<string> NotYet =
    [
        "tmpcopyup",
        "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime",
        "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow",
        "rsymfollow",
    ];

    /// <summary>Every option carried out (flags and propagation), for `features`.</summary>
    public static IEnumerable<string> Supported =>
        FlagTable.Keys.Concat(PropagationTable.Keys).Concat(["idmap", "ridmap"]).Order(StringComparer.Ordinal);

    public static MountOptions Parse(IReadOnlyList<string>? options, string fieldPath)
    {
        ulong flags = 0, propagation = 0;
        var data = new List<string>();
        IdMapOption? idmap = null;
        for (int i = 0; i < (options?.Count ?? 0); i++)
        {
            string o = options![i];
            if (FlagTable.TryGetValue(o, out var f))
            {
                if (f.Clear)
                    flags &= ~f.Flag;
                else
                    flags |= f.Flag;
            }
            else if (PropagationTable.TryGetValue(o, out var p))
                propagation = p;
            else if (o is "idmap" or "ridmap")
                idmap = new IdMapOption(o == "ridmap", i);
            else if (NotYet.Contains(o))
                throw new PlanningException($"{fieldPath}[{i}]", $"mount option \"{o}\" is not supported yet");
            else
                data.Add(o);
        }
        return new MountOptions(flags, propagation, string.Join(',', data), (flags & MS_BIND) != 0, (flags & MS_REC) != 0, idmap);
    }

    /// <summary>Flags a bind mount has to get from a second, remounting pass.</summary>
    public ulong RemountFlags => Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
}

/// <summary>The mount option "idmap" (only the mount itself) or "ridmap" (its submounts too), at options[Index].</summary>
internal sealed record IdMapOption(bool Recursive, int Index);
