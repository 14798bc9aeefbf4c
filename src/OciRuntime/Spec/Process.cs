using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>The container process (config.json "process", and the whole of `exec --process`).</summary>
public sealed class Process
{
    [JsonPropertyName("terminal")] public bool? Terminal { get; set; }
    [JsonPropertyName("consoleSize")] public Box? ConsoleSize { get; set; }
    [JsonPropertyName("user")] public User? User { get; set; }
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    [JsonPropertyName("commandLine")] public string? CommandLine { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    [JsonPropertyName("cwd")] public string? Cwd { get; set; }
    [JsonPropertyName("capabilities")] public LinuxCapabilities? Capabilities { get; set; }
    [JsonPropertyName("rlimits")] public List<PosixRlimit>? Rlimits { get; set; }
    [JsonPropertyName("noNewPrivileges")] public bool? NoNewPrivileges { get; set; }
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; set; }
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; set; }
    [JsonPropertyName("scheduler")] public Scheduler? Scheduler { get; set; }
    [JsonPropertyName("selinuxLabel")] public string? SelinuxLabel { get; set; }
    [JsonPropertyName("ioPriority")] public LinuxIOPriority? IoPriority { get; set; }
    [JsonPropertyName("execCPUAffinity")] public CpuAffinity? ExecCPUAffinity { get; set; }
}

/// <summary>Console size in characters.</summary>
public sealed class Box
{
    [JsonPropertyName("height")] public uint? Height { get; set; }
    [JsonPropertyName("width")] public uint? Width { get; set; }
}

public sealed class User
{
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
    [JsonPropertyName("umask")] public uint? Umask { get; set; }
    [JsonPropertyName("additionalGids")] public List<uint>? AdditionalGids { get; set; }
    [JsonPropertyName("username")] public string? Username { get; set; }
}

public sealed class LinuxCapabilities
{
    [JsonPropertyName("bounding")] public List<string>? Bounding { get; set; }
    [JsonPropertyName("effective")] public List<string>? Effective { get; set; }
    [JsonPropertyName("inheritable")] public List<string>? Inheritable { get; set; }
    [JsonPropertyName("permitted")] public List<string>? Permitted { get; set; }
    [JsonPropertyName("ambient")] public List<string>? Ambient { get; set; }
}

public sealed class PosixRlimit
{
    [JsonPropertyName("type")] public string? Type { get; set; }

    // The schema requires both limits; a missing one would silently become 0 (as in Go), which
    // for RLIMIT_NOFILE means a container that cannot open a file. Reject it at parse time instead.
    [JsonRequired, JsonPropertyName("hard")] public ulong Hard { get; set; }
    [JsonRequired, JsonPropertyName("soft")] public ulong Soft { get; set; }
}

/// <summary>ioprio_set(2) class (IOPRIO_CLASS_RT, _BE, _IDLE) and level.</summary>
public sealed class LinuxIOPriority
{
    [JsonPropertyName("class")] public string? Class { get; set; }
    [JsonPropertyName("priority")] public int? Priority { get; set; }
}

/// <summary>sched_setattr(2) attributes.</summary>
public sealed class Scheduler
{
    [JsonPropertyName("policy")] public string? Policy { get; set; }
    [JsonPropertyName("nice")] public int? Nice { get; set; }
    [JsonPropertyName("priority")] public int? Priority { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("runtime")] public ulong? Runtime { get; set; }
    [JsonPropertyName("deadline")] public ulong? Deadline { get; set; }
    [JsonPropertyName("period")] public ulong? Period { get; set; }
}

/// <summary>CPU lists ("0-3,7") for the process while it joins the container and after exec.</summary>
public sealed class CpuAffinity
{
    [JsonPropertyName("initial")] public string? Initial { get; set; }
    [JsonPropertyName("final")] public string? Final { get; set; }
}
