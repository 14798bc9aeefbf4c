namespace OciRuntime.Security;

/// <summary>Whether the kernel runs AppArmor or SELinux, as their own interfaces say.</summary>
internal static class Lsm
{
    public static bool AppArmorEnabled()
    {
        try
        {
            return File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y" &&
                   Directory.Exists("/sys/kernel/security/apparmor");
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public static bool SelinuxEnabled() => File.Exists("/sys/fs/selinux/enforce");
}
