namespace OciRuntime.Lifecycle;

/// <summary>runtime-spec statuses (plus runc's "paused").</summary>
internal enum ContainerStatus
{
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}

internal static class ContainerStatusNames
{
    public static string Name(this ContainerStatus s) => s switch
    {
        ContainerStatus.Creating => "creating",
        ContainerStatus.Created => "created",
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        _ => "stopped",
    };
}
