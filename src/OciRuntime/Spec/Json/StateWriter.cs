namespace OciRuntime.Spec.Json;

/// <summary>
/// The one writer of <see cref="State"/>, by hand (the serializer's metadata and the default
/// encoder's table cost start-up time in every command, specs/performance.md), in both its forms:
/// runc's (<see cref="State.IsRuncForm"/>: `state` indented, hooks' stdin compact, `list --format
/// json` a compact array; every member written, annotations only when set, pid before status) and
/// the runtime-spec's inside the seccomp listener's message (compact, absent members left out,
/// status before pid). Byte for byte what the serializer wrote before (tests compare them).
/// </summary>
internal static class StateWriter
{
    public static byte[] Serialize(State s, bool indented)
    {
        var w = new PlainJsonWriter(512, indented);
        Write(w, s);
        return w.ToArray();
    }

    /// <summary>A compact JSON array of the states, as `list --format json` prints it.</summary>
    public static byte[] SerializeList(List<State> states)
    {
        var w = new PlainJsonWriter(512 * (states.Count + 1));
        w.WriteStartArray();
        foreach (var s in states)
            Write(w, s);
        w.WriteEndArray();
        return w.ToArray();
    }

    /// <summary>The seccomp listener's message (compact, absent members left out).</summary>
    public static byte[] SerializeContainerProcessState(ContainerProcessState s)
    {
        var w = new PlainJsonWriter(512);
        w.WriteStartObject();
        Opt(w, "ociVersion", s.OciVersion);
        if (s.Fds is not null)
        {
            w.WritePropertyName("fds");
            w.WriteStartArray();
            foreach (var fd in s.Fds)
                w.WriteStringValue(fd);
            w.WriteEndArray();
        }
        if (s.Pid is { } pid)
            w.WriteNumber("pid", pid);
        Opt(w, "metadata", s.Metadata);
        if (s.State is not null)
        {
            w.WritePropertyName("state");
            Write(w, s.State);
        }
        w.WriteEndObject();
        return w.ToArray();
    }

    public static void Write(PlainJsonWriter w, State s)
    {
        w.WriteStartObject();
        if (s.IsRuncForm)
        {
            w.WriteString("ociVersion", s.OciVersion);
            w.WriteString("id", s.Id);
            w.WriteNumber("pid", s.Pid ?? 0);
            w.WriteString("status", s.Status);
            w.WriteString("bundle", s.Bundle);
            w.WriteString("rootfs", s.Rootfs);
            w.WriteString("created", s.Created);
            w.WriteString("owner", s.Owner);
        }
        else
        {
            Opt(w, "ociVersion", s.OciVersion);
            Opt(w, "id", s.Id);
            Opt(w, "status", s.Status);
            if (s.Pid is { } pid)
                w.WriteNumber("pid", pid);
            Opt(w, "bundle", s.Bundle);
        }
        if (s.Annotations is not null)
        {
            w.WritePropertyName("annotations");
            w.WriteStringMap(s.Annotations);
        }
        w.WriteEndObject();
    }

    private static void Opt(PlainJsonWriter w, string name, string? value)
    {
        if (value is not null)
            w.WriteString(name, value);
    }
}
