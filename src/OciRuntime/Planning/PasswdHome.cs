namespace OciRuntime.Planning;

/// <summary>The home directory of a uid in an /etc/passwd text ("/" when it has none, as runc).</summary>
internal static class PasswdHome
{
    public static string Find(string? passwd, uint uid)
    {
        foreach (var line in (passwd ?? "").Split('\n'))
        {
            var f = line.Split(':');
            if (f.Length >= 7 && uint.TryParse(f[2], out uint u) && u == uid && f[5].Length > 0)
                return f[5];
        }
        return "/";
    }
}
