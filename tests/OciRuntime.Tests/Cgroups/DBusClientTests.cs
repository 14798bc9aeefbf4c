using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using OciRuntime.Cgroups.Systemd;
using OciRuntime.Cgroups.Systemd.DBus;
using Tmds.DBus.Protocol;
using Xunit;
using Xunit.Abstractions;
using DBusConnection = Tmds.DBus.Protocol.DBusConnection;
using DBusException = OciRuntime.Cgroups.Systemd.DBus.DBusException;

namespace OciRuntime.Tests.Cgroups;

/// <summary>
/// The driver's hand-written D-Bus client (Cgroups/Systemd/DBus, decisions §50) against the library
/// it replaced, Tmds.DBus.Protocol, as the oracle: a private dbus-daemon, a fake
/// org.freedesktop.systemd1 written with the library that decodes what our client sends, and the
/// bytes the library marshals compared with ours. No systemd needed; skipped (saying so) where
/// dbus-daemon is not installed.
/// </summary>
public sealed class DBusClientTests : IDisposable
{
    private readonly ITestOutputHelper _out;
    private readonly string _dir = Directory.CreateTempSubdirectory("dbusclient").FullName;
    private System.Diagnostics.Process? _daemon;
    private DBusConnection? _service;

    public DBusClientTests(ITestOutputHelper output) => _out = output;

    /// <summary>A private bus and the fake systemd on it; null (and a note) without dbus-daemon.</summary>
    private (string Address, FakeSystemd Fake)? StartBus()
    {
        if (!File.Exists("/usr/bin/dbus-daemon") || !File.Exists("/usr/share/dbus-1/session.conf"))
        {
            _out.WriteLine("SKIPPED: /usr/bin/dbus-daemon or its session.conf is not installed");
            return null;
        }
        var psi = new ProcessStartInfo("/usr/bin/dbus-daemon",
            $"--config-file=/usr/share/dbus-1/session.conf --nofork --address=unix:path={_dir}/bus --print-address=1")
        {
            RedirectStandardOutput = true,
        };
        _daemon = System.Diagnostics.Process.Start(psi)!;
        string address = _daemon.StandardOutput.ReadLine() ?? throw new InvalidOperationException("dbus-daemon printed no address");
        // Connected off the test's synchronization context: the library would run the fake's
        // handlers on it, while the test thread blocks in our (synchronous) client.
        var fake = Task.Run(async () =>
        {
            _service = new DBusConnection(address);
            await _service.ConnectAsync();
            var fake = new FakeSystemd(_service);
            _service.AddMethodHandler(fake);
            await _service.RequestNameAsync("org.freedesktop.systemd1", RequestNameOptions.Default);
            return fake;
        }).Result;
        return (address, fake);
    }

    private static readonly UnitProperty[] EveryType =
    [
        new("B", UnitValue.Bool(true)), new("B0", UnitValue.Bool(false)),
        new("Y", new UnitValue("y", (byte)200)), new("N", new UnitValue("n", (short)-3)),
        new("Q", new UnitValue("q", (ushort)65535)), new("I", new UnitValue("i", -70000)),
        new("U", new UnitValue("u", 4000000000u)), new("X", new UnitValue("x", long.MinValue)),
        new("T", UnitValue.UInt64(ulong.MaxValue)), new("D", new UnitValue("d", 2.5)),
        new("S", UnitValue.String("ünïcode ok")), new("Empty", UnitValue.String("")),
        new("O", new UnitValue("o", "/org/freedesktop/systemd1/unit/x")),
        new("AY", new UnitValue("ay", new byte[] { 0x0f, 0, 0xff })), new("AY0", new UnitValue("ay", Array.Empty<byte>())),
        new("AU", new UnitValue("au", new uint[] { 1, 4294967295 })), new("AS", new UnitValue("as", new[] { "a", "", "bc" })),
        new("ASS", new UnitValue("a(ss)", new[] { ("/dev/null", "rwm"), ("char-pts", "rw") })),
        new("ASS0", new UnitValue("a(ss)", Array.Empty<(string, string)>())),
        new("AB", new UnitValue("ab", new[] { new UnitValue("b", true), new UnitValue("b", false) })),
        new("AN", new UnitValue("an", new[] { new UnitValue("n", (short)-1) })),
        new("AQ", new UnitValue("aq", new[] { new UnitValue("q", (ushort)7) })),
        new("AI", new UnitValue("ai", new[] { new UnitValue("i", 1), new UnitValue("i", -2) })),
        new("AX", new UnitValue("ax", new[] { new UnitValue("x", -5L) })),
        new("AT", new UnitValue("at", new[] { new UnitValue("t", 1UL), new UnitValue("t", 2UL) })),
        new("AT0", new UnitValue("at", Array.Empty<UnitValue>())),
        new("AD", new UnitValue("ad", new[] { new UnitValue("d", -0.5) })),
        new("AO", new UnitValue("ao", new[] { new UnitValue("o", "/a"), new UnitValue("o", "/b/c") })),
    ];

