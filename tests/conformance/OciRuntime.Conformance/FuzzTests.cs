using System.Text;
using System.Text.Json.Nodes;
using OciRuntime.Testing;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Fuzzing of what reaches the real binary besides config.json (whose reader the unit tests fuzz):
/// exec's process.json, `update --resources`, the command line, and the plan encoder with values
/// and lists past 64 KiB. A fixed seed and a few iterations here; `./build.sh fuzz` runs the same
/// tests with a random seed (OCI_FUZZ_SEED, printed) and many iterations (OCI_FUZZ_ITERATIONS).
/// What every input must get: an answer in time, no crash (no unhandled exception, no signal), a
/// message on stderr whenever the exit status is not 0, and the container it targeted unharmed.
/// </summary>
public sealed class FuzzTests : ConformanceTest
{
    public FuzzTests(ITestOutputHelper output) : base(output)
    {
        Scope.Log($"fuzz seed {Fuzz.Seed} (replay with OCI_FUZZ_SEED={Fuzz.Seed})");
    }

    private static void AssertNoCrash(RuntimeResult r, string input)
    {
        string why =
            r.TimedOut ? "timed out" :
            r.ExitCode - 128 is 4 or 5 or 6 or 7 or 8 or 9 or 11 or 31 ? $"was killed by signal {r.ExitCode - 128}" :
            r.Stderr.Contains("Unhandled exception", StringComparison.Ordinal) || r.Stderr.Contains("   at OciRuntime.", StringComparison.Ordinal)
                ? "crashed with an unhandled exception" :
            r.ExitCode != 0 && string.IsNullOrWhiteSpace(r.Stderr) && !IsHelp(r.Stdout) ? "failed without a message" : "";
        if (why.Length > 0)
            throw new Xunit.Sdk.XunitException($"seed {Fuzz.Seed}: the runtime {why} for input:\n{input}\n{r}");
    }

    /// <summary>Without a command the answer is the help on stdout and status 1, as runc.</summary>
    private static bool IsHelp(string stdout) =>
        stdout.Contains("USAGE:", StringComparison.Ordinal) || stdout.Contains("usage:", StringComparison.Ordinal);

    private (string Id, Bundle Bundle) Running()
    {
        var b = NewBundle().Probe("sleep", "600");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        return (id, b);
    }

    private void AssertStillRunning(string id, string after)
    {
        string status = (string?)Rt.StateJson(id)["status"] ?? "";
        Assert.True(status == "running", $"seed {Fuzz.Seed}: the container is {status} after input:\n{after}");
    }

    [Fact]
    public void Plan_encoder_round_trips_random_values_and_lists_past_64_KiB()
    {
        var rnd = new Random(Fuzz.Seed);
        var b = NewBundle();
        for (int iter = 0, n = Fuzz.Iterations(3); iter < n; iter++)
        {
            var args = RandomList(rnd, "");
            var env = RandomList(rnd, "=").Select((v, i) => $"F{i}{v}").ToList();
            Fuzz.AssertRoundTrip(Rt, b, args, env,
                $"seed {Fuzz.Seed}, iteration {iter} ({args.Count} arguments of {Fuzz.Utf8Bytes(args)} bytes, {env.Count} variables of {Fuzz.Utf8Bytes(env)} bytes)");
        }
    }

    /// <summary>A list whose total and/or single items are past 64 KiB one time in two, within what
    /// execve takes (128 KiB a string, a few hundred KiB in all).</summary>
    private static List<string> RandomList(Random rnd, string prefix)
    {
        var list = new List<string>();
        int shape = rnd.Next(4);
        if (shape == 0 || shape == 3) // one value past 64 KiB
        {
            string big = prefix + Fuzz.Text(rnd, 30_000);
            while (Encoding.UTF8.GetByteCount(big) < 66_000 + rnd.Next(50_000))
                big += Fuzz.Text(rnd, 500);
            list.Add(big);
        }
        int count = shape >= 2 ? 2000 + rnd.Next(4000) : 1 + rnd.Next(50);
        for (int i = 0; i < count; i++)
            list.Add(prefix + Fuzz.Text(rnd, rnd.Next(30)));
        return list;
    }

    private const string ProcessJson = """
        { "args": ["/probe", "id"], "cwd": "/", "env": ["PATH=/bin", "A=b"],
          "user": { "uid": 0, "gid": 0, "additionalGids": [1, 2] },
          "capabilities": { "bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"],
                            "inheritable": [], "ambient": [] },
          "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512 } ],
          "noNewPrivileges": true, "oomScoreAdj": 10, "terminal": false, "consoleSize": { "height": 24, "width": 80 },
          "ioPriority": { "class": "IOPRIO_CLASS_BE", "priority": 4 },
          "scheduler": { "policy": "SCHED_OTHER", "nice": 1 },
          "execCPUAffinity": { "initial": "0", "final": "0" } }
        """;

