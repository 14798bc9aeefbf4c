namespace OciRuntime.Lifecycle;

/// <summary>runtime-spec statuses (plus runc's "paused"). Never stored: Container.Status derives
/// it from the init process, the exec fifo and the cgroup's freezer each time.</summary>
internal enum ContainerStatus
{
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}

/// <summary>What a command asks of an existing container.</summary>
internal enum ContainerCommand
{
    Start,
    Kill,
    /// <summary>`delete` without --force.</summary>
    Delete,
    /// <summary>`delete --force`.</summary>
    ForceDelete,
    Pause,
    Resume,
    Update,
    Exec,
    /// <summary>`exec --ignore-paused`.</summary>
    ExecIgnorePaused,
}

/// <summary>
/// The container state machine, the one place that says in which status each command may act,
/// the status it leaves behind, and the one message for a refused command (the wording runc users
/// and the tests rely on: "container not running" for kill, "(use --force)" for delete).
/// </summary>
internal static class ContainerStateMachine
{
    public static string Name(this ContainerStatus s) => s switch
    {
        ContainerStatus.Creating => "creating",
        ContainerStatus.Created => "created",
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        _ => "stopped",
    };

    /// <summary>The transitions: the statuses a command may act in, and the status after it
    /// (null: the container is gone; the same as before: the command does not change it).</summary>
    public static readonly IReadOnlyList<(ContainerCommand Command, ContainerStatus From, ContainerStatus? To)> Transitions =
    [
        (ContainerCommand.Start, ContainerStatus.Created, ContainerStatus.Running),
        (ContainerCommand.Kill, ContainerStatus.Creating, ContainerStatus.Creating),
        (ContainerCommand.Kill, ContainerStatus.Created, ContainerStatus.Created),
        (ContainerCommand.Kill, ContainerStatus.Running, ContainerStatus.Running),
        (ContainerCommand.Kill, ContainerStatus.Paused, ContainerStatus.Paused),
        // A created (or half-created) container is killed first, as runc does.
        (ContainerCommand.Delete, ContainerStatus.Creating, null),
        (ContainerCommand.Delete, ContainerStatus.Created, null),
        (ContainerCommand.Delete, ContainerStatus.Stopped, null),
        (ContainerCommand.ForceDelete, ContainerStatus.Creating, null),
        (ContainerCommand.ForceDelete, ContainerStatus.Created, null),
        (ContainerCommand.ForceDelete, ContainerStatus.Running, null),
        (ContainerCommand.ForceDelete, ContainerStatus.Paused, null),
        (ContainerCommand.ForceDelete, ContainerStatus.Stopped, null),
        (ContainerCommand.Pause, ContainerStatus.Created, ContainerStatus.Paused),
        (ContainerCommand.Pause, ContainerStatus.Running, ContainerStatus.Paused),
        (ContainerCommand.Resume, ContainerStatus.Paused, ContainerStatus.Running),
        (ContainerCommand.Update, ContainerStatus.Creating, ContainerStatus.Creating),
        (ContainerCommand.Update, ContainerStatus.Created, ContainerStatus.Created),
        (ContainerCommand.Update, ContainerStatus.Running, ContainerStatus.Running),
        (ContainerCommand.Update, ContainerStatus.Paused, ContainerStatus.Paused),
        // A created container too, as runc: its init waits for `start` with the namespaces, root
        // and cgroup in place.
        (ContainerCommand.Exec, ContainerStatus.Created, ContainerStatus.Created),
        (ContainerCommand.Exec, ContainerStatus.Running, ContainerStatus.Running),
        (ContainerCommand.ExecIgnorePaused, ContainerStatus.Created, ContainerStatus.Created),
        (ContainerCommand.ExecIgnorePaused, ContainerStatus.Running, ContainerStatus.Running),
        (ContainerCommand.ExecIgnorePaused, ContainerStatus.Paused, ContainerStatus.Paused),
    ];

    public static bool Allows(ContainerCommand command, ContainerStatus status)
    {
        foreach (var t in Transitions)
            if (t.Command == command && t.From == status)
                return true;
        return false;
    }

    /// <summary>The one message for <paramref name="command"/> refused in <paramref name="status"/>.</summary>
    public static string Refusal(ContainerCommand command, ContainerStatus status, string id) => command switch
    {
        ContainerCommand.Start when status == ContainerStatus.Stopped => $"cannot start container \"{id}\": it has stopped",
        ContainerCommand.Start => $"cannot start container \"{id}\": it is already {status.Name()}",
        ContainerCommand.Kill => $"cannot kill container \"{id}\": container not running",
        ContainerCommand.Delete or ContainerCommand.ForceDelete =>
            $"cannot delete container \"{id}\" that is not stopped: it is {status.Name()} (use --force)",
        ContainerCommand.Pause => $"cannot pause container \"{id}\": it is {status.Name()}",
        ContainerCommand.Resume => $"cannot resume container \"{id}\": it is {status.Name()}, not paused",
        ContainerCommand.Update => $"cannot update container \"{id}\": it has stopped",
        ContainerCommand.Exec when status == ContainerStatus.Paused =>
            $"cannot exec in container \"{id}\": it is paused (use --ignore-paused to exec anyway)",
        _ => $"cannot exec in container \"{id}\": it is {status.Name()}",
    };

    /// <summary>Throws the refusal (RuntimeError, exit status 1) unless the table has the transition.</summary>
    public static void Check(ContainerCommand command, ContainerStatus status, string id)
    {
        if (!Allows(command, status))
            throw new RuntimeError(Refusal(command, status, id));
    }
}
