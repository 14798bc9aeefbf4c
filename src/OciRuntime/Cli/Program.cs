using System.Runtime.Versioning;

[assembly: SupportedOSPlatform("linux")]

namespace OciRuntime.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Linux.GcHeapPrefault.Run();
        try
        {
            return Cli.CommandLine.Run(args);
        }
        finally
        {
            // The constructor's early executor, when the command did not use it (it failed
            // first, or was no `run`/`create` after all), ends with the runtime (decisions §24).
            Lifecycle.EarlyExecutor.Discard();
        }
    }
}
