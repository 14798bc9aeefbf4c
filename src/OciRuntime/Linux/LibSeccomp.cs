using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>
/// The libseccomp calls the filter compiler needs. Published builds link the static libseccomp.a
/// (DirectPInvoke, nothing loaded at run time); the JIT-run unit tests find libseccomp.so.
/// libseccomp returns negative errno values instead of setting errno.
/// </summary>
internal static unsafe partial class LibSeccomp
{
    private const string Lib = "libseccomp";

    public const uint ArchNative = 0;
    public const int NrScmpError = -1; // __NR_SCMP_ERROR: a name libseccomp does not know

    /// <summary>enum scmp_filter_attr</summary>
    public const int AttrCtlNnp = 3;

    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCmp // struct scmp_arg_cmp
    {
        public uint Arg;
        public int Op; // enum scmp_compare
        public ulong DatumA;
        public ulong DatumB;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Version // struct scmp_version
    {
        public uint Major, Minor, Micro;
    }

    [LibraryImport(Lib)]
    public static partial nint seccomp_init(uint defaultAction);

    [LibraryImport(Lib)]
    public static partial void seccomp_release(nint ctx);

    [LibraryImport(Lib)]
    public static partial int seccomp_attr_set(nint ctx, int attr, uint value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint seccomp_arch_resolve_name(string name);

    [LibraryImport(Lib)]
    public static partial uint seccomp_arch_native();

    [LibraryImport(Lib)]
    public static partial int seccomp_arch_add(nint ctx, uint archToken);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int seccomp_syscall_resolve_name(string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int seccomp_syscall_resolve_name_arch(uint archToken, string name);

    [LibraryImport(Lib)]
    public static partial int seccomp_rule_add_array(nint ctx, uint action, int syscall, uint argCount, ArgCmp* args);

    [LibraryImport(Lib)]
    public static partial int seccomp_export_bpf(nint ctx, int fd);

    [LibraryImport(Lib)]
    public static partial int seccomp_export_pfc(nint ctx, int fd);

    [LibraryImport(Lib)]
    public static partial Version* seccomp_version();
}
