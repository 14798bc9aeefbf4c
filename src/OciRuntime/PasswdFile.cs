namespace OciRuntime;

/// <summary>
/// The one reader of /etc/passwd text ("name:password:uid:gid:gecos:home:shell" per line), for the
/// host's file (rootless user name, `list`'s OWNER) and the container's (HOME). Pure: callers read
/// the file; a line that does not parse is skipped, as glibc's files backend does.
/// </summary>
internal static class PasswdFile
{
    /// <summary>One line: the name, the uid and the home directory ("" when the line has none).</summary>
    public readonly record struct Entry(string Name, uint Uid, string Home);

    public static IEnumerable<Entry> Parse(string? text)
    {
        foreach (var raw in (text ?? "").Split('\n'))
        {
            var f = raw.TrimEnd('\r').Split(':');
            if (f.Length > 2 && uint.TryParse(f[2], out uint uid))
                yield return new Entry(f[0], uid, f.Length >= 7 ? f[5] : "");
        }
    }

    /// <summary>The first entry of <paramref name="uid"/>, or null.</summary>
    public static Entry? Find(string? text, uint uid)
    {
        foreach (var e in Parse(text))
            if (e.Uid == uid)
                return e;
        return null;
    }

    /// <summary>The login name of <paramref name="uid"/>, or null.</summary>
    public static string? NameOf(string? text, uint uid) => Find(text, uid)?.Name;

    /// <summary>The home directory of <paramref name="uid"/> (its first entry that names one); "/"
    /// when it has none, as runc.</summary>
    public static string HomeOf(string? text, uint uid)
    {
        foreach (var e in Parse(text))
            if (e.Uid == uid && e.Home.Length > 0)
                return e.Home;
        return "/";
    }
}
