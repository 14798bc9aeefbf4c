using OciRuntime.Cgroups.Systemd.DBus;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// A connection to systemd's manager over D-Bus (the small synchronous client in DBus/, decisions
/// §50: a library cost every command at start). The system instance is reached through the system
/// bus (/run/dbus/system_bus_socket), or, when no dbus-daemon runs, systemd's own socket
/// /run/systemd/private, a peer connection (no Hello: there is no bus driver to answer it). The
/// user's instance (a runtime that is not root) through $DBUS_SESSION_BUS_ADDRESS or
/// $XDG_RUNTIME_DIR/bus, else $XDG_RUNTIME_DIR/systemd/private. Only the systemd cgroup driver
/// uses this type.
/// </summary>
internal sealed class SystemdBus : IDisposable
{
    private const string Service = "org.freedesktop.systemd1";
    private const string ManagerPath = "/org/freedesktop/systemd1";
    private const string ManagerInterface = "org.freedesktop.systemd1.Manager";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The bound of every wait: a reply, a job's end (tests shorten it).</summary>
    internal TimeSpan Timeout { get; set; } = DefaultTimeout;

    private readonly DBusConnection _connection;
    private readonly bool _peer;
    private readonly Dictionary<string, string> _finishedJobs = new();
    private bool _watchingJobs;
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
        // Kept while any reply is awaited: a job's JobRemoved may come before its method's reply.
        _connection.SignalReceived = m =>
        {
            if (m is { Interface: ManagerInterface, Member: "JobRemoved", Signature: "uoss" })
            {
                var r = m.Body();
                r.UInt32();
                string job = r.String();
                r.String();
                _finishedJobs[job] = r.String();
            }
        };
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
            try
            {
                return Open(address, peer, userInstance);
            }
            catch (DBusException e)
            {
                tried.Add($"{address}: {e.Message}");
            }
        }
        string which = userInstance ? "the user's systemd instance (rootless --systemd-cgroup)" : "systemd";
        throw new RuntimeError($"--systemd-cgroup: no D-Bus connection to {which}: " +
            (tried.Count == 0 ? "no bus address (neither $DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR is set)" : string.Join("; ", tried)));
    }

    /// <summary>A connection to one address: a bus (Hello, then AddMatch for the job signals) or a
    /// peer (neither).</summary>
    internal static SystemdBus Open(string address, bool peer, bool userInstance) =>
        new(DBusConnection.Open(address, bus: !peer, DefaultTimeout), address, peer, userInstance);

    /// <summary>The socket path of a "unix:path=..." address when nothing is there (connect would
    /// say only "No such file or directory"); null otherwise.</summary>
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
        var w = new DBusWriter();
        w.String(ManagerInterface);
        w.String(property);
        var reply = Call("org.freedesktop.DBus.Properties", "Get", "ss", w, $"Get {property}");
        return reply.Signature == "v" && reply.Body().Value("v") is string s ? s
            : throw new RuntimeError($"systemd: Get {property}: the answer is not a string (signature \"{reply.Signature}\")");
    }

    /// <summary>StartTransientUnit with mode "fail"; returns once systemd's job is done, or throws
    /// with systemd's reason (the D-Bus error, or the job's result).</summary>
    public void StartTransientUnit(string unit, IReadOnlyList<UnitProperty> properties)
    {
        WatchJobs();
        var w = new DBusWriter();
        w.String(unit);
        w.String("fail");
        WriteProperties(w, properties);
        w.ArrayEnd(w.ArrayStart(8)); // no auxiliary units: a(sa(sv)) empty
        string job = JobPath(Call(ManagerInterface, "StartTransientUnit", "ssa(sv)a(sa(sv))", w, $"StartTransientUnit {unit}"),
            $"StartTransientUnit {unit}");
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
        var w = new DBusWriter();
        w.String(unit);
        w.String("replace");
        string job;
        try
        {
            job = JobPath(Call(ManagerInterface, "StopUnit", "ss", w, $"StopUnit {unit}"), $"StopUnit {unit}");
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
        var w = new DBusWriter();
        w.String(unit);
        try
        {
            Call(ManagerInterface, "ResetFailedUnit", "s", w, $"ResetFailedUnit {unit}");
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
        var w = new DBusWriter();
        w.String(unit);
        w.Bool(true);
        WriteProperties(w, properties);
        Call(ManagerInterface, "SetUnitProperties", "sba(sv)", w, $"SetUnitProperties {unit}");
    }

    /// <summary>Signals of a job go to its requester (systemd tracks it), also on a peer
    /// connection; on the bus a match makes dbus-daemon route them here. Set before the first
    /// call whose job is awaited.</summary>
    private void WatchJobs()
    {
        if (_watchingJobs || _peer)
            return;
        var w = new DBusWriter();
        w.String($"type='signal',sender='{Service}',path='{ManagerPath}',interface='{ManagerInterface}',member='JobRemoved'");
        Call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s", w, "watch JobRemoved");
        _watchingJobs = true;
    }

    private string WaitForJob(string job, string unit, string what)
    {
        long deadline = DBusConnection.Deadline(Timeout);
        while (true)
        {
            if (_finishedJobs.Remove(job, out string? result))
                return result;
            try
            {
                _connection.ReadMessage(deadline, $"JobRemoved of {job}");
            }
            catch (DBusTimeoutException)
            {
                throw new RuntimeError($"systemd did not {what} unit {unit} within {Timeout.TotalSeconds} s (job {job})");
            }
            catch (DBusException e)
            {
                throw new RuntimeError($"systemd: waiting for job {job} of unit {unit}: D-Bus connection {Address}: {e.Message}");
            }
        }
    }

    private static string JobPath(DBusMessage reply, string what) =>
        reply.Signature == "o" ? reply.Body().String()
            : throw new RuntimeError($"systemd: {what}: the answer is not a job path (signature \"{reply.Signature}\")");

    /// <summary>a(sv): each property's name and its value as a variant.</summary>
    internal static void WriteProperties(DBusWriter w, IReadOnlyList<UnitProperty> properties)
    {
        var array = w.ArrayStart(8);
        foreach (var p in properties)
        {
            w.StructStart();
            w.String(p.Name);
            w.Variant(p.Value.Signature, p.Value.Value);
        }
        w.ArrayEnd(array);
    }

    private DBusMessage Call(string @interface, string member, string signature, DBusWriter body, string what) =>
        Call(Service, ManagerPath, @interface, member, signature, body, what);

    /// <summary>One call; systemd's error reply becomes <see cref="SystemdError"/>, a lost
    /// connection or a timeout a <see cref="RuntimeError"/> naming the call and the address.</summary>
    private DBusMessage Call(string destination, string path, string @interface, string member, string signature,
        DBusWriter body, string what)
    {
        try
        {
            return _connection.Call(destination, path, @interface, member, signature, body, Timeout);
        }
        catch (DBusErrorReplyException e)
        {
            throw new SystemdError(e.Name, e.ErrorMessage, what);
        }
        catch (DBusTimeoutException)
        {
            throw new RuntimeError($"systemd: {what}: no answer within {Timeout.TotalSeconds} s on {Address}");
        }
        catch (DBusException e)
        {
            throw new RuntimeError($"systemd: {what}: D-Bus connection {Address}: {e.Message}");
        }
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>systemd answered a call with a D-Bus error: its name and message are the reason.</summary>
internal sealed class SystemdError(string name, string message, string call)
    : RuntimeError($"systemd refused {call}: {name}: {message}")
{
    public string Name { get; } = name;
}
