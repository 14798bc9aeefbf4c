using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OciRuntime.Conformance;

/// <summary>
/// A bundle in a temp dir: rootfs with a static busybox, its applet symlinks and /probe, and a
/// config.json made from <see cref="DefaultSpec"/> that the test changes through <see cref="Config"/>.
/// The config is written by the Runtime helpers right before create/run (or by <see cref="Save"/>).
/// </summary>
public sealed class Bundle
{
    public static readonly string[] Applets =
    {
        "sh", "cat", "ls", "echo", "sleep", "true", "false", "hostname", "id", "mount", "umount", "touch", "mkdir",
        "rm", "grep", "test", "kill", "env", "pwd", "stat", "readlink", "ln", "cp", "head", "wc", "ps", "dd",
    };

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private readonly TestScope _scope;
    private string? _rawConfig;

    internal Bundle(TestScope scope, string dir)
    {
        _scope = scope;
        Dir = dir;
        Rootfs = Path.Combine(dir, "rootfs");
        ConfigPath = Path.Combine(dir, "config.json");
        Config = DefaultSpec.Create();
        MakeRootfs();
    }

    public string Dir { get; }
    public string Rootfs { get; }
    public string ConfigPath { get; }

    /// <summary>The config to write; mutate freely.</summary>
    public JsonObject Config { get; private set; }

    /// <summary>Add the test's tag to process.env so processes of this test can be found (default on).</summary>
    public bool TagEnvironment { get; set; } = true;

    public JsonObject Process => Config["process"]!.AsObject();
    public JsonObject Linux => Config["linux"]!.AsObject();
    public JsonArray Mounts => Config["mounts"]!.AsArray();
    public JsonArray Namespaces => Linux["namespaces"]!.AsArray();

    /// <summary>process.args.</summary>
    public Bundle Args(params string[] args)
    {
        Process["args"] = new JsonArray(args.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        return this;
    }

    /// <summary>process.args = /probe ARGS...</summary>
    public Bundle Probe(params string[] args) => Args(["/probe", .. args]);

    /// <summary>Appends NAME=VALUE entries to process.env.</summary>
    public Bundle Env(params string[] entries)
    {
        if (Process["env"] is not JsonArray env)
        {
            env = new JsonArray();
            Process["env"] = env;
        }
        foreach (string e in entries)
            env.Add(e);
        return this;
    }

    public Bundle AddMount(string destination, string type, string source, params string[] options)
    {
        var m = new JsonObject
        {
            ["destination"] = destination,
            ["type"] = type,
            ["source"] = source,
        };
        if (options.Length > 0)
            m["options"] = new JsonArray(options.Select(o => (JsonNode)JsonValue.Create(o)!).ToArray());
        Mounts.Add(m);
        return this;
    }

    public Bundle RemoveNamespace(string type)
    {
        foreach (var ns in Namespaces.Where(n => (string?)n!["type"] == type).ToList())
            Namespaces.Remove(ns);
        return this;
    }

    /// <summary>Sets (or adds) the namespace entry of that type, with a path to join or none for a new one.</summary>
    public Bundle Namespace(string type, string? path = null)
    {
        RemoveNamespace(type);
        var ns = new JsonObject { ["type"] = type };
        if (path != null)
            ns["path"] = path;
        Namespaces.Add(ns);
        return this;
    }

    /// <summary>Writes this text as config.json verbatim from now on (malformed-config tests).</summary>
    public void SetRawConfig(string text)
    {
        _rawConfig = text;
        File.WriteAllText(ConfigPath, text);
    }

    public void Save() => Save(null);

    /// <summary>Writes config.json; for container <paramref name="id"/> under the systemd cgroup driver
    /// (<see cref="TestEnv.SystemdCgroup"/>) a bundle without a cgroupsPath gets "system.slice:ocitest:ID",
    /// in the written file only (a bundle may serve several containers).</summary>
    public void Save(string? id)
    {
        if (_rawConfig != null)
        {
            File.WriteAllText(ConfigPath, _rawConfig);
            return;
        }
        var config = Config.DeepClone().AsObject();
        if (TagEnvironment && config["process"] is JsonObject p && (p["env"] is JsonArray || p["env"] == null))
        {
            var env = p["env"] as JsonArray ?? new JsonArray();
            env.Add($"{HostState.TagVariable}={_scope.Tag}");
            p["env"] = env;
        }
        if (id != null && TestEnv.SystemdCgroup && config["linux"] is JsonObject linux && linux["cgroupsPath"] is null)
            linux["cgroupsPath"] = "system.slice:ocitest:" + id;
        File.WriteAllText(ConfigPath, config.ToJsonString(s_indented));
    }

    internal void SaveIfNeeded(string? id = null) => Save(id);

    /// <summary>A path inside the rootfs on the host side.</summary>
    public string HostPath(string containerPath) => Path.Combine(Rootfs, containerPath.TrimStart('/'));

    private void MakeRootfs()
    {
        Directory.CreateDirectory(Rootfs);
        foreach (string d in new[] { "bin", "dev", "proc", "sys", "tmp", "etc", "root", "mnt", "run", "home", "var" })
            Directory.CreateDirectory(Path.Combine(Rootfs, d));
        File.SetUnixFileMode(Path.Combine(Rootfs, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));

        string assets = TestEnv.AssetsDir;
        HardLinkOrCopy(Path.Combine(assets, "busybox"), Path.Combine(Rootfs, "bin", "busybox"));
        HardLinkOrCopy(Path.Combine(assets, "probe"), Path.Combine(Rootfs, "probe"));
        foreach (string applet in Applets)
            File.CreateSymbolicLink(Path.Combine(Rootfs, "bin", applet), "busybox");

        File.WriteAllText(Path.Combine(Rootfs, "etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(Rootfs, "etc", "group"),
            "root:x:0:\ntty:x:5:\nuser:x:1000:\nnogroup:x:65534:\n");
    }

    internal static void HardLinkOrCopy(string source, string target)
    {
        if (link(source, target) != 0)
            File.Copy(source, target);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
