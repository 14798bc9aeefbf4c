using OciRuntime.Lifecycle;
using Xunit;

namespace OciRuntime.Tests.Lifecycle;

/// <summary>The transition table (Lifecycle/ContainerStateMachine.cs): which command each status
/// takes, what it leaves behind, and the one message for each refusal (runc's wording where
/// container managers and the conformance tests match on it).</summary>
public class ContainerStateMachineTests
{
    private const ContainerStatus Creating = ContainerStatus.Creating, Created = ContainerStatus.Created,
        Running = ContainerStatus.Running, Paused = ContainerStatus.Paused, Stopped = ContainerStatus.Stopped;

    public static TheoryData<string, string[]> Allowed => new()
    {
        { "Start", ["Created"] },
        { "Kill", ["Creating", "Created", "Running", "Paused"] },
        { "Delete", ["Creating", "Created", "Stopped"] },
        { "ForceDelete", ["Creating", "Created", "Running", "Paused", "Stopped"] },
        { "Pause", ["Created", "Running"] },
        { "Resume", ["Paused"] },
        { "Update", ["Creating", "Created", "Running", "Paused"] },
        { "Exec", ["Created", "Running"] },
        { "ExecIgnorePaused", ["Created", "Running", "Paused"] },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void EachCommandActsInTheseStatusesOnly(string commandName, string[] allowedNames)
    {
        var command = Enum.Parse<ContainerCommand>(commandName);
        var allowed = allowedNames.Select(Enum.Parse<ContainerStatus>).ToArray();
        foreach (var s in Enum.GetValues<ContainerStatus>())
        {
            Assert.Equal(allowed.Contains(s), ContainerStateMachine.Allows(command, s));
            if (allowed.Contains(s))
                ContainerStateMachine.Check(command, s, "c1");
            else
                Assert.Equal(ContainerStateMachine.Refusal(command, s, "c1"),
                    Assert.Throws<RuntimeError>(() => ContainerStateMachine.Check(command, s, "c1")).Message);
        }
    }

    [Fact]
    public void EveryCommandIsInTheTable() =>
        Assert.Equal(Enum.GetValues<ContainerCommand>().Order(), ContainerStateMachine.Transitions.Select(t => t.Command).Distinct().Order());

    [Fact]
    public void OneRowPerCommandAndStatus() =>
        Assert.Equal(ContainerStateMachine.Transitions.Count,
            ContainerStateMachine.Transitions.Select(t => (t.Command, t.From)).Distinct().Count());

    [Theory]
    [InlineData("Start", "Created", "Running")]
    [InlineData("Pause", "Running", "Paused")]
    [InlineData("Pause", "Created", "Paused")]
    [InlineData("Resume", "Paused", "Running")]
    [InlineData("Kill", "Running", "Running")]
    [InlineData("Exec", "Created", "Created")]
    [InlineData("Update", "Paused", "Paused")]
    public void TheStatusAfter(string command, string from, string to) =>
        Assert.Equal(Enum.Parse<ContainerStatus>(to), Assert.Single(ContainerStateMachine.Transitions,
            t => t.Command == Enum.Parse<ContainerCommand>(command) && t.From == Enum.Parse<ContainerStatus>(from)).To);

    [Fact]
    public void DeleteLeavesNothing() =>
        Assert.All(ContainerStateMachine.Transitions.Where(t => t.Command is ContainerCommand.Delete or ContainerCommand.ForceDelete),
            t => Assert.Null(t.To));

    [Theory]
    [InlineData("Start", "Stopped", "cannot start container \"c1\": it has stopped")]
    [InlineData("Start", "Running", "cannot start container \"c1\": it is already running")]
    [InlineData("Start", "Paused", "cannot start container \"c1\": it is already paused")]
    [InlineData("Kill", "Stopped", "cannot kill container \"c1\": container not running")]
    [InlineData("Delete", "Running", "cannot delete container \"c1\" that is not stopped: it is running (use --force)")]
    [InlineData("Delete", "Paused", "cannot delete container \"c1\" that is not stopped: it is paused (use --force)")]
    [InlineData("Pause", "Stopped", "cannot pause container \"c1\": it is stopped")]
    [InlineData("Pause", "Paused", "cannot pause container \"c1\": it is paused")]
    [InlineData("Resume", "Running", "cannot resume container \"c1\": it is running, not paused")]
    [InlineData("Update", "Stopped", "cannot update container \"c1\": it has stopped")]
    [InlineData("Exec", "Paused", "cannot exec in container \"c1\": it is paused (use --ignore-paused to exec anyway)")]
    [InlineData("Exec", "Stopped", "cannot exec in container \"c1\": it is stopped")]
    [InlineData("ExecIgnorePaused", "Stopped", "cannot exec in container \"c1\": it is stopped")]
    public void TheRefusals(string command, string status, string message) =>
        Assert.Equal(message, Assert.Throws<RuntimeError>(() =>
            ContainerStateMachine.Check(Enum.Parse<ContainerCommand>(command), Enum.Parse<ContainerStatus>(status), "c1")).Message);

    [Fact]
    public void StatusNamesAreRuntimeSpecs() =>
        Assert.Equal(["creating", "created", "running", "paused", "stopped"], Enum.GetValues<ContainerStatus>().Select(s => s.Name()));
}