    [Fact]
    public void Every_property_type_arrives_as_the_library_decodes_it()
    {
        if (StartBus() is not var (address, fake))
            return;
        using var bus = SystemdBus.Open(address, peer: false, userInstance: false);
        bus.StartTransientUnit("t-c.scope", EveryType);
        var call = fake.Calls.Single(c => c.Member == "StartTransientUnit");
        Assert.Equal(["t-c.scope", "fail"], call.Args);
        Assert.Equal(EveryType.Select(p => $"{p.Name}={Oracle(p.Value)}"), call.Properties);
        Assert.Equal(0, call.Aux);

        bus.SetUnitProperties("t-c.scope", EveryType);
        var set = fake.Calls.Single(c => c.Member == "SetUnitProperties");
        Assert.Equal(["t-c.scope", "True"], set.Args);
        Assert.Equal(call.Properties, set.Properties);
    }

    [Fact]
    public void Manager_properties_are_read()
    {
        if (StartBus() is not var (address, _))
            return;
        using var bus = SystemdBus.Open(address, peer: false, userInstance: false);
        Assert.Equal(252, bus.Version);
        Assert.Equal("/user.slice/x.service", bus.ManagerControlGroup);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_job_is_awaited_whether_its_signal_comes_before_or_after_the_reply(bool signalFirst)
    {
        if (StartBus() is not var (address, fake))
            return;
        fake.SignalFirst = signalFirst;
        fake.SignalDelay = signalFirst ? TimeSpan.Zero : TimeSpan.FromMilliseconds(300);
        using var bus = SystemdBus.Open(address, peer: false, userInstance: false);
        bus.StartTransientUnit("a.scope", [new("Delegate", UnitValue.Bool(true))]);
        bus.StopUnit("a.scope");
        Assert.Equal(["StartTransientUnit", "StopUnit"], fake.Calls.Select(c => c.Member));

        fake.JobResult = "failed";
        var e = Assert.Throws<RuntimeError>(() => bus.StartTransientUnit("b.scope", []));
        Assert.Equal("systemd could not start unit b.scope: its start job ended \"failed\"", e.Message);
        Assert.Equal("ResetFailedUnit", fake.Calls.Last().Member);
    }

    [Fact]
    public void An_error_reply_is_a_SystemdError_with_its_name_and_message()
    {
        if (StartBus() is not var (address, fake))
            return;
        using var bus = SystemdBus.Open(address, peer: false, userInstance: false);
        fake.Error = ("org.freedesktop.systemd1.UnitExists", "Unit x.scope was already loaded.");
        var e = Assert.Throws<SystemdError>(() => bus.StartTransientUnit("x.scope", []));
        Assert.Equal("org.freedesktop.systemd1.UnitExists", e.Name);
        Assert.Equal("systemd refused StartTransientUnit x.scope: org.freedesktop.systemd1.UnitExists: Unit x.scope was already loaded.", e.Message);
        fake.Error = ("org.freedesktop.systemd1.NoSuchUnit", "Unit x.scope not loaded.");
        bus.StopUnit("x.scope"); // no unit: nothing to stop
        bus.ResetFailedUnit("x.scope"); // errors are no error here
    }

    [Fact]
    public void A_call_without_answer_and_a_job_without_end_time_out()
    {
        if (StartBus() is not var (address, fake))
            return;
        using var bus = SystemdBus.Open(address, peer: false, userInstance: false);
        bus.Timeout = TimeSpan.FromSeconds(1);
        fake.NoReply = true;
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<RuntimeError>(() => bus.SetUnitProperties("t.scope", [new("TasksMax", UnitValue.UInt64(5))]));
        Assert.Equal($"systemd: SetUnitProperties t.scope: no answer within 1 s on {address}", e.Message);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.9, 10);
        fake.NoReply = false;
        Thread.Sleep(1000); // the late answer comes: to a call no longer awaited, it is dropped
        fake.NoSignal = true;
        // The fake's reply must come within the bound here: its handler runs on this process's
        // thread pool, which the suite's parallel tests can keep busy for over a second (seen once
        // in 20 runs with 1 s, under load: "no answer within 1 s" instead of the job's timeout).
        bus.Timeout = TimeSpan.FromSeconds(5);
        e = Assert.Throws<RuntimeError>(() => bus.StartTransientUnit("t.scope", []));
        Assert.StartsWith("systemd did not start unit t.scope within 5 s (job /org/freedesktop/systemd1/job/", e.Message);
    }

