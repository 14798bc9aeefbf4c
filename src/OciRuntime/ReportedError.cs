namespace OciRuntime;

/// <summary>
/// The base of the runtime's own errors (RuntimeError, UsageError, PlanningException,
/// Spec.ConfigException, Linux.SyscallException): the message is the whole text the user sees, and
/// the command line maps the type to an exit status (Cli/CommandLine.Run).
/// </summary>
public abstract class ReportedError(string message, Exception? inner = null) : Exception(message, inner);
