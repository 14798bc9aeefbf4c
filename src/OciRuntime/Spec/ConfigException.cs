namespace OciRuntime.Spec;

/// <summary>
/// A config file that cannot be read or parsed. <see cref="Exception.Message"/> is the whole
/// user-facing text, e.g. <c>config.json: process.args[1]: expected a string, got the number 5</c>.
/// </summary>
public sealed class ConfigException : ReportedError
{
    public ConfigException(string message, string? jsonPath = null, Exception? innerException = null)
        : base(message, innerException)
    {
        JsonPath = jsonPath;
    }

    /// <summary>The offending field, e.g. <c>process.args[1]</c>; null when the error is not about one field.</summary>
    public string? JsonPath { get; }
}
