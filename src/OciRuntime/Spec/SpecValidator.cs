using System.Text.Json;

namespace OciRuntime.Spec;

/// <summary>
/// Checks a parsed config against the runtime-spec MUSTs and what runc rejects before it starts
/// anything. Returns every error, not just the first, each naming the field as the JSON has it.
/// Checks that need the host (does the path exist, is the kernel new enough) belong to the planner.
/// </summary>
public static class SpecValidator
{
    private static readonly string[] PropagationModes =
        ["shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"];
    private static readonly string[] DeviceTypes = ["c", "b", "u", "p"];
    private static readonly string[] IoPriorityClasses = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"];
    private static readonly string[] SchedulerPolicies =
        ["SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"];
    private static readonly string[] SchedulerFlags =
    [
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX",
    ];
    private static readonly string[] MemoryPolicyModes =
    [
        "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
        "MPOL_PREFERRED_MANY", "MPOL_LOCAL",
    ];
    private static readonly string[] MemoryPolicyFlags = ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"];
    private static readonly string[] PersonalityDomains = ["LINUX", "LINUX32"];
    private static readonly string[] TimeClocks = ["monotonic", "boottime"];

    // Hand-written matchers, not Regex: the regex engine costs milliseconds of start-up on
    // every `create`, for two patterns this simple.

