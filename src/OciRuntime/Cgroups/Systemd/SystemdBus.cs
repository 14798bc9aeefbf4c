using System.Collections.Concurrent;
using Tmds.DBus.Protocol;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// A connection to systemd's manager over D-Bus (Tmds.DBus.Protocol; no hand-written wire code).
/// The system instance is reached through the system bus (/run/dbus/system_bus_socket), or, when
/// no dbus-daemon runs, systemd's own socket /run/systemd/private, a peer connection (the library
/// sends Hello, which the peer answers with an error; it then goes on without a bus name). The
/// user's instance (a runtime that is not root) through $DBUS_SESSION_BUS_ADDRESS or
/// $XDG_RUNTIME_DIR/bus, else $XDG_RUNTIME_DIR/systemd/private. Only the systemd cgroup driver
/// uses this type: nothing on the cgroupfs path loads the library.
/// </summary>
internal sealed class SystemdBus : IDisposable
{
    private const string Service = "org.freedesktop.systemd1";
    private const string ManagerPath = "/org/freedesktop/systemd1";
    private const string ManagerInterface = "org.freedesktop.systemd1.Manager";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    private readonly DBusConnection _connection;
    private readonly bool _peer;
    private readonly ConcurrentDictionary<string, string> _finishedJobs = new();
    private IDisposable? _jobWatch;
    private int _version = -1;

    /// <summary>Where the connection goes, for messages.</summary>
    public string Address { get; }

    public bool UserInstance { get; }

    private SystemdBus(DBusConnection connection, string address, bool peer, bool userInstance)
    {
        _connection = connection;
        Address = address;
        _peer = peer;
        UserInstance = userInstance;
    }

    private static SystemdBus? s_system, s_user;

    /// <summary>One connection per process and instance: `run` creates and deletes over the same
    /// one (a second connection to /run/systemd/private while the first was open went unanswered
    /// in the guest). Never closed: the process's exit closes it.</summary>
    public static SystemdBus Shared(bool userInstance) => userInstance
        ? s_user ??= Connect(true)
        : s_system ??= Connect(false);

    /// <summary>The first address that answers; an error naming every one tried otherwise.</summary>
    public static SystemdBus Connect(bool userInstance)
    {
        var tried = new List<string>();
        foreach (var (address, peer) in Addresses(userInstance))
        {
            if (MissingSocket(address) is { } missing)
            {
                tried.Add($"{address}: {missing} does not exist (nothing listens there)");
                continue;
            }
            var connection = new DBusConnection(new DBusConnectionOptions(address));
            try
            {
                Wait(connection.ConnectAsync().AsTask(), JobTimeout, "connect", address);
                return new SystemdBus(connection, address, peer, userInstance);
            }
            catch (Exception e) when (e is RuntimeError or DBusExceptionBase or IOException or System.Net.Sockets.SocketException
                                          or TimeoutException or ArgumentException or UnauthorizedAccessException)
            {
                connection.Dispose();
                tried.Add($"{address}: {e.Message}");
            }
        }
        string which = userInstance ? "the user's systemd instance (rootless --systemd-cgroup)" : "systemd";
        throw new RuntimeError($"--systemd-cgroup: no D-Bus connection to {which}: " +
            (tried.Count == 0 ? "no bus address (neither $DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR is set)" : string.Join("; ", tried)));
    }

    /// <summary>The socket path of a "unix:path=..." address when nothing is there (the library
    /// would say "Cannot assign requested address"); null otherwise.</summary>
    internal static string? MissingSocket(string address)
    {
        const string unixPath = "unix:path=";
        if (!address.StartsWith(unixPath, StringComparison.Ordinal) || address.Contains(';'))
            return null;
        string path = address[unixPath.Length..];
        int comma = path.IndexOf(',');
        if (comma >= 0)
            path = path[..comma];
        return path.Length > 0 && !path.Contains('%') && !File.Exists(path) && !Directory.Exists(path) ? path : null;
    }

