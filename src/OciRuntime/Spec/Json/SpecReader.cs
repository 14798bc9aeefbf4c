namespace OciRuntime.Spec.Json;

/// <summary>Reads config.json: the root object and root. Each method reads the value at the cursor (null for JSON null).</summary>
internal static class SpecReader
{
    private static readonly string[] SpecKeys = ["ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks", "annotations", "linux", "solaris", "windows", "vm", "zos", "freebsd"];
    private static readonly string[] RootKeys = ["path", "readonly"];

    public static Spec? ReadSpec(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Spec();
        while (c.NextProperty(SpecKeys, out string key))
        {
            switch (key)
            {
                case "ociVersion": o.OciVersion = c.String(); break;
                case "process": o.Process = ProcessReader.ReadProcess(ref c); break;
                case "root": o.Root = ReadRoot(ref c); break;
                case "hostname": o.Hostname = c.String(); break;
                case "domainname": o.Domainname = c.String(); break;
                case "mounts": o.Mounts = c.List(MountReader.ReadMount, JsonCursor.ExpectedObject); break;
                case "hooks": o.Hooks = HooksReader.ReadHooks(ref c); break;
                case "annotations": o.Annotations = c.StringMap(); break;
                case "linux": o.Linux = LinuxReader.ReadLinux(ref c); break;
                case "solaris": o.Solaris = c.Raw(); break;
                case "windows": o.Windows = c.Raw(); break;
                case "vm": o.Vm = c.Raw(); break;
                case "zos": o.Zos = c.Raw(); break;
                case "freebsd": o.FreeBsd = c.Raw(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static Root? ReadRoot(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Root();
        while (c.NextProperty(RootKeys, out string key))
        {
            switch (key)
            {
                case "path": o.Path = c.String(); break;
                case "readonly": o.Readonly = c.Boolean(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }
}
