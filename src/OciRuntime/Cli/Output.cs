using System.Text;
using OciRuntime.Linux;

namespace OciRuntime.Cli;

/// <summary>Writes straight to fd 1 or 2. System.Console would set up terminal and signal
/// handling on first use, which costs start-up time and is not needed here.</summary>
internal static unsafe class Output
{
    public static void Out(string s) => Write(1, s);

    public static void Write(int fd, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        fixed (byte* p = bytes)
        {
            nint off = 0;
            while (off < bytes.Length)
            {
                nint n = LibC.write(fd, p + off, bytes.Length - off);
                if (n < 0 && LibC.Errno == LibC.EINTR)
                    continue;
                if (n <= 0)
                    return;
                off += n;
            }
        }
    }
}
