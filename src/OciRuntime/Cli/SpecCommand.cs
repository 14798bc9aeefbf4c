using OciRuntime.Spec;

namespace OciRuntime.Cli;

internal sealed class SpecCommand : Command
{
    public override string Name => "spec";
    public override string Summary => "write a default config.json into the bundle directory";
    public override string Usage => "[--bundle DIR] [--rootless]";
    public override int MinArgs => 0;
    public override int MaxArgs => 0;
    public override IReadOnlyList<OptionSpec> Options => [new("bundle", true, "b"), new("rootless", false)];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        string path = Path.Combine(a.Get("bundle") ?? ".", "config.json");
        // As runc: never overwrite a config the user may have edited.
        if (File.Exists(path))
            throw new RuntimeError($"File {path} exists. Remove it first");
        // A cgroup namespace only on a cgroup v2 host, as runc.
        bool cgroup2 = Cgroups.CgroupModeProbe.IsUnified("/sys/fs/cgroup");
        File.WriteAllText(path, DefaultSpec.ToJson(DefaultSpec.Create(a.Flag("rootless"), cgroupNamespace: cgroup2)));
        return 0;
    }
}
