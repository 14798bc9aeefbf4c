using System.Text.Json;
using System.Text;

namespace OciRuntime.Diagnostics;

/// <summary>
/// runc-compatible logging. With --log, entries go to that file ("json": one
/// {"level","msg","time"} object a line, which containerd's shim reads back to report failures;
/// "text": logfmt) and errors are also printed plainly on stderr. Without --log, the formatted
/// entries go to stderr.
/// </summary>
internal static class Log
{
    public static string? FilePath { get; set; }
    public static bool Json { get; set; }
    public static bool DebugEnabled { get; set; }

    public static void Error(string msg)
    {
        Write("error", msg);
        if (FilePath is not null)
            WriteStderr(msg + "\n");
    }

    public static void Warn(string msg) => Write("warning", msg);

    public static void Info(string msg) => Write("info", msg);

    public static void Debug(string msg)
    {
        if (DebugEnabled)
            Write("debug", msg);
    }

    private static void Write(string level, string msg)
    {
        string time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        string line = Json ? JsonLine(level, msg, time) : $"time=\"{time}\" level={level} msg={Quote(msg)}\n";
        if (FilePath is null)
        {
            WriteStderr(line);
            return;
        }
        try
        {
            File.AppendAllText(FilePath, line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteStderr($"cannot write to the log {FilePath}: {e.Message}\n{line}");
        }
    }

    private static string JsonLine(string level, string msg, string time)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("level", level);
            w.WriteString("msg", msg);
            w.WriteString("time", time);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>Go's %q, which logrus uses for text values.</summary>
    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
            sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", _ => c.ToString() });
        return sb.Append('"').ToString();
    }

    public static void WriteStderr(string s) => Output.Write(2, s);
}
