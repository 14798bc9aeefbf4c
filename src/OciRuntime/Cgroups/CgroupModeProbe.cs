using OciRuntime.Linux;

namespace OciRuntime.Cgroups;

/// <summary>Whether a path is a cgroup2 mount, by its filesystem magic (statfs), as runc decides
/// between its v1 and v2 drivers.</summary>
internal static unsafe class CgroupModeProbe
{
    private const long CGROUP2_SUPER_MAGIC = 0x63677270;

    public static bool IsUnified(string mountPoint)
    {
        // struct statfs is 120 bytes on x86-64 and arm64; f_type is its first field.
        byte* buf = stackalloc byte[256];
        return LibC.statfs(mountPoint, buf) == 0 && *(long*)buf == CGROUP2_SUPER_MAGIC;
    }
}
