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
        if (close < 0)
            return null;
        var f = text[(close + 2)..].Split(' ');
        // f[0] is field 3 (state); field 22 (starttime) is f[19].
        if (f.Length < 20 || f[0].Length != 1 || !ulong.TryParse(f[19], out ulong start))
            return null;
        return new ProcStat(f[0][0], start);
    }

    public bool IsDead => State is 'Z' or 'X' or 'x';
}
