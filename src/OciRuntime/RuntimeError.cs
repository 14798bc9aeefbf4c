namespace OciRuntime;

/// <summary>An error for the user: the message is complete and is printed as is.</summary>
internal class RuntimeError(string message) : ReportedError(message);
