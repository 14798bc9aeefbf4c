using OciRuntime.Linux;
using OciRuntime.Planning;

namespace OciRuntime.Cgroups;

/// <summary>Writes mapped resources into a cgroup; a failure names the config field and the file.</summary>
internal static class ResourceWriter
{
    /// <param name="dirOf">the directory holding a controller's files</param>
    public static void Apply(IEnumerable<CgroupWrite> writes, Func<CgroupWrite, string> dirOf)
    {
        CgroupWrite? retry = null;
        foreach (var w in writes)
        {
            if (!Write(w, dirOf, mayDefer: w.RetryAfterNext && retry is null))
            {
                retry = w;
                continue;
            }
            if (retry is not null)
            {
                Write(retry, dirOf, mayDefer: false);
                retry = null;
            }
        }
        if (retry is not null)
            Write(retry, dirOf, mayDefer: false);
    }

    /// <returns>false when the kernel said EINVAL and <paramref name="mayDefer"/> allows another try</returns>
    private static bool Write(CgroupWrite w, Func<CgroupWrite, string> dirOf, bool mayDefer)
    {
        {
            var chosen = w;
            string dir = dirOf(w);
            while (!File.Exists(Path.Combine(dir, chosen.File)))
            {
                if (chosen.Fallback is null)
                    throw new PlanningException(w.Field, Missing(w, dir));
                chosen = chosen.Fallback;
            }
            string path = Path.Combine(dir, chosen.File);
            int err = SysFile.TryWrite(path, chosen.Value, truncate: true);
            if (err == EINVAL && mayDefer)
                return false;
            if (err != 0)
                throw new PlanningException(w.Field, $"write \"{chosen.Value}\" to {path}: {LibC.StrError(err)}");
            return true;
        }
    }

    private const int EINVAL = 22;

    private static string Missing(CgroupWrite w, string dir)
    {
        var names = new List<string>();
        for (var c = w; c is not null; c = c.Fallback)
            names.Add(c.File);
        return $"not supported by this host: {string.Join(" and ", names.Distinct())} missing in {dir}";
    }
}
