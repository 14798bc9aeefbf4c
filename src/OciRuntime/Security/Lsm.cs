namespace OciRuntime.Security;

/// <summary>Whether the kernel runs AppArmor or SELinux, as their own interfaces say.</summary>
internal static class Lsm
{
    // Read with SysFile: without AppArmor the file is missing, and a FileNotFoundException thrown
    // and caught cost a quarter of a millisecond of every create (specs/performance.md).
    public static bool AppArmorEnabled() =>
        Linux.SysFile.TryRead("/sys/module/apparmor/parameters/enabled", out _)?.Trim() == "Y" &&
        Directory.Exists("/sys/kernel/security/apparmor");

    public static bool SelinuxEnabled() => File.Exists("/sys/fs/selinux/enforce");
}
