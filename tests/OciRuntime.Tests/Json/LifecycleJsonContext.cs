using System.Text.Json.Serialization;

namespace OciRuntime.Lifecycle;

/// <summary>
/// The serializer's view of state.json and the state output, as the binary used it before they
/// were written by hand: the reference the hand writers are compared with.
/// </summary>
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(StateOutput))]
[JsonSerializable(typeof(List<StateOutput>))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;
