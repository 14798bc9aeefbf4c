using OciRuntime.Cgroups.V2;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// The unit properties the systemd driver asks for, as runc's systemd v2 driver maps them (pure:
/// tested without systemd). Everything mapped here is also written to the scope's cgroup files
/// afterwards by the cgroupfs v2 writer, as runc's fs2.Set does after SetUnitProperties, so the
/// files hold what the config asks even where systemd rounds or lacks a property.
/// </summary>
internal static class SystemdProperties
{
    /// <summary>runc's default period when a quota comes without one.</summary>
    private const ulong DefaultQuotaPeriod = 100000;

    /// <summary>What a new unit always carries (runc's Apply): the container's process, where the
    /// unit lives, delegation of its cgroup, and accounting on every controller.</summary>
    public static List<UnitProperty> ForNewUnit(SystemdCgroupPath path, int pid)
    {
        var p = new List<UnitProperty> { new("Description", UnitValue.String("ociruntime container " + path.Name)) };
        if (path.IsSlice)
            p.Add(new("Wants", UnitValue.String(path.Slice))); // a slice's parent is named by Wants=
        else
        {
            p.Add(new("Slice", UnitValue.String(path.Slice)));
            p.Add(new("Delegate", UnitValue.Bool(true)));
        }
        p.Add(new("PIDs", new UnitValue("au", new[] { (uint)pid })));
        foreach (string a in new[] { "MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting" })
            p.Add(new(a, UnitValue.Bool(true)));
        p.Add(new("DefaultDependencies", UnitValue.Bool(false)));
        return p;
    }

    /// <summary>
    /// linux.resources → properties. <paramref name="systemdVersion"/> drops what an older systemd
    /// lacks (CPUQuotaPeriodUSec before 242, AllowedCPUs/AllowedMemoryNodes before 244, CPUWeight=0
    /// for cpu.idle before 252): the files still get those values. A CPU quota is rounded up to
    /// whole percents of a CPU as systemd stores it, and <paramref name="r"/>'s quota is changed to
    /// the rounded value so that cpu.max is written with the same (as runc).
    /// </summary>
    public static List<UnitProperty> ForResources(LinuxResources r, int systemdVersion, string field, List<string> warnings)
    {
        var p = new List<UnitProperty>();
        if (r.Devices is { Count: > 0 })
            p.AddRange(Devices(DeviceRules.From(r.Devices), warnings));
        if (r.Memory is { } m)
        {
            if (m.Limit is { } limit && limit != 0)
                p.Add(new("MemoryMax", UnitValue.UInt64(unchecked((ulong)limit))));
            if (m.Reservation is { } res && res != 0)
                p.Add(new("MemoryLow", UnitValue.UInt64(unchecked((ulong)res))));
            long? swap = V2Conversions.SwapMax(m.Swap, m.Limit, out string? error);
            if (error is not null)
                throw new PlanningException(field + ".memory.swap", error);
            if (swap is { } s && s != 0)
                p.Add(new("MemorySwapMax", UnitValue.UInt64(unchecked((ulong)s))));
        }
        bool idle = false;
        if (r.Cpu is { } c)
        {
            if (c.Idle == 1 && systemdVersion >= 252)
            {
                p.Add(new("CPUWeight", UnitValue.UInt64(0))); // systemd writes cpu.idle=1 for weight 0
                idle = true;
            }
            if (c.Shares is { } sh && sh != 0)
            {
                if (idle)
                    warnings.Add($"{field}.cpu.shares: systemd cannot take both a CPU weight and cpu.idle; the weight is written to cpu.weight only");
                else
                    p.Add(new("CPUWeight", UnitValue.UInt64(V2Conversions.CpuWeight(sh))));
            }
            CpuQuota(c, systemdVersion, p);
            if (systemdVersion >= 244)
            {
                if (c.Cpus is { Length: > 0 } cpus)
                    p.Add(new("AllowedCPUs", new UnitValue("ay", RangeToBits(cpus, field + ".cpu.cpus"))));
                if (c.Mems is { Length: > 0 } mems)
                    p.Add(new("AllowedMemoryNodes", new UnitValue("ay", RangeToBits(mems, field + ".cpu.mems"))));
            }
        }
        if (r.Pids is { Limit: { } pids } && (pids > 0 || pids == -1))
            p.Add(new("TasksMax", UnitValue.UInt64(unchecked((ulong)pids))));
        if (r.BlockIO is { Weight: { } w } && w != 0)
            p.Add(new("IOWeight", UnitValue.UInt64(V2Conversions.IoWeight(w))));
        if (r.Unified is { Count: > 0 } unified)
            p.AddRange(Unified(unified, systemdVersion, field, warnings));
        return p;
    }

