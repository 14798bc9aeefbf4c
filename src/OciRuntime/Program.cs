using System.Runtime.Versioning;

[assembly: SupportedOSPlatform("linux")]

namespace OciRuntime;

internal static class Program
{
    private static int Main(string[] args) => Cli.CommandLine.Run(args);
}