    [Fact]
    public void A_lost_connection_is_named()
    {
        if (StartBus() is not var (address, _))
            return;
        using var bus = SystemdBus.Open(address, peer: false, userInstance: false);
        Assert.Equal(252, bus.Version);
        StopDaemon();
        var e = Assert.Throws<RuntimeError>(() => bus.SetUnitProperties("t.scope", [new("TasksMax", UnitValue.UInt64(5))]));
        Assert.StartsWith($"systemd: SetUnitProperties t.scope: D-Bus connection {address}: ", e.Message);
    }

    [Fact]
    public void Addresses_are_parsed_and_every_failure_named()
    {
        var e = Assert.Throws<DBusException>(() => OciRuntime.Cgroups.Systemd.DBus.DBusConnection.Open(
            $"tcp:host=localhost,port=1;unix:path={_dir}/none;unix:abstract=ociruntime-test-none-{Environment.ProcessId}", true, TimeSpan.FromSeconds(1)));
        Assert.Contains("tcp:host=localhost,port=1: D-Bus transport \"tcp\" is not supported", e.Message);
        Assert.Contains($"unix:path={_dir}/none: connect to {_dir}/none: No such file or directory", e.Message);
        Assert.Contains($": connect to @ociruntime-test-none-{Environment.ProcessId}: Connection refused", e.Message);
        if (StartBus() is not var (address, _))
            return;
        // the first entry that answers; %-escapes decoded
        string escaped = address.Replace("/", "%2f");
        using var c = OciRuntime.Cgroups.Systemd.DBus.DBusConnection.Open($"unix:path={_dir}/none;{escaped}", true, TimeSpan.FromSeconds(5));
        Assert.StartsWith(":", c.UniqueName);
    }

