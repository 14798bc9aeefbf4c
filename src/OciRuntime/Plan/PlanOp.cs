namespace OciRuntime.Plan;

/// <summary>Step opcodes. Mirrors the opcode list OCI_PLAN_OPS in src/OciRuntime.Native/plan.h (a unit test
/// checks that the two agree).</summary>
internal enum PlanOp : uint
{
    Setns = 1,
    Unshare = 2,
    Fork = 3,
    Sync = 4,
    Notify = 5,
    SetHostname = 6,
    SetDomainname = 7,
    OpenRoot = 8,
    Mount = 9,
    Propagate = 10,
    Mknod = 11,
    Symlink = 12,
    Mkdir = 13,
    PivotRoot = 14,
    MoveRoot = 15,
    Remount = 16,
    Mask = 17,
    Chdir = 18,
    Umask = 19,
    Rlimit = 20,
    Setsid = 21,
    NoNewPrivs = 22,
    CapsBounding = 23,
    SetUser = 24,
    Caps = 25,
    OpenFifo = 26,
    WaitFifo = 27,
    ResolveExec = 28,
    Exec = 29,
    WriteProc = 30,
    Seccomp = 31,
    Personality = 32,
    Ioprio = 33,
    Sched = 34,
    ReleaseCode = 35,
    MountSetattr = 36,
    Mempolicy = 37,
    CapsAtExec = 38,
    // terminals (40-49)
    RecvConsole = 40,
    CreatePty = 41,
    BindConsole = 42,
    SetCtty = 43,
    ChownStdio = 44,

    TimensOffsets = 50,

    // id-mapped mounts (60-64), Plan/IdmapSteps.cs
    UsernsFromMaps = 60,
    UsernsFromPath = 61,
    IdmapTree = 62,
    AttachTree = 63,

    // hardening (70-79)
    CloseFds = 70,
    OpenProcfs = 71,
    RecvHookState = 72,
    RunHook = 73,
    Chroot = 74,
    OpenSources = 75,
}

/// <summary>enum oci_procfs_how in plan.h.</summary>
internal enum ProcfsHow : uint
{
    New = 0,
    Current = 1,
}

/// <summary>enum oci_seccomp_opts in plan.h.</summary>
[Flags]
internal enum SeccompOpts : uint
{
    None = 0,
    AtExec = 1u << 0,
}

/// <summary>enum oci_mount_opts in plan.h.</summary>
[Flags]
internal enum MountOpts : uint
{
    None = 0,
    TargetInRoot = 1u << 0,
    SourceInRoot = 1u << 1,
    Mkdir = 1u << 2,
    Mkfile = 1u << 3,
    MkLikeSource = 1u << 4,
    Remount = 1u << 5,
    IgnoreMissing = 1u << 6,
    Copyup = 1u << 7,
    InheritMode = 1u << 8,
    OrdinaryDir = 1u << 9,
    ExactFlags = 1u << 10,
    SourceOpened = 1u << 11,
}

/// <summary>Constants of the plan header (plan.h).</summary>
internal static class PlanFormat
{
    public const uint Magic = 0x4E4C5043;
    public const uint Version = 1;
    public const string ExecutorEnv = "_OCIRUNTIME_EXECUTOR";
}
