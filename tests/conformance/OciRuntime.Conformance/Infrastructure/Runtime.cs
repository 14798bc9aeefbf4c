using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace OciRuntime.Conformance;

public sealed class InvokeOptions
{
    /// <summary>Working directory of the runtime process (default: the test dir).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>File for stdin (default /dev/null).</summary>
    public string? StdinFile { get; init; }

    /// <summary>Start the runtime with an extra fd 9 open without close-on-exec (it must not reach the container).</summary>
    public bool LeakFd { get; init; }

    /// <summary>Start the runtime with SIGPIPE, SIGHUP and SIGUSR2 ignored (they must not stay ignored in the container).</summary>
    public bool IgnoreSignals { get; init; }

    /// <summary>Leave out --root/--log/--log-format (for `--version`, `spec`).</summary>
    public bool NoGlobalArgs { get; init; }

    public TimeSpan? Timeout { get; init; }
}

/// <summary>What one runtime invocation did.</summary>
public sealed class RuntimeResult
{
    public required IReadOnlyList<string> Args { get; init; }
    public required int ExitCode { get; init; }
    public required string Stdout { get; init; }
    public required string Stderr { get; init; }
    public required string StdoutPath { get; init; }
    public required bool TimedOut { get; init; }
    public required TimeSpan Elapsed { get; init; }

    public bool Ok => ExitCode == 0 && !TimedOut;

    /// <summary>stdout parsed as probe key=value lines.</summary>
    public ProbeOutput Probe => new(Stdout);

    /// <summary>Stdout as it is now: a created or detached container writes to the same file later.</summary>
    public string ReadStdoutNow() => File.Exists(StdoutPath) ? File.ReadAllText(StdoutPath) : "";

    public RuntimeResult AssertOk(string? what = null)
    {
        if (!Ok)
            throw new XunitException($"{what ?? "runtime call"} failed (expected exit 0):\n{this}");
        return this;
    }

    /// <summary>Asserts a clean failure: non-zero exit within the timeout and a message on stderr.</summary>
    public RuntimeResult AssertFailed(string? what = null)
    {
        if (TimedOut)
            throw new XunitException($"{what ?? "runtime call"} timed out (expected a prompt failure):\n{this}");
        if (ExitCode == 0)
            throw new XunitException($"{what ?? "runtime call"} succeeded but must fail:\n{this}");
        if (string.IsNullOrWhiteSpace(Stderr))
            throw new XunitException($"{what ?? "runtime call"} failed without a message on stderr:\n{this}");
        return this;
    }

    /// <summary>Asserts stderr contains one of the fragments (case-insensitive).</summary>
    public RuntimeResult AssertStderrMentions(params string[] anyOf)
    {
        if (!anyOf.Any(f => Stderr.Contains(f, StringComparison.OrdinalIgnoreCase)))
            throw new XunitException($"stderr mentions none of [{string.Join(", ", anyOf.Select(f => "\"" + f + "\""))}]:\n{this}");
        return this;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("$ ").AppendJoin(' ', Args.Select(Quote)).AppendLine();
        sb.Append(TimedOut ? "TIMED OUT (killed)" : $"exit {ExitCode}").Append($" after {Elapsed.TotalMilliseconds:F0} ms").AppendLine();
        if (Stdout.Length > 0)
            sb.AppendLine("stdout:").AppendLine(Trim(Stdout));
        if (Stderr.Length > 0)
            sb.AppendLine("stderr:").AppendLine(Trim(Stderr));
        return sb.ToString();

        static string Trim(string s) => s.Length > 6000 ? s[..6000] + "\n[...]" : s.TrimEnd();
        static string Quote(string a) => a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";
    }
}

/// <summary>A runtime process started in the background (e.g. a foreground `run` the test kills from outside).</summary>
public sealed class RuntimeInvocation
{
    private readonly Process _process;
    private readonly Stopwatch _watch;
    private readonly string _out, _err;
    private readonly Action<RuntimeResult> _onDone;
    private RuntimeResult? _result;

    internal RuntimeInvocation(Process process, Stopwatch watch, string[] args, string outPath, string errPath, Action<RuntimeResult> onDone)
    {
        _process = process;
        _watch = watch;
        Args = args;
        _out = outPath;
        _err = errPath;
        _onDone = onDone;
    }

