namespace OciRuntime.Cli;

/// <summary>The OWNER column of `list`: the user name of a uid, from /etc/passwd.</summary>
internal static class Owner
{
    /// <summary>State directories are always created by the user running the runtime, so the
    /// owner of every container under --root is that user.</summary>
    public static string Current() => NameOf(Linux.LibC.geteuid());

    public static string NameOf(uint uid)
    {
        string? passwd;
        try
        {
            passwd = File.ReadAllText("/etc/passwd");
        }
        catch (IOException)
        {
            passwd = null;
        }
        return PasswdFile.NameOf(passwd, uid) ?? $"#{uid}";
    }
}