    /// <summary>A peer connection (systemd's /run/systemd/private): no Hello, no AddMatch; the
    /// peer sends JobRemoved to the connection itself.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_peer_connection_sends_no_Hello_and_gets_the_job_signal(bool signalFirst)
    {
        string path = Path.Combine(_dir, "private");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var received = new ConcurrentQueue<DBusMessage>();
        var server = Task.Run(() =>
        {
            using var s = listener.Accept();
            RawPeer.ServerHandshake(s);
            for (int jobs = 0; jobs < 2;)
            {
                var m = DBusMessage.Parse(RawPeer.ReadMessage(s));
                received.Enqueue(m);
                string job = $"/org/freedesktop/systemd1/job/{m.Serial}";
                var reply = RawPeer.Reply(m.Serial, "o", w => w.String(job));
                var signal = RawPeer.Signal("/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved", "uoss", w =>
                {
                    w.UInt32(m.Serial);
                    w.String(job);
                    w.String("p.scope");
                    w.String("done");
                });
                s.Send(signalFirst ? [.. signal, .. reply] : [.. reply, .. signal]);
                jobs++;
            }
        });
        using (var bus = SystemdBus.Open($"unix:path={path}", peer: true, userInstance: false))
        {
            bus.StartTransientUnit("p.scope", [new("Delegate", UnitValue.Bool(true))]);
            bus.StopUnit("p.scope");
        }
        Assert.True(server.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(["StartTransientUnit", "StopUnit"], received.Select(m => m.Member));
        Assert.All(received, m => Assert.Equal("org.freedesktop.systemd1", m.Destination));
    }

    /// <summary>The bytes of a body as the library marshals it (captured on a socket the test
    /// listens on) equal ours, and our reader reads the library's header.</summary>
    [Fact]
    public void The_marshaller_writes_the_bytes_the_library_writes()
    {
        var props = EveryType.Where(p => p.Value.Value is not UnitValue[]).ToArray();
        var (header, body) = RawPeer.CaptureFromLibrary(Path.Combine(_dir, "capture"), (ref MessageWriter w) =>
        {
            w.WriteMethodCallHeader("org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                "StartTransientUnit", "ssa(sv)a(sa(sv))");
            w.WriteString("t-c.scope");
            w.WriteString("fail");
            var a = w.WriteArrayStart(DBusType.Struct);
            foreach (var p in props)
            {
                w.WriteStructureStart();
                w.WriteString(p.Name);
                w.WriteVariant(ToVariant(p.Value));
            }
            w.WriteArrayEnd(a);
            w.WriteArrayEnd(w.WriteArrayStart(DBusType.Struct));
        });
        var ours = new DBusWriter();
        ours.String("t-c.scope");
        ours.String("fail");
        SystemdBus.WriteProperties(ours, props);
        ours.ArrayEnd(ours.ArrayStart(8));
        Assert.Equal(Convert.ToHexString(body), Convert.ToHexString(ours.Bytes));
        Assert.Equal("StartTransientUnit", header.Member);
        Assert.Equal("ssa(sv)a(sa(sv))", header.Signature);
        Assert.Equal("/org/freedesktop/systemd1", header.Path);
        Assert.Equal("org.freedesktop.systemd1", header.Destination);
    }

    [Fact]
    public void Alignment_padding_and_array_lengths()
    {
        var w = new DBusWriter();
        w.Byte(1);        // 0
        w.UInt64(2);      // padded to 8
        w.Byte(3);        // 16
        w.Int16(-1);      // 18
        var a = w.ArrayStart(8); // length at 20, elements from 24
        w.StructStart();
        w.String("ab");   // 24: len 2, 'a' 'b' NUL
        w.ArrayEnd(a);
        w.Signature("at"); // 31
        Assert.Equal(
            "01000000000000000200000000000000" + "0300FFFF" + "07000000" + "020000006162 00".Replace(" ", "") + "02617400",
            Convert.ToHexString(w.Bytes));
        // an empty array of 8-aligned elements: the padding after the length is not counted
        w = new DBusWriter();
        w.Byte(0);
        w.ArrayEnd(w.ArrayStart(8));
        Assert.Equal("00000000" + "00000000", Convert.ToHexString(w.Bytes));
        // read back
        var m = DBusMessage.MethodCall(7, null, "/p", "i.f", "M", "yta(s)g", w0());
        var parsed = DBusMessage.Parse(m);
        Assert.Equal((7u, "/p", "i.f", "M", "yta(s)g"), (parsed.Serial, parsed.Path, parsed.Interface, parsed.Member, parsed.Signature));
        var r = parsed.Body();
        Assert.Equal((byte)1, r.Value("y"));
        Assert.Equal(2UL, r.Value("t"));
        Assert.Equal("ab", ((object[])((List<object>)r.Value("a(s)"))[0])[0]);
        Assert.True(r.AtEnd is false);
        Assert.Equal("at", r.Value("g"));
        Assert.True(r.AtEnd);
        Assert.Throws<DBusException>(() => r.Value("u")); // past the end: an error, not a crash
        var huge = new byte[] { 0xff, 0xff, 0xff, 0xff, (byte)'a', 0 };
        Assert.Throws<DBusException>(() => new DBusReader(huge, 0, huge.Length).Value("s"));
        Assert.Throws<DBusException>(() => new DBusReader(huge, 0, huge.Length).Value("ay"));

        static DBusWriter w0()
        {
            var w = new DBusWriter();
            w.Byte(1);
            w.UInt64(2);
            var a = w.ArrayStart(8);
            w.StructStart();
            w.String("ab");
            w.ArrayEnd(a);
            w.Signature("at");
            return w;
        }
    }

    // ---------------------------------------------------------------- the library's side

    /// <summary>The value as the library makes it (what the driver sent when it used the library),
    /// in the library's text form, with its type.</summary>
    private static string Oracle(UnitValue v)
    {
        var value = ToVariant(v);
        return $"{value.Type}:{value}";
    }

    internal static VariantValue ToVariant(UnitValue v) => v.Value switch
    {
        bool b => VariantValue.Bool(b),
        byte y => VariantValue.Byte(y),
        short n => VariantValue.Int16(n),
        ushort q => VariantValue.UInt16(q),
        int i => VariantValue.Int32(i),
        uint u => VariantValue.UInt32(u),
        long x => VariantValue.Int64(x),
        ulong t => VariantValue.UInt64(t),
        double d => VariantValue.Double(d),
        string s when v.Signature == "o" => VariantValue.ObjectPath(new ObjectPath(s)),
        string s => VariantValue.String(s),
        byte[] ay => VariantValue.Array(ay),
        uint[] au => VariantValue.Array(au),
        string[] @as => VariantValue.Array(@as),
        ValueTuple<string, string>[] pairs => PairArray(pairs),
        UnitValue[] items => v.Signature switch
        {
            "ab" => VariantValue.Array(items.Select(i => (bool)i.Value).ToArray()),
            "an" => VariantValue.Array(items.Select(i => (short)i.Value).ToArray()),
            "aq" => VariantValue.Array(items.Select(i => (ushort)i.Value).ToArray()),
            "ai" => VariantValue.Array(items.Select(i => (int)i.Value).ToArray()),
            "ax" => VariantValue.Array(items.Select(i => (long)i.Value).ToArray()),
            "at" => VariantValue.Array(items.Select(i => (ulong)i.Value).ToArray()),
            "ad" => VariantValue.Array(items.Select(i => (double)i.Value).ToArray()),
            "ao" => VariantValue.Array(items.Select(i => new ObjectPath((string)i.Value)).ToArray()),
            _ => throw new ArgumentException(v.Signature),
        },
        _ => throw new ArgumentException(v.Signature),
    };

    private static VariantValue PairArray((string, string)[] pairs)
    {
        var array = new Tmds.DBus.Protocol.Array<Struct<string, string>>();
        foreach (var (a, b) in pairs)
            array.Add(Struct.Create(a, b));
        return array.AsVariantValue();
    }

    internal sealed record Call(string Member, string[] Args, string[] Properties, int Aux);

    /// <summary>org.freedesktop.systemd1's manager as far as the driver uses it, written with the
    /// library: it decodes and records every call, answers a job path and sends JobRemoved before
    /// or after the reply, or answers an error, or never answers.</summary>
    internal sealed class FakeSystemd(DBusConnection connection) : IPathMethodHandler
    {
        public ConcurrentQueue<Call> Calls { get; } = new();
        public bool SignalFirst { get; set; }
        public TimeSpan SignalDelay { get; set; }
        public string JobResult { get; set; } = "done";
        public (string Name, string Message)? Error { get; set; }
        public bool NoReply { get; set; }
        public bool NoSignal { get; set; }
        private uint _jobs;

        public string Path => "/org/freedesktop/systemd1";
        public bool HandlesChildPaths => false;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            var request = context.Request;
            string member = request.MemberAsString ?? "";
            var r = request.GetBodyReader();
            if (request.InterfaceAsString == "org.freedesktop.DBus.Properties" && member == "Get")
            {
                r.ReadString();
                string property = r.ReadString();
                using var w = context.CreateReplyWriter("v");
                w.WriteVariantString(property == "Version" ? "252.38-1~deb12u1" : "/user.slice/x.service");
                context.Reply(w.CreateMessage());
                return ValueTask.CompletedTask;
            }
            var args = new List<string>();
            var props = new List<string>();
            int aux = -1;
            switch (member)
            {
                case "StartTransientUnit":
                    args.Add(r.ReadString());
                    args.Add(r.ReadString());
                    props.AddRange(ReadProperties(ref r));
                    aux = 0;
                    var end = r.ReadArrayStart(DBusType.Struct);
                    while (r.HasNext(end))
                        aux++;
                    break;
                case "StopUnit":
                    args.Add(r.ReadString());
                    args.Add(r.ReadString());
                    break;
                case "ResetFailedUnit":
                    args.Add(r.ReadString());
                    break;
                case "SetUnitProperties":
                    args.Add(r.ReadString());
                    args.Add(r.ReadBool().ToString());
                    props.AddRange(ReadProperties(ref r));
                    break;
                default:
                    context.ReplyUnknownMethodError();
                    return ValueTask.CompletedTask;
            }
            Calls.Enqueue(new Call(member, [.. args], [.. props], aux));
            if (NoReply) // (the library answers an error when the handler ends without a reply: late)
                return new ValueTask(Task.Delay(1500));
            if (Error is var (name, message) && member != "ResetFailedUnit")
            {
                context.ReplyError(name, message);
                return ValueTask.CompletedTask;
            }
            if (member is "ResetFailedUnit" or "SetUnitProperties")
            {
                using var w = context.CreateReplyWriter(null);
                context.Reply(w.CreateMessage());
                return ValueTask.CompletedTask;
            }
            uint id = ++_jobs;
            string job = $"/org/freedesktop/systemd1/job/{id}";
            if (SignalFirst && !NoSignal)
                JobRemoved(id, job, args[0]);
            using (var w = context.CreateReplyWriter("o"))
            {
                w.WriteObjectPath(job);
                context.Reply(w.CreateMessage());
            }
            if (!SignalFirst && !NoSignal)
            {
                Thread.Sleep(SignalDelay);
                JobRemoved(id, job, args[0]);
            }
            return ValueTask.CompletedTask;
        }

        private static List<string> ReadProperties(ref Reader r)
        {
            var list = new List<string>();
            var end = r.ReadArrayStart(DBusType.Struct);
            while (r.HasNext(end))
            {
                r.AlignStruct();
                string name = r.ReadString();
                var value = r.ReadVariantValue();
                list.Add($"{name}={value.Type}:{value}");
            }
            return list;
        }

        private void JobRemoved(uint id, string job, string unit)
        {
            using var w = connection.GetMessageWriter();
            w.WriteSignalHeader(null, Path, "org.freedesktop.systemd1.Manager", "JobRemoved", "uoss");
            w.WriteUInt32(id);
            w.WriteObjectPath(job);
            w.WriteString(unit);
            w.WriteString(JobResult);
            connection.TrySendMessage(w.CreateMessage());
        }
    }

    private void StopDaemon()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill(); // by its PID, the one this test started
            _daemon.WaitForExit();
        }
    }

    public void Dispose()
    {
        _service?.Dispose();
        StopDaemon();
        _daemon?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The server side of a raw D-Bus connection, for a peer (no bus) and to capture the
/// bytes the library sends.</summary>
internal static class RawPeer
{
    /// <summary>SASL, the server's side: OK to AUTH, ERROR to anything else, until BEGIN.</summary>
    public static void ServerHandshake(Socket s)
    {
        var nul = new byte[1];
        s.Receive(nul);
        while (true)
        {
            string line = ReadLine(s);
            if (line == "BEGIN")
                return;
            s.Send(Encoding.ASCII.GetBytes(line.StartsWith("AUTH EXTERNAL", StringComparison.Ordinal)
                ? "OK 0123456789abcdef0123456789abcdef\r\n" : "ERROR\r\n"));
        }
    }

    private static string ReadLine(Socket s)
    {
        var sb = new StringBuilder();
        var b = new byte[1];
        while (!sb.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            if (s.Receive(b) == 0)
                throw new IOException("closed during the handshake");
            sb.Append((char)b[0]);
        }
        return sb.ToString()[..^2];
    }

    public static byte[] ReadMessage(Socket s)
    {
        var start = ReadExactly(s, 16);
        int total = DBusMessage.TotalLength(start);
        return [.. start, .. ReadExactly(s, total - 16)];
    }

    private static byte[] ReadExactly(Socket s, int n)
    {
        var buf = new byte[n];
        for (int got = 0; got < n;)
        {
            int k = s.Receive(buf, got, n - got, SocketFlags.None);
            if (k == 0)
                throw new IOException("closed");
            got += k;
        }
        return buf;
    }

    public static byte[] Reply(uint replySerial, string signature, Action<DBusWriter> body) =>
        Message(2, [(5, "u", replySerial), (8, "g", signature)], body);

    public static byte[] Signal(string path, string @interface, string member, string signature, Action<DBusWriter> body) =>
        Message(4, [(1, "o", path), (2, "s", @interface), (3, "s", member), (8, "g", signature)], body);

    private static uint s_serial = 1000;

    private static byte[] Message(byte type, (byte Code, string Sig, object Value)[] fields, Action<DBusWriter> write)
    {
        var body = new DBusWriter();
        write(body);
        var w = new DBusWriter();
        w.Byte((byte)'l');
        w.Byte(type);
        w.Byte(0);
        w.Byte(1);
        w.UInt32((uint)body.Length);
        w.UInt32(Interlocked.Increment(ref s_serial));
        var a = w.ArrayStart(8);
        foreach (var (code, sig, value) in fields)
        {
            w.StructStart();
            w.Byte(code);
            w.Variant(sig, value);
        }
        w.ArrayEnd(a);
        w.Pad(8);
        return [.. w.Bytes, .. body.Bytes];
    }

    public delegate void Write(ref MessageWriter writer);

    /// <summary>The library connects to a socket the test listens on (answering its Hello), sends
    /// one method call written by <paramref name="write"/>; returns its header (read by our reader)
    /// and its body's bytes.</summary>
    public static (DBusMessage Header, byte[] Body) CaptureFromLibrary(string path, Write write)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var captured = Task.Run(() =>
        {
            using var s = listener.Accept();
            ServerHandshake(s);
            while (true)
            {
                var bytes = ReadMessage(s);
                var m = DBusMessage.Parse(bytes);
                if (m.Member == "Hello")
                {
                    s.Send(Reply(m.Serial, "s", w => w.String(":1.1")));
                    continue;
                }
                int fields = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
                return (m, bytes[((16 + fields + 7) & ~7)..]);
            }
        });
        using var library = Task.Run(async () =>
        {
            var c = new DBusConnection($"unix:path={path}");
            await c.ConnectAsync();
            return c;
        }).Result;
        var writer = library.GetMessageWriter();
        write(ref writer);
        library.TrySendMessage(writer.CreateMessage());
        writer.Dispose();
        Assert.True(captured.Wait(TimeSpan.FromSeconds(10)), "the library's message did not arrive");
        return captured.Result;
    }
}