    /// <summary>A 1.x semantic version: "1.MINOR.PATCH", optional "-pre" and "+build".</summary>
    internal static bool IsOciVersion(string v)
    {
        if (!v.StartsWith("1.", StringComparison.Ordinal))
            return false;
        int i = 2;
        if (!Number(v, ref i) || i >= v.Length || v[i++] != '.' || !Number(v, ref i))
            return false;
        if (i < v.Length && v[i] == '-' && !Label(v, ref i))
            return false;
        if (i < v.Length && v[i] == '+' && !Label(v, ref i))
            return false;
        return i == v.Length;

        // digits without a leading zero (0 alone is fine)
        static bool Number(string s, ref int i)
        {
            int start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
                i++;
            return i > start && (i - start == 1 || s[start] != '0');
        }

        // '-' or '+' then one or more of [0-9A-Za-z.-]
        static bool Label(string s, ref int i)
        {
            int start = ++i;
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '.' or '-'))
                i++;
            return i > start;
        }
    }

    /// <summary>A cpu list as the kernel takes it: digits, ',', '-' and spaces.</summary>
    internal static bool IsCpuList(string s) => s.All(c => char.IsAsciiDigit(c) || c is ',' or ' ' or '-');

    public static IReadOnlyList<SpecError> Validate(Spec spec) => Validate(spec, requireProcess: false);

    /// <param name="requireProcess">true for create/run, where a config without a process has nothing to run.</param>
    public static IReadOnlyList<SpecError> Validate(Spec spec, bool requireProcess)
    {
        var errors = new List<SpecError>();
        CheckVersion(spec, errors);
        CheckRoot(spec, errors);
        // runtime-spec: annotation keys MUST NOT be an empty string.
        if (spec.Annotations?.ContainsKey("") == true)
            errors.Add(new SpecError("annotations", "a key must not be an empty string"));
        if (spec.Process is { } process)
            CheckProcess(process, "process", errors);
        else if (requireProcess)
            errors.Add(new SpecError("process", "required"));
        CheckMounts(spec, errors);
        CheckHooks(spec.Hooks, errors);
        CheckLinux(spec, errors);
        CheckOtherPlatforms(spec, errors);
        return errors;
    }

    /// <summary>Validates the object of <c>exec --process</c>; paths are relative to it ("args", "cwd").</summary>
    public static IReadOnlyList<SpecError> ValidateProcess(Process process)
    {
        var errors = new List<SpecError>();
        CheckProcess(process, "", errors);
        return errors;
    }

    /// <summary>Throws a <see cref="ConfigException"/> listing every error, one per line, each prefixed with the file name.</summary>
    public static void ThrowIfInvalid(IReadOnlyList<SpecError> errors, string sourceName = "config.json")
    {
        if (errors.Count == 0)
            return;
        string text = string.Join(Environment.NewLine, errors.Select(e => $"{sourceName}: {e}"));
        throw new ConfigException(text, errors[0].Path);
    }

    private static void CheckVersion(Spec spec, List<SpecError> errors)
    {
        if (string.IsNullOrEmpty(spec.OciVersion))
            errors.Add(new SpecError("ociVersion", "required"));
        else if (!IsOciVersion(spec.OciVersion))
            errors.Add(new SpecError("ociVersion",
                $"unsupported version \"{spec.OciVersion}\" (expected a 1.x.y semantic version)"));
    }

    private static void CheckRoot(Spec spec, List<SpecError> errors)
    {
        if (spec.Root is null)
            errors.Add(new SpecError("root", "required"));
        else if (string.IsNullOrEmpty(spec.Root.Path))
            errors.Add(new SpecError("root.path", "required"));
    }

    private static void CheckProcess(Process p, string at, List<SpecError> errors)
    {
        string F(string name) => SpecPath.Property(at, name);

        if (p.Args is not { Count: > 0 })
            errors.Add(new SpecError(F("args"), "must name the program to run (at least one element)"));
        else
            for (int i = 0; i < p.Args.Count; i++)
                if (p.Args[i].Contains('\0'))
                    errors.Add(new SpecError(SpecPath.Item(F("args"), i), "must not contain a NUL character"));

        if (string.IsNullOrEmpty(p.Cwd))
            errors.Add(new SpecError(F("cwd"), "required"));
        else if (!p.Cwd.StartsWith('/'))
            errors.Add(new SpecError(F("cwd"), $"must be an absolute path, got \"{p.Cwd}\""));

        CheckEnv(p.Env, F("env"), errors);

        if (p.User?.Umask is > 0x1FF)
            errors.Add(new SpecError(SpecPath.Property(F("user"), "umask"),
                $"must be at most 0777 (511 in decimal), got {p.User.Umask}"));

        // Unknown capability names are not an error: runtime-spec v1.3.0 says a capability the
        // runtime cannot grant MUST be logged as a warning and SHOULD NOT fail (CapabilitySets).

        var rlimits = p.Rlimits ?? [];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rlimits.Count; i++)
        {
            var r = rlimits[i];
            string rp = SpecPath.Item(F("rlimits"), i);
            if (string.IsNullOrEmpty(r.Type))
                errors.Add(new SpecError(rp + ".type", "required"));
            else if (!RlimitTypes.IsKnown(r.Type))
                errors.Add(new SpecError(rp + ".type", $"unknown rlimit type \"{r.Type}\""));
            else if (seen.TryGetValue(r.Type, out int first))
                errors.Add(new SpecError(rp + ".type",
                    $"duplicate rlimit type \"{r.Type}\" (already set by {SpecPath.Item(F("rlimits"), first)})"));
            else
                seen.Add(r.Type, i);
            if (r.Soft > r.Hard)
                errors.Add(new SpecError(rp, $"soft limit {r.Soft} is greater than hard limit {r.Hard}"));
        }

        if (p.OomScoreAdj is < -1000 or > 1000)
            errors.Add(new SpecError(F("oomScoreAdj"), $"must be between -1000 and 1000, got {p.OomScoreAdj}"));

        if (p.IoPriority is { } io)
        {
            string ip = F("ioPriority");
            CheckName(io.Class, IoPriorityClasses, ip + ".class", "I/O priority class", required: true, errors);
            if (io.Priority is < 0 or > 7)
                errors.Add(new SpecError(ip + ".priority", $"must be between 0 and 7, got {io.Priority}"));
        }

        if (p.Scheduler is { } sched)
        {
            string sp = F("scheduler");
            CheckName(sched.Policy, SchedulerPolicies, sp + ".policy", "scheduling policy", required: true, errors);
            var flags = sched.Flags ?? [];
            for (int i = 0; i < flags.Count; i++)
                CheckName(flags[i], SchedulerFlags, SpecPath.Item(sp + ".flags", i), "scheduler flag", required: true, errors);
            if (sched.Nice is < -20 or > 19)
                errors.Add(new SpecError(sp + ".nice", $"must be between -20 and 19, got {sched.Nice}"));
        }

        if (p.ExecCPUAffinity is { } aff)
        {
            string ap = F("execCPUAffinity");
            if (aff.Initial is { } initial && !IsCpuList(initial))
                errors.Add(new SpecError(ap + ".initial", $"expected a CPU list such as \"0-3,7\", got \"{initial}\""));
            if (aff.Final is { } final && !IsCpuList(final))
                errors.Add(new SpecError(ap + ".final", $"expected a CPU list such as \"0-3,7\", got \"{final}\""));
        }
    }

    private static void CheckEnv(List<string>? env, string at, List<SpecError> errors)
    {
        for (int i = 0; i < (env?.Count ?? 0); i++)
        {
            string e = env![i];
            int eq = e.IndexOf('=');
            if (eq < 0)
                errors.Add(new SpecError(SpecPath.Item(at, i), $"expected NAME=VALUE, got \"{e}\" (no '=')"));
            else if (eq == 0)
                errors.Add(new SpecError(SpecPath.Item(at, i), $"expected NAME=VALUE, got \"{e}\" (empty name)"));
            else if (e.Contains('\0'))
                errors.Add(new SpecError(SpecPath.Item(at, i), "must not contain a NUL character"));
        }
    }

    private static void CheckMounts(Spec spec, List<SpecError> errors)
    {
        var mounts = spec.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++)
        {
            string mp = SpecPath.Item("mounts", i);
            // runc accepts a relative destination (it is taken relative to the rootfs), so only empty is an error.
            if (string.IsNullOrEmpty(mounts[i].Destination))
                errors.Add(new SpecError(mp + ".destination", "required"));
            mounts[i].CheckIdMaps(i, errors);
        }
    }

    private static void CheckHooks(Hooks? hooks, List<SpecError> errors)
    {
        if (hooks is null)
            return;
        (string Name, List<Hook>? List)[] kinds =
        [
            ("prestart", hooks.Prestart), ("createRuntime", hooks.CreateRuntime), ("createContainer", hooks.CreateContainer),
            ("startContainer", hooks.StartContainer), ("poststart", hooks.Poststart), ("poststop", hooks.Poststop),
        ];
        foreach (var (name, list) in kinds)
        {
            for (int i = 0; i < (list?.Count ?? 0); i++)
            {
                var h = list![i];
                string hp = SpecPath.Item("hooks." + name, i);
                if (string.IsNullOrEmpty(h.Path))
                    errors.Add(new SpecError(hp + ".path", "required"));
                else if (!h.Path.StartsWith('/'))
                    errors.Add(new SpecError(hp + ".path", $"must be an absolute path, got \"{h.Path}\""));
                if (h.Timeout is <= 0)
                    errors.Add(new SpecError(hp + ".timeout", $"must be greater than zero, got {h.Timeout}"));
                CheckEnv(h.Env, hp + ".env", errors);
            }
        }
    }

    private static void CheckLinux(Spec spec, List<SpecError> errors)
    {
        var linux = spec.Linux;
        var namespaces = linux?.Namespaces ?? [];

        var firstOfType = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < namespaces.Count; i++)
        {
            var ns = namespaces[i];
            string np = SpecPath.Item("linux.namespaces", i);
            if (string.IsNullOrEmpty(ns.Type))
                errors.Add(new SpecError(np + ".type", "required"));
            else if (!NamespaceTypes.IsKnown(ns.Type))
                errors.Add(new SpecError(np + ".type",
                    $"unknown namespace type \"{ns.Type}\" (expected one of {string.Join(", ", NamespaceTypes.All)})"));
            else if (firstOfType.TryGetValue(ns.Type, out int first))
                errors.Add(new SpecError(np + ".type",
                    $"duplicate namespace type \"{ns.Type}\" (already in {SpecPath.Item("linux.namespaces", first)})"));
            else
                firstOfType.Add(ns.Type, i);
            if (!string.IsNullOrEmpty(ns.Path) && !ns.Path.StartsWith('/'))
                errors.Add(new SpecError(np + ".path", $"must be an absolute path, got \"{ns.Path}\""));
        }

        // Index of the namespace entry of a type, and whether it joins an existing namespace.
        (int Index, bool Joined)? Find(string type) =>
            firstOfType.TryGetValue(type, out int i) ? (i, !string.IsNullOrEmpty(namespaces[i].Path)) : null;

        var uts = Find(NamespaceTypes.Uts);
        foreach (var (field, value) in new[] { ("hostname", spec.Hostname), ("domainname", spec.Domainname) })
        {
            if (string.IsNullOrEmpty(value))
                continue;
            // A joined UTS namespace gets the name (runc does the same; runtime-spec: the container's
            // UTS namespace). Without one it would be the runtime's: refused, as runc does.
            if (uts is null)
                errors.Add(new SpecError(field, "requires a new UTS namespace (add {\"type\": \"uts\"} to linux.namespaces)"));
        }

        if (linux is null)
            return;

        var user = Find(NamespaceTypes.User);
        bool hasUidMap = linux.UidMappings is { Count: > 0 }, hasGidMap = linux.GidMappings is { Count: > 0 };
        if (user is null)
        {
            if (hasUidMap)
                errors.Add(new SpecError("linux.uidMappings", "requires a user namespace in linux.namespaces"));
            if (hasGidMap)
                errors.Add(new SpecError("linux.gidMappings", "requires a user namespace in linux.namespaces"));
        }
        else if (!user.Value.Joined)
        {
            if (!hasUidMap)
                errors.Add(new SpecError("linux.uidMappings", "required when creating a new user namespace"));
            if (!hasGidMap)
                errors.Add(new SpecError("linux.gidMappings", "required when creating a new user namespace"));
        }
        linux.CheckIdMaps(errors);

        if (linux.TimeOffsets is { Count: > 0 } offsets)
        {
            var time = Find(NamespaceTypes.Time);
            if (time is null)
                errors.Add(new SpecError("linux.timeOffsets", "requires a time namespace in linux.namespaces"));
            else if (time.Value.Joined)
                errors.Add(new SpecError("linux.timeOffsets",
                    $"cannot be set when joining an existing time namespace ({SpecPath.Item("linux.namespaces", time.Value.Index)}.path)"));
            foreach (var (clock, offset) in offsets)
            {
                string op = SpecPath.Property("linux.timeOffsets", clock);
                if (!TimeClocks.Contains(clock))
                    errors.Add(new SpecError(op, $"unknown clock \"{clock}\" (expected monotonic or boottime)"));
                if (offset.Nanosecs is >= 1_000_000_000)
                    errors.Add(new SpecError(op + ".nanosecs", $"must be less than 1000000000, got {offset.Nanosecs}"));
            }
        }

        CheckDevices(linux.Devices, errors);

        foreach (var key in linux.Sysctl?.Keys ?? Enumerable.Empty<string>())
        {
            // The key becomes a path under /proc/sys; a key that climbs out of it must never get that far.
            if (key.Length == 0)
                errors.Add(new SpecError("linux.sysctl", "a sysctl name must not be empty"));
            else if (key.StartsWith('/') || key.Contains('\0') || key.Split('/', '.').Any(part => part is ".." || part.Length == 0))
                errors.Add(new SpecError(SpecPath.Property("linux.sysctl", key), $"invalid sysctl name \"{key}\""));
        }

        if (!string.IsNullOrEmpty(linux.RootfsPropagation) && !PropagationModes.Contains(linux.RootfsPropagation))
            errors.Add(new SpecError("linux.rootfsPropagation",
                $"unknown propagation \"{linux.RootfsPropagation}\" (expected one of {string.Join(", ", PropagationModes)})"));

        CheckResources(linux.Resources, errors);
        CheckSeccomp(linux.Seccomp, errors);

        if (linux.Personality is { } pers)
            CheckName(pers.Domain, PersonalityDomains, "linux.personality.domain", "personality domain", required: true, errors);

        if (linux.MemoryPolicy is { } mp)
        {
            CheckName(mp.Mode, MemoryPolicyModes, "linux.memoryPolicy.mode", "memory policy mode", required: true, errors);
            var flags = mp.Flags ?? [];
            for (int i = 0; i < flags.Count; i++)
                CheckName(flags[i], MemoryPolicyFlags, SpecPath.Item("linux.memoryPolicy.flags", i), "memory policy flag", required: true, errors);
        }

        if (linux.NetDevices is { Count: > 0 } netDevices)
        {
            if (Find(NamespaceTypes.Network) is null)
                errors.Add(new SpecError("linux.netDevices", "requires a network namespace in linux.namespaces"));
            foreach (var (hostName, dev) in netDevices)
            {
                string dp = SpecPath.Property("linux.netDevices", hostName);
                if (!IsInterfaceName(hostName))
                    errors.Add(new SpecError(dp, $"invalid network interface name \"{hostName}\""));
                if (dev.Name is { } name && !IsInterfaceName(name))
                    errors.Add(new SpecError(dp + ".name", $"invalid network interface name \"{name}\""));
            }
        }
    }

    /// <summary>Kept as raw JSON (see <see cref="Spec"/>), so only their shape is checked, as Go's decoder would.</summary>
    private static void CheckOtherPlatforms(Spec spec, List<SpecError> errors)
    {
        foreach (var (field, value) in new[] { ("solaris", spec.Solaris), ("windows", spec.Windows), ("vm", spec.Vm), ("zos", spec.Zos), ("freebsd", spec.FreeBsd) })
        {
            if (value is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) } v)
                errors.Add(new SpecError(field, $"expected an object, got {(v.ValueKind == JsonValueKind.Array ? "an array" : v.GetRawText())}"));
        }
    }

    private static void CheckDevices(List<LinuxDevice>? devices, List<SpecError> errors)
    {
        for (int i = 0; i < (devices?.Count ?? 0); i++)
        {
            var d = devices![i];
            string dp = SpecPath.Item("linux.devices", i);
            if (string.IsNullOrEmpty(d.Path))
                errors.Add(new SpecError(dp + ".path", "required"));
            else if (!d.Path.StartsWith('/'))
                errors.Add(new SpecError(dp + ".path", $"must be an absolute path, got \"{d.Path}\""));

            if (string.IsNullOrEmpty(d.Type))
                errors.Add(new SpecError(dp + ".type", "required"));
            else if (!DeviceTypes.Contains(d.Type))
                errors.Add(new SpecError(dp + ".type", $"unknown device type \"{d.Type}\" (expected c, b, u or p)"));
            else if (d.Type != "p")
            {
                if (d.Major is null)
                    errors.Add(new SpecError(dp + ".major", $"required for a device of type \"{d.Type}\""));
                if (d.Minor is null)
                    errors.Add(new SpecError(dp + ".minor", $"required for a device of type \"{d.Type}\""));
            }

            if (d.FileMode is > 0xFFF)
                errors.Add(new SpecError(dp + ".fileMode", $"must be at most 07777 (4095 in decimal), got {d.FileMode}"));
        }
    }

    private static void CheckResources(LinuxResources? resources, List<SpecError> errors)
    {
        var rules = resources?.Devices ?? [];
        for (int i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            string rp = SpecPath.Item("linux.resources.devices", i);
            if (r.Type is { Length: > 0 } t && t is not ("a" or "c" or "b"))
                errors.Add(new SpecError(rp + ".type", $"unknown device type \"{t}\" (expected a, c or b)"));
        }

        var hugepages = resources?.HugepageLimits ?? [];
        for (int i = 0; i < hugepages.Count; i++)
        {
            string hp = SpecPath.Item("linux.resources.hugepageLimits", i);
            if (string.IsNullOrEmpty(hugepages[i].PageSize))
                errors.Add(new SpecError(hp + ".pageSize", "required"));
            if (hugepages[i].Limit is null)
                errors.Add(new SpecError(hp + ".limit", "required"));
        }
    }

    // Deliberately light: the seccomp compiler checks what libseccomp supports on this host.
    private static void CheckSeccomp(LinuxSeccomp? seccomp, List<SpecError> errors)
    {
        if (seccomp is null)
            return;
        CheckName(seccomp.DefaultAction, SeccompNames.Actions, "linux.seccomp.defaultAction", "seccomp action", required: true, errors);
        // runtime-spec: listenerMetadata MUST NOT be set if listenerPath is not.
        if (!string.IsNullOrEmpty(seccomp.ListenerMetadata) && string.IsNullOrEmpty(seccomp.ListenerPath))
            errors.Add(new SpecError("linux.seccomp.listenerMetadata", "must not be set without linux.seccomp.listenerPath"));
        var arches = seccomp.Architectures ?? [];
        for (int i = 0; i < arches.Count; i++)
            CheckName(arches[i], SeccompNames.Architectures, SpecPath.Item("linux.seccomp.architectures", i), "seccomp architecture", required: true, errors);
        var flags = seccomp.Flags ?? [];
        for (int i = 0; i < flags.Count; i++)
            CheckName(flags[i], SeccompNames.Flags, SpecPath.Item("linux.seccomp.flags", i), "seccomp flag", required: true, errors);

        var syscalls = seccomp.Syscalls ?? [];
        for (int i = 0; i < syscalls.Count; i++)
        {
            var sc = syscalls[i];
            string sp = SpecPath.Item("linux.seccomp.syscalls", i);
            if (sc.Names is not { Count: > 0 })
                errors.Add(new SpecError(sp + ".names", "must name at least one system call"));
            CheckName(sc.Action, SeccompNames.Actions, sp + ".action", "seccomp action", required: true, errors);
            var args = sc.Args ?? [];
            for (int j = 0; j < args.Count; j++)
            {
                string ap = SpecPath.Item(sp + ".args", j);
                if (args[j].Index is null)
                    errors.Add(new SpecError(ap + ".index", "required"));
                else if (args[j].Index > 5)
                    errors.Add(new SpecError(ap + ".index", $"must be between 0 and 5, got {args[j].Index}"));
                CheckName(args[j].Op, SeccompNames.Operators, ap + ".op", "seccomp operator", required: true, errors);
            }
        }
    }

    private static void CheckName(string? value, IReadOnlyList<string> known, string at, string what, bool required, List<SpecError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
                errors.Add(new SpecError(at, "required"));
        }
        else if (!known.Contains(value))
        {
            errors.Add(new SpecError(at, $"unknown {what} \"{value}\""));
        }
    }

    /// <summary>What the kernel accepts as an interface name (dev_valid_name): 1-15 bytes, no '/', ':' or space, not "." or "..".</summary>
    private static bool IsInterfaceName(string name) =>
        name.Length is > 0 and < 16 && name is not ("." or "..") &&
        !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c));
}
