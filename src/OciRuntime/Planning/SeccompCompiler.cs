using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>A compiled linux.seccomp: the BPF program as plan.h carries it (two u32 per
/// instruction), the seccomp() flags, and whether a notify listener is wanted.</summary>
internal sealed record SeccompFilter(uint[] Program, uint Flags, bool Listener, IReadOnlyList<string> Warnings)
{
    public int Instructions => Program.Length / 2;
}

/// <summary>
/// linux.seccomp → BPF, on the host side with libseccomp; the executor only loads the bytes.
/// Every name is checked here and a bad one is an error naming its field. As runc: a syscall name
/// libseccomp does not know is skipped with a warning (profiles list syscalls newer than the
/// library); rules whose action is the default action are left out (they change nothing); when an
/// argument index repeats within one rule, each condition becomes a rule of its own (OR), else the
/// conditions form one rule (AND).
/// </summary>
internal static unsafe class SeccompCompiler
{
    private const string F = "linux.seccomp";

    public static SeccompFilter Compile(LinuxSeccomp s) => Build(s, pfc: false, out _);

    /// <summary>libseccomp's readable form of the filter (for tests and `plan`).</summary>
    public static string Pseudocode(LinuxSeccomp s)
    {
        Build(s, pfc: true, out string text);
        return text;
    }

    /// <summary>The value of an action name with its errno (ERRNO, TRACE), checked.</summary>
    public static uint ActionValue(string? name, uint? errnoRet, string actionField, string errnoField)
    {
        if (name is null || !SeccompNumbers.TryGetAction(name, out uint ret))
            throw new PlanningException(actionField, name is null ? "required" : $"unknown seccomp action \"{name}\"");
        if (!SeccompNumbers.TakesErrnoRet(name))
        {
            if (errnoRet is not null)
                throw new PlanningException(errnoField, $"only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not {name}");
            return ret;
        }
        uint e = errnoRet ?? SeccompNumbers.DefaultErrnoRet;
        if (e > 0xFFFF)
            throw new PlanningException(errnoField, $"must fit in 16 bits, got {e}");
        return ret | e;
    }

    private static SeccompFilter Build(LinuxSeccomp s, bool pfc, out string pfcText)
    {
        var warnings = new List<string>();
        uint defAction = ActionValue(s.DefaultAction, s.DefaultErrnoRet, F + ".defaultAction", F + ".defaultErrnoRet");
        if (s.DefaultAction == "SCMP_ACT_NOTIFY")
            throw new PlanningException(F + ".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action: the runtime itself could not run on to pass the listener on");

        uint flags = 0;
        var flagNames = s.Flags ?? [];
        for (int i = 0; i < flagNames.Count; i++)
        {
            if (!SeccompNumbers.TryGetFlag(flagNames[i] ?? "", out uint fl))
                throw new PlanningException(SpecPath.Item(F + ".flags", i), $"unknown seccomp flag \"{flagNames[i]}\"");
            flags |= fl;
        }

        nint ctx = LibSeccomp.seccomp_init(defAction);
        if (ctx == 0)
            throw new PlanningException(F + ".defaultAction", $"libseccomp refused the default action {s.DefaultAction}");
        try
        {
            // no_new_privs is the executor's own step (process.noNewPrivileges); the exported
            // program does not carry it anyway, but say so rather than rely on it.
            Check(LibSeccomp.seccomp_attr_set(ctx, LibSeccomp.AttrCtlNnp, 0), F, "set the no_new_privs attribute");

            var arches = s.Architectures ?? [];
            var archTokens = new List<uint>();
            for (int i = 0; i < arches.Count; i++)
            {
                string field = SpecPath.Item(F + ".architectures", i);
                string name = SeccompNumbers.LibseccompArchName(arches[i] ?? "");
                uint token = name.Length == 0 ? 0 : LibSeccomp.seccomp_arch_resolve_name(name);
                if (token == 0)
                    throw new PlanningException(field, $"unknown seccomp architecture \"{arches[i]}\" (or one libseccomp {LibraryVersion()} does not support)");
                if (!archTokens.Contains(token))
                    archTokens.Add(token);
                int rc = LibSeccomp.seccomp_arch_add(ctx, token);
                if (rc < 0 && rc != -LibC.EEXIST)
                    Check(rc, field, $"add architecture {arches[i]}");
            }

            bool notify = false;
            var unknown = new List<string>();
            var syscalls = s.Syscalls ?? [];
            for (int i = 0; i < syscalls.Count; i++)
            {
                var sc = syscalls[i];
                string field = SpecPath.Item(F + ".syscalls", i);
                uint action = ActionValue(sc.Action, sc.ErrnoRet, field + ".action", field + ".errnoRet");
                var conds = Conditions(sc.Args ?? [], field);
                var names = sc.Names ?? [];
                if (names.Count == 0)
                    throw new PlanningException(field + ".names", "must name at least one system call");
                if (sc.Action == "SCMP_ACT_NOTIFY")
                {
                    notify = true;
                    // The executor passes the listener's fd on with sendmsg and reports errors
                    // with send/write: a filter that suspends those would wait for itself.
                    foreach (string n in names)
                        if (n is "write" or "sendmsg")
                            throw new PlanningException(field + ".names", $"SCMP_ACT_NOTIFY cannot be used for \"{n}\": the runtime needs it to pass the listener on");
                }
                if (action == defAction)
                    continue;
                for (int j = 0; j < names.Count; j++)
                {
                    string name = names[j] ?? "";
                    int nr = name.Length == 0 ? LibSeccomp.NrScmpError : LibSeccomp.seccomp_syscall_resolve_name(name);
                    if (nr == LibSeccomp.NrScmpError)
                    {
                        if (name.Length == 0)
                            throw new PlanningException(SpecPath.Item(field + ".names", j), "empty system call name");
                        unknown.Add(name);
                        continue;
                    }
                    AddRules(ctx, action, nr, conds, SpecPath.Item(field + ".names", j), name);
                }
            }
            if (unknown.Count > 0)
                warnings.Add($"{F}.syscalls: system calls unknown to libseccomp {LibraryVersion()} skipped: {string.Join(", ", unknown.Distinct())}");

            if (notify)
            {
                flags |= SeccompNumbers.FlagNewListener;
                // TSYNC and a listener are only allowed together with TSYNC_ESRCH (the executor
                // is single-threaded, so there is nothing to synchronise and nothing to fail).
                if ((flags & SeccompNumbers.FlagTsync) != 0)
                    flags |= SeccompNumbers.FlagTsyncEsrch;
            }
            else if ((flags & SeccompNumbers.FlagWaitKillableRecv) != 0)
            {
                // The kernel refuses it without a listener; it means nothing without one.
                flags &= ~SeccompNumbers.FlagWaitKillableRecv;
                warnings.Add($"{F}.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV has no effect without SCMP_ACT_NOTIFY rules; not passed to the kernel");
            }

            pfcText = pfc ? Export(ctx, pfc: true, out _) : "";
            Export(ctx, pfc: false, out byte[] bpf);
            uint[] program = ToProgram(bpf);
            if (NeedsEnosysStub(s.DefaultAction!, defAction))
            {
                if (archTokens.Count == 0)
                    archTokens.Add(LibSeccomp.seccomp_arch_native());
                program = [.. SeccompEnosysStub.Build(NewestSyscalls(archTokens, syscalls)), .. program];
                if (program.Length / 2 > SeccompEnosysStub.MaxInstructions)
                    throw new PlanningException(F, $"the filter has {program.Length / 2} BPF instructions, more than the kernel's {SeccompEnosysStub.MaxInstructions}");
            }
            return new SeccompFilter(program, flags, notify, warnings);
        }
        finally
        {
            LibSeccomp.seccomp_release(ctx);
        }
    }

    /// <summary>As runc (libcontainer/seccomp/patchbpf): a system call newer than every one the
    /// profile names gets ENOSYS rather than the default action, so that a libc falls back to the
    /// older call (clone3 → clone, faccessat2 → faccessat, ...). Not when the default lets calls
    /// through (ALLOW, LOG, TRACE: a tracer handles new calls itself), nor when the default already
    /// is ERRNO(ENOSYS).</summary>
    private static bool NeedsEnosysStub(string defaultAction, uint defAction) =>
        defaultAction is not ("SCMP_ACT_ALLOW" or "SCMP_ACT_LOG" or "SCMP_ACT_TRACE")
        && defAction != (SeccompNumbers.RetErrno | SeccompEnosysStub.Enosys);

    /// <summary>Per architecture of the filter, the largest number among the names the profile
    /// lists (any action, even the default's; names an architecture lacks and libseccomp's
    /// negative pseudo-numbers are left out). An architecture none of whose names resolves gets no
    /// stub (runc: the same).</summary>
    private static List<(uint Arch, int Newest)> NewestSyscalls(List<uint> archTokens, List<LinuxSyscall> syscalls)
    {
        var result = new List<(uint, int)>();
        foreach (uint arch in archTokens)
        {
            int newest = -1;
            foreach (var sc in syscalls)
                foreach (string? name in sc.Names ?? [])
                    if (!string.IsNullOrEmpty(name))
                        newest = Math.Max(newest, LibSeccomp.seccomp_syscall_resolve_name_arch(arch, name));
            if (newest > 0)
                result.Add((arch, newest));
        }
        return result;
    }

    private static List<LibSeccomp.ArgCmp> Conditions(List<LinuxSeccompArg> args, string field)
    {
        var conds = new List<LibSeccomp.ArgCmp>();
        for (int j = 0; j < args.Count; j++)
        {
            string af = SpecPath.Item(field + ".args", j);
            var a = args[j];
            if (a.Index is not { } index)
                throw new PlanningException(af + ".index", "required");
            if (index > 5)
                throw new PlanningException(af + ".index", $"must be between 0 and 5, got {index}");
            if (a.Op is null || !SeccompNumbers.TryGetOperator(a.Op, out int op))
                throw new PlanningException(af + ".op", a.Op is null ? "required" : $"unknown seccomp operator \"{a.Op}\"");
            if (a.Value is not { } value)
                throw new PlanningException(af + ".value", "required");
            conds.Add(new LibSeccomp.ArgCmp { Arg = index, Op = op, DatumA = value, DatumB = a.ValueTwo ?? 0 });
        }
        return conds;
    }

    private static void AddRules(nint ctx, uint action, int nr, List<LibSeccomp.ArgCmp> conds, string field, string name)
    {
        bool repeated = conds.GroupBy(c => c.Arg).Any(g => g.Count() > 1);
        var arr = conds.ToArray();
        fixed (LibSeccomp.ArgCmp* p = arr)
        {
            if (!repeated)
            {
                Check(LibSeccomp.seccomp_rule_add_array(ctx, action, nr, (uint)arr.Length, arr.Length == 0 ? null : p), field, $"add the rule for \"{name}\"");
                return;
            }
            for (int k = 0; k < arr.Length; k++)
                Check(LibSeccomp.seccomp_rule_add_array(ctx, action, nr, 1, p + k), field, $"add the rule for \"{name}\"");
        }
    }

    private static void Check(int rc, string field, string what)
    {
        if (rc < 0)
            throw new PlanningException(field, $"libseccomp could not {what}: {LibC.StrError(-rc)}");
    }

    private static string Export(nint ctx, bool pfc, out byte[] bytes)
    {
        int fd = LibC.memfd_create(pfc ? "ociruntime-seccomp-pfc" : "ociruntime-seccomp", LibC.MFD_CLOEXEC);
        if (fd < 0)
            throw SyscallException.Last("memfd_create");
        try
        {
            Check(pfc ? LibSeccomp.seccomp_export_pfc(ctx, fd) : LibSeccomp.seccomp_export_bpf(ctx, fd), F, "export the filter");
            long size = LibC.lseek(fd, 0, 2 /* SEEK_END */);
            if (size < 0)
                throw SyscallException.Last("lseek");
            bytes = new byte[size];
            fixed (byte* b = bytes)
            {
                long off = 0;
                while (off < size)
                {
                    nint n = LibC.pread(fd, b + off, (nint)(size - off), off);
                    if (n <= 0)
                    {
                        if (n < 0 && LibC.Errno == LibC.EINTR)
                            continue;
                        throw n < 0 ? SyscallException.Last("read the seccomp filter") : new RuntimeError("seccomp filter: short read");
                    }
                    off += n;
                }
            }
            return pfc ? System.Text.Encoding.UTF8.GetString(bytes) : "";
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>struct sock_filter[] (8 bytes each, native = little-endian) as plan.h's u32 pairs.</summary>
    private static uint[] ToProgram(byte[] bpf)
    {
        if (bpf.Length == 0 || bpf.Length % 8 != 0)
            throw new RuntimeError($"libseccomp exported a BPF program of {bpf.Length} bytes");
        var prog = new uint[bpf.Length / 4];
        for (int i = 0; i < prog.Length; i++)
            prog[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bpf.AsSpan(i * 4));
        return prog;
    }

    public static string LibraryVersion()
    {
        var v = LibSeccomp.seccomp_version();
        return v == null ? "?" : $"{v->Major}.{v->Minor}.{v->Micro}";
    }
}
