
namespace OciRuntime.Spec.Json;

/// <summary>Reads config.json "linux.seccomp". Each method reads the value at the cursor (null for JSON null).</summary>
internal static class SeccompReader
{
    private static readonly string[] LinuxSeccompKeys = ["defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath", "listenerMetadata", "syscalls"];
    private static readonly string[] LinuxSyscallKeys = ["names", "action", "errnoRet", "args"];
    private static readonly string[] LinuxSeccompArgKeys = ["index", "value", "valueTwo", "op"];

    public static LinuxSeccomp? ReadLinuxSeccomp(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxSeccomp();
        while (c.NextProperty(LinuxSeccompKeys, out string key))
        {
            switch (key)
            {
                case "defaultAction": o.DefaultAction = c.String(); break;
                case "defaultErrnoRet": o.DefaultErrnoRet = c.UInt32(); break;
                case "architectures": o.Architectures = c.StringList(); break;
                case "flags": o.Flags = c.StringList(); break;
                case "listenerPath": o.ListenerPath = c.String(); break;
                case "listenerMetadata": o.ListenerMetadata = c.String(); break;
                case "syscalls": o.Syscalls = c.List(ReadLinuxSyscall, JsonCursor.ExpectedObject); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxSyscall? ReadLinuxSyscall(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxSyscall();
        while (c.NextProperty(LinuxSyscallKeys, out string key))
        {
            switch (key)
            {
                case "names": o.Names = c.StringList(); break;
                case "action": o.Action = c.String(); break;
                case "errnoRet": o.ErrnoRet = c.UInt32(); break;
                case "args": o.Args = c.List(ReadLinuxSeccompArg, JsonCursor.ExpectedObject); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxSeccompArg? ReadLinuxSeccompArg(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxSeccompArg();
        while (c.NextProperty(LinuxSeccompArgKeys, out string key))
        {
            switch (key)
            {
                case "index": o.Index = c.UInt32(); break;
                case "value": o.Value = c.UInt64(); break;
                case "valueTwo": o.ValueTwo = c.UInt64(); break;
                case "op": o.Op = c.String(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }
}
