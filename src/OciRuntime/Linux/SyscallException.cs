namespace OciRuntime.Linux;

/// <summary>A failed system call, with the operation and the object it was applied to.</summary>
internal sealed class SyscallException(string operation, int errno)
    : ReportedError($"{operation}: {LibC.StrError(errno)}")
{
    public int Errno { get; } = errno;

    public static SyscallException Last(string operation) => new(operation, LibC.Errno);
}
