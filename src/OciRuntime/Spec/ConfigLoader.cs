using OciRuntime.Spec.Json;
using LibC = OciRuntime.Linux.LibC;
using SysFile = OciRuntime.Linux.SysFile;

namespace OciRuntime.Spec;

/// <summary>
/// Reads config.json (and process.json for <c>exec --process</c>). Every failure is a
/// <see cref="ConfigException"/> whose message names the file and the JSON field.
/// Parsing is as lenient as runc's (unknown fields are ignored, key case is not significant) and as
/// strict as the types: numbers must be JSON numbers that fit, nothing is read from strings.
/// </summary>
/// <remarks>
/// Read by the hand-written readers in Spec/Json, not the JsonSerializer: this is on the path of
/// every create/run/exec and the serializer's first call costs ~5 ms of CPU (specs/performance.md).
/// Everything else is written by hand too (Spec/Json/*Writer.cs): the binary has no serializer.
/// </remarks>
public static class ConfigLoader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static Spec Load(string configPath) => Parse(ReadFile(configPath), DisplayName(configPath));

    public static Spec Parse(ReadOnlySpan<byte> json, string sourceName = "config.json") =>
        Parse(json, sourceName, SpecReader.ReadSpec);

    /// <summary>A process.json as given to <c>exec --process</c>: one "process" object.</summary>
    public static Process LoadProcess(string processPath) => ParseProcess(ReadFile(processPath), DisplayName(processPath));

    public static Process ParseProcess(ReadOnlySpan<byte> json, string sourceName = "process.json") =>
        Parse(json, sourceName, ProcessReader.ReadProcess);

    /// <summary>
    /// A LinuxResources object on its own (`update --resources`), with config.json's rules and
    /// errors; JSON null means no change, as in runc.
    /// </summary>
    public static LinuxResources ParseResources(ReadOnlySpan<byte> json, string sourceName) =>
        Parse(json, sourceName, static (ref JsonCursor c) => ResourcesReader.ReadLinuxResources(ref c) ?? new LinuxResources());

    private static T Parse<T>(ReadOnlySpan<byte> json, string sourceName, JsonItemReader<T> read) where T : class
    {
        // Editors on some systems save a UTF-8 byte order mark; it is not JSON but means no harm.
        if (json.StartsWith(Utf8Bom))
            json = json[Utf8Bom.Length..];
        if (json.Trim(" \t\r\n"u8).IsEmpty)
            throw new ConfigException($"{sourceName}: the file is empty (expected a JSON object)");

        return JsonCursor.Parse(json, sourceName, caseInsensitiveKeys: true, read);
    }

    private static string DisplayName(string path)
    {
        string name = Path.GetFileName(path);
        return name.Length > 0 ? name : path;
    }

    private static byte[] ReadFile(string path)
    {
        if (SysFile.TryReadBytes(path, out int errno) is { } bytes)
            return bytes;
        string name = DisplayName(path);
        throw new ConfigException(errno switch
        {
            LibC.ENOENT or LibC.ENOTDIR => $"{name}: no such file: {path}",
            LibC.EISDIR => $"{name}: {path} is a directory, not a file",
            LibC.EACCES or LibC.EPERM => $"{name}: permission denied: {path}",
            _ => $"{name}: cannot read {path}: {LibC.StrError(errno)}",
        });
    }
}
