using System.Diagnostics;
using OciRuntime.Cgroups.Systemd;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

/// <summary>
/// The D-Bus messages the driver sends, checked by a real dbus-daemon (a private session bus
/// started for the test; no systemd needed): a malformed message makes the daemon drop the
/// connection, a well-formed one to a name nobody owns is answered with an error (ServiceUnknown,
/// or the failed activation). Skipped where dbus-daemon is not installed. (It caught a writer
/// passed by value, which made every property array malformed.)
/// </summary>
public sealed class SystemdBusTests : IDisposable
{
    private readonly System.Diagnostics.Process? _daemon;
    private readonly string? _address;
    private readonly string? _old = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");

    public SystemdBusTests()
    {
        if (!File.Exists("/usr/bin/dbus-daemon") || !File.Exists("/usr/share/dbus-1/session.conf"))
            return;
        var psi = new ProcessStartInfo("/usr/bin/dbus-daemon", "--config-file=/usr/share/dbus-1/session.conf --print-address=1 --nofork")
        {
            RedirectStandardOutput = true,
        };
        _daemon = System.Diagnostics.Process.Start(psi)!;
        _address = _daemon.StandardOutput.ReadLine();
        Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", _address);
    }

    [Fact]
    public void Every_message_the_driver_sends_is_well_formed()
    {
        if (_address is null)
            return;
        using var bus = SystemdBus.Connect(userInstance: false);
        Assert.Equal(_address, bus.Address);
        var r = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20 },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 12345, Period = 100000, Cpus = "0-1" },
            Pids = new LinuxPids { Limit = 50 },
            Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
        };
        var props = SystemdProperties.ForNewUnit(SystemdCgroupPath.Parse("system.slice:t:c", "c"), 1);
        props.AddRange(SystemdProperties.ForResources(r, 252, "linux.resources", []));
        props.AddRange(SystemdAnnotations.Parse(new()
        {
            ["org.systemd.property.After"] = "['a.service']", ["org.systemd.property.Nice"] = "-5",
            ["org.systemd.property.TimeoutStopSec"] = "uint64 5", ["org.systemd.property.Weights"] = "[uint64 1, uint64 2]",
        }));
        foreach (var call in new Action[]
        {
            () => bus.StartTransientUnit("t-c.scope", props),
            () => bus.SetUnitProperties("t-c.scope", props),
            () => bus.StopUnit("t-c.scope"),
        })
        {
            // Answered (the name is not there, or the session bus failed to start it), not dropped.
            var e = Assert.Throws<SystemdError>(call);
            Assert.StartsWith("org.freedesktop.DBus.Error.", e.Name);
        }
        bus.ResetFailedUnit("t-c.scope"); // errors are no error here
    }

    [Fact]
    public void A_missing_socket_is_named_as_missing()
    {
        Assert.Equal("/nonexistent/h19f.sock", SystemdBus.MissingSocket("unix:path=/nonexistent/h19f.sock,guid=00"));
        Assert.Null(SystemdBus.MissingSocket("unix:abstract=/nonexistent"));
        Assert.Null(SystemdBus.MissingSocket("unix:path=/"));
        if (File.Exists("/run/systemd/private"))
            return; // systemd's own socket would answer
        Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/h19f.sock");
        var e = Assert.Throws<RuntimeError>(() => SystemdBus.Connect(userInstance: false));
        Assert.Contains("unix:path=/nonexistent/h19f.sock: /nonexistent/h19f.sock does not exist", e.Message);
        Assert.Contains("unix:path=/run/systemd/private: /run/systemd/private does not exist", e.Message);
        Assert.DoesNotContain("Cannot assign requested address", e.Message);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", _old);
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill();
            _daemon.WaitForExit();
        }
        _daemon?.Dispose();
    }
}
