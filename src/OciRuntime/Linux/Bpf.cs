namespace OciRuntime.Linux;

/// <summary>The bpf(2) commands the cgroup v2 device controller needs: load a program, attach it.</summary>
internal static unsafe partial class Bpf
{
    private const long SYS_bpf = 321;
    private const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
    private const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6;
    /// <summary>Lets a nested runtime attach its own program below ours; every program must allow.</summary>
    private const uint BPF_F_ALLOW_MULTI = 2;

    /// <summary>Loads a BPF_PROG_TYPE_CGROUP_DEVICE program; returns its fd. The verifier's log
    /// is put in the error, since that is the only way to know why it refused.</summary>
    public static int LoadDeviceProgram(ulong[] insns)
    {
        byte[] license = "Apache-2.0\0"u8.ToArray();
        byte[] log = new byte[16384];
        byte* attr = stackalloc byte[72];
        new Span<byte>(attr, 72).Clear();
        fixed (ulong* code = insns)
        fixed (byte* lic = license)
        fixed (byte* logp = log)
        {
            *(uint*)(attr + 0) = BPF_PROG_TYPE_CGROUP_DEVICE;
            *(uint*)(attr + 4) = (uint)insns.Length;
            *(ulong*)(attr + 8) = (ulong)code;
            *(ulong*)(attr + 16) = (ulong)lic;
            *(uint*)(attr + 68) = BPF_CGROUP_DEVICE; // expected_attach_type
            int fd = (int)LibC.syscall3(SYS_bpf, BPF_PROG_LOAD, (long)attr, 72);
            if (fd >= 0)
                return fd;
            int e = LibC.Errno;
            // Ask again with the log on: only a refused program needs it.
            *(uint*)(attr + 24) = 1;
            *(uint*)(attr + 28) = (uint)log.Length;
            *(ulong*)(attr + 32) = (ulong)logp;
            LibC.syscall3(SYS_bpf, BPF_PROG_LOAD, (long)attr, 72);
            string verifier = System.Text.Encoding.UTF8.GetString(log).TrimEnd('\0').Trim();
            throw new SyscallException("bpf(BPF_PROG_LOAD) of the device program" + (verifier.Length > 0 ? $" ({verifier})" : ""), e);
        }
    }

    public static void AttachToCgroup(int progFd, string cgroupDir)
    {
        int cg = LibC.open(cgroupDir, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (cg < 0)
            throw SyscallException.Last($"open {cgroupDir}");
        try
        {
            byte* attr = stackalloc byte[20];
            new Span<byte>(attr, 20).Clear();
            *(uint*)(attr + 0) = (uint)cg;
            *(uint*)(attr + 4) = (uint)progFd;
            *(uint*)(attr + 8) = BPF_CGROUP_DEVICE;
            *(uint*)(attr + 12) = BPF_F_ALLOW_MULTI;
            if (LibC.syscall3(SYS_bpf, BPF_PROG_ATTACH, (long)attr, 20) != 0)
                throw SyscallException.Last($"bpf(BPF_PROG_ATTACH) to {cgroupDir}");
        }
        finally
        {
            LibC.close(cg);
        }
    }
}
