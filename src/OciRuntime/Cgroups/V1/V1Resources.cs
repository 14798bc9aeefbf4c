using OciRuntime.Spec;

namespace OciRuntime.Cgroups.V1;

/// <summary>
/// linux.resources → cgroup v1 file writes, in the order they must happen (pure; the manager
/// writes them). Follows runc's fs driver file by file.
/// </summary>
internal static class V1Resources
{
    /// <param name="swapFirst">memory.memsw must stay at or above memory.limit at every moment:
    /// see <see cref="SwapFirst"/></param>
    public static List<CgroupWrite> Map(LinuxResources r, bool swapFirst = false, string field = "linux.resources")
    {
        var w = new List<CgroupWrite>();
        if (r.Memory is { } m)
            Memory(m, swapFirst, field + ".memory", w);
        if (r.Cpu is { } c)
            Cpu(c, field + ".cpu", w);
        if (r.Pids is { Limit: { } pids })
            w.Add(new("pids", "pids.max", pids > 0 ? pids.ToString() : "max", field + ".pids.limit"));
        if (r.BlockIO is { } b)
            BlockIO(b, field + ".blockIO", w);
        for (int i = 0; i < (r.HugepageLimits?.Count ?? 0); i++)
        {
            var h = r.HugepageLimits![i];
            w.Add(new("hugetlb", $"hugetlb.{h.PageSize}.limit_in_bytes", h.Limit.ToString()!, $"{field}.hugepageLimits[{i}]"));
        }
        if (r.Network is { } n)
        {
            if (n.ClassId is { } id)
                w.Add(new("net_cls", "net_cls.classid", id.ToString(), field + ".network.classID"));
            for (int i = 0; i < (n.Priorities?.Count ?? 0); i++)
                w.Add(new("net_prio", "net_prio.ifpriomap", $"{n.Priorities![i].Name} {n.Priorities[i].Priority}",
                    $"{field}.network.priorities[{i}]"));
        }
        foreach (var (dev, limit) in (r.Rdma ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            w.Add(new("rdma", "rdma.max", RdmaLine(dev, limit), $"{field}.rdma[\"{dev}\"]"));
        return w;
    }

    /// <summary>The order of memory.limit_in_bytes and memory.memsw.limit_in_bytes, as runc's
    /// setMemoryAndSwap: with both given, memsw first when it is unlimited (-1) or above the memory
    /// limit in place, so that memsw never falls below memory in between; otherwise memory first.</summary>
    /// <param name="current">memory.limit_in_bytes now (a new cgroup's is the kernel's maximum)</param>
    public static bool SwapFirst(long? limit, long? swap, ulong current) =>
        limit is { } l && l != 0 && swap is { } s && s != 0 && (s == -1 || current < (ulong)s);

    /// <summary>"mlx5_0 hca_handle=2 hca_object=max": an absent count is left unlimited.</summary>
    public static string RdmaLine(string dev, LinuxRdma l) =>
        $"{dev} hca_handle={(l.HcaHandles is { } h ? h.ToString() : "max")} hca_object={(l.HcaObjects is { } o ? o.ToString() : "max")}";

    private static void Memory(LinuxMemory m, bool swapFirst, string f, List<CgroupWrite> w)
    {
        var limit = m.Limit is { } l && l != 0 ? new CgroupWrite("memory", "memory.limit_in_bytes", l.ToString(), f + ".limit") : null;
        var swap = m.Swap is { } s && s != 0 ? new CgroupWrite("memory", "memory.memsw.limit_in_bytes", s.ToString(), f + ".swap") : null;
        foreach (var x in swapFirst ? new[] { swap, limit } : [limit, swap])
            if (x is not null)
                w.Add(x);
        if (m.Reservation is { } res && res != 0)
            w.Add(new("memory", "memory.soft_limit_in_bytes", res.ToString(), f + ".reservation"));
        if (m.Kernel is { } k && k != 0)
            w.Add(new("memory", "memory.kmem.limit_in_bytes", k.ToString(), f + ".kernel"));
        if (m.KernelTcp is { } kt && kt != 0)
            w.Add(new("memory", "memory.kmem.tcp.limit_in_bytes", kt.ToString(), f + ".kernelTCP"));
        if (m.Swappiness is { } sw && sw != ulong.MaxValue) // -1: the kernel's value stays (as runc)
            w.Add(new("memory", "memory.swappiness", sw.ToString(), f + ".swappiness"));
        if (m.UseHierarchy is { } uh)
            w.Add(new("memory", "memory.use_hierarchy", uh ? "1" : "0", f + ".useHierarchy"));
        if (m.DisableOomKiller == true)
            w.Add(new("memory", "memory.oom_control", "1", f + ".disableOOMKiller"));
    }

    private static void Cpu(LinuxCpu c, string f, List<CgroupWrite> w)
    {
        if (c.Shares is { } sh && sh != 0)
            w.Add(new("cpu", "cpu.shares", sh.ToString(), f + ".shares"));
        // The period goes first: a quota is checked against the period in place.
        if (c.Period is { } p && p != 0)
            w.Add(new("cpu", "cpu.cfs_period_us", p.ToString(), f + ".period"));
        if (c.Quota is { } q && q != 0)
            w.Add(new("cpu", "cpu.cfs_quota_us", q.ToString(), f + ".quota"));
        if (c.Burst is { } bu)
            w.Add(new("cpu", "cpu.cfs_burst_us", bu.ToString(), f + ".burst"));
        // The period first, as runc; when the kernel refuses it (EINVAL: the runtime in place is
        // longer than the new period) it is written again after the runtime.
        if (c.RealtimePeriod is { } rp && rp != 0)
            w.Add(new("cpu", "cpu.rt_period_us", rp.ToString(), f + ".realtimePeriod",
                RetryAfterNext: c.RealtimeRuntime is { } rt && rt != 0));
        if (c.RealtimeRuntime is { } rr && rr != 0)
            w.Add(new("cpu", "cpu.rt_runtime_us", rr.ToString(), f + ".realtimeRuntime"));
        if (c.Idle is { } idle)
            w.Add(new("cpu", "cpu.idle", idle.ToString(), f + ".idle"));
        if (c.Cpus is { Length: > 0 } cpus)
            w.Add(new("cpuset", "cpuset.cpus", cpus, f + ".cpus"));
        if (c.Mems is { Length: > 0 } mems)
            w.Add(new("cpuset", "cpuset.mems", mems, f + ".mems"));
    }

    private static void BlockIO(LinuxBlockIO b, string f, List<CgroupWrite> w)
    {
        // Without CFQ the weights live in the BFQ files (runc falls back the same way).
        if (b.Weight is { } wt && wt != 0)
            w.Add(new("blkio", "blkio.weight", wt.ToString(), f + ".weight",
                new("blkio", "blkio.bfq.weight", wt.ToString(), f + ".weight")));
        if (b.LeafWeight is { } lw && lw != 0)
            w.Add(new("blkio", "blkio.leaf_weight", lw.ToString(), f + ".leafWeight"));
        for (int i = 0; i < (b.WeightDevice?.Count ?? 0); i++)
        {
            var d = b.WeightDevice![i];
            string dev = $"{d.Major}:{d.Minor}";
            if (d.Weight is { } dw && dw != 0)
                w.Add(new("blkio", "blkio.weight_device", $"{dev} {dw}", $"{f}.weightDevice[{i}].weight",
                    new("blkio", "blkio.bfq.weight_device", $"{dev} {dw}", $"{f}.weightDevice[{i}].weight")));
            if (d.LeafWeight is { } dl && dl != 0)
                w.Add(new("blkio", "blkio.leaf_weight_device", $"{dev} {dl}", $"{f}.weightDevice[{i}].leafWeight"));
        }
        string[] files = ["blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
            "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"];
        int k = 0;
        foreach (var (name, list) in ResourceValidator.ThrottleLists(b))
        {
            for (int i = 0; i < (list?.Count ?? 0); i++)
                w.Add(new("blkio", files[k], $"{list![i].Major}:{list[i].Minor} {list[i].Rate}", $"{f}.{name}[{i}]"));
            k++;
        }
    }
}
