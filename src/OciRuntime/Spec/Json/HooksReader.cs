
namespace OciRuntime.Spec.Json;

/// <summary>Reads config.json "hooks" (also kept in the state record). Each method reads the value at the cursor (null for JSON null).</summary>
internal static class HooksReader
{
    private static readonly string[] HooksKeys = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];
    private static readonly string[] HookKeys = ["path", "args", "env", "timeout"];

    public static Hooks? ReadHooks(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Hooks();
        while (c.NextProperty(HooksKeys, out string key))
        {
            switch (key)
            {
                case "prestart": o.Prestart = c.List(ReadHook, JsonCursor.ExpectedObject); break;
                case "createRuntime": o.CreateRuntime = c.List(ReadHook, JsonCursor.ExpectedObject); break;
                case "createContainer": o.CreateContainer = c.List(ReadHook, JsonCursor.ExpectedObject); break;
                case "startContainer": o.StartContainer = c.List(ReadHook, JsonCursor.ExpectedObject); break;
                case "poststart": o.Poststart = c.List(ReadHook, JsonCursor.ExpectedObject); break;
                case "poststop": o.Poststop = c.List(ReadHook, JsonCursor.ExpectedObject); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static Hook? ReadHook(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Hook();
        while (c.NextProperty(HookKeys, out string key))
        {
            switch (key)
            {
                case "path": o.Path = c.String(); break;
                case "args": o.Args = c.StringList(); break;
                case "env": o.Env = c.StringList(); break;
                case "timeout": o.Timeout = c.Int32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }
}
