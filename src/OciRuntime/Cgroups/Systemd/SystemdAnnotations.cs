using System.Globalization;
using System.Text;
using OciRuntime.Planning;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// "org.systemd.property.NAME" annotations, passed to the unit as runc passes them: NAME is ASCII
/// letters only (at least 3), the value is a D-Bus value in GVariant text form (godbus'
/// ParseVariant: "true", "42" (int32), "uint64 42", "@t 42", "'text'", "['a', 'b']", "3.5"), and a
/// NAME ending in a lowercase letter + "Sec" is renamed ...USec with its number times 10^6
/// (TimeoutStopSec=5 → TimeoutStopUSec=5000000). These go to systemd as given: listed as
/// potentially unsafe in `features`, as runc lists them.
/// </summary>
internal static class SystemdAnnotations
{
    public const string Prefix = "org.systemd.property.";

    public static List<UnitProperty> Parse(Dictionary<string, string>? annotations)
    {
        var list = new List<UnitProperty>();
        foreach (var (key, value) in (annotations ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(Prefix, StringComparison.Ordinal))
                continue;
            string field = $"annotations[\"{key}\"]";
            string name = key[Prefix.Length..];
            if (name.Length < 3 || name.Any(ch => ch is not (>= 'a' and <= 'z' or >= 'A' and <= 'Z')))
                throw new PlanningException(field, $"\"{name}\" is not a systemd property name (ASCII letters only, at least 3)");
            UnitValue v;
            try
            {
                v = ParseValue(value);
            }
            catch (FormatException e)
            {
                throw new PlanningException(field, $"\"{value}\" is not a D-Bus value: {e.Message}");
            }
            if (name.Length > 3 && name.EndsWith("Sec", StringComparison.Ordinal) && name[^4] is >= 'a' and <= 'z')
            {
                name = name[..^3] + "USec";
                v = UnitValue.UInt64(Seconds(v) ?? throw new PlanningException(field, $"\"{value}\" is not a number of seconds"));
            }
            if (KnownTypes.TryGetValue(name, out string? want) && v.Signature != want)
                throw new PlanningException(field,
                    $"\"{value}\" is of D-Bus type {v.Signature}, but systemd's {name} takes {want}" +
                    (want is "t" or "u" or "i" or "x" ? $" (write it as \"{TypeWord(want)} N\" or \"@{want} N\")" : ""));
            list.Add(new(name, v));
        }
        return list;
    }

    /// <summary>The D-Bus types of unit properties the runtime knows (it maps resources to most of
    /// them): an annotation of another type is refused here, naming it, rather than by systemd
    /// with "Unexpected message contents" naming nothing.</summary>
    private static readonly Dictionary<string, string> KnownTypes = new(StringComparer.Ordinal)
    {
        ["CPUWeight"] = "t", ["StartupCPUWeight"] = "t", ["CPUShares"] = "t", ["StartupCPUShares"] = "t",
        ["CPUQuotaPerSecUSec"] = "t", ["CPUQuotaPeriodUSec"] = "t",
        ["MemoryMax"] = "t", ["MemoryHigh"] = "t", ["MemoryLow"] = "t", ["MemoryMin"] = "t", ["MemorySwapMax"] = "t",
        ["MemoryLimit"] = "t", ["TasksMax"] = "t", ["IOWeight"] = "t", ["StartupIOWeight"] = "t", ["BlockIOWeight"] = "t",
        ["AllowedCPUs"] = "ay", ["AllowedMemoryNodes"] = "ay",
        ["CPUAccounting"] = "b", ["MemoryAccounting"] = "b", ["TasksAccounting"] = "b", ["IOAccounting"] = "b",
        ["BlockIOAccounting"] = "b", ["Delegate"] = "b", ["DefaultDependencies"] = "b", ["SendSIGKILL"] = "b", ["SendSIGHUP"] = "b",
        ["DevicePolicy"] = "s", ["Slice"] = "s", ["Description"] = "s", ["OOMPolicy"] = "s", ["CollectMode"] = "s", ["KillMode"] = "s",
        ["TimeoutStopUSec"] = "t", ["RuntimeMaxUSec"] = "t", ["KillSignal"] = "i",
    };

    private static string TypeWord(string sig) => sig switch { "t" => "uint64", "u" => "uint32", "x" => "int64", _ => "int32" };

