using System.Runtime.InteropServices.Marshalling;
using System.Text;
using OciRuntime.Linux;
using Xunit;

namespace OciRuntime.Tests.Linux;

/// <summary>LibC forwards to Tmds.LibC's bindings (decisions §49): string paths marshalled as the
/// generated LibraryImport code did, errno as before, and the messages built from it unchanged.</summary>
public class LibCTests
{
    [Fact]
    public void The_stack_buffer_for_a_path_is_the_one_the_marshaller_expects() =>
        Assert.Equal(LibC.CStringBuffer, Utf8StringMarshaller.ManagedToUnmanagedIn.BufferSize);

    [Fact]
    public void A_failed_call_reports_its_errno_and_the_usual_message()
    {
        string missing = "/nonexistent-" + Guid.NewGuid().ToString("N");
        Assert.Equal(-1, LibC.open(missing, LibC.O_RDONLY | LibC.O_CLOEXEC, 0));
        Assert.Equal(LibC.ENOENT, LibC.Errno);
        Assert.Equal($"open {missing}: No such file or directory", SyscallException.Last($"open {missing}").Message);

        Assert.Equal(-1, LibC.kill(int.MaxValue, 0));
        Assert.Equal(LibC.ESRCH, LibC.Errno);
        Assert.Equal(-1, LibC.close(-1));
        Assert.Equal(9 /* EBADF */, LibC.Errno);
        Assert.Equal(-1, LibC.rmdir(missing));
        Assert.Equal(LibC.ENOENT, LibC.Errno);
    }

    /// <summary>Paths longer than the stack buffer (the heap path of the marshaller) and non-ASCII
    /// names reach the kernel as UTF-8, through every path-taking call.</summary>
    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    public void Paths_short_long_and_non_ascii_round_trip(int nameLength)
    {
        string dir = Directory.CreateTempSubdirectory("libc").FullName;
        try
        {
            string sub = Path.Combine(dir, new string('d', nameLength / 2) + "é");
            Assert.Equal(0, LibC.mkdir(sub, 0x1ED /* 0755 */));
            Assert.True(Directory.Exists(sub));
            string file = Path.Combine(sub, "f-ü" + new string('x', nameLength / 2));
            Assert.True(Encoding.UTF8.GetByteCount(file) > (nameLength > 256 ? 256 : 0));

            int fd = LibC.open(file, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x180 /* 0600 */);
            Assert.True(fd >= 0, $"open: errno {LibC.Errno}");
            Assert.Equal(0, LibC.close(fd));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(0, LibC.access(file, LibC.W_OK));
            Assert.Equal(-1, LibC.open(file, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x180));
            Assert.Equal(LibC.EEXIST, LibC.Errno);

            Assert.Equal(0, LibC.unlink(file));
            Assert.False(File.Exists(file));
            Assert.Equal(0, LibC.rmdir(sub));
            Assert.False(Directory.Exists(sub));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