    public IReadOnlyList<string> Args { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    /// <summary>What it has printed so far.</summary>
    public string StdoutNow() => ReadFile(_out);

    public RuntimeResult Wait(TimeSpan? timeout = null)
    {
        if (_result != null)
            return _result;
        bool timedOut = false;
        if (!_process.WaitForExit(timeout ?? TestEnv.CallTimeout))
        {
            timedOut = true;
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit(5000);
        }
        _watch.Stop();
        _result = new RuntimeResult
        {
            Args = Args,
            ExitCode = _process.HasExited ? _process.ExitCode : -1,
            Stdout = ReadFile(_out),
            Stderr = ReadFile(_err),
            StdoutPath = _out,
            TimedOut = timedOut,
            Elapsed = _watch.Elapsed,
        };
        _process.Dispose();
        _onDone(_result);
        return _result;
    }

    private static string ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
    }
}

/// <summary>
/// Runs the runtime under test with a private --root (and --log FILE --log-format json) for one
/// test, and remembers the containers it made so the test scope can force-delete them.
/// </summary>
public sealed class Runtime
{
    // in= out= err= flags= then the command; the wrapper execs, so the pid is the runtime's.
    private const string Wrapper =
        "in=$1; out=$2; err=$3; flags=$4; shift 4; " +
        "case $flags in *i*) trap '' PIPE HUP USR2;; esac; " +
        "case $flags in *l*) exec 9<\"$in\";; esac; " +
        "exec \"$@\" <\"$in\" >\"$out\" 2>\"$err\"";

    private readonly TestScope _scope;
    private readonly List<RuntimeInvocation> _running = new();
    private int _counter;

    internal Runtime(TestScope scope)
    {
        _scope = scope;
        Binary = TestEnv.RuntimeBinary;
        Root = Path.Combine(scope.Dir, "root");
        Directory.CreateDirectory(Root);
        LogFile = Path.Combine(scope.Dir, "runtime.log");
    }

    public string Binary { get; set; }

    /// <summary>The --root state dir of this test.</summary>
    public string Root { get; }

    /// <summary>The --log file (JSON lines).</summary>
    public string LogFile { get; }

    /// <summary>Container ids this test used (create/run), for cleanup.</summary>
    public HashSet<string> KnownIds { get; } = new();

    public IReadOnlyList<string> GlobalArgs => new[] { "--root", Root, "--log", LogFile, "--log-format", "json" }.Concat(TestEnv.RuntimeArgs).ToArray();

    /// <summary>
    /// A fresh container id: "ct" + the sandbox run id + random hex. Unique across concurrent runs
    /// (cgroup paths derive from it), and the sandbox removes leftover cgroups by its run id only.
    /// </summary>
    public string NewId()
    {
        string id = "ct" + TestEnv.SandboxRunId + Guid.NewGuid().ToString("N")[..10];
        KnownIds.Add(id);
        return id;
    }

    public RuntimeResult Invoke(params string[] args) => Invoke(new InvokeOptions(), args);

    public RuntimeResult Invoke(InvokeOptions options, params string[] args) =>
        Launch(options, args).Wait(options.Timeout);

    /// <summary>Starts the runtime in the background; call Wait on the result.</summary>
    public RuntimeInvocation Launch(InvokeOptions options, params string[] args)
    {
        int n = Interlocked.Increment(ref _counter);
        string outPath = Path.Combine(_scope.Dir, $"call{n}.out");
        string errPath = Path.Combine(_scope.Dir, $"call{n}.err");
        string flags = "-" + (options.IgnoreSignals ? "i" : "") + (options.LeakFd ? "l" : "");
        string[] full = options.NoGlobalArgs ? args : GlobalArgs.Concat(args).ToArray();

        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? _scope.Dir,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Wrapper);
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(options.StdinFile ?? "/dev/null");
        psi.ArgumentList.Add(outPath);
        psi.ArgumentList.Add(errPath);
        psi.ArgumentList.Add(flags);
        psi.ArgumentList.Add(Binary);
        foreach (string a in full)
            psi.ArgumentList.Add(a);
        psi.Environment[HostState.TagVariable] = _scope.Tag;

