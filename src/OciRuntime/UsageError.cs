namespace OciRuntime;

/// <summary>A bad command line (an option or argument the runtime cannot take): exit status 1.</summary>
internal sealed class UsageError(string message) : ReportedError(message);
