using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using OciRuntime.Plan;
using Xunit;

namespace OciRuntime.Tests.Plan;

public class PlanEncodingTests
{
    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    [Fact]
    public void Header_and_steps_follow_plan_h()
    {
        var plan = new ExecutionPlan([
            new SetHostnameStep("box", "hostname"),
            new UmaskStep(0x12, "process.user.umask"),
        ]);
        byte[] b = plan.Encode();
        Assert.Equal(PlanFormat.Magic, U32(b, 0));
        Assert.Equal(1u, U32(b, 4));
        Assert.Equal((uint)b.Length, U32(b, 8));
        Assert.Equal(2u, U32(b, 12));
        // step 1: op, size 8 (str: u32 len 4 + "box\0")
        Assert.Equal((uint)PlanOp.SetHostname, U32(b, 16));
        Assert.Equal(8u, U32(b, 20));
        Assert.Equal(4u, U32(b, 24));
        Assert.Equal("box\0", Encoding.UTF8.GetString(b, 28, 4));
        // step 2
        Assert.Equal((uint)PlanOp.Umask, U32(b, 32));
        Assert.Equal(4u, U32(b, 36));
        Assert.Equal(0x12u, U32(b, 40));
        Assert.Equal(44, b.Length);
    }

    [Fact]
    public void Lists_are_counted_and_strings_are_utf8()
    {
        byte[] b = new ExecutionPlan([new ExecStep(3, ["é"], [], "process.args")]).Encode();
        // keep_fds, argv count 1, str len 3 ("é" is 2 bytes + NUL), env count 0
        Assert.Equal(3u, U32(b, 24));
        Assert.Equal(1u, U32(b, 28));
        Assert.Equal(3u, U32(b, 32));
        Assert.Equal(0u, U32(b, 39));
    }

    [Fact]
    public void A_string_with_NUL_is_refused_before_it_reaches_the_kernel()
    {
        var e = Assert.Throws<ArgumentException>(() => new ExecutionPlan([new ChdirStep("/a\0b", "process.cwd")]).Encode());
        Assert.Contains("NUL", e.Message);
    }

    [Fact]
    public void Executor_messages_decode()
    {
        var b = new byte[ExecutorMessage.Size];
        BinaryPrimitives.WriteUInt32LittleEndian(b, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 7);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), 2);
        Encoding.UTF8.GetBytes("mount").CopyTo(b, 12);
        Assert.Equal(new ExecutorMessage(ExecutorMessageType.Error, 7, 2, "mount"), ExecutorMessage.Decode(b));
        Assert.Throws<InvalidDataException>(() => ExecutorMessage.Decode(new byte[10]));
    }

    [Fact]
    public void A_notify_carries_the_time_it_was_sent()
    {
        var b = new byte[ExecutorMessage.Size];
        BinaryPrimitives.WriteUInt32LittleEndian(b, 3);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)SyncTag.Ready);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(12), 123_456_789_012UL);
        var m = ExecutorMessage.Decode(b);
        Assert.Equal(ExecutorMessageType.Notify, m.Type);
        Assert.Equal((uint)SyncTag.Ready, m.Arg);
        Assert.Equal(123_456_789_012UL, m.SentAtNs);
        Assert.Equal("", m.What);
    }

    /// <summary>plan.h is the contract with the C executor: every number must agree.</summary>
    [Fact]
    public void Plan_h_and_the_csharp_mirror_agree()
    {
        string header = File.ReadAllText(Path.Combine(RepoRoot(), "src/OciRuntime.Native/plan.h"));
        // The one opcode list, OCI_PLAN_OPS: X(NAME, number, "schema", handler) per op. Both ways:
        // every entry has a PlanOp of the same name (underscores dropped, case ignored) and
        // number, and every PlanOp an entry.
        var ops = Regex.Matches(header, @"^\s*X\((\w+), (\d+), ""[uQsLU]*"", (\w+)\)", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => uint.Parse(m.Groups[2].Value));
        Assert.True(ops.Count > 40, $"OCI_PLAN_OPS not found in plan.h ({ops.Count} entries)");
        Assert.Equal(ops.Count, Enum.GetValues<PlanOp>().Length);
        foreach (var op in Enum.GetValues<PlanOp>())
        {
            Assert.True(ops.TryGetValue(op.ToString().ToUpperInvariant(), out uint number), $"PlanOp.{op} is not in plan.h's OCI_PLAN_OPS");
            Assert.True(number == (uint)op, $"PlanOp.{op} = {(uint)op}, plan.h says {number}");
        }

        var mnt = Regex.Matches(header, @"OCI_MNT_(\w+) = 1u << (\d+),")
            .ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => 1u << int.Parse(m.Groups[2].Value));
        foreach (var o in Enum.GetValues<MountOpts>().Where(o => o != MountOpts.None))
            Assert.Equal(mnt[o.ToString().ToUpperInvariant()], (uint)o);

        var msgs = Regex.Matches(header, @"OCI_MSG_(\w+) = (\d+),").ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => uint.Parse(m.Groups[2].Value));
        foreach (var t in Enum.GetValues<ExecutorMessageType>())
            Assert.Equal(msgs[t.ToString().ToUpperInvariant()], (uint)t);

        var seccompOpts = Regex.Matches(header, @"OCI_SECCOMP_(\w+) = 1u << (\d+),")
            .ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => 1u << int.Parse(m.Groups[2].Value));
        foreach (var o in Enum.GetValues<SeccompOpts>().Where(o => o != SeccompOpts.None))
            Assert.Equal(seccompOpts[o.ToString().ToUpperInvariant()], (uint)o);

        var procfs = Regex.Matches(header, @"OCI_PROCFS_(\w+) = (\d+),")
            .ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => uint.Parse(m.Groups[2].Value));
        Assert.Equal(Enum.GetValues<ProcfsHow>().Length, procfs.Count);
        foreach (var h in Enum.GetValues<ProcfsHow>())
            Assert.Equal(procfs[h.ToString().ToUpperInvariant()], (uint)h);

        Assert.Matches($@"OCI_PLAN_MAGIC 0x{PlanFormat.Magic:X8}u", header);
        Assert.Contains($"#define OCI_EXECUTOR_ENV \"{PlanFormat.ExecutorEnv}\"", header);
        // struct oci_msg: three u32 and what[52] = 64 bytes.
        Assert.Contains("char what[52];", header);
        Assert.Equal(64, ExecutorMessage.Size);
    }

    internal static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "OciRuntime.sln")))
            d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
