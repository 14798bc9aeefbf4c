using System.Text;
using OciRuntime.Linux;

namespace OciRuntime.Diagnostics;

/// <summary>Writes straight to fd 1 or 2. System.Console would set up terminal and signal
/// handling on first use, which costs start-up time and is not needed here.</summary>
internal static class Output
{
    public static void Out(string s) => Write(1, s);

    /// <summary>Best effort: a closed stdout or stderr is no reason to fail the command.</summary>
    public static void Write(int fd, string s) => SysFile.WriteAll(fd, Encoding.UTF8.GetBytes(s));
}
