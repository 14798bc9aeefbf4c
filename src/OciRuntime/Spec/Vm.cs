using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "vm" (virtual-machine-based runtimes), never acted on; <see cref="Spec.Vm"/> holds it as raw JSON.</summary>
public sealed class Vm
{
    [JsonPropertyName("hypervisor")] public VmHypervisor? Hypervisor { get; set; }
    [JsonPropertyName("kernel")] public VmKernel? Kernel { get; set; }
    [JsonPropertyName("image")] public VmImage? Image { get; set; }
    [JsonPropertyName("hwConfig")] public VmHwConfig? HwConfig { get; set; }
}

public sealed class VmHypervisor
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("parameters")] public List<string>? Parameters { get; set; }
}

public sealed class VmKernel
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("parameters")] public List<string>? Parameters { get; set; }
    [JsonPropertyName("initrd")] public string? InitRd { get; set; }
}

public sealed class VmImage
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("format")] public string? Format { get; set; }
}

/// <summary>Hardware passed to the VM (v1.3.0).</summary>
public sealed class VmHwConfig
{
    [JsonPropertyName("deviceTree")] public string? DeviceTree { get; set; }
    [JsonPropertyName("vcpus")] public uint? Vcpus { get; set; }
    [JsonPropertyName("memory")] public ulong? Memory { get; set; }
    [JsonPropertyName("dtdevs")] public List<string>? DtDevs { get; set; }
    [JsonPropertyName("iomems")] public List<VmIoMem>? IoMems { get; set; }
    [JsonPropertyName("irqs")] public List<uint>? Irqs { get; set; }
}

public sealed class VmIoMem
{
    [JsonPropertyName("firstGFN")] public ulong? FirstGfn { get; set; }
    [JsonPropertyName("firstMFN")] public ulong? FirstMfn { get; set; }
    [JsonPropertyName("nrMFNs")] public ulong? NrMfns { get; set; }
}