        var watch = Stopwatch.StartNew();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + Binary);
        string[] shown = new[] { Binary }.Concat(full).ToArray();
        RuntimeInvocation? inv = null;
        inv = new RuntimeInvocation(process, watch, shown, outPath, errPath, r =>
        {
            lock (_running)
                _running.Remove(inv!);
            _scope.Log(r.ToString());
        });
        lock (_running)
            _running.Add(inv);
        return inv;
    }

    /// <summary>Waits a little for the invocations still running, then kills them (by pid, with their children).</summary>
    internal List<string> StopRunning(TimeSpan grace)
    {
        var killed = new List<string>();
        List<RuntimeInvocation> list;
        lock (_running)
            list = _running.ToList();
        var deadline = DateTime.UtcNow + grace;
        foreach (var inv in list)
        {
            var left = deadline - DateTime.UtcNow;
            var r = inv.Wait(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (r.TimedOut)
                killed.Add($"runtime process {inv.Pid} still running after its container was force-deleted — killed: {string.Join(' ', inv.Args)}");
        }
        return killed;
    }

    // ---- container operations ------------------------------------------------------------------

    public RuntimeResult Create(Bundle bundle, string id, params string[] extra)
    {
        KnownIds.Add(id);
        bundle.SaveIfNeeded(id);
        return Invoke(["create", "--bundle", bundle.Dir, .. extra, id]);
    }

    public RuntimeResult Create(InvokeOptions options, Bundle bundle, string id, params string[] extra)
    {
        KnownIds.Add(id);
        bundle.SaveIfNeeded(id);
        return Invoke(options, ["create", "--bundle", bundle.Dir, .. extra, id]);
    }

    /// <summary>`run` in the foreground: returns when the container exits.</summary>
    public RuntimeResult Run(Bundle bundle, string? id = null, params string[] extra) =>
        Run(new InvokeOptions(), bundle, id, extra);

    public RuntimeResult Run(InvokeOptions options, Bundle bundle, string? id = null, params string[] extra)
    {
        id ??= NewId();
        KnownIds.Add(id);
        bundle.SaveIfNeeded(id);
        return Invoke(options, ["run", "--bundle", bundle.Dir, .. extra, id]);
    }

    public RuntimeInvocation LaunchRun(Bundle bundle, string id, params string[] extra)
    {
        KnownIds.Add(id);
        bundle.SaveIfNeeded(id);
        return Launch(new InvokeOptions(), ["run", "--bundle", bundle.Dir, .. extra, id]);
    }

    public RuntimeResult StartContainer(string id) => Invoke("start", id);
    public RuntimeResult State(string id) => Invoke("state", id);
    public RuntimeResult Kill(string id, string? signal = null) => signal == null ? Invoke("kill", id) : Invoke("kill", id, signal);
    public RuntimeResult Delete(string id, bool force = false) => force ? Invoke("delete", "--force", id) : Invoke("delete", id);

    /// <summary>`state ID`, asserted successful and parsed.</summary>
    public JsonObject StateJson(string id)
    {
        var r = State(id).AssertOk("state " + id);
        try
        {
            return JsonNode.Parse(r.Stdout)?.AsObject() ?? throw new XunitException("state printed null:\n" + r);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new XunitException($"state output is not a JSON object ({e.Message}):\n{r}");
        }
    }

    public int Pid(string id) => StateJson(id)["pid"]!.GetValue<int>();

    /// <summary>Polls `state` until status is <paramref name="status"/>.</summary>
    public JsonObject WaitForStatus(string id, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        string last;
        do
        {
            // (a container being created by a background `run` may not exist yet)
            var r = State(id);
            last = r.ToString();
            if (r.Ok && JsonNode.Parse(r.Stdout) is JsonObject state)
            {
                if ((string?)state["status"] == status)
                    return state;
                last = state.ToJsonString();
            }
            Thread.Sleep(20);
        } while (DateTime.UtcNow < deadline);
        throw new XunitException($"container {id} did not reach status '{status}'; last state:\n{last}");
    }

    /// <summary>`create` then `start`, asserted; returns the create result (its stdout file gets the container's output).</summary>
    public RuntimeResult CreateAndStart(Bundle bundle, string id)
    {
        var created = Create(bundle, id).AssertOk("create");
        StartContainer(id).AssertOk("start");
        return created;
    }

    /// <summary>The last line of the --log file, parsed as JSON (null if the file is empty).</summary>
    public (JsonObject? Json, string Line) LastLogLine()
    {
        if (!File.Exists(LogFile))
            return (null, "");
        string? last = File.ReadLines(LogFile).LastOrDefault(l => l.Trim().Length > 0);
        if (last == null)
            return (null, "");
        try
        {
            return (JsonNode.Parse(last) as JsonObject, last);
        }
        catch (System.Text.Json.JsonException)
        {
            return (null, last);
        }
    }
}
