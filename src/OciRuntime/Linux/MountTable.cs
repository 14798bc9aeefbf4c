using System.Runtime.InteropServices;
using System.Text;

namespace OciRuntime.Linux;

/// <summary>Questions about the mounts of the runtime's own mount namespace.</summary>
internal static unsafe partial class MountTable
{
    // Hand-written: Tmds.LibC 0.5.0 has no realpath (decisions §49).
    [LibraryImport("libc", SetLastError = true)]
    private static partial byte* realpath(byte* path, byte* resolved);

    /// <summary>The path with every symlink resolved (realpath(3)).</summary>
    public static string RealPath(string path)
    {
        byte[] input = Encoding.UTF8.GetBytes(path + "\0");
        byte* buf = stackalloc byte[4096];
        fixed (byte* p = input)
        {
            if (realpath(p, buf) == null)
                throw SyscallException.Last($"realpath {path}");
        }
        return Marshal.PtrToStringUTF8((nint)buf)!;
    }

    /// <summary>The mount point of the mount that holds <paramref name="realPath"/> (itself when it
    /// is a mount point): the longest mount point that is a prefix of it, the last one listed
    /// when mounts are stacked.</summary>
    public static string MountPointOf(string realPath, string mountinfo)
    {
        string best = "/";
        foreach (var m in new MountInfo(mountinfo))
        {
            // Escaped mount points are rare: unescape (allocate) only those.
            var mp = m.MountPoint.IndexOf('\\') < 0 ? m.MountPoint : MountInfo.Unescape(m.MountPoint).AsSpan();
            bool contains = mp.SequenceEqual("/") || realPath.AsSpan().SequenceEqual(mp) ||
                            (realPath.AsSpan().StartsWith(mp, StringComparison.Ordinal) && realPath.Length > mp.Length && realPath[mp.Length] == '/');
            if (contains && mp.Length >= best.Length)
                best = mp.ToString();
        }
        return best;
    }
}
