
namespace OciRuntime.Spec.Json;

/// <summary>Reads config.json "process", and the whole of process.json. Each method reads the value at the cursor (null for JSON null).</summary>
internal static class ProcessReader
{
    private static readonly string[] ProcessKeys = ["terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd", "capabilities", "rlimits", "noNewPrivileges", "apparmorProfile", "oomScoreAdj", "scheduler", "selinuxLabel", "ioPriority", "execCPUAffinity"];
    private static readonly string[] BoxKeys = ["height", "width"];
    private static readonly string[] UserKeys = ["uid", "gid", "umask", "additionalGids", "username"];
    private static readonly string[] LinuxCapabilitiesKeys = ["bounding", "effective", "inheritable", "permitted", "ambient"];
    private static readonly string[] PosixRlimitKeys = ["type", "hard", "soft"];
    private static readonly string[] LinuxIOPriorityKeys = ["class", "priority"];
    private static readonly string[] SchedulerKeys = ["policy", "nice", "priority", "flags", "runtime", "deadline", "period"];
    private static readonly string[] CpuAffinityKeys = ["initial", "final"];

    public static Process? ReadProcess(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Process();
        while (c.NextProperty(ProcessKeys, out string key))
        {
            switch (key)
            {
                case "terminal": o.Terminal = c.Boolean(); break;
                case "consoleSize": o.ConsoleSize = ReadBox(ref c); break;
                case "user": o.User = ReadUser(ref c); break;
                case "args": o.Args = c.StringList(); break;
                case "commandLine": o.CommandLine = c.String(); break;
                case "env": o.Env = c.StringList(); break;
                case "cwd": o.Cwd = c.String(); break;
                case "capabilities": o.Capabilities = ReadLinuxCapabilities(ref c); break;
                case "rlimits": o.Rlimits = c.List(ReadPosixRlimit, JsonCursor.ExpectedObject); break;
                case "noNewPrivileges": o.NoNewPrivileges = c.Boolean(); break;
                case "apparmorProfile": o.ApparmorProfile = c.String(); break;
                case "oomScoreAdj": o.OomScoreAdj = c.Int32(); break;
                case "scheduler": o.Scheduler = ReadScheduler(ref c); break;
                case "selinuxLabel": o.SelinuxLabel = c.String(); break;
                case "ioPriority": o.IoPriority = ReadLinuxIOPriority(ref c); break;
                case "execCPUAffinity": o.ExecCPUAffinity = ReadCpuAffinity(ref c); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static Box? ReadBox(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Box();
        while (c.NextProperty(BoxKeys, out string key))
        {
            switch (key)
            {
                case "height": o.Height = c.UInt32(); break;
                case "width": o.Width = c.UInt32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static User? ReadUser(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new User();
        while (c.NextProperty(UserKeys, out string key))
        {
            switch (key)
            {
                case "uid": o.Uid = c.UInt32(); break;
                case "gid": o.Gid = c.UInt32(); break;
                case "umask": o.Umask = c.UInt32(); break;
                case "additionalGids": o.AdditionalGids = c.UInt32List(); break;
                case "username": o.Username = c.String(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxCapabilities? ReadLinuxCapabilities(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxCapabilities();
        while (c.NextProperty(LinuxCapabilitiesKeys, out string key))
        {
            switch (key)
            {
                case "bounding": o.Bounding = c.StringList(); break;
                case "effective": o.Effective = c.StringList(); break;
                case "inheritable": o.Inheritable = c.StringList(); break;
                case "permitted": o.Permitted = c.StringList(); break;
                case "ambient": o.Ambient = c.StringList(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static PosixRlimit? ReadPosixRlimit(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new PosixRlimit();
        bool hasHard = false;
        bool hasSoft = false;
        while (c.NextProperty(PosixRlimitKeys, out string key))
        {
            switch (key)
            {
                case "type": o.Type = c.String(); break;
                case "hard": o.Hard = c.RequiredUInt64(); hasHard = true; break;
                case "soft": o.Soft = c.RequiredUInt64(); hasSoft = true; break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        // The serializer named every missing required member at once, in declaration order.
        if (!hasHard || !hasSoft)
        {
            var missing = new List<string>(2);
            if (!hasHard)
                missing.Add("hard");
            if (!hasSoft)
                missing.Add("soft");
            throw c.MissingRequired([.. missing]);
        }
        return o;
    }

    public static LinuxIOPriority? ReadLinuxIOPriority(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxIOPriority();
        while (c.NextProperty(LinuxIOPriorityKeys, out string key))
        {
            switch (key)
            {
                case "class": o.Class = c.String(); break;
                case "priority": o.Priority = c.Int32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static Scheduler? ReadScheduler(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Scheduler();
        while (c.NextProperty(SchedulerKeys, out string key))
        {
            switch (key)
            {
                case "policy": o.Policy = c.String(); break;
                case "nice": o.Nice = c.Int32(); break;
                case "priority": o.Priority = c.Int32(); break;
                case "flags": o.Flags = c.StringList(); break;
                case "runtime": o.Runtime = c.UInt64(); break;
                case "deadline": o.Deadline = c.UInt64(); break;
                case "period": o.Period = c.UInt64(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static CpuAffinity? ReadCpuAffinity(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new CpuAffinity();
        while (c.NextProperty(CpuAffinityKeys, out string key))
        {
            switch (key)
            {
                case "initial": o.Initial = c.String(); break;
                case "final": o.Final = c.String(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }
}
