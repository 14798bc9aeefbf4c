using System.Text;
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

    /// <summary>
    /// Splits a System.Text.Json path such as <c>$.linux.sysctl['net.core.somaxconn']</c> or
    /// <c>$.process.args[1]</c>; null when it is not in that form.
    /// </summary>
    public static List<PathSegment>? ParseJsonPath(string? path)
    {
        if (path is null || !path.StartsWith('$'))
            return null;
        var segments = new List<PathSegment>();
        int i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                    end++;
                segments.Add(PathSegment.Property(path[(i + 1)..end]));
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var name = new StringBuilder();
                int j = i + 2;
                for (; j < path.Length; j++)
                {
                    if (path[j] == '\\' && j + 1 < path.Length)
                        name.Append(path[++j]);
                    else if (path[j] == '\'' && j + 1 < path.Length && path[j + 1] == ']')
                        break;
                    else
                        name.Append(path[j]);
                }
                if (j >= path.Length)
                    return null;
                segments.Add(PathSegment.Property(name.ToString()));
                i = j + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out int index))
                    return null;
                segments.Add(PathSegment.Item(index));
                i = end + 1;
            }
            else
            {
                return null;
            }
        }
        return segments;
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
