using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "linux.seccomp". Known names are in <see cref="SeccompNames"/>.</summary>
public sealed class LinuxSeccomp
{
    [JsonPropertyName("defaultAction")] public string? DefaultAction { get; set; }
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<LinuxSyscall>? Syscalls { get; set; }
}

public sealed class LinuxSyscall
{
    [JsonPropertyName("names")] public List<string>? Names { get; set; }
    [JsonPropertyName("action")] public string? Action { get; set; }
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
}

public sealed class LinuxSeccompArg
{
    /// <summary>Argument position, 0 to 5.</summary>
    [JsonPropertyName("index")] public uint? Index { get; set; }
    [JsonPropertyName("value")] public ulong? Value { get; set; }
    /// <summary>The second operand of SCMP_CMP_MASKED_EQ (the value compared after masking with value).</summary>
    [JsonPropertyName("valueTwo")] public ulong? ValueTwo { get; set; }
    [JsonPropertyName("op")] public string? Op { get; set; }
}
