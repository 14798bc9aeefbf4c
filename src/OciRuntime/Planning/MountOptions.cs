using static OciRuntime.Linux.MountFlags;

namespace OciRuntime.Planning;

/// <summary>
/// The meaning of each entry of mounts[].options, as runc and the runtime-spec define it: a flag
/// set or cleared, a propagation type, or (anything else) filesystem data passed to mount(2).
/// </summary>
/// <param name="IdMap">"idmap" or "ridmap" (the last one given), with the index of that option</param>
/// <param name="AttrSet">MOUNT_ATTR_* the recursive options ("rro", ...) set on the mount and every mount below it</param>
/// <param name="AttrClr">MOUNT_ATTR_* they clear (the whole atime field when one of them names an atime)</param>
/// <param name="Copyup">"tmpcopyup": the new tmpfs gets what the directory held</param>
/// <param name="CopyupIndex">the index of that option</param>
/// <param name="ClearedFlags">the MS_* flags options such as "rw", "suid", "dev" cleared (and no later option set again)</param>
internal sealed record MountOptions(ulong Flags, ulong Propagation, string Data, bool Bind, bool Recursive,
    IdMapOption? IdMap = null, ulong AttrSet = 0, ulong AttrClr = 0, bool Copyup = false, int CopyupIndex = -1,
    ulong ClearedFlags = 0)
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
        ["symfollow"] = (true, MS_NOSYMFOLLOW),
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

    /// <summary>
    /// The recursive options of runtime-spec v1.3.0 (runc's names): (clear?, MOUNT_ATTR_*) applied
    /// with mount_setattr(AT_RECURSIVE) after the mount. The atime attributes are one field, which
    /// the kernel only takes whole: "rnoatime", "rstrictatime" and "rrelatime" set it to that value,
    /// and the options that only clear one ("ratime", "rnorelatime", "rnostrictatime") set it back
    /// to the kernel's default, relatime (as mount(2) does when none of the atime flags is given).
    /// </summary>
    private static readonly Dictionary<string, (bool Clear, ulong Attr)> RecursiveTable = new()
    {
        ["rro"] = (false, MOUNT_ATTR_RDONLY), ["rrw"] = (true, MOUNT_ATTR_RDONLY),
        ["rnosuid"] = (false, MOUNT_ATTR_NOSUID), ["rsuid"] = (true, MOUNT_ATTR_NOSUID),
        ["rnodev"] = (false, MOUNT_ATTR_NODEV), ["rdev"] = (true, MOUNT_ATTR_NODEV),
        ["rnoexec"] = (false, MOUNT_ATTR_NOEXEC), ["rexec"] = (true, MOUNT_ATTR_NOEXEC),
        ["rnodiratime"] = (false, MOUNT_ATTR_NODIRATIME), ["rdiratime"] = (true, MOUNT_ATTR_NODIRATIME),
        ["rnosymfollow"] = (false, MOUNT_ATTR_NOSYMFOLLOW), ["rsymfollow"] = (true, MOUNT_ATTR_NOSYMFOLLOW),
        ["rnoatime"] = (false, MOUNT_ATTR_NOATIME), ["ratime"] = (true, MOUNT_ATTR_NOATIME),
        ["rstrictatime"] = (false, MOUNT_ATTR_STRICTATIME), ["rnostrictatime"] = (true, MOUNT_ATTR_STRICTATIME),
        ["rrelatime"] = (false, MOUNT_ATTR_RELATIME), ["rnorelatime"] = (true, MOUNT_ATTR_RELATIME),
    };

    private static readonly HashSet<string> AtimeOptions =
        ["rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rrelatime", "rnorelatime"];

    /// <summary>Every option carried out (flags and propagation), for `features`.</summary>
    public static IEnumerable<string> Supported =>
        FlagTable.Keys.Concat(PropagationTable.Keys).Concat(RecursiveTable.Keys)
            .Concat(["idmap", "ridmap", "tmpcopyup"]).Order(StringComparer.Ordinal);

    public static MountOptions Parse(IReadOnlyList<string>? options, string fieldPath)
    {
        ulong flags = 0, propagation = 0, cleared = 0;
        var data = new List<string>();
        IdMapOption? idmap = null;
        ulong attrSet = 0, attrClr = 0;
        int copyup = -1;
        for (int i = 0; i < (options?.Count ?? 0); i++)
        {
            string o = options![i];
            if (FlagTable.TryGetValue(o, out var f))
            {
                if (f.Clear)
                {
                    flags &= ~f.Flag;
                    cleared |= f.Flag;
                }
                else
                {
                    flags |= f.Flag;
                    cleared &= ~f.Flag;
                }
            }
            else if (PropagationTable.TryGetValue(o, out var p))
                propagation = p;
            else if (o is "idmap" or "ridmap")
                idmap = new IdMapOption(o == "ridmap", i);
            else if (RecursiveTable.TryGetValue(o, out var r))
            {
                if (AtimeOptions.Contains(o))
                {
                    // one field: the last atime option gives its value
                    attrSet = (attrSet & ~MOUNT_ATTR_ATIME) | (r.Clear ? MOUNT_ATTR_RELATIME : r.Attr);
                    attrClr |= MOUNT_ATTR_ATIME;
                }
                else if (r.Clear)
                {
                    attrSet &= ~r.Attr;
                    attrClr |= r.Attr;
                }
                else
                {
                    attrSet |= r.Attr;
                    attrClr &= ~r.Attr;
                }
            }
            else if (o == "tmpcopyup")
                copyup = i;
            else
                data.Add(o);
        }
        return new MountOptions(flags, propagation, string.Join(',', data), (flags & MS_BIND) != 0, (flags & MS_REC) != 0, idmap,
            attrSet, attrClr, copyup >= 0, copyup, cleared);
    }

    /// <summary>Flags a bind mount has to get from a second, remounting pass.</summary>
    public ulong RemountFlags => Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);

    /// <summary>
    /// Whether a bind mount is remounted with its options at all (runc): when they set a flag or
    /// clear one. A bind with no such option keeps every flag of its source.
    /// </summary>
    public bool BindRemounts => RemountFlags != 0 || ClearedFlags != 0;

    /// <summary>
    /// The flags of a bind's remount as the executor takes them with OCI_MNT_EXACT_FLAGS: the
    /// flags asked in bits 0-31, the flags the options cleared in bits 32-63 (MS_* fit in 32).
    /// </summary>
    public ulong ExactRemountFlags => RemountFlags | (ClearedFlags << 32);
}

/// <summary>The mount option "idmap" (only the mount itself) or "ridmap" (its submounts too), at options[Index].</summary>
internal sealed record IdMapOption(bool Recursive, int Index);
