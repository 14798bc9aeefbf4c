using OciRuntime.Spec;

namespace OciRuntime.Cgroups;

/// <summary>
/// A container's cgroup, whichever way the host mounts cgroups (v1 hierarchies: <see
/// cref="V1.CgroupV1Manager"/>; the unified v2 tree: <see cref="V2.CgroupV2Manager"/>). Made by
/// <see cref="CgroupManagers"/>.
/// </summary>
internal interface ICgroupManager
{
    /// <summary>Mount point → the container's directory under it (saved in the container's state).</summary>
    IReadOnlyDictionary<string, string> Directories { get; }

    /// <summary>Creates the directories and applies the resources; on failure removes what it created.</summary>
    void Create();

    void AddProcess(int pid);

    IReadOnlyList<int> Pids();

    /// <summary>Removes the container's directories (not the parents it may have created).</summary>
    void Destroy();

    /// <summary>`update`: validated and mapped as at create, written over the current values (device
    /// rules are not changed by update: the caller drops them).</summary>
    void Update(LinuxResources resources);

    void Freeze(bool frozen);

    bool IsFrozen();

    /// <summary>The kernel's counters, for `events`.</summary>
    CgroupStats Stats();

    /// <summary>How many times the OOM killer has killed in the cgroup so far.</summary>
    long OomKills();
}