    [Fact]
    public void Exec_process_json_fuzz()
    {
        var rnd = new Random(Fuzz.Seed);
        var (id, _) = Running();
        string file = Path.Combine(Scope.Dir, "process.json");
        int ok = 0, refused = 0;
        for (int iter = 0, n = Fuzz.Iterations(30); iter < n; iter++)
        {
            byte[] doc = JsonMutator.MutatedDocument(ProcessJson, rnd);
            File.WriteAllBytes(file, doc);
            var r = Rt.Invoke("exec", "--process", file, id);
            string input = $"iteration {iter}: exec --process with\n{Encoding.UTF8.GetString(doc)}";
            AssertNoCrash(r, input);
            if (r.Ok) ok++; else refused++;
            AssertStillRunning(id, input);
        }
        Scope.Log($"exec: {ok} ran, {refused} refused");
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    private const string ResourcesJson = """
        { "memory": { "limit": 268435456, "reservation": 134217728, "swap": 536870912, "swappiness": 10 },
          "cpu": { "shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0" },
          "pids": { "limit": 100 },
          "blockIO": { "weight": 500 } }
        """;

    [Fact]
    public void Update_resources_fuzz()
    {
        var rnd = new Random(Fuzz.Seed);
        var (id, _) = Running();
        string file = Path.Combine(Scope.Dir, "resources.json");
        int ok = 0, refused = 0;
        for (int iter = 0, n = Fuzz.Iterations(30); iter < n; iter++)
        {
            byte[] doc = JsonMutator.MutatedDocument(ResourcesJson, rnd);
            File.WriteAllBytes(file, doc);
            var r = Rt.Invoke("update", "--resources", file, id);
            string input = $"iteration {iter}: update --resources with\n{Encoding.UTF8.GetString(doc)}";
            AssertNoCrash(r, input);
            if (r.Ok) ok++; else refused++;
            AssertStillRunning(id, input);
        }
        Scope.Log($"update: {ok} applied, {refused} refused");
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Command_line_fuzz()
    {
        var rnd = new Random(Fuzz.Seed);
        var b = NewBundle().Probe("exit", "0");
        b.Save();
        string[] ids = [Rt.NewId(), Rt.NewId(), Rt.NewId()];
        string dir = Scope.NewDir("cli");
        string[] commands =
        [
            "create", "start", "run", "exec", "kill", "delete", "state", "list", "ps", "pause", "resume", "update",
            "spec", "features", "plan", "help", "frobnicate", "", "-", "--", "--help", "-h", "--version", "-v",
        ];
        string[] flags =
        [
            "--bundle", "-b", "--detach", "-d", "--pid-file", "--console-socket", "--force", "-f", "--all", "-a",
            "--format", "--quiet", "-q", "--no-pivot", "--no-new-keyring", "--preserve-fds", "--tty", "-t", "--process",
            "-p", "--cwd", "--env", "-e", "--user", "-u", "--cap", "-c", "--memory", "--pids-limit", "--cpu-share",
            "--resources", "-r", "--root", "--log", "--log-format", "--debug", "--systemd-cgroup", "--rootless",
            "--signal", "--keep", "--additional-gids", "-g", "--no-such-flag", "--bundle=", "--format=json", "-dq",
        ];
        string[] values =
        [
            b.Dir, Path.Combine(dir, "pid"), Path.Combine(dir, "nosock"), Path.Combine(dir, "sub"), Path.Combine(dir, "log"),
            "json", "table", "text", "KILL", "SIGTERM", "9", "0", "-1", "99999999999999999999", "1000:1000", "root", "x",
            "", " ", "=", "--", "-", "A=b", "/probe", "id", "CAP_KILL", "1m", "é", new string('a', 5000), "../..", "a/b",
            "true", "false", "auto",
        ];
        int ok = 0, refused = 0;
        for (int iter = 0, n = Fuzz.Iterations(60); iter < n; iter++)
        {
            var argv = new List<string>();
            if (rnd.Next(4) == 0)
                argv.AddRange(["--root", Path.Combine(dir, "root" + rnd.Next(2))]);
            argv.Add(commands[rnd.Next(commands.Length)]);
            for (int k = rnd.Next(6); k > 0; k--)
            {
                switch (rnd.Next(3))
                {
                    case 0: argv.Add(flags[rnd.Next(flags.Length)]); break;
                    case 1: argv.Add(values[rnd.Next(values.Length)]); break;
                    default: argv.Add(ids[rnd.Next(ids.Length)]); break;
                }
            }
            if (rnd.Next(2) == 0)
                argv.Add(ids[rnd.Next(ids.Length)]);
            var r = Rt.Invoke(new InvokeOptions { WorkingDirectory = dir }, [.. argv]);
            AssertNoCrash(r, $"iteration {iter}: {string.Join(' ', argv.Select(a => "'" + a + "'"))}");
            if (r.Ok) ok++; else refused++;
        }
        Scope.Log($"command line: {ok} succeeded, {refused} refused");
        foreach (string id in ids)
            Rt.Delete(id, force: true);
        foreach (string root in new[] { "root0", "root1" })
            if (Directory.Exists(Path.Combine(dir, root)))
                foreach (string id in ids)
                    Rt.Invoke(["--root", Path.Combine(dir, root), "delete", "--force", id]);
        Scope.AssertNothingLeft(ids);
    }
}
