using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// A profile made for the program, not for the runtime (default action ERRNO, an allow-list of
/// what a static busybox needs to start and sleep): the container must run under it with and
/// without noNewPrivileges, as root and as another user, for create/start, run and exec. Once the
/// container's filter is in place the runtime may only make the system calls it cannot avoid
/// (decisions §32): the list below has none of the executor's own calls (no prctl, capset,
/// setresuid, faccessat2, send, close_range, ...). And when execve itself fails under the filter,
/// the error still reaches the caller.
/// </summary>
public sealed class SeccompMinimalProfileTests : ConformanceTest
{
    public SeccompMinimalProfileTests(ITestOutputHelper output) : base(output) { }

    // strace of `busybox echo` / `busybox sleep` (static, Debian 12): what runs before main and
    // what the applets call; nanosleep for `sleep`, the init that `exec` joins.
    private static readonly string[] BusyboxNeeds =
    [
        "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "mprotect",
        "readlink", "getrandom", "getuid", "geteuid", "getpid", "write", "exit_group", "exit",
        "clock_nanosleep", "nanosleep", "rt_sigaction", "rt_sigprocmask",
    ];

    private Bundle Minimal(bool noNewPrivileges, bool otherUser, params string[] args)
    {
        var b = NewBundle().Args(args);
        b.Process["noNewPrivileges"] = noNewPrivileges;
        if (otherUser)
            b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000, ["additionalGids"] = new JsonArray(1001) };
        b.Linux["seccomp"] = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ERRNO",
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64"),
            ["syscalls"] = new JsonArray(new JsonObject
            {
                ["names"] = new JsonArray(BusyboxNeeds.Select(n => (JsonNode)n).ToArray()),
                ["action"] = "SCMP_ACT_ALLOW",
            }),
        };
        return b;
    }

    public static TheoryData<bool, bool> Cases => new() { { true, false }, { true, true }, { false, false }, { false, true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_works_under_a_minimal_allow_list(bool noNewPrivileges, bool otherUser)
    {
        var r = Rt.Run(Minimal(noNewPrivileges, otherUser, "/bin/echo", "run-ok")).AssertOk("run");
        Assert.Equal("run-ok", r.Stdout.Trim());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Create_and_start_work_under_a_minimal_allow_list(bool noNewPrivileges, bool otherUser)
    {
        string id = Rt.NewId();
        var created = Rt.CreateAndStart(Minimal(noNewPrivileges, otherUser, "/bin/echo", "start-ok"), id);
        Rt.WaitForStatus(id, "stopped");
        Assert.Equal("start-ok", created.ReadStdoutNow().Trim());
        Rt.Delete(id).AssertOk("delete");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exec_works_under_a_minimal_allow_list(bool noNewPrivileges, bool otherUser)
    {
        string id = Rt.NewId();
        Rt.CreateAndStart(Minimal(noNewPrivileges, otherUser, "/bin/sleep", "60"), id);
        var r = Rt.Invoke("exec", id, "/bin/echo", "exec-ok").AssertOk("exec");
        Assert.Equal("exec-ok", r.Stdout.Trim());
        Rt.Delete(id, force: true).AssertOk("delete --force");
    }

    /// <summary>A program execve refuses (ENOEXEC: executable, regular, not a format the kernel
    /// runs) fails only in execve, after the filter is in: the report must still get through.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [Trait("runtime", "ociruntime-only")]
    public void An_execve_failure_under_the_filter_is_still_reported(bool noNewPrivileges)
    {
        string id = Rt.NewId();
        Rt.CreateAndStart(WithNonProgram(Minimal(noNewPrivileges, false, "/bin/sleep", "60")), id);

        // exec follows its process until the execve: the error comes back over the sync socket.
        var e = Rt.Invoke("exec", id, "/bin/not-a-program").AssertFailed("exec of a non-program");
        e.AssertStderrMentions("Exec format error");
        e.AssertStderrMentions("execve");

        // run: the process's own stderr says it and the status is 127.
        var r = Rt.Run(WithNonProgram(Minimal(noNewPrivileges, false, "/bin/not-a-program")));
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("Exec format error", r.Stderr);
        Rt.Delete(id, force: true).AssertOk("delete --force");
    }

    private static Bundle WithNonProgram(Bundle b)
    {
        File.WriteAllText(b.HostPath("/bin/not-a-program"), "\x01\x02 neither ELF nor #!\n");
        File.SetUnixFileMode(b.HostPath("/bin/not-a-program"), (UnixFileMode)Convert.ToInt32("755", 8));
        return b;
    }
}
