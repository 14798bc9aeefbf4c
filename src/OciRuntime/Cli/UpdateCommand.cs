using OciRuntime.Cgroups;
using OciRuntime.Lifecycle;
using OciRuntime.Spec;

namespace OciRuntime.Cli;

/// <summary>
/// `update`: new cgroup limits for a running container, from runc's flags or from a
/// LinuxResources JSON document (--resources FILE, "-" for stdin). Flags override the document.
/// </summary>
internal sealed class UpdateCommand : Command
{
    public override string Name => "update";
    public override string Summary => "change the cgroup limits of a container";
    public override string Usage => "[command options] <container-id>";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        new("resources", true, "r"), new("blkio-weight", true), new("cpu-period", true), new("cpu-quota", true), new("cpu-burst", true),
        new("cpu-share", true, "cpu-shares"), new("cpu-rt-period", true), new("cpu-rt-runtime", true),
        new("cpuset-cpus", true), new("cpuset-mems", true), new("kernel-memory", true), new("kernel-memory-tcp", true),
        new("memory", true), new("memory-reservation", true), new("memory-swap", true), new("pids-limit", true),
        new("l3-cache-schema", true), new("mem-bw-schema", true),
    ];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var r = Resources(a);
        ContainerCgroupOps.Update(Container.Load(ctx.Store, Id(a)), r);
        return 0;
    }

    public static LinuxResources Resources(ParsedArgs a)
    {
        if (a.Get("l3-cache-schema") is not null || a.Get("mem-bw-schema") is not null)
            throw new RuntimeError("--l3-cache-schema/--mem-bw-schema: Intel RDT is not supported yet by ociruntime");
        var r = new LinuxResources();
        if (a.Get("resources") is { } file)
        {
            byte[] json = file == "-" ? ReadStdin() : File.ReadAllBytes(file);
            r = ConfigLoader.ParseResources(json, $"--resources {(file == "-" ? "(stdin)" : file)}");
        }
        if (a.Get("memory") is { } m)
            (r.Memory ??= new()).Limit = ByteSize.Parse("memory", m);
        if (a.Get("memory-reservation") is { } mr)
            (r.Memory ??= new()).Reservation = ByteSize.Parse("memory-reservation", mr);
        if (a.Get("memory-swap") is { } ms)
            (r.Memory ??= new()).Swap = ByteSize.Parse("memory-swap", ms);
        if (a.Get("kernel-memory") is { } km)
            (r.Memory ??= new()).Kernel = ByteSize.Parse("kernel-memory", km);
        if (a.Get("kernel-memory-tcp") is { } kt)
            (r.Memory ??= new()).KernelTcp = ByteSize.Parse("kernel-memory-tcp", kt);
        if (a.Get("cpu-share") is { } cs)
            (r.Cpu ??= new()).Shares = Unsigned("cpu-share", cs);
        if (a.Get("cpu-period") is { } cp)
            (r.Cpu ??= new()).Period = Unsigned("cpu-period", cp);
        if (a.Get("cpu-quota") is { } cq)
            (r.Cpu ??= new()).Quota = Signed("cpu-quota", cq);
        if (a.Get("cpu-burst") is { } cb)
            (r.Cpu ??= new()).Burst = Unsigned("cpu-burst", cb);
        if (a.Get("cpu-rt-period") is { } rp)
            (r.Cpu ??= new()).RealtimePeriod = Unsigned("cpu-rt-period", rp);
        if (a.Get("cpu-rt-runtime") is { } rr)
            (r.Cpu ??= new()).RealtimeRuntime = Signed("cpu-rt-runtime", rr);
        if (a.Get("cpuset-cpus") is { } cc)
            (r.Cpu ??= new()).Cpus = cc;
        if (a.Get("cpuset-mems") is { } cm)
            (r.Cpu ??= new()).Mems = cm;
        if (a.Get("pids-limit") is { } pl)
            r.Pids = new LinuxPids { Limit = Signed("pids-limit", pl) };
        if (a.Get("blkio-weight") is { } bw)
            (r.BlockIO ??= new()).Weight = (ushort)Math.Min(Unsigned("blkio-weight", bw), ushort.MaxValue);
        return r;
    }

    private static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var bytes = new MemoryStream();
        stdin.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static ulong Unsigned(string flag, string v) =>
        ulong.TryParse(v, out ulong n) ? n : throw new UsageError($"--{flag}: \"{v}\" is not a non-negative number");

    private static long Signed(string flag, string v) =>
        long.TryParse(v, out long n) ? n : throw new UsageError($"--{flag}: \"{v}\" is not a number");
}
