using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>
/// Writes the runtime-spec state and the container process state that a seccomp listener
/// receives (compact, absent members left out). Each method writes one whole value.
/// </summary>
internal static class StateWriter
{
    public static void WriteContainerProcessState(Utf8JsonWriter w, ContainerProcessState s)
    {
        w.WriteStartObject();
        w.Opt("ociVersion", s.OciVersion);
        w.Opt("fds", s.Fds);
        w.Opt("pid", s.Pid);
        w.Opt("metadata", s.Metadata);
        w.Opt("state", s.State, WriteState);
        w.WriteEndObject();
    }

    public static void WriteState(Utf8JsonWriter w, State s)
    {
        w.WriteStartObject();
        w.Opt("ociVersion", s.OciVersion);
        w.Opt("id", s.Id);
        w.Opt("status", s.Status);
        w.Opt("pid", s.Pid);
        w.Opt("bundle", s.Bundle);
        w.Opt("annotations", s.Annotations);
        w.WriteEndObject();
    }
}
