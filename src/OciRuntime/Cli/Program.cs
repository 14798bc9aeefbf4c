using System.Runtime.Versioning;

[assembly: SupportedOSPlatform("linux")]

namespace OciRuntime.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Linux.GcHeapPrefault.Run();
        return Cli.CommandLine.Run(args);
    }
}
