namespace OciRuntime;

/// <summary>A command line the runtime cannot carry out: printed with the usage hint, exit status 1.</summary>
internal sealed class UsageError(string message) : Exception(message);
