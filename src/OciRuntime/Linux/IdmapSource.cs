using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>
/// The host's part of an id-mapped bind mount for an init in a user namespace
/// (src/OciRuntime.Native/host/idmap_source.c, decisions §53): the init may not id-map, so at the
/// mount's turn it sends the user namespace's fd (ExecutorMessageType.IdmapSource) and the host,
/// root of the initial user namespace, clones the source in the init's mount namespace.
/// </summary>
internal static partial class IdmapSource
{
    /// <summary>The detached id-mapped tree's fd, or -errno with <paramref name="failedOp"/> set
    /// (enum oci_idmap_source_op in host.h, <see cref="Operation"/>).</summary>
    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_idmap_source(int pid, int usernsFd, string source, ulong propagation, uint opts, out int failedOp);

    /// <summary>The name of the failed call, worded as the executor's own IDMAP_TREE reports it.</summary>
    public static string Operation(int op) => op switch
    {
        0 => "clone to join the mount namespace",
        1 => "open the init's mount namespace",
        2 => "setns mount namespace",
        3 => "open_tree",
        4 => "mount_setattr propagation",
        5 => "mount_setattr idmap",
        _ => "id-mapped source",
    };
}
