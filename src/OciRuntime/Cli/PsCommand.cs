using System.Collections;
using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;
using OciRuntime.Linux;

namespace OciRuntime.Cli;

/// <summary>
/// `ps`: the container's processes (those in its cgroup). json: an array of pids, as Docker reads
/// it; table: ps(1)'s output (default -ef, or the arguments after the id) cut to those pids.
/// </summary>
internal sealed unsafe class PsCommand : Command
{
    public override string Name => "ps";
    public override string Summary => "list the processes running in a container";
    public override string Usage => "[--format table|json] <container-id> [ps options]";
    public override int MaxArgs => int.MaxValue;
    public override bool OptionsEndAtFirstArgument => true;
    public override IReadOnlyList<OptionSpec> Options => [new("format", true, "f")];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var c = Container.Load(ctx.Store, Id(a));
        string format = a.Get("format") ?? "table";
        var pids = c.Cgroup.Pids();
        if (format == "json")
        {
            if (a.Positionals.Count > 1)
                throw new UsageError("ps: ps options cannot be used with --format json");
            Output.Out("[" + string.Join(",", pids) + "]\n");
            return 0;
        }
        if (format != "table")
            throw new UsageError($"--format: unknown format \"{format}\" (table or json)");
        var psArgs = a.Positionals.Count > 1 ? a.Positionals.Skip(1).ToList() : ["-ef"];
        Output.Out(Filter(RunPs(psArgs), pids.ToHashSet()));
        return 0;
    }

    /// <summary>ps(1) from PATH with our environment; its output and errors go to memfds, read
    /// once it has exited (no pipe to drain while waiting). Spawned natively: the .NET Process
    /// class would add its SIGCHLD machinery and a megabyte of code to every command's start-up.</summary>
    private static string RunPs(List<string> args)
    {
        string path = ChildProcess.FindProgram("ps", []) ?? throw new RuntimeError("ps: ps(1) not found in PATH");
        int nul = LibC.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        int outFd = LibC.memfd_create("ociruntime-ps-out", LibC.MFD_CLOEXEC);
        int errFd = LibC.memfd_create("ociruntime-ps-err", LibC.MFD_CLOEXEC);
        try
        {
            if (nul < 0 || outFd < 0 || errFd < 0)
                throw SyscallException.Last("ps: open its stdin/stdout/stderr");
            int pid;
            using (var argv = new CStrings(["ps", .. args]))
            using (var envp = new CStrings(Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                       .Select(e => $"{e.Key}={e.Value}").ToList()))
                pid = HookSpawn.oci_spawn_redirected(path, argv.Ptr, envp.Ptr, nul, outFd, errFd);
            if (pid < 0)
                throw new RuntimeError($"ps: cannot run {path}: {LibC.StrError(-pid)}");
            int status = ChildProcess.WaitForExit(pid, 0, $"wait for ps {pid}");
            string output = ReadAll(outFd);
            if (status != 0)
                throw new RuntimeError($"ps {string.Join(' ', args)}: {ReadAll(errFd).Trim()}");
            return output;
        }
        finally
        {
            foreach (int fd in (ReadOnlySpan<int>)[nul, outFd, errFd])
                if (fd >= 0)
                    LibC.close(fd);
        }
    }

    private static string ReadAll(int fd)
    {
        LibC.lseek(fd, 0, 0);
        return SysFile.ReadToEnd(fd, 16 << 20, out _) ?? "";
    }

    /// <summary>The header line, then the lines whose PID column holds one of the pids.</summary>
    public static string Filter(string psOutput, HashSet<int> pids)
    {
        var lines = psOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
            return "";
        int col = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (col < 0)
            throw new RuntimeError("ps: its output has no PID column (add -o pid,...)");
        var sb = new System.Text.StringBuilder(lines[0]).Append('\n');
        foreach (var l in lines.Skip(1))
        {
            var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > col && int.TryParse(f[col], out int pid) && pids.Contains(pid))
                sb.Append(l).Append('\n');
        }
        return sb.ToString();
    }
}
