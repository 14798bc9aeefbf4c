namespace OciRuntime.Cli;

/// <summary>Signal names and numbers as `kill` accepts them: "KILL", "SIGKILL", "9",
/// "RTMIN+3" (case-insensitive, as runc).</summary>
internal static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
        "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    private const int RtMin = 34, RtMax = 64;

    public static int Parse(string s)
    {
        if (int.TryParse(s, out int n))
            return n is >= 0 and <= RtMax ? n : throw Invalid(s); // 0: is the init alive? (as runc)
        string name = s.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
            name = name[3..];
        int i = Array.IndexOf(Names, name);
        if (i > 0)
            return i;
        if (name is "IOT")
            return 6;
        if (name is "CLD")
            return 17;
        if (name is "POLL")
            return 29;
        if (name.StartsWith("RTMIN", StringComparison.Ordinal))
            return Offset(name[5..], RtMin, +1, s);
        if (name.StartsWith("RTMAX", StringComparison.Ordinal))
            return Offset(name[5..], RtMax, -1, s);
        throw Invalid(s);
    }

    private static int Offset(string rest, int @base, int sign, string s)
    {
        if (rest.Length == 0)
            return @base;
        if (rest[0] != (sign > 0 ? '+' : '-') || !int.TryParse(rest[1..], out int k) || k < 0)
            throw Invalid(s);
        int n = @base + sign * k;
        return n is >= RtMin and <= RtMax ? n : throw Invalid(s);
    }

    private static RuntimeError Invalid(string s) => new($"invalid signal \"{s}\"");
}
