using OciRuntime.Lifecycle;

namespace OciRuntime.Rootless;

/// <summary>
/// The default --root. The host's root keeps /run/ociruntime (and ignores an XDG_RUNTIME_DIR such
/// as /run/user/0, as runc does for compatibility); anyone else, and root inside a user namespace
/// unless $USER says root, uses $XDG_RUNTIME_DIR/ociruntime, the per-user runtime directory the
/// login session provides. Without XDG_RUNTIME_DIR an unprivileged caller gets /run/ociruntime and
/// a message saying what to set when it cannot be written.
/// </summary>
internal static class StateRoot
{
    public const string Subdirectory = "ociruntime";

    /// <summary>The default root, or null for <see cref="StateStore.DefaultRoot"/>.</summary>
    public static string? FromXdg(uint euid, bool inUserNamespace, string? xdgRuntimeDir, string? user)
    {
        if (string.IsNullOrEmpty(xdgRuntimeDir))
            return null;
        bool honour = euid != 0 || (inUserNamespace && user != "root");
        return honour ? Path.Combine(xdgRuntimeDir, Subdirectory) : null;
    }

    public static string Default(RootlessMode mode) =>
        FromXdg(mode.Euid, mode.InUserNamespace, Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"),
            Environment.GetEnvironmentVariable("USER")) ?? StateStore.DefaultRoot;

    /// <summary>
    /// The XDG root is made (0700) before any command uses it, with the sticky bit as runc sets it:
    /// tmpfiles cleaners skip sticky entries of the runtime directory, so the state of long-lived
    /// containers is not removed under them.
    /// </summary>
    public static void Prepare(string root)
    {
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.StickyBit);
    }
}
