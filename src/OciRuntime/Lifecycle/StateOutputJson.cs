using System.Buffers;
using System.Text.Json;

namespace OciRuntime.Lifecycle;

/// <summary>
/// The state JSON that `state` prints (indented) and hooks read on stdin (compact), written by
/// hand: both are on the start-up path, where the serializer's first call costs milliseconds.
/// Byte for byte what LifecycleJsonContext writes (tests compare them; `list` still uses it).
/// </summary>
internal static class StateOutputJson
{
    public static byte[] Serialize(StateOutput s, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
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
        return buffer.WrittenSpan.ToArray();
    }
}
