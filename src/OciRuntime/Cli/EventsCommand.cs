using System.Text.Json;
using System.Text;
using OciRuntime.Cgroups;
using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

/// <summary>
/// `events`: the container's cgroup counters as runc prints them ({"type":"stats","id":...,
/// "data":{...}}), once with --stats or every --interval until the container stops, with
/// {"type":"oom"} whenever the OOM killer has struck in between.
/// </summary>
internal sealed class EventsCommand : Command
{
    public override string Name => "events";
    public override string Summary => "print the container's resource usage and OOM events as JSON";
    public override string Usage => "[--stats] [--interval 5s] <container-id>";
    public override IReadOnlyList<OptionSpec> Options => [new("stats", false), new("interval", true)];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var c = Container.Load(ctx.Store, Id(a));
        if (c.Status == ContainerStatus.Stopped)
            throw new RuntimeError($"container \"{c.Id}\" is not running");
        if (a.Flag("stats"))
        {
            Output.Out(Stats(c.Id, c.Cgroup.Stats()) + "\n");
            return 0;
        }
        var interval = Interval(a.Get("interval") ?? "5s");
        long ooms = c.Cgroup.OomKills();
        while (true)
        {
            // The OOM count is read once more after the container stopped: an OOM kill is often
            // what stopped it.
            bool stopped = c.Status == ContainerStatus.Stopped;
            long now = c.Cgroup.OomKills();
            if (now > ooms)
                Output.Out($"{{\"type\":\"oom\",\"id\":\"{JsonEncodedText.Encode(c.Id)}\"}}\n");
            ooms = now;
            if (stopped)
                return 0;
            Output.Out(Stats(c.Id, c.Cgroup.Stats()) + "\n");
            Thread.Sleep(interval);
        }
    }

    /// <summary>Go duration syntax as runc takes it: "500ms", "5s", "1m", "1h"; a bare number is seconds.</summary>
    public static TimeSpan Interval(string s)
    {
        (string num, double scale) = s switch
        {
            _ when s.EndsWith("ms") => (s[..^2], 1.0),
            _ when s.EndsWith('s') => (s[..^1], 1000.0),
            _ when s.EndsWith('m') => (s[..^1], 60_000.0),
            _ when s.EndsWith('h') => (s[..^1], 3_600_000.0),
            _ => (s, 1000.0),
        };
        if (!double.TryParse(num, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) || v <= 0)
            throw new UsageError($"--interval: \"{s}\" is not a duration (e.g. 500ms, 5s)");
        return TimeSpan.FromMilliseconds(v * scale);
    }

    /// <summary>One stats event, in runc's field names.</summary>
    public static string Stats(string id, CgroupStats s)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("type", "stats");
            w.WriteString("id", id);
            w.WriteStartObject("data");

            w.WriteStartObject("cpu");
            w.WriteStartObject("usage");
            w.WriteNumber("total", s.CpuUsageTotal);
            w.WriteNumber("kernel", s.CpuUsageKernel);
            w.WriteNumber("user", s.CpuUsageUser);
            w.WriteEndObject();
            w.WriteStartObject("throttling");
            w.WriteNumber("periods", s.ThrottlingPeriods);
            w.WriteNumber("throttledPeriods", s.ThrottledPeriods);
            w.WriteNumber("throttledTime", s.ThrottledTime);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("memory");
            w.WriteStartObject("usage");
            w.WriteNumber("limit", s.MemoryLimit);
            w.WriteNumber("usage", s.MemoryUsage);
            w.WriteNumber("max", s.MemoryMaxUsage);
            w.WriteNumber("failcnt", s.MemoryFailcnt);
            w.WriteEndObject();
            w.WriteStartObject("swap");
            w.WriteNumber("limit", s.SwapLimit);
            w.WriteNumber("usage", s.SwapUsage);
            w.WriteEndObject();
            w.WriteStartObject("raw");
            foreach (var (k, v) in s.MemoryStat)
                w.WriteNumber(k, v);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("pids");
            w.WriteNumber("current", s.PidsCurrent);
            w.WriteNumber("limit", s.PidsLimit == ulong.MaxValue ? 0 : s.PidsLimit);
            w.WriteEndObject();

            w.WriteStartObject("blkio");
            IoList(w, "ioServiceBytesRecursive", s.IoServiceBytes);
            IoList(w, "ioServicedRecursive", s.IoServiced);
            w.WriteEndObject();

            w.WriteStartObject("hugetlb");
            foreach (var (size, (usage, max, failcnt)) in s.Hugetlb)
            {
                w.WriteStartObject(size);
                w.WriteNumber("usage", usage);
                w.WriteNumber("max", max);
                w.WriteNumber("failcnt", failcnt);
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void IoList(Utf8JsonWriter w, string name, List<(ulong Major, ulong Minor, string Op, ulong Value)> entries)
    {
        w.WriteStartArray(name);
        foreach (var e in entries)
        {
            w.WriteStartObject();
            w.WriteNumber("major", e.Major);
            w.WriteNumber("minor", e.Minor);
            w.WriteString("op", e.Op);
            w.WriteNumber("value", e.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
