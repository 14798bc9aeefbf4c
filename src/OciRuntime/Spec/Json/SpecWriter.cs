using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>
/// Writes config.json (what `spec` prints): keys in the order of the Go types in specs-go, as runc
/// writes them, absent members left out. Each method writes one whole value.
/// </summary>
internal static class SpecWriter
{
    public static void WriteSpec(Utf8JsonWriter w, Spec s)
    {
        w.WriteStartObject();
        w.Opt("ociVersion", s.OciVersion);
        w.Opt("process", s.Process, WriteProcess);
        w.Opt("root", s.Root, WriteRoot);
        w.Opt("hostname", s.Hostname);
        w.Opt("domainname", s.Domainname);
        w.Opt("mounts", s.Mounts, WriteMount);
        w.Opt("hooks", s.Hooks, WriteHooks);
        w.Opt("annotations", s.Annotations);
        w.Opt("linux", s.Linux, LinuxWriter.WriteLinux);
        w.Opt("solaris", s.Solaris);
        w.Opt("windows", s.Windows);
        w.Opt("vm", s.Vm);
        w.Opt("zos", s.Zos);
        w.Opt("freebsd", s.FreeBsd);
        w.WriteEndObject();
    }

    public static void WriteRoot(Utf8JsonWriter w, Root r)
    {
        w.WriteStartObject();
        w.Opt("path", r.Path);
        w.Opt("readonly", r.Readonly);
        w.WriteEndObject();
    }

    public static void WriteProcess(Utf8JsonWriter w, Process p)
    {
        w.WriteStartObject();
        w.Opt("terminal", p.Terminal);
        w.Opt("consoleSize", p.ConsoleSize, WriteBox);
        w.Opt("user", p.User, WriteUser);
        w.Opt("args", p.Args);
        w.Opt("commandLine", p.CommandLine);
        w.Opt("env", p.Env);
        w.Opt("cwd", p.Cwd);
        w.Opt("capabilities", p.Capabilities, WriteCapabilities);
        w.Opt("rlimits", p.Rlimits, WriteRlimit);
        w.Opt("noNewPrivileges", p.NoNewPrivileges);
        w.Opt("apparmorProfile", p.ApparmorProfile);
        w.Opt("oomScoreAdj", p.OomScoreAdj);
        w.Opt("scheduler", p.Scheduler, WriteScheduler);
        w.Opt("selinuxLabel", p.SelinuxLabel);
        w.Opt("ioPriority", p.IoPriority, WriteIoPriority);
        w.Opt("execCPUAffinity", p.ExecCPUAffinity, WriteCpuAffinity);
        w.WriteEndObject();
    }

    private static void WriteBox(Utf8JsonWriter w, Box b)
    {
        w.WriteStartObject();
        w.Opt("height", b.Height);
        w.Opt("width", b.Width);
        w.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter w, User u)
    {
        w.WriteStartObject();
        w.Opt("uid", u.Uid);
        w.Opt("gid", u.Gid);
        w.Opt("umask", u.Umask);
        w.Opt("additionalGids", u.AdditionalGids);
        w.Opt("username", u.Username);
        w.WriteEndObject();
    }

    private static void WriteCapabilities(Utf8JsonWriter w, LinuxCapabilities c)
    {
        w.WriteStartObject();
        w.Opt("bounding", c.Bounding);
        w.Opt("effective", c.Effective);
        w.Opt("inheritable", c.Inheritable);
        w.Opt("permitted", c.Permitted);
        w.Opt("ambient", c.Ambient);
        w.WriteEndObject();
    }

    private static void WriteRlimit(Utf8JsonWriter w, PosixRlimit r)
    {
        w.WriteStartObject();
        w.Opt("type", r.Type);
        // Required in the schema: always written, even as 0.
        w.WriteNumber("hard", r.Hard);
        w.WriteNumber("soft", r.Soft);
        w.WriteEndObject();
    }

    private static void WriteScheduler(Utf8JsonWriter w, Scheduler s)
    {
        w.WriteStartObject();
        w.Opt("policy", s.Policy);
        w.Opt("nice", s.Nice);
        w.Opt("priority", s.Priority);
        w.Opt("flags", s.Flags);
        w.Opt("runtime", s.Runtime);
        w.Opt("deadline", s.Deadline);
        w.Opt("period", s.Period);
        w.WriteEndObject();
    }

    private static void WriteIoPriority(Utf8JsonWriter w, LinuxIOPriority p)
    {
        w.WriteStartObject();
        w.Opt("class", p.Class);
        w.Opt("priority", p.Priority);
        w.WriteEndObject();
    }

    private static void WriteCpuAffinity(Utf8JsonWriter w, CpuAffinity a)
    {
        w.WriteStartObject();
        w.Opt("initial", a.Initial);
        w.Opt("final", a.Final);
        w.WriteEndObject();
    }

    public static void WriteMount(Utf8JsonWriter w, Mount m)
    {
        w.WriteStartObject();
        w.Opt("destination", m.Destination);
        w.Opt("type", m.Type);
        w.Opt("source", m.Source);
        w.Opt("options", m.Options);
        w.Opt("uidMappings", m.UidMappings, WriteIdMapping);
        w.Opt("gidMappings", m.GidMappings, WriteIdMapping);
        w.WriteEndObject();
    }

    public static void WriteIdMapping(Utf8JsonWriter w, LinuxIdMapping m)
    {
        w.WriteStartObject();
        w.Opt("containerID", m.ContainerId);
        w.Opt("hostID", m.HostId);
        w.Opt("size", m.Size);
        w.WriteEndObject();
    }

    public static void WriteHooks(Utf8JsonWriter w, Hooks h)
    {
        w.WriteStartObject();
        w.Opt("prestart", h.Prestart, WriteHook);
        w.Opt("createRuntime", h.CreateRuntime, WriteHook);
        w.Opt("createContainer", h.CreateContainer, WriteHook);
        w.Opt("startContainer", h.StartContainer, WriteHook);
        w.Opt("poststart", h.Poststart, WriteHook);
        w.Opt("poststop", h.Poststop, WriteHook);
        w.WriteEndObject();
    }

    private static void WriteHook(Utf8JsonWriter w, Hook h)
    {
        w.WriteStartObject();
        w.Opt("path", h.Path);
        w.Opt("args", h.Args);
        w.Opt("env", h.Env);
        w.Opt("timeout", h.Timeout);
        w.WriteEndObject();
    }
}
