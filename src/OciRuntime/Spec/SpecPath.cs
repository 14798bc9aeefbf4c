using System.Text.Encodings.Web;
using System.Text.Json;

namespace OciRuntime.Spec;

/// <summary>One step of a path into a JSON document: a property (or map key) name, or an array index.</summary>
internal readonly record struct PathSegment(string? Name, int Index)
{
    public static PathSegment Property(string name) => new(name, -1);
    public static PathSegment Item(int index) => new(null, index);
    public bool IsIndex => Name is null;
}

/// <summary>
/// Field paths as users see them in errors: <c>process.args[1]</c>, <c>linux.sysctl["net.ipv4.ip_forward"]</c>.
/// </summary>
internal static class SpecPath
{
    public static string Property(string parent, string name) =>
        IsPlainName(name) ? (parent.Length == 0 ? name : parent + "." + name) : parent + "[" + Quote(name) + "]";

    public static string Item(string parent, int index) => $"{parent}[{index}]";

    public static string Format(IEnumerable<PathSegment> segments)
    {
        string path = "";
        foreach (var s in segments)
            path = s.IsIndex ? Item(path, s.Index) : Property(path, s.Name!);
        return path;
    }

    private static bool IsPlainName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
            return false;
        foreach (char c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                return false;
        return true;
    }

    private static string Quote(string s) =>
        "\"" + JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() + "\"";
}
