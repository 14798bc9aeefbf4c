namespace OciRuntime;

/// <summary>An error for the user: the message is complete and is printed as is.</summary>
internal sealed class RuntimeError(string message) : ReportedError(message);
