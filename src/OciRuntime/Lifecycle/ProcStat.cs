namespace OciRuntime.Lifecycle;

/// <summary>The two fields of /proc/PID/stat the lifecycle needs.</summary>
internal readonly record struct ProcStat(char State, ulong StartTime)
{
    public static ProcStat? Read(int pid)
    {
        string? text = Linux.SysFile.TryRead($"/proc/{pid}/stat", out _);
        return text is null ? null : Parse(text);
    }

    /// <summary>The command name (field 2) may hold spaces and ')', so fields are counted from
    /// the last ')'.</summary>
    public static ProcStat? Parse(string text)
    {
        int close = text.LastIndexOf(')');
        if (close < 0 || close + 2 > text.Length)
            return null;
        // From field 3 (state) on; field 22 (starttime) is 19 fields further.
        var rest = text.AsSpan(close + 2);
        int sp = rest.IndexOf(' ');
        if (sp != 1)
            return null;
        char state = rest[0];
        for (int i = 0; i < 19; i++)
        {
            sp = rest.IndexOf(' ');
            if (sp < 0)
                return null;
            rest = rest[(sp + 1)..];
        }
        int end = rest.IndexOfAny(' ', '\n');
        if (!ulong.TryParse(end < 0 ? rest : rest[..end], out ulong start))
            return null;
        return new ProcStat(state, start);
    }

    public bool IsDead => State is 'Z' or 'X' or 'x';
}
