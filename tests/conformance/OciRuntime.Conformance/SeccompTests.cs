using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// linux.seccomp, checked from inside the container with `probe syscall NR ARGS` (x86_64 numbers:
/// getppid 110, personality 135, getpid 39). A denied call reports the configured errno, a KILL
/// action ends the container with SIGSYS, argument rules match only what they name, and a
/// notify listener gets the container state and a working notify fd.
/// </summary>
public sealed class SeccompTests : ConformanceTest
{
    public SeccompTests(ITestOutputHelper output) : base(output) { }

    private const string Getppid = "110", Personality = "135";
    private const int Sigsys = 31;

    private static JsonObject Rule(string action, string name, int? errnoRet = null, JsonArray? args = null)
    {
        var r = new JsonObject { ["names"] = new JsonArray(name), ["action"] = action };
        if (errnoRet is { } e)
            r["errnoRet"] = e;
        if (args is not null)
            r["args"] = args;
        return r;
    }

    private static Bundle WithSeccomp(Bundle b, string defaultAction, params JsonObject[] rules)
    {
        b.Linux["seccomp"] = new JsonObject
        {
            ["defaultAction"] = defaultAction,
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
            ["syscalls"] = new JsonArray(rules),
        };
        return b;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Denied_syscall_fails_with_the_configured_errno(bool noNewPrivileges)
    {
        var b = WithSeccomp(NewBundle().Probe("syscall", Getppid), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getppid", errnoRet: 38));
        b.Process["noNewPrivileges"] = noNewPrivileges;
        var p = Rt.Run(b).Probe;
        Assert.Equal("ENOSYS", p.Get("error"));
    }

    [Fact]
    public void Errno_without_errnoRet_is_EPERM()
    {
        var b = WithSeccomp(NewBundle().Probe("syscall", Getppid), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getppid"));
        Assert.Equal("EPERM", Rt.Run(b).Probe.Get("error"));
    }

    [Fact]
    public void Allowed_syscalls_still_work_under_the_filter()
    {
        var b = WithSeccomp(NewBundle().Probe("syscall", "39"), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getppid"));
        Assert.Equal("1", Rt.Run(b).AssertOk().Probe.Get("result"));
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL")]
    [InlineData("SCMP_ACT_KILL_THREAD")]
    [InlineData("SCMP_ACT_KILL_PROCESS")]
    [InlineData("SCMP_ACT_TRAP")]
    public void Kill_and_trap_actions_end_the_process_with_SIGSYS(string action)
    {
        var b = WithSeccomp(NewBundle().Probe("syscall", Getppid), "SCMP_ACT_ALLOW", Rule(action, "getppid"));
        var r = Rt.Run(b);
        Assert.Equal(128 + Sigsys, r.ExitCode);
        Assert.DoesNotContain("result=", r.Stdout);
    }

    [Fact]
    public void Log_action_allows_the_call()
    {
        var b = WithSeccomp(NewBundle().Probe("syscall", "39"), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_LOG", "getpid"));
        Assert.Equal("1", Rt.Run(b).AssertOk().Probe.Get("result"));
    }

    [Fact]
    public void Trace_without_a_tracer_fails_the_call_with_ENOSYS()
    {
        // seccomp(2): with no tracer attached, SECCOMP_RET_TRACE makes the call fail with ENOSYS.
        var b = WithSeccomp(NewBundle().Probe("syscall", Getppid), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_TRACE", "getppid"));
        Assert.Equal("ENOSYS", Rt.Run(b).Probe.Get("error"));
    }

    [Theory]
    [InlineData("SCMP_CMP_EQ", 8, "8", true)]
    [InlineData("SCMP_CMP_EQ", 8, "0xffffffff", false)]
    [InlineData("SCMP_CMP_NE", 8, "0xffffffff", true)]
    [InlineData("SCMP_CMP_NE", 8, "8", false)]
    [InlineData("SCMP_CMP_GT", 8, "9", true)]
    [InlineData("SCMP_CMP_GE", 8, "8", true)]
    [InlineData("SCMP_CMP_LT", 8, "0xffffffff", false)]
    [InlineData("SCMP_CMP_LE", 0xffffffff, "0xffffffff", true)]
    public void Argument_rules_match_only_what_they_name(string op, long value, string arg, bool denied)
    {
        // personality(0xffffffff) only queries; personality(8) sets PER_LINUX32 (harmless here).
        var args = new JsonArray(new JsonObject { ["index"] = 0, ["value"] = value, ["op"] = op });
        var b = WithSeccomp(NewBundle().Probe("syscall", Personality, arg), "SCMP_ACT_ALLOW",
            Rule("SCMP_ACT_ERRNO", "personality", errnoRet: 3, args: args));
        var p = Rt.Run(b).Probe;
        if (denied)
            Assert.Equal("ESRCH", p.Get("error"));
        else
            Assert.True(p.Has("result"), p.Text);
    }

    [Fact]
    public void Masked_eq_compares_the_masked_bits()
    {
        var args = new JsonArray(new JsonObject { ["index"] = 0, ["value"] = 0xF0, ["valueTwo"] = 0x30, ["op"] = "SCMP_CMP_MASKED_EQ" });
        var b = WithSeccomp(NewBundle().Probe("syscall", Personality, "0x38"), "SCMP_ACT_ALLOW",
            Rule("SCMP_ACT_ERRNO", "personality", errnoRet: 3, args: args));
        Assert.Equal("ESRCH", Rt.Run(b).Probe.Get("error"));
    }

    /// <summary>What exec and the static probe need to start and print: everything else is left to
    /// a profile's default action.</summary>
    private static readonly string[] ProbeNeeds =
    [
        "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "mprotect",
        "readlink", "readlinkat", "getrandom", "write", "exit_group", "exit", "newfstatat", "fstat", "mmap", "munmap",
        "uname", "getpid",
    ];

    [Fact]
    public void Default_deny_with_an_errno()
    {
        // Everything the probe and exec need is allowed except getppid, which gets the default.
        var b = NewBundle().Probe("syscall", Getppid);
        b.Linux["seccomp"] = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ERRNO",
            ["defaultErrnoRet"] = 38,
            ["syscalls"] = new JsonArray(new JsonObject { ["names"] = new JsonArray(ProbeNeeds.Select(a => (JsonNode)a).ToArray()), ["action"] = "SCMP_ACT_ALLOW" }),
        };
        Assert.Equal("ENOSYS", Rt.Run(b).Probe.Get("error"));
    }

    /// <summary>As runc: under a deny-by-default profile, a system call newer than every one the
    /// profile names gets ENOSYS (a libc then falls back to the older call: clone3 → clone,
    /// faccessat2 → faccessat), an older one it does not name gets the default errno. The newest
    /// name here is rseq (334); clone3 is 435, faccessat2 439, getppid 110.</summary>
    [Theory]
    [InlineData("435", "ENOSYS")]
    [InlineData("439", "ENOSYS")]
    [InlineData(Getppid, "EPERM")]
    public void Syscalls_newer_than_the_profile_get_ENOSYS_older_ones_the_default(string nr, string expected)
    {
        var b = NewBundle().Probe("syscall", nr);
        b.Linux["seccomp"] = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ERRNO",
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
            ["syscalls"] = new JsonArray(new JsonObject { ["names"] = new JsonArray(ProbeNeeds.Select(a => (JsonNode)a).ToArray()), ["action"] = "SCMP_ACT_ALLOW" }),
        };
        Assert.Equal(expected, Rt.Run(b).Probe.Get("error"));
    }

    [Fact]
    public void Flags_are_accepted_by_the_kernel()
    {
        var b = WithSeccomp(NewBundle().Probe("syscall", Getppid), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getppid"));
        b.Linux["seccomp"]!["flags"] = new JsonArray("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        Assert.Equal("EPERM", Rt.Run(b).Probe.Get("error"));
    }

    [Fact]
    public void Unknown_syscall_names_are_skipped_with_a_warning()
    {
        var b = WithSeccomp(NewBundle().Probe("syscall", Getppid), "SCMP_ACT_ALLOW",
            Rule("SCMP_ACT_ERRNO", "no_such_syscall_at_all"), Rule("SCMP_ACT_ERRNO", "getppid"));
        Assert.Equal("EPERM", Rt.Run(b).Probe.Get("error"));
        Assert.Contains("no_such_syscall_at_all", File.ReadAllText(Rt.LogFile));
    }

    [Theory]
    [InlineData("defaultAction", "SCMP_ACT_SOMETIMES", "linux.seccomp.defaultAction")]
    [InlineData("architectures", "SCMP_ARCH_PDP11", "linux.seccomp.architectures[0]")]
    [InlineData("flags", "SECCOMP_FILTER_FLAG_FAST", "linux.seccomp.flags[0]")]
    [InlineData("action", "SCMP_ACT_MAYBE", "linux.seccomp.syscalls[0].action")]
    [InlineData("op", "SCMP_CMP_SIMILAR", "linux.seccomp.syscalls[0].args[0].op")]
    public void Bad_seccomp_input_names_the_field_and_leaves_nothing(string key, string value, string field)
    {
        var args = new JsonArray(new JsonObject { ["index"] = 0, ["value"] = 1, ["op"] = key == "op" ? value : "SCMP_CMP_EQ" });
        var b = WithSeccomp(NewBundle().Probe("exit", "0"), "SCMP_ACT_ALLOW",
            Rule(key == "action" ? value : "SCMP_ACT_ERRNO", "getppid", args: args));
        var sc = b.Linux["seccomp"]!.AsObject();
        if (key == "defaultAction")
            sc["defaultAction"] = value;
        else if (key is "architectures" or "flags")
            sc[key] = new JsonArray(value);
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with a bad seccomp " + key).AssertStderrMentions(field);
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Notify_sends_the_state_and_a_working_listener_fd(bool noNewPrivileges)
    {
        string sock = Path.Combine(Scope.NewDir("agent"), "agent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(sock));
        listener.Listen(1);

        var b = WithSeccomp(NewBundle().Probe("syscall", Getppid), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", "getppid"));
        b.Linux["seccomp"]!["listenerPath"] = sock;
        b.Linux["seccomp"]!["listenerMetadata"] = "meta-data";
        b.Process["noNewPrivileges"] = noNewPrivileges;
        string id = Rt.NewId();

        string? json = null;
        Exception? agentError = null;
        var agent = new Thread(() =>
        {
            try
            {
                using var conn = listener.Accept();
                (json, int fd) = NotifyAgent.ReceiveStateAndFd((int)conn.Handle);
                try { NotifyAgent.AnswerOne(fd, 4242); }
                finally { NotifyAgent.close(fd); }
            }
            catch (Exception e) { agentError = e; }
        });
        agent.Start();
        var r = Rt.Run(b, id);
        if (!agent.Join(TimeSpan.FromSeconds(10)))
            listener.Close();
        Assert.Null(agentError);
        Assert.Equal("4242", r.AssertOk().Probe.Get("result"));

        var state = JsonNode.Parse(json!)!.AsObject();
        Assert.Equal("1.3.0", (string?)state["ociVersion"]);
        Assert.Equal("seccompFd", (string?)state["fds"]![0]);
        Assert.Equal("meta-data", (string?)state["metadata"]);
        Assert.True((int)state["pid"]! > 0);
        Assert.Equal(id, (string?)state["state"]!["id"]);
        Assert.Equal("creating", (string?)state["state"]!["status"]);
        Assert.Equal((int)state["pid"]!, (int)state["state"]!["pid"]!);
        Assert.Equal(b.Dir, (string?)state["state"]!["bundle"]);
    }

    [Fact]
    public void Notify_without_a_listener_fails_and_leaves_nothing()
    {
        string sock = Path.Combine(Scope.NewDir("agent"), "nobody-listens.sock");
        var b = WithSeccomp(NewBundle().Probe("exit", "0"), "SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", "getppid"));
        b.Linux["seccomp"]!["listenerPath"] = sock;
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with an absent listener").AssertStderrMentions("linux.seccomp.listenerPath");
        Scope.AssertNothingLeft([id]);
    }
}

/// <summary>The seccomp agent side of the listener protocol, by hand (SCM_RIGHTS and the notify ioctls).</summary>
internal static class NotifyAgent
{
    [DllImport("libc", SetLastError = true)] private static extern nint recvmsg(int fd, IntPtr msg, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int ioctl(int fd, ulong req, IntPtr arg);
    [DllImport("libc", SetLastError = true)] public static extern int close(int fd);

    private const ulong NotifRecv = 0xC0502100, NotifSend = 0xC0182101; // _IOWR('!', 0|1, struct seccomp_notif|_resp)

    public static (string Json, int Fd) ReceiveStateAndFd(int sock)
    {
        IntPtr buf = Marshal.AllocHGlobal(65536), ctl = Marshal.AllocHGlobal(64), iov = Marshal.AllocHGlobal(16), msg = Marshal.AllocHGlobal(56);
        try
        {
            for (int i = 0; i < 64; i += 8) Marshal.WriteInt64(ctl, i, 0);
            for (int i = 0; i < 56; i += 8) Marshal.WriteInt64(msg, i, 0);
            Marshal.WriteIntPtr(iov, 0, buf);
            Marshal.WriteInt64(iov, 8, 65536);
            Marshal.WriteIntPtr(msg, 16, iov);
            Marshal.WriteInt64(msg, 24, 1);
            Marshal.WriteIntPtr(msg, 32, ctl);
            Marshal.WriteInt64(msg, 40, 64);
            nint n = recvmsg(sock, msg, 0);
            if (n <= 0)
                throw new IOException($"recvmsg: {n}, errno {Marshal.GetLastPInvokeError()}");
            if (Marshal.ReadInt32(ctl, 8) != 1 || Marshal.ReadInt32(ctl, 12) != 1)
                throw new IOException("no SCM_RIGHTS fd with the state");
            var bytes = new byte[n];
            Marshal.Copy(buf, bytes, 0, (int)n);
            return (Encoding.UTF8.GetString(bytes), Marshal.ReadInt32(ctl, 16));
        }
        finally
        {
            Marshal.FreeHGlobal(buf); Marshal.FreeHGlobal(ctl); Marshal.FreeHGlobal(iov); Marshal.FreeHGlobal(msg);
        }
    }

    /// <summary>Waits for one notification and makes the call return <paramref name="value"/>.</summary>
    public static void AnswerOne(int fd, long value)
    {
        IntPtr req = Marshal.AllocHGlobal(80), resp = Marshal.AllocHGlobal(24);
        try
        {
            for (int i = 0; i < 80; i += 8) Marshal.WriteInt64(req, i, 0);
            if (ioctl(fd, NotifRecv, req) != 0)
                throw new IOException($"SECCOMP_IOCTL_NOTIF_RECV: errno {Marshal.GetLastPInvokeError()}");
            Marshal.WriteInt64(resp, 0, Marshal.ReadInt64(req, 0)); // id
            Marshal.WriteInt64(resp, 8, value);                    // val
            Marshal.WriteInt32(resp, 16, 0);                       // error
            Marshal.WriteInt32(resp, 20, 0);                       // flags
            if (ioctl(fd, NotifSend, resp) != 0)
                throw new IOException($"SECCOMP_IOCTL_NOTIF_SEND: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            Marshal.FreeHGlobal(req); Marshal.FreeHGlobal(resp);
        }
    }
}
