using System.Text;
using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>Reads one value at the cursor's current token (the reader is positioned on it).</summary>
internal delegate T? JsonItemReader<T>(ref JsonCursor c);

/// <summary>
/// A <see cref="Utf8JsonReader"/> that knows where it is (<c>process.args[1]</c>), so a value of the
/// wrong type becomes a <see cref="ConfigException"/> naming the field. The hand-written readers in
/// this folder use it instead of the JsonSerializer: tokenizing costs next to nothing, while the
/// serializer's first call configures metadata for the whole Spec type graph (~5 ms of CPU, every
/// create/run; see specs/performance.md).
/// </summary>
/// <remarks>
/// Convention: every value method reads the token the reader is on and leaves the reader on that
/// value's last token. Numbers are strict (a JSON number that fits, never a string), JSON null for
/// a property gives null, null as an array item or map value is rejected.
/// </remarks>
internal ref struct JsonCursor
{
    private Utf8JsonReader _reader;
    private readonly string _source;
    private readonly bool _caseInsensitiveKeys;
    private readonly List<PathSegment> _path = [];
    private ConfigException? _nullItem;

    /// <param name="source">the file name errors start with</param>
    /// <param name="caseInsensitiveKeys">match keys without an exact match case-insensitively (Go's
    /// encoding/json, so runc, does for config.json)</param>
    public JsonCursor(ReadOnlySpan<byte> json, string source, bool caseInsensitiveKeys)
    {
        // Default reader options are the JSON the serializer accepted: no comments, no trailing
        // commas, depth 64.
        _reader = new Utf8JsonReader(json);
        _source = source;
        _caseInsensitiveKeys = caseInsensitiveKeys;
    }

    /// <summary>
    /// Reads a whole document whose root is an object. Every failure is a <see cref="ConfigException"/>
    /// starting with <paramref name="source"/>: a syntax error with line and column, else the first
    /// wrong value with its path.
    /// </summary>
    public static T Parse<T>(ReadOnlySpan<byte> json, string source, bool caseInsensitiveKeys, JsonItemReader<T> read) where T : class
    {
        try
        {
            var cursor = new JsonCursor(json, source, caseInsensitiveKeys);
            cursor.ReadRoot();
            var value = read(ref cursor) ?? throw new ConfigException($"{source}: expected a JSON object, got null");
            cursor.ReadEnd();
            return value;
        }
        catch (JsonException e)
        {
            throw JsonSyntaxError.Find(json, source) ?? new ConfigException($"{source}: invalid JSON: {e.Message}", null, e);
        }
        catch (ConfigException e)
        {
            // A wrong value early in a document that is broken later: the broken JSON is the news.
            throw JsonSyntaxError.Find(json, source) ?? e;
        }
    }

    /// <summary>Moves to the first token of the document.</summary>
    public void ReadRoot()
    {
        if (!_reader.Read())
            throw new ConfigException($"{_source}: the file is empty (expected a JSON object)");
    }

    /// <summary>Checks that nothing but whitespace follows the root value.</summary>
    public void ReadEnd()
    {
        // Throws JsonException for trailing content; the caller turns it into a syntax error.
        _reader.Read();
        if (_nullItem is not null)
            throw _nullItem;
    }

    /// <summary>The next token. The reader throws for bad JSON; a document that simply ends inside
    /// an object or array makes Read return false, which must not leave a loop on its last token.</summary>
    private void Advance()
    {
        if (!_reader.Read())
            throw new JsonException("the file ends before every object and array is closed");
    }

    // --- objects ---------------------------------------------------------------------------

    /// <summary>True on '{' (read its members with <see cref="NextProperty"/>), false on null; any other value is an error.</summary>
    public bool StartObject()
    {
        if (_reader.TokenType == JsonTokenType.StartObject)
            return true;
        if (_reader.TokenType == JsonTokenType.Null)
            return false;
        throw Mismatch("an object");
    }

    /// <summary>
    /// Moves to the next member's value and returns its key, spelled as in <paramref name="keys"/>
    /// when it matches one (exactly, else ignoring case when enabled); false at '}'. Every call
    /// that returned true must be followed by <see cref="EndProperty"/> once the value is read
    /// (or skipped).
    /// </summary>
    public bool NextProperty(ReadOnlySpan<string> keys, out string key)
    {
        Advance();
        if (_reader.TokenType == JsonTokenType.EndObject)
        {
            key = "";
            return false;
        }
        string written = _reader.GetString()!;
        key = Canonical(written, keys);
        // Errors name the field as the file spells it, so the user can find it.
        _path.Add(PathSegment.Property(written));
        Advance();
        return true;
    }

    public void EndProperty() => _path.RemoveAt(_path.Count - 1);

    private readonly string Canonical(string key, ReadOnlySpan<string> keys)
    {
        foreach (string k in keys)
            if (string.Equals(k, key, StringComparison.Ordinal))
                return k;
        if (_caseInsensitiveKeys)
            foreach (string k in keys)
                if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                    return k;
        return key;
    }

    /// <summary>Skips the current value (an unknown member).</summary>
    public void Skip() => _reader.Skip();

    /// <summary>An error for a required member that the object (now at '}') did not have.</summary>
    public ConfigException MissingRequired(params ReadOnlySpan<string> names)
    {
        var sb = new StringBuilder();
        foreach (string n in names)
            sb.Append(sb.Length == 0 ? "" : ", ").Append('"').Append(n).Append('"');
        string path = SpecPath.Format(_path);
        string prefix = path.Length == 0 ? _source : $"{_source}: {path}";
        return new ConfigException($"{prefix}: missing required field{(names.Length > 1 ? "s" : "")} {sb}", path);
    }

    // --- collections -----------------------------------------------------------------------

    /// <summary>An array of non-null items; null for JSON null.</summary>
    /// <param name="itemWhat">what an item must be, for the error about a null item</param>
    /// <param name="nullIsTypeError">items of a value type: null is reported in document order
    /// like any wrong value, not after the whole document (see <see cref="NullItem"/>)</param>
    public List<T>? List<T>(JsonItemReader<T> item, string itemWhat, bool nullIsTypeError = false)
    {
        if (_reader.TokenType == JsonTokenType.Null)
            return null;
        if (_reader.TokenType != JsonTokenType.StartArray)
            throw Mismatch("an array");
        var list = new List<T>();
        int index = 0;
        while (true)
        {
            Advance();
            if (_reader.TokenType == JsonTokenType.EndArray)
                return list;
            _path.Add(PathSegment.Item(index++));
            if (_reader.TokenType == JsonTokenType.Null)
                NullItem(itemWhat, nullIsTypeError);
            else
                list.Add(item(ref this)!);
            _path.RemoveAt(_path.Count - 1);
        }
    }

    /// <summary>An object used as a map of non-null values; null for JSON null. A repeated key keeps the last value.</summary>
    public Dictionary<string, T>? Map<T>(JsonItemReader<T> value, string valueWhat)
    {
        if (_reader.TokenType == JsonTokenType.Null)
            return null;
        if (_reader.TokenType != JsonTokenType.StartObject)
            throw Mismatch("an object");
        var map = new Dictionary<string, T>();
        while (true)
        {
            Advance();
            if (_reader.TokenType == JsonTokenType.EndObject)
                return map;
            string key = _reader.GetString()!;
            _path.Add(PathSegment.Property(key));
            Advance();
            if (_reader.TokenType == JsonTokenType.Null)
                NullItem(valueWhat, nullIsTypeError: false);
            else
                map[key] = value(ref this)!;
            _path.RemoveAt(_path.Count - 1);
        }
    }

    /// <summary>
    /// A null array item or map value. The serializer accepted these for reference types and a
    /// second pass rejected them, so a wrong value anywhere in the document was reported before
    /// any null item; keep that order: remember the first and throw it at the end.
    /// </summary>
    private void NullItem(string what, bool nullIsTypeError)
    {
        if (nullIsTypeError)
            throw Mismatch(what);
        _nullItem ??= Mismatch(what);
    }

    public List<string>? StringList() => List(static (ref JsonCursor c) => c.String(), ExpectedString);

    // List rejects a null item before calling the item reader, so the ?? never applies.
    public List<uint>? UInt32List() => List<uint>(static (ref JsonCursor c) => c.UInt32() ?? 0, ExpectedUInt32, nullIsTypeError: true);

    public Dictionary<string, string>? StringMap() => Map(static (ref JsonCursor c) => c.String(), ExpectedString);

    /// <summary>Any JSON value, kept as it is; null for JSON null (as the serializer's JsonElement?).</summary>
    public JsonElement? Raw() => IsNull ? null : JsonElement.ParseValue(ref _reader);

    // --- scalars ---------------------------------------------------------------------------

    public const string ExpectedString = "a string";
    public const string ExpectedObject = "an object";
    public const string ExpectedUInt32 = "an integer from 0 to 4294967295";
    private const string ExpectedBool = "true or false";
    private const string ExpectedUInt16 = "an integer from 0 to 65535";
    private const string ExpectedUInt64 = "an integer from 0 to 18446744073709551615";
    private const string ExpectedInt32 = "an integer from -2147483648 to 2147483647";
    private const string ExpectedInt64 = "an integer from -9223372036854775808 to 9223372036854775807";

    public string? String() => _reader.TokenType switch
    {
        JsonTokenType.String => _reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw Mismatch(ExpectedString),
    };

    public bool? Boolean() => _reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        _ => throw Mismatch(ExpectedBool),
    };

    public ushort? UInt16()
    {
        if (IsNull) return null;
        if (IsNumber && _reader.TryGetUInt16(out ushort v)) return v;
        throw Mismatch(ExpectedUInt16);
    }

    public uint? UInt32()
    {
        if (IsNull) return null;
        if (IsNumber && _reader.TryGetUInt32(out uint v)) return v;
        throw Mismatch(ExpectedUInt32);
    }

    public int? Int32()
    {
        if (IsNull) return null;
        if (IsNumber && _reader.TryGetInt32(out int v)) return v;
        throw Mismatch(ExpectedInt32);
    }

    public long? Int64()
    {
        if (IsNull) return null;
        if (IsNumber && _reader.TryGetInt64(out long v)) return v;
        throw Mismatch(ExpectedInt64);
    }

    public ulong? UInt64()
    {
        if (IsNull) return null;
        if (IsNumber && _reader.TryGetUInt64(out ulong v)) return v;
        throw Mismatch(ExpectedUInt64);
    }

    /// <summary>A non-nullable member: JSON null is an error, as it was for the serializer.</summary>
    public ulong RequiredUInt64() => UInt64() ?? throw Mismatch(ExpectedUInt64);

    public int RequiredInt32() => Int32() ?? throw Mismatch(ExpectedInt32);

    public DateTime RequiredDateTime()
    {
        if (_reader.TokenType == JsonTokenType.String && _reader.TryGetDateTime(out DateTime v))
            return v;
        throw Mismatch("a date and time (ISO 8601)");
    }

    private readonly bool IsNull => _reader.TokenType == JsonTokenType.Null;

    private readonly bool IsNumber => _reader.TokenType == JsonTokenType.Number;

    // --- errors ----------------------------------------------------------------------------

    /// <summary>"expected WHAT, got ACTUAL" for the value at the current token and path.</summary>
    public ConfigException Mismatch(string what)
    {
        string path = SpecPath.Format(_path);
        if (path.Length == 0)
            return new ConfigException($"{_source}: expected a JSON object, got {Actual()}");
        return new ConfigException($"{_source}: {path}: expected {what}, got {Actual()}", path);
    }

    private string Actual() => _reader.TokenType switch
    {
        JsonTokenType.String => "the string " + Truncate("\"" + Encoding.UTF8.GetString(_reader.ValueSpan) + "\""),
        JsonTokenType.Number => Truncate(Encoding.UTF8.GetString(_reader.ValueSpan)),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => "an unknown value",
    };

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
