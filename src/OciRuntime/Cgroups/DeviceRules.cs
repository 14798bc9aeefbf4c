using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups;

/// <summary>One device cgroup rule in the kernel's v1 syntax: "c 1:3 rwm".</summary>
internal sealed record DeviceRule(bool Allow, char Type, long? Major, long? Minor, string Access)
{
    public string Line => Type == 'a' ? "a" : $"{Type} {Num(Major)}:{Num(Minor)} {Access}";

    private static string Num(long? n) => n is { } v && v >= 0 ? v.ToString() : "*";
}

/// <summary>
/// linux.resources.devices, followed (as runc does) by the devices every container may use, so
/// a config that starts with "deny all" still gets /dev/null and friends.
/// </summary>
internal static class DeviceRules
{
    private static readonly DeviceRule[] Defaults =
    [
        new(true, 'c', null, null, "m"), new(true, 'b', null, null, "m"),
        new(true, 'c', 1, 3, "rwm"), new(true, 'c', 1, 8, "rwm"), new(true, 'c', 1, 7, "rwm"),
        new(true, 'c', 5, 0, "rwm"), new(true, 'c', 1, 5, "rwm"), new(true, 'c', 1, 9, "rwm"),
        new(true, 'c', 5, 1, "rwm"), new(true, 'c', 136, null, "rwm"), new(true, 'c', 5, 2, "rwm"),
    ];

    /// <summary>The rules to apply in order; empty when the config has none (the cgroup then keeps
    /// what it inherits).</summary>
    public static List<DeviceRule> From(List<LinuxDeviceCgroup>? rules)
    {
        if (rules is not { Count: > 0 })
            return [];
        var list = new List<DeviceRule>();
        for (int i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            string field = $"linux.resources.devices[{i}]";
            char type = r.Type switch
            {
                null or "" or "a" => 'a',
                "c" => 'c',
                "b" => 'b',
                _ => throw new PlanningException($"{field}.type", $"unknown device type \"{r.Type}\" (expected a, c or b)"),
            };
            string access = Access(r.Access);
            if (access.Length > 0) // a rule for no access at all changes nothing
                list.Add(new DeviceRule(r.Allow ?? false, type, r.Major, r.Minor, access));
        }
        list.AddRange(Defaults);
        return list;
    }

    /// <summary>runc's reading of an access string: the set of r, w and m it holds, in that
    /// order; other letters mean nothing (runc's own tests send "rwa") and SpecValidator warns
    /// of them. Empty or absent: all three.</summary>
    internal static string Access(string? access)
    {
        if (string.IsNullOrEmpty(access))
            return "rwm";
        return string.Concat("rwm".Where(access.Contains));
    }
}
