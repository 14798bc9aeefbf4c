using OciRuntime.Linux;
using Xunit;

namespace OciRuntime.Tests.Linux;

public class SysFileTests
{
    [Fact]
    public void Reads_small_and_large_files_whole_and_honours_the_limit_after_the_buffer_grew()
    {
        string dir = Directory.CreateTempSubdirectory("sysfile").FullName;
        try
        {
            string big = new string('x', 20000) + "end";
            File.WriteAllText(Path.Combine(dir, "big"), big);
            File.WriteAllText(Path.Combine(dir, "small"), "42\n");

            Assert.Equal(big, SysFile.Read(Path.Combine(dir, "big")));
            Assert.Equal("42\n", SysFile.Read(Path.Combine(dir, "small")));

            // The kept buffer is now larger than 4 KiB: a smaller limit must still hold.
            int fd = LibC.open(Path.Combine(dir, "big"), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            Assert.True(fd >= 0);
            try
            {
                Assert.Equal(new string('x', 5000), SysFile.ReadToEnd(fd, 5000, out int errno));
                Assert.Equal(0, errno);
            }
            finally
            {
                LibC.close(fd);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        Assert.Null(SysFile.TryRead("/nonexistent/file", out int errno));
        Assert.Equal(LibC.ENOENT, errno);
        var e = Assert.Throws<SyscallException>(() => SysFile.Read("/nonexistent/file"));
        Assert.Contains("/nonexistent/file", e.Message);
    }
}