    /// <summary>For systemd's refusal of a property it cannot read (ENXIO "Unexpected message
    /// contents", InvalidArgs...): the org.systemd.property.* annotations that were sent as given,
    /// so that the message names them; "" when there were none.</summary>
    public static string Sent(Dictionary<string, string>? annotations)
    {
        var sent = (annotations ?? []).Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"annotations[\"{kv.Key}\"] = \"{kv.Value}\"").ToList();
        return sent.Count == 0 ? "" : "; the unit's properties from annotations, sent as given: " + string.Join(", ", sent);
    }

    /// <summary>systemd's answers to a property it could not take.</summary>
    public static bool IsPropertyRefusal(string errorName) => errorName is "System.Error.ENXIO" or "System.Error.EINVAL"
        or "System.Error.ENOENT" or "System.Error.EOPNOTSUPP" or "System.Error.ERANGE"
        or "org.freedesktop.DBus.Error.InvalidArgs" or "org.freedesktop.DBus.Error.PropertyReadOnly"
        or "org.freedesktop.DBus.Error.UnknownProperty";

    private static ulong? Seconds(UnitValue v) => v.Value switch
    {
        byte b => b * 1000000UL,
        short s => unchecked((ulong)s * 1000000UL),
        ushort s => s * 1000000UL,
        int i => unchecked((ulong)i * 1000000UL),
        uint u => u * 1000000UL,
        long l => unchecked((ulong)l * 1000000UL),
        ulong u => u * 1000000UL,
        double d => (ulong)(d * 1000000),
        _ => null,
    };

    public static UnitValue ParseValue(string text)
    {
        var p = new Parser(text);
        var v = p.Value(null);
        p.SkipSpace();
        if (!p.AtEnd)
            throw new FormatException($"unexpected \"{text[p.Pos..]}\"");
        return v;
    }

    private sealed class Parser(string s)
    {
        public int Pos;
        public bool AtEnd => Pos >= s.Length;

        public void SkipSpace()
        {
            while (Pos < s.Length && char.IsWhiteSpace(s[Pos]))
                Pos++;
        }

        private string Word()
        {
            int start = Pos;
            while (Pos < s.Length && (char.IsLetterOrDigit(s[Pos]) || s[Pos] is '_' or '.' or '+' or '-'))
                Pos++;
            return s[start..Pos];
        }

        private static readonly Dictionary<string, string> TypeWords = new()
        {
            ["boolean"] = "b", ["byte"] = "y", ["int16"] = "n", ["uint16"] = "q", ["int32"] = "i", ["uint32"] = "u",
            ["int64"] = "x", ["uint64"] = "t", ["double"] = "d", ["string"] = "s", ["objectpath"] = "o",
        };

        /// <param name="type">the signature the context asks for; null: inferred from the text</param>
        public UnitValue Value(string? type)
        {
            SkipSpace();
            if (AtEnd)
                throw new FormatException("a value is missing");
            char c = s[Pos];
            if (c == '@')
            {
                Pos++;
                int start = Pos;
                while (Pos < s.Length && !char.IsWhiteSpace(s[Pos]))
                    Pos++;
                return Value(s[start..Pos]);
            }
            if (c == '[')
                return ArrayValue(type);
            if (c is '\'' or '"')
            {
                string str = Quoted();
                return type switch
                {
                    null or "s" => UnitValue.String(str),
                    "o" => new UnitValue("o", str),
                    _ => throw new FormatException($"a string where type {type} is wanted"),
                };
            }
            int save = Pos;
            string word = Word();
            if (TypeWords.TryGetValue(word, out string? sig))
                return Value(sig);
            if (word is "true" or "false")
            {
                if (type is not (null or "b"))
                    throw new FormatException($"a boolean where type {type} is wanted");
                return UnitValue.Bool(word == "true");
            }
            if (word.Length == 0)
                throw new FormatException($"unexpected '{s[save]}'");
            return Number(word, type);
        }

        private static UnitValue Number(string word, string? type)
        {
            var inv = CultureInfo.InvariantCulture;
            bool isFloat = word.Contains('.') || word.Contains('e') || word.Contains('E') || word is "inf" or "nan";
            type ??= isFloat ? "d" : "i";
            try
            {
                return type switch
                {
                    "y" => new UnitValue("y", byte.Parse(word, inv)),
                    "n" => new UnitValue("n", short.Parse(word, inv)),
                    "q" => new UnitValue("q", ushort.Parse(word, inv)),
                    "i" => new UnitValue("i", int.Parse(word, inv)),
                    "u" => new UnitValue("u", uint.Parse(word, inv)),
                    "x" => new UnitValue("x", long.Parse(word, inv)),
                    "t" => new UnitValue("t", ulong.Parse(word, inv)),
                    "d" => new UnitValue("d", double.Parse(word, inv)),
                    _ => throw new FormatException($"a number where type {type} is wanted"),
                };
            }
            catch (OverflowException)
            {
                throw new FormatException($"{word} does not fit type {type}");
            }
        }

        private UnitValue ArrayValue(string? type)
        {
            string? elem = null;
            if (type is not null)
            {
                if (type.Length < 2 || type[0] != 'a')
                    throw new FormatException($"an array where type {type} is wanted");
                elem = type[1..];
            }
            Pos++; // '['
            var items = new List<UnitValue>();
            SkipSpace();
            if (Pos < s.Length && s[Pos] == ']')
                Pos++;
            else
            {
                while (true)
                {
                    var v = Value(elem);
                    elem ??= v.Signature;
                    if (v.Signature != elem)
                        throw new FormatException($"an array mixes {elem} and {v.Signature}");
                    items.Add(v);
                    SkipSpace();
                    if (AtEnd)
                        throw new FormatException("']' is missing");
                    if (s[Pos] == ',')
                    {
                        Pos++;
                        continue;
                    }
                    if (s[Pos] == ']')
                    {
                        Pos++;
                        break;
                    }
                    throw new FormatException($"unexpected '{s[Pos]}' in an array");
                }
            }
            if (elem is null)
                throw new FormatException("an empty array needs its type (\"@as []\")");
            return elem switch
            {
                "s" => new UnitValue("as", items.Select(i => (string)i.Value).ToArray()),
                "u" => new UnitValue("au", items.Select(i => (uint)i.Value).ToArray()),
                "y" => new UnitValue("ay", items.Select(i => (byte)i.Value).ToArray()),
                _ => new UnitValue("a" + elem, items.ToArray()),
            };
        }

        private string Quoted()
        {
            char q = s[Pos++];
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                    throw new FormatException("unterminated string");
                char c = s[Pos++];
                if (c == q)
                    return sb.ToString();
                if (c == '\\' && !AtEnd)
                {
                    char e = s[Pos++];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                    continue;
                }
                sb.Append(c);
            }
        }
    }
}
