namespace OciRuntime.Tests.Spec;

internal static class TestData
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Spec", "data", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static byte[] Utf8(string json) => System.Text.Encoding.UTF8.GetBytes(json);

    /// <summary>A minimal config that passes validation; tests add the one thing they check.</summary>
    public const string MinimalConfig = """
        {
            "ociVersion": "1.3.0",
            "process": { "args": ["sh"], "cwd": "/" },
            "root": { "path": "rootfs" },
            "linux": { "namespaces": [ { "type": "mount" } ] }
        }
        """;
}
