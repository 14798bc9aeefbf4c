
namespace OciRuntime.Spec.Json;

/// <summary>Reads config.json "mounts" (and the id mappings that linux.uidMappings/gidMappings share). Each method reads the value at the cursor (null for JSON null).</summary>
internal static class MountReader
{
    private static readonly string[] MountKeys = ["destination", "type", "source", "options", "uidMappings", "gidMappings"];
    private static readonly string[] LinuxIdMappingKeys = ["containerID", "hostID", "size"];

    public static Mount? ReadMount(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Mount();
        while (c.NextProperty(MountKeys, out string key))
        {
            switch (key)
            {
                case "destination": o.Destination = c.String(); break;
                case "type": o.Type = c.String(); break;
                case "source": o.Source = c.String(); break;
                case "options": o.Options = c.StringList(); break;
                case "uidMappings": o.UidMappings = c.List(ReadLinuxIdMapping, JsonCursor.ExpectedObject); break;
                case "gidMappings": o.GidMappings = c.List(ReadLinuxIdMapping, JsonCursor.ExpectedObject); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxIdMapping? ReadLinuxIdMapping(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxIdMapping();
        while (c.NextProperty(LinuxIdMappingKeys, out string key))
        {
            switch (key)
            {
                case "containerID": o.ContainerId = c.UInt32(); break;
                case "hostID": o.HostId = c.UInt32(); break;
                case "size": o.Size = c.UInt32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }
}