    /// <summary>runc's addCPUQuota: CPUQuotaPerSecUSec is the quota per second of one CPU, rounded
    /// up to 10 ms (systemd keeps whole percents); no quota with a period means unlimited.</summary>
    private static void CpuQuota(LinuxCpu c, int systemdVersion, List<UnitProperty> p)
    {
        ulong period = c.Period ?? 0;
        long quota = c.Quota ?? 0;
        if (period != 0 && systemdVersion >= 242)
            p.Add(new("CPUQuotaPeriodUSec", UnitValue.UInt64(period)));
        if (quota == 0 && period == 0)
            return;
        ulong perSec = ulong.MaxValue; // USEC_INFINITY
        if (quota > 0)
        {
            ulong per = period == 0 ? DefaultQuotaPeriod : period;
            perSec = (ulong)quota * 1000000 / per;
            if (perSec % 10000 != 0)
            {
                perSec = (perSec / 10000 + 1) * 10000;
                c.Quota = (long)(perSec * per / 1000000);
            }
        }
        p.Add(new("CPUQuotaPerSecUSec", UnitValue.UInt64(perSec)));
    }

    /// <summary>runc's unifiedResToSystemdProps: the cgroup v2 keys systemd has properties for;
    /// every key is written to its file afterwards anyway.</summary>
    private static IEnumerable<UnitProperty> Unified(Dictionary<string, string> unified, int systemdVersion, string field, List<string> warnings)
    {
        bool idle = unified.TryGetValue("cpu.idle", out string? idleValue) && idleValue.Trim() == "1" && systemdVersion >= 252;
        foreach (var (key, raw) in unified.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string f = $"{field}.unified[\"{key}\"]";
            string v = raw.Trim();
            switch (key)
            {
                case "cpu.idle":
                    if (idle)
                        yield return new("CPUWeight", UnitValue.UInt64(0));
                    break;
                case "cpu.weight":
                    if (idle)
                        warnings.Add($"{f}: systemd cannot take both a CPU weight and cpu.idle; the weight is written to cpu.weight only");
                    else
                        yield return new("CPUWeight", UnitValue.UInt64(Number(v, f, allowMax: false)));
                    break;
                case "cpu.max":
                {
                    var parts = v.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length is < 1 or > 2)
                        throw new PlanningException(f, $"\"{v}\" is not \"QUOTA [PERIOD]\"");
                    var cpu = new LinuxCpu
                    {
                        Quota = parts[0] == "max" ? 0 : (long)Number(parts[0], f, allowMax: false),
                        Period = parts.Length == 2 ? Number(parts[1], f, allowMax: false) : DefaultQuotaPeriod,
                    };
                    var list = new List<UnitProperty>();
                    CpuQuota(cpu, systemdVersion, list);
                    foreach (var prop in list)
                        yield return prop;
                    break;
                }
                case "cpuset.cpus" or "cpuset.mems":
                    if (systemdVersion >= 244)
                        yield return new(key == "cpuset.cpus" ? "AllowedCPUs" : "AllowedMemoryNodes", new UnitValue("ay", RangeToBits(v, f)));
                    break;
                case "memory.high" or "memory.low" or "memory.min" or "memory.max" or "memory.swap.max":
                    string name = key switch
                    {
                        "memory.high" => "MemoryHigh",
                        "memory.low" => "MemoryLow",
                        "memory.min" => "MemoryMin",
                        "memory.max" => "MemoryMax",
                        _ => "MemorySwapMax",
                    };
                    yield return new(name, UnitValue.UInt64(Number(v, f, allowMax: true)));
                    break;
                case "pids.max":
                    yield return new("TasksMax", UnitValue.UInt64(Number(v, f, allowMax: true)));
                    break;
                case "memory.oom.group":
                    if (v is "0" or "1")
                        yield return new("OOMPolicy", UnitValue.String(v == "1" ? "kill" : "continue"));
                    break;
            }
        }
    }

    private static ulong Number(string v, string field, bool allowMax)
    {
        if (allowMax && v == "max")
            return ulong.MaxValue;
        if (!ulong.TryParse(v, System.Globalization.NumberStyles.None, null, out ulong n))
            throw new PlanningException(field, $"\"{v}\" is not a number{(allowMax ? " or \"max\"" : "")}");
        return n;
    }

    /// <summary>
    /// A cpuset list ("0-3,8") as the bitmask systemd's AllowedCPUs/AllowedMemoryNodes take: bit i
    /// of byte i/8 is CPU (node) i, as many bytes as the highest one needs (runc's RangeToBits).
    /// </summary>
    public static byte[] RangeToBits(string list, string field)
    {
        var bits = new List<byte>();
        foreach (string raw in list.Split(','))
        {
            string item = raw.Trim();
            if (item.Length == 0)
                continue;
            int dash = item.IndexOf('-');
            if (!uint.TryParse(dash < 0 ? item : item[..dash], out uint from)
                || !uint.TryParse(dash < 0 ? item : item[(dash + 1)..], out uint to) || to < from || to > 65535)
                throw new PlanningException(field, $"\"{list}\" is not a list of numbers and ranges (\"0-3,8\")");
            for (uint i = from; i <= to; i++)
            {
                while (bits.Count <= i / 8)
                    bits.Add(0);
                bits[(int)(i / 8)] |= (byte)(1 << (int)(i % 8));
            }
        }
        if (bits.Count == 0)
            throw new PlanningException(field, $"\"{list}\" names no CPU or node");
        return [.. bits];
    }

    /// <summary>
    /// Device rules as systemd takes them (runc's devices/systemd.go): DevicePolicy=strict and the
    /// allowed devices by systemd's names ("/dev/char/1:3", "char-pts" for a whole major from
    /// /proc/devices, "char-*"); an empty DeviceAllow first clears what the unit had. systemd has
    /// no deny list: a set that allows all but some devices becomes deny-all here (the eBPF program
    /// of the cgroupfs writer, attached afterwards too, cannot widen that), allow-all becomes
    /// DevicePolicy=auto. Rules systemd cannot name ("c *:3") are left to that program, with a
    /// warning.
    /// </summary>
    public static List<UnitProperty> Devices(List<DeviceRule> rules, List<string> warnings, Func<char, long, string?>? groupOf = null)
    {
        groupOf ??= DeviceGroup;
        // Replay the rules as the kernel's devices controller would: "a" allow switches to
        // allow-all (a deny list follows), "a" deny to deny-all (an allow list follows).
        bool allowAll = false;
        var allowed = new List<(char Type, long? Major, long? Minor, string Access)>();
        var denied = new List<DeviceRule>();
        foreach (var r in rules)
        {
            if (r.Type == 'a')
            {
                allowAll = r.Allow;
                allowed.Clear();
                denied.Clear();
                continue;
            }
            if (allowAll)
            {
                if (!r.Allow)
                    denied.Add(r);
                continue;
            }
            if (r.Allow)
                allowed.Add((r.Type, r.Major, r.Minor, r.Access));
            else
            {
                // A deny in an allow list takes its access away from the rules it covers.
                for (int i = allowed.Count - 1; i >= 0; i--)
                {
                    var a = allowed[i];
                    bool covers = a.Type == r.Type && (r.Major is null || r.Major == a.Major) && (r.Minor is null || r.Minor == a.Minor);
                    if (!covers)
                        continue;
                    string left = new([.. a.Access.Where(ch => !r.Access.Contains(ch))]);
                    if (left.Length == 0)
                        allowed.RemoveAt(i);
                    else
                        allowed[i] = a with { Access = left };
                }
            }
        }
        var props = new List<UnitProperty>();
        if (allowAll)
        {
            props.Add(new("DevicePolicy", UnitValue.String("auto")));
            props.Add(new("DeviceAllow", new UnitValue("a(ss)", Array.Empty<(string, string)>())));
            if (denied.Count > 0)
                warnings.Add("linux.resources.devices: systemd has no deny list; the unit allows every device and the denied ones are refused by the cgroup's eBPF program");
            return props;
        }
        props.Add(new("DeviceAllow", new UnitValue("a(ss)", Array.Empty<(string, string)>())));
        props.Add(new("DevicePolicy", UnitValue.String("strict")));
        var entries = new List<(string, string)>();
        foreach (var a in allowed)
        {
            string kind = a.Type == 'b' ? "block" : "char";
            string? path;
            if (a.Major is null or < 0)
            {
                if (a.Minor is not (null or < 0))
                {
                    warnings.Add($"linux.resources.devices: systemd cannot name \"{a.Type} *:{a.Minor}\"; left to the cgroup's eBPF program");
                    continue;
                }
                path = kind + "-*";
            }
            else if (a.Minor is null or < 0)
            {
                path = groupOf(a.Type, a.Major.Value);
                if (path is null)
                {
                    warnings.Add($"linux.resources.devices: no device group of major {a.Major} in /proc/devices for \"{a.Type} {a.Major}:*\"; left to the cgroup's eBPF program");
                    continue;
                }
            }
            else
                path = $"/dev/{kind}/{a.Major}:{a.Minor}";
            entries.Add((path, a.Access));
        }
        props.Add(new("DeviceAllow", new UnitValue("a(ss)", entries.ToArray())));
        return props;
    }

    /// <summary>"char-NAME"/"block-NAME" for a major number, from /proc/devices.</summary>
    private static string? DeviceGroup(char type, long major)
    {
        string? text = Linux.SysFile.TryRead("/proc/devices", out _);
        if (text is null)
            return null;
        string section = type == 'b' ? "Block devices:" : "Character devices:";
        bool inSection = false;
        foreach (string line in text.Split('\n'))
        {
            if (line.EndsWith("devices:", StringComparison.Ordinal))
            {
                inSection = line == section;
                continue;
            }
            var f = line.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (inSection && f.Length == 2 && long.TryParse(f[0], out long m) && m == major)
                return (type == 'b' ? "block-" : "char-") + f[1];
        }
        return null;
    }
}
