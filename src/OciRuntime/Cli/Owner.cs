namespace OciRuntime.Cli;

/// <summary>The OWNER column of `list`: the user name of a uid, from /etc/passwd.</summary>
internal static class Owner
{
    /// <summary>State directories are always created by the user running the runtime, so the
    /// owner of every container under --root is that user.</summary>
    public static string Current() => NameOf(Linux.LibC.geteuid());

    public static string NameOf(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 2 && uint.TryParse(f[2], out uint u) && u == uid)
                    return f[0];
            }
        }
        catch (IOException)
        {
        }
        return $"#{uid}";
    }
}
