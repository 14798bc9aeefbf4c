using System.Buffers;
using System.Text.Json;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;

namespace OciRuntime.Lifecycle;

/// <summary>
/// state.json read and written by hand over Utf8JsonReader/PlainJsonWriter: every command but
/// spec/features touches it, and the serializer's first call costs milliseconds of CPU. The bytes
/// are exactly what the serializer wrote (LifecycleJsonContext, now in the tests, compares them),
/// so state dirs written by earlier builds still read.
/// </summary>
internal static class ContainerRecordJson
{
    private static readonly string[] Keys =
        ["id", "pid", "initStartTime", "bundle", "rootfs", "created", "annotations", "cgroupDirectories", "hooks", "systemdUnit", "systemdUser", "noProcess", "rootfsBaseMount"];

    /// <param name="source">the file, for errors</param>
    public static ContainerRecord Parse(ReadOnlySpan<byte> json, string source) =>
        // Keys are matched exactly, as the serializer (default options) did.
        JsonCursor.Parse(json, source, caseInsensitiveKeys: false, Read);

    private static ContainerRecord? Read(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var r = new ContainerRecord();
        while (c.NextProperty(Keys, out string key))
        {
            switch (key)
            {
                case "id": r.Id = c.String()!; break;
                case "pid": r.Pid = c.RequiredInt32(); break;
                case "initStartTime": r.InitStartTime = c.RequiredUInt64(); break;
                case "bundle": r.Bundle = c.String()!; break;
                case "rootfs": r.Rootfs = c.String()!; break;
                case "created": r.Created = c.RequiredDateTime(); break;
                case "annotations": r.Annotations = c.StringMap(); break;
                case "cgroupDirectories": r.CgroupDirectories = c.StringMap(); break;
                case "hooks": r.Hooks = HooksReader.ReadHooks(ref c); break;
                case "systemdUnit": r.SystemdUnit = c.String(); break;
                case "systemdUser": r.SystemdUser = c.Boolean() == true; break;
                case "noProcess": r.NoProcess = c.Boolean() == true; break;
                case "rootfsBaseMount": r.RootfsBaseMount = c.RequiredUInt64(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return r;
    }

    public static byte[] Serialize(ContainerRecord r)
    {
        var w = new PlainJsonWriter(1024);
        {
            w.WriteStartObject();
            w.WriteString("id", r.Id);
            w.WriteNumber("pid", r.Pid);
            w.WriteNumber("initStartTime", r.InitStartTime);
            w.WriteString("bundle", r.Bundle);
            w.WriteString("rootfs", r.Rootfs);
            w.WriteString("created", r.Created);
            w.WritePropertyName("annotations");
            w.WriteStringMap(r.Annotations);
            w.WritePropertyName("cgroupDirectories");
            w.WriteStringMap(r.CgroupDirectories);
            if (r.Hooks is { } hooks)
            {
                w.WritePropertyName("hooks");
                WriteHooks(w, hooks);
            }
            if (r.SystemdUnit is { } unit)
                w.WriteString("systemdUnit", unit);
            if (r.SystemdUser)
                w.WriteBoolean("systemdUser", true);
            if (r.NoProcess)
                w.WriteBoolean("noProcess", true);
            if (r.RootfsBaseMount is { } mountBase)
                w.WriteNumber("rootfsBaseMount", mountBase);
            w.WriteEndObject();
        }
        return w.ToArray();
    }

    // Inside the record, null members are written as null (the serializer's default options).
    private static void WriteHooks(PlainJsonWriter w, Hooks h)
    {
        w.WriteStartObject();
        WriteHookList(w, "prestart", h.Prestart);
        WriteHookList(w, "createRuntime", h.CreateRuntime);
        WriteHookList(w, "createContainer", h.CreateContainer);
        WriteHookList(w, "startContainer", h.StartContainer);
        WriteHookList(w, "poststart", h.Poststart);
        WriteHookList(w, "poststop", h.Poststop);
        w.WriteEndObject();
    }

    private static void WriteHookList(PlainJsonWriter w, string name, List<Hook>? hooks)
    {
        w.WritePropertyName(name);
        if (hooks is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartArray();
        foreach (var hook in hooks)
        {
            w.WriteStartObject();
            w.WriteString("path", hook.Path);
            w.WritePropertyName("args");
            WriteStringList(w, hook.Args);
            w.WritePropertyName("env");
            WriteStringList(w, hook.Env);
            if (hook.Timeout is int timeout)
                w.WriteNumber("timeout", timeout);
            else
                w.WriteNull("timeout");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStringList(PlainJsonWriter w, List<string>? list)
    {
        if (list is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartArray();
        foreach (string s in list)
            w.WriteStringValue(s);
        w.WriteEndArray();
    }
}
