using System.Runtime.InteropServices;
using System.Text;

namespace OciRuntime.Linux;

/// <summary>Questions about the mounts of the runtime's own mount namespace.</summary>
internal static unsafe partial class MountTable
{
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
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ');
            if (f.Length < 5)
                continue;
            string mp = f[4].Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
            bool contains = mp == "/" || realPath == mp || realPath.StartsWith(mp + "/", StringComparison.Ordinal);
            if (contains && mp.Length >= best.Length)
                best = mp;
        }
        return best;
    }
}
