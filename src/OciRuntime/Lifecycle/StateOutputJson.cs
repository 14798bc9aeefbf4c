using OciRuntime.Spec.Json;

namespace OciRuntime.Lifecycle;

/// <summary>
/// The state JSON that `state` prints (indented), hooks read on stdin (compact) and `list --format
/// json` prints (a compact array), written by hand: the serializer's metadata costs start-up time
/// in every command (specs/performance.md). Byte for byte what the serializer with default options
/// wrote (tests compare them).
/// </summary>
internal static class StateOutputJson
{
    public static byte[] Serialize(StateOutput s, bool indented)
    {
        var w = new PlainJsonWriter(512, indented);
        Write(w, s);
        return w.ToArray();
    }

    /// <summary>A compact JSON array of the states, as `list --format json` prints it.</summary>
    public static byte[] SerializeList(List<StateOutput> states)
    {
        var w = new PlainJsonWriter(512 * (states.Count + 1));
        w.WriteStartArray();
        foreach (var s in states)
            Write(w, s);
        w.WriteEndArray();
        return w.ToArray();
    }

    private static void Write(PlainJsonWriter w, StateOutput s)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion", s.OciVersion);
        w.WriteString("id", s.Id);
        w.WriteNumber("pid", s.Pid);
        w.WriteString("status", s.Status);
        w.WriteString("bundle", s.Bundle);
        w.WriteString("rootfs", s.Rootfs);
        w.WriteString("created", s.Created);
        w.WriteString("owner", s.Owner);
        if (s.Annotations is not null)
        {
            w.WritePropertyName("annotations");
            ContainerRecordJson.WriteStringMap(w, s.Annotations);
        }
        w.WriteEndObject();
    }
}
