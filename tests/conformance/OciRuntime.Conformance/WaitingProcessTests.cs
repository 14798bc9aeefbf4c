using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// A created container's init waits for `start` with the executor's code let go (decisions §25):
/// of the binary's code it keeps the one page that drops the rest and blocks on the exec fifo, so
/// that a created container costs about 0.1 MiB (crun's waiting init: ~2 MiB RSS).
/// </summary>
public sealed class WaitingProcessTests : ConformanceTest
{
    public WaitingProcessTests(ITestOutputHelper output) : base(output) { }

    /// <summary>KiB of resident code of the runtime's binary in the process (its r-xp mappings of
    /// the binary's inode: the executor runs from a read-only bind of it, not by its path).</summary>
    private static long ResidentCodeKiB(int pid, ulong inode)
    {
        long kib = 0;
        bool code = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 5 && f[0].Contains('-') && f[1].Length == 4)
                code = f[1] == "r-xp" && ulong.TryParse(f[4], out ulong ino) && ino == inode;
            else if (code && f.Length >= 2 && f[0] == "Rss:")
                kib += long.Parse(f[1]);
        }
        return kib;
    }

    private static ulong InodeOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-L", "-c", "%i", path])
        {
            RedirectStandardOutput = true,
        })!;
        string output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return ulong.Parse(output.Trim());
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void A_created_container_keeps_one_page_of_code_while_it_waits()
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        b.Save();
        Rt.Invoke("create", "--bundle", b.Dir, id).AssertOk("create");
        int pid = (int)Rt.StateJson(id)["pid"]!;
        ulong inode = InodeOf(TestEnv.RuntimeBinary);
        Assert.InRange(ResidentCodeKiB(pid, inode), 1, 8);
        Rt.StartContainer(id).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }
}
