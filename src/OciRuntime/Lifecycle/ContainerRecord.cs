using System.Text.Json.Serialization;

namespace OciRuntime.Lifecycle;

/// <summary>What the runtime remembers about a container: &lt;root&gt;/&lt;id&gt;/state.json.</summary>
internal sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>Start time of the init (field 22 of /proc/PID/stat): tells the init from a later
    /// process that reuses its pid.</summary>
    [JsonPropertyName("initStartTime")] public ulong InitStartTime { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>hierarchy mount point → the container's cgroup directory in it.</summary>
    [JsonPropertyName("cgroupDirectories")] public Dictionary<string, string>? CgroupDirectories { get; set; }
    /// <summary>config.json's hooks, kept for `start` (startContainer, poststart) and `delete` (poststop).</summary>
    [JsonPropertyName("hooks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Spec.Hooks? Hooks { get; set; }
    /// <summary>config.json had no process: `create` made the container, `start` must fail
    /// (runtime-spec: start MUST generate an error if process was not set).</summary>
    /// <summary>--systemd-cgroup: the unit holding the container's cgroup (null: cgroupfs driver).</summary>
    [JsonPropertyName("systemdUnit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SystemdUnit { get; set; }
    /// <summary>The unit belongs to the user's systemd instance (not the system's).</summary>
    [JsonPropertyName("systemdUser")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SystemdUser { get; set; }
    [JsonPropertyName("noProcess")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool NoProcess { get; set; }
    /// <summary>No mount namespace of the container's own: the id of the mount that was at the
    /// rootfs path before `create`; `delete` detaches what the container stacked on it (HostMounts).</summary>
    [JsonPropertyName("rootfsBaseMount")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? RootfsBaseMount { get; set; }
}
