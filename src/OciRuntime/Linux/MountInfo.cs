namespace OciRuntime.Linux;

/// <summary>
/// The lines of /proc/PID/mountinfo, read in place: "id parent maj:min root mountpoint options
/// [optional...] - fstype source superoptions". Spans into the text, nothing allocated per line:
/// on a host running many containers the file has hundreds of lines, and every `create` reads it.
/// </summary>
internal ref struct MountInfo(ReadOnlySpan<char> text)
{
    private ReadOnlySpan<char> _rest = text;

    /// <summary>The mount point, still escaped as the kernel writes it (see <see cref="Unescape"/>).</summary>
    public ReadOnlySpan<char> MountPoint { get; private set; }

    public ReadOnlySpan<char> FsType { get; private set; }

    public ReadOnlySpan<char> SuperOptions { get; private set; }

    /// <summary>Moves to the next well-formed line; false at the end.</summary>
    public bool MoveNext()
    {
        while (!_rest.IsEmpty)
        {
            int nl = _rest.IndexOf('\n');
            var line = nl < 0 ? _rest : _rest[..nl];
            _rest = nl < 0 ? default : _rest[(nl + 1)..];
            // No field holds a raw space (the kernel escapes them), so " - " is the separator.
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0 || !TryField(line[..dash], 4, out var mountPoint))
                continue;
            var tail = line[(dash + 3)..];
            if (!TryField(tail, 0, out var fsType) || !TryField(tail, 2, out var superOptions))
                continue;
            MountPoint = mountPoint;
            FsType = fsType;
            SuperOptions = superOptions;
            return true;
        }
        return false;
    }

    public readonly MountInfo GetEnumerator() => this;

    public readonly MountInfo Current => this;

    /// <summary>Field <paramref name="index"/> (0-based) of space-separated text.</summary>
    private static bool TryField(ReadOnlySpan<char> s, int index, out ReadOnlySpan<char> field)
    {
        for (int i = 0; i < index; i++)
        {
            int sp = s.IndexOf(' ');
            if (sp < 0)
            {
                field = default;
                return false;
            }
            s = s[(sp + 1)..];
        }
        int end = s.IndexOf(' ');
        field = end < 0 ? s : s[..end];
        return true;
    }

    /// <summary>A path as mountinfo escapes it (octal \040 space, \011 tab, \012 newline, \134 backslash).</summary>
    public static string Unescape(ReadOnlySpan<char> s) => s.IndexOf('\\') < 0
        ? s.ToString()
        : s.ToString().Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