    private static IEnumerable<(string Address, bool Peer)> Addresses(bool userInstance)
    {
        if (!userInstance)
        {
            string? env = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
            yield return (string.IsNullOrEmpty(env) ? "unix:path=/run/dbus/system_bus_socket" : env, false);
            yield return ("unix:path=/run/systemd/private", true);
            yield break;
        }
        string? session = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
        if (!string.IsNullOrEmpty(session))
            yield return (session, false);
        string? runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDir))
        {
            yield return ($"unix:path={runtimeDir}/bus", false);
            yield return ($"unix:path={runtimeDir}/systemd/private", true);
        }
    }

    /// <summary>The manager's version number ("252.38-1~deb12u1" → 252); 0 when unreadable.</summary>
    public int Version
    {
        get
        {
            if (_version < 0)
            {
                string v = GetManagerString("Version");
                int n = 0, i = v.StartsWith('v') ? 1 : 0;
                while (i < v.Length && char.IsAsciiDigit(v[i]))
                    n = n * 10 + (v[i++] - '0');
                _version = n;
            }
            return _version;
        }
    }

    /// <summary>The cgroup of the manager itself ("/user.slice/user-1000.slice/user@1000.service"
    /// for a user's instance; "/" or "" for the system's).</summary>
    public string ManagerControlGroup => GetManagerString("ControlGroup");

    private string GetManagerString(string property)
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Service, ManagerPath, "org.freedesktop.DBus.Properties", "Get", "ss");
        writer.WriteString(ManagerInterface);
        writer.WriteString(property);
        var task = _connection.CallMethodAsync(writer.CreateMessage(),
            static (Message m, object? _) => m.GetBodyReader().ReadVariantValue().GetString(), null);
        return Call(task, $"Get {property}");
    }

    /// <summary>StartTransientUnit with mode "fail"; returns once systemd's job is done, or throws
    /// with systemd's reason (the D-Bus error, or the job's result).</summary>
    public void StartTransientUnit(string unit, IReadOnlyList<UnitProperty> properties)
    {
        WatchJobs();
        MessageBuffer message;
        var writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(Service, ManagerPath, ManagerInterface, "StartTransientUnit", "ssa(sv)a(sa(sv))");
            writer.WriteString(unit);
            writer.WriteString("fail");
            WriteProperties(ref writer, properties);
            var aux = writer.WriteArrayStart(DBusType.Struct);
            writer.WriteArrayEnd(aux);
            message = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        var task = _connection.CallMethodAsync(message,
            static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString(), null);
        string job = Call(task, $"StartTransientUnit {unit}");
        string result;
        try
        {
            result = WaitForJob(job, unit, "start");
        }
        catch (RuntimeError)
        {
            ResetFailedUnit(unit);
            throw;
        }
        if (result != "done")
        {
            ResetFailedUnit(unit); // as runc: a failed unit is not left behind
            throw new RuntimeError($"systemd could not start unit {unit}: its start job ended \"{result}\"");
        }
    }

    /// <summary>StopUnit, waiting for the job; a unit that does not exist is no error.</summary>
    public void StopUnit(string unit)
    {
        WatchJobs();
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Service, ManagerPath, ManagerInterface, "StopUnit", "ss");
        writer.WriteString(unit);
        writer.WriteString("replace");
        var task = _connection.CallMethodAsync(writer.CreateMessage(),
            static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString(), null);
        string job;
        try
        {
            job = Call(task, $"StopUnit {unit}");
        }
        catch (SystemdError e) when (e.Name == "org.freedesktop.systemd1.NoSuchUnit")
        {
            return;
        }
        string result = WaitForJob(job, unit, "stop");
        if (result != "done")
            Diagnostics.Log.Warn($"systemd: stopping unit {unit} ended \"{result}\"");
    }

    /// <summary>Forgets a failed unit (so no failed unit is left behind); anything else is no error.</summary>
    public void ResetFailedUnit(string unit)
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Service, ManagerPath, ManagerInterface, "ResetFailedUnit", "s");
        writer.WriteString(unit);
        try
        {
            Call(_connection.CallMethodAsync(writer.CreateMessage()), $"ResetFailedUnit {unit}");
        }
        catch (SystemdError)
        {
        }
    }

    /// <summary>SetUnitProperties with runtime=true (not persisted), as runc.</summary>
    public void SetUnitProperties(string unit, IReadOnlyList<UnitProperty> properties)
    {
        if (properties.Count == 0)
            return;
        MessageBuffer message;
        var writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(Service, ManagerPath, ManagerInterface, "SetUnitProperties", "sba(sv)");
            writer.WriteString(unit);
            writer.WriteBool(true);
            WriteProperties(ref writer, properties);
            message = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        Call(_connection.CallMethodAsync(message), $"SetUnitProperties {unit}");
    }

    private void WatchJobs()
    {
        if (_jobWatch is not null)
            return;
        // Signals of a job go to its requester (systemd tracks it), also on a peer connection;
        // on the bus the match makes dbus-daemon route them here. Set before the call: the signal
        // may come before its reply.
        var task = _connection.WatchSignalAsync(_peer ? null : Service, ManagerPath, ManagerInterface, "JobRemoved",
            static (Message m, object? _) =>
            {
                var r = m.GetBodyReader();
                r.ReadUInt32();
                string job = r.ReadObjectPathAsString();
                r.ReadString();
                return (job, r.ReadString());
            },
            (Notification<(string Job, string Result)> n) =>
            {
                if (n.HasValue)
                    _finishedJobs[n.Value.Job] = n.Value.Result;
            }, ObserverFlags.None, emitOnCapturedContext: false);
        _jobWatch = Call(task.AsTask(), "watch JobRemoved");
    }

    private string WaitForJob(string job, string unit, string what)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        for (int i = 0; ; i++)
        {
            if (_finishedJobs.TryRemove(job, out string? result))
                return result;
            if (DateTime.UtcNow > deadline)
                throw new RuntimeError($"systemd did not {what} unit {unit} within {JobTimeout.TotalSeconds} s (job {job})");
            Thread.Sleep(i < 50 ? 1 : 10);
        }
    }

    /// <summary>a(sv); the writer is a ref struct: passed by reference, or the caller's position is lost.</summary>
    private static void WriteProperties(ref MessageWriter writer, IReadOnlyList<UnitProperty> properties)
    {
        var start = writer.WriteArrayStart(DBusType.Struct);
        foreach (var p in properties)
        {
            writer.WriteStructureStart();
            writer.WriteString(p.Name);
            writer.WriteVariant(ToVariant(p.Value));
        }
        writer.WriteArrayEnd(start);
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
        UnitValue[] items => ItemArray(v.Signature, items),
        _ => throw new ArgumentException($"unit property value of type {v.Signature} cannot be sent"),
    };

    private static VariantValue PairArray((string, string)[] pairs)
    {
        var array = new Tmds.DBus.Protocol.Array<Struct<string, string>>();
        foreach (var (a, b) in pairs)
            array.Add(Struct.Create(a, b));
        return array.AsVariantValue();
    }

    private static VariantValue ItemArray(string signature, UnitValue[] items) => signature switch
    {
        "ab" => VariantValue.Array(items.Select(i => (bool)i.Value).ToArray()),
        "an" => VariantValue.Array(items.Select(i => (short)i.Value).ToArray()),
        "aq" => VariantValue.Array(items.Select(i => (ushort)i.Value).ToArray()),
        "ai" => VariantValue.Array(items.Select(i => (int)i.Value).ToArray()),
        "ax" => VariantValue.Array(items.Select(i => (long)i.Value).ToArray()),
        "at" => VariantValue.Array(items.Select(i => (ulong)i.Value).ToArray()),
        "ad" => VariantValue.Array(items.Select(i => (double)i.Value).ToArray()),
        "ao" => VariantValue.Array(items.Select(i => new ObjectPath((string)i.Value)).ToArray()),
        _ => throw new ArgumentException($"unit property value of type {signature} cannot be sent"),
    };

    private T Call<T>(Task<T> task, string what)
    {
        Wait(task, JobTimeout, what, Address);
        return task.Result;
    }

    private void Call(Task task, string what) => Wait(task, JobTimeout, what, Address);

    /// <summary>Waits for a call; systemd's error reply becomes <see cref="SystemdError"/>, a lost
    /// connection or a timeout a <see cref="RuntimeError"/> naming the call and the address.</summary>
    private static void Wait(Task task, TimeSpan timeout, string what, string address)
    {
        try
        {
            if (!task.Wait(timeout))
                throw new RuntimeError($"systemd: {what}: no answer within {timeout.TotalSeconds} s on {address}");
        }
        catch (AggregateException ae) when (ae.InnerException is DBusErrorReplyException e)
        {
            throw new SystemdError(e.ErrorName, e.ErrorMessage, what);
        }
        catch (AggregateException ae) when (ae.InnerException is DBusExceptionBase or IOException or System.Net.Sockets.SocketException)
        {
            throw new RuntimeError($"systemd: {what}: D-Bus connection {address}: {ae.InnerException!.Message}");
        }
        catch (AggregateException ae) when (ae.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
        }
    }

    public void Dispose()
    {
        _jobWatch?.Dispose();
        _connection.Dispose();
    }
}

/// <summary>systemd answered a call with a D-Bus error: its name and message are the reason.</summary>
internal sealed class SystemdError(string name, string message, string call)
    : RuntimeError($"systemd refused {call}: {name}: {message}")
{
    public string Name { get; } = name;
}
