using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups.V2;

/// <summary>
/// linux.resources → cgroup v2 file writes (pure). Fields that only exist in cgroup v1 (real-time
/// cpu, kernel memory, swappiness, the OOM-killer switch, net_cls/net_prio, leaf weights) are
/// refused by name rather than dropped, unless their value asks for nothing (0, false, a
/// hierarchical memory cgroup, and -1 — "unlimited" or "the kernel's default" — for kernel,
/// kernelTCP and swappiness): runc ignores those on v2 and managers send them (issue 16); the
/// -1 values and a net_cls class 0 get a warning in the log, the zero values stay silent.
/// </summary>
internal static class V2Resources
{
    public static List<CgroupWrite> Map(LinuxResources r, string field = "linux.resources", List<string>? warnings = null)
    {
        var w = new List<CgroupWrite>();
        warnings ??= [];
        if (r.Memory is { } m)
            Memory(m, field + ".memory", w, warnings);
        if (r.Cpu is { } c)
            Cpu(c, field + ".cpu", w);
        if (r.Pids is { Limit: { } pids })
            w.Add(new("pids", "pids.max", pids > 0 ? pids.ToString() : "max", field + ".pids.limit"));
        if (r.BlockIO is { } b)
            Io(b, field + ".blockIO", w);
        for (int i = 0; i < (r.HugepageLimits?.Count ?? 0); i++)
        {
            var h = r.HugepageLimits![i];
            w.Add(new("hugetlb", $"hugetlb.{h.PageSize}.max", h.Limit.ToString()!, $"{field}.hugepageLimits[{i}]"));
        }
        if (r.Network is { ClassId: not null and not 0 } or { Priorities.Count: > 0 })
            throw NotOnV2(field + ".network", "net_cls and net_prio");
        if (r.Network is { ClassId: 0 })
            warnings.Add(Ignored(field + ".network.classID", "net_cls"));
        foreach (var (dev, limit) in (r.Rdma ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            w.Add(new("rdma", "rdma.max", V1.V1Resources.RdmaLine(dev, limit), $"{field}.rdma[\"{dev}\"]"));
        // Last, so that a key here overrides what the fields above wrote (as runc).
        foreach (var (key, value) in (r.Unified ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string controller = key[..key.IndexOf('.')];
            // A cgroup file takes one line per write (io.max: one device a line).
            foreach (string line in value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                w.Add(new(controller == "cgroup" ? "" : controller, key, line, $"{field}.unified[\"{key}\"]"));
        }
        return w;
    }

    private static PlanningException NotOnV2(string field, string what) =>
        new(field, $"{what} exist only in cgroup v1; this host runs cgroup v2");

    private static string Ignored(string field, string what) =>
        $"{field}: {what} exists only in cgroup v1; this host runs cgroup v2 and the value asks for nothing, so it is ignored";

    private static void Memory(LinuxMemory m, string f, List<CgroupWrite> w, List<string> warnings)
    {
        if (m.Limit is { } l && l != 0)
            w.Add(new("memory", "memory.max", V2Conversions.Max(l), f + ".limit"));
        long? swap = V2Conversions.SwapMax(m.Swap, m.Limit, out string? error);
        if (error is not null)
            throw new PlanningException(f + ".swap", error);
        if (swap is { } s)
            w.Add(new("memory", "memory.swap.max", V2Conversions.Max(s), f + ".swap"));
        if (m.Reservation is { } res && res != 0)
            w.Add(new("memory", "memory.low", V2Conversions.Max(res), f + ".reservation"));
        if (m.Kernel is { } k && k != 0 && k != -1)
            throw NotOnV2(f + ".kernel", "kernel memory limits (kernel memory counts toward memory.max)");
        if (m.Kernel == -1)
            warnings.Add(Ignored(f + ".kernel", "a kernel memory limit"));
        if (m.KernelTcp is { } kt && kt != 0 && kt != -1)
            throw NotOnV2(f + ".kernelTCP", "kernel TCP memory limits");
        if (m.KernelTcp == -1)
            warnings.Add(Ignored(f + ".kernelTCP", "a kernel TCP memory limit"));
        // swappiness is a uint64 in the spec; -1 (all ones) is runc's "leave the kernel's value"
        if (m.Swappiness is { } sw && sw != ulong.MaxValue)
            throw NotOnV2(f + ".swappiness", "per-cgroup swappiness settings");
        if (m.Swappiness == ulong.MaxValue)
            warnings.Add(Ignored(f + ".swappiness", "per-cgroup swappiness"));
        if (m.DisableOomKiller == true)
            throw NotOnV2(f + ".disableOOMKiller", "switches to disable the OOM killer");
        if (m.UseHierarchy == false)
            throw NotOnV2(f + ".useHierarchy", "non-hierarchical memory accounting settings");
    }

    private static void Cpu(LinuxCpu c, string f, List<CgroupWrite> w)
    {
        if (c.Shares is { } sh && sh != 0)
            w.Add(new("cpu", "cpu.weight", V2Conversions.CpuWeight(sh).ToString(), f + ".shares"));
        if (c.Quota is { } q && q != 0 || c.Period is { } p0 && p0 != 0)
        {
            // Without a period the kernel keeps the one in place; "max" lifts the quota.
            string quota = c.Quota is > 0 ? c.Quota.Value.ToString() : "max";
            string value = c.Period is { } p && p != 0 ? $"{quota} {p}" : quota;
            w.Add(new("cpu", "cpu.max", value, c.Quota is { } && c.Quota != 0 ? f + ".quota" : f + ".period"));
        }
        if (c.Burst is { } bu)
            w.Add(new("cpu", "cpu.max.burst", bu.ToString(), f + ".burst"));
        if (c.RealtimePeriod is { } rp && rp != 0)
            throw NotOnV2(f + ".realtimePeriod", "real-time cpu limits");
        if (c.RealtimeRuntime is { } rr && rr != 0)
            throw NotOnV2(f + ".realtimeRuntime", "real-time cpu limits");
        if (c.Idle is { } idle)
            w.Add(new("cpu", "cpu.idle", idle.ToString(), f + ".idle"));
        if (c.Cpus is { Length: > 0 } cpus)
            w.Add(new("cpuset", "cpuset.cpus", cpus, f + ".cpus"));
        if (c.Mems is { Length: > 0 } mems)
            w.Add(new("cpuset", "cpuset.mems", mems, f + ".mems"));
    }

    private static void Io(LinuxBlockIO b, string f, List<CgroupWrite> w)
    {
        // BFQ takes the blkio weight as it is; otherwise io.weight on its own scale (as runc).
        if (b.Weight is { } wt && wt != 0)
            w.Add(new("io", "io.bfq.weight", wt.ToString(), f + ".weight",
                new("io", "io.weight", $"default {V2Conversions.IoWeight(wt)}", f + ".weight")));
        if (b.LeafWeight is { } lw && lw != 0)
            throw NotOnV2(f + ".leafWeight", "leaf weights");
        for (int i = 0; i < (b.WeightDevice?.Count ?? 0); i++)
        {
            var d = b.WeightDevice![i];
            string dev = $"{d.Major}:{d.Minor}";
            if (d.Weight is { } dw && dw != 0)
                w.Add(new("io", "io.bfq.weight", $"{dev} {dw}", $"{f}.weightDevice[{i}].weight",
                    new("io", "io.weight", $"{dev} {V2Conversions.IoWeight(dw)}", $"{f}.weightDevice[{i}].weight")));
            if (d.LeafWeight is { } dl && dl != 0)
                throw NotOnV2($"{f}.weightDevice[{i}].leafWeight", "leaf weights");
        }
        string[] keys = ["rbps", "wbps", "riops", "wiops"];
        int k = 0;
        foreach (var (name, list) in ResourceValidator.ThrottleLists(b))
        {
            for (int i = 0; i < (list?.Count ?? 0); i++)
                w.Add(new("io", "io.max", $"{list![i].Major}:{list[i].Minor} {keys[k]}={list[i].Rate}", $"{f}.{name}[{i}]"));
            k++;
        }
    }
}
