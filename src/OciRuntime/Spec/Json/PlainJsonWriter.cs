using System.Globalization;

namespace OciRuntime.Spec.Json;

/// <summary>
/// Writes JSON byte for byte as <see cref="System.Text.Json.Utf8JsonWriter"/> with default options
/// does (compact, or indented by two spaces), for the files every container start writes
/// (state.json, the state hooks read): Utf8JsonWriter checks every string with
/// JavaScriptEncoder.Default, whose static constructor builds a 64K-bit table of allowed
/// characters, about half a millisecond of every `create` and `state` (specs/performance.md).
/// The escaping is the default encoder's: printable ASCII as is except " \ &amp; ' + &lt; &gt; `, which
/// with control characters, DEL and everything beyond ASCII become \uXXXX (UTF-16 units, upper-case
/// hex; a lone surrogate is U+FFFD), and \b \t \n \f \r \\ their short forms.
/// </summary>
internal sealed class PlainJsonWriter(int capacity = 512, bool indented = false)
{
    private byte[] _buf = new byte[capacity];
    private int _len;
    private int _depth;
    private ulong _outerHadItems; // one bit per open container: whether its parent already had an item
    private bool _hadItem;        // whether the innermost open container has an item yet
    private bool _afterName;      // a property name was written: its value follows on the same line

    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();

    public void WriteStartObject() => Open((byte)'{');

    public void WriteStartArray() => Open((byte)'[');

    public void WriteEndObject() => Close((byte)'}');

    public void WriteEndArray() => Close((byte)']');

    public void WritePropertyName(string name)
    {
        BeforeItem();
        Escaped(name);
        Byte((byte)':');
        if (indented)
            Byte((byte)' ');
        _afterName = true;
    }

    public void WriteStringValue(string? value)
    {
        BeforeValue();
        if (value is null)
            Ascii("null");
        else
            Escaped(value);
    }

    public void WriteNullValue()
    {
        BeforeValue();
        Ascii("null");
    }

    /// <summary>A map of strings as an object (null as null), in the dictionary's order.</summary>
    public void WriteStringMap(Dictionary<string, string>? map)
    {
        if (map is null)
        {
            WriteNullValue();
            return;
        }
        WriteStartObject();
        foreach (var (k, v) in map)
            WriteString(k, v);
        WriteEndObject();
    }

    public void WriteString(string name, string? value)
    {
        WritePropertyName(name);
        WriteStringValue(value);
    }

    /// <summary>ISO 8601 as the serializer writes it: seven fraction digits with the trailing zeros
    /// (and a bare '.') left out, then Z, the offset, or nothing, after the DateTime's kind.</summary>
    public void WriteString(string name, DateTime value)
    {
        WritePropertyName(name);
        BeforeValue();
        string o = value.ToString("O", CultureInfo.InvariantCulture); // yyyy-MM-ddTHH:mm:ss.fffffff[K]
        int end = 26; // the last fraction digit; the '.' is at 19, the kind's suffix from 27
        while (end > 19 && o[end] == '0')
            end--;
        if (end == 19)
            end = 18;
        Byte((byte)'"');
        Ascii(o.AsSpan(0, end + 1));
        Ascii(o.AsSpan(27));
        Byte((byte)'"');
    }

    public void WriteNumber(string name, long value)
    {
        WritePropertyName(name);
        BeforeValue();
        Ascii(value.ToString(CultureInfo.InvariantCulture));
    }

    public void WriteNumber(string name, ulong value)
    {
        WritePropertyName(name);
        BeforeValue();
        Ascii(value.ToString(CultureInfo.InvariantCulture));
    }

    public void WriteBoolean(string name, bool value)
    {
        WritePropertyName(name);
        BeforeValue();
        Ascii(value ? "true" : "false");
    }

    public void WriteNull(string name)
    {
        WritePropertyName(name);
        WriteNullValue();
    }

    private void Open(byte c)
    {
        BeforeValue();
        Byte(c);
        if (_depth >= 64)
            throw new InvalidOperationException("JSON nested deeper than 64 levels");
        _outerHadItems = _hadItem ? _outerHadItems | (1UL << _depth) : _outerHadItems & ~(1UL << _depth);
        _depth++;
        _hadItem = false;
    }

    private void Close(byte c)
    {
        bool had = _hadItem;
        _depth--;
        _hadItem = (_outerHadItems & (1UL << _depth)) != 0;
        if (indented && had)
            NewLine();
        Byte(c);
    }

    private void BeforeValue()
    {
        if (_afterName)
            _afterName = false;
        else
            BeforeItem();
    }

    private void BeforeItem()
    {
        if (_hadItem)
            Byte((byte)',');
        if (indented && _depth > 0)
            NewLine();
        _hadItem = true;
    }

    private void NewLine()
    {
        Byte((byte)'\n');
        for (int i = 0; i < _depth * 2; i++)
            Byte((byte)' ');
    }

    private void Escaped(string s)
    {
        Byte((byte)'"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '\\': Ascii("\\\\"); continue;
                case '\n': Ascii("\\n"); continue;
                case '\r': Ascii("\\r"); continue;
                case '\t': Ascii("\\t"); continue;
                case '\b': Ascii("\\b"); continue;
                case '\f': Ascii("\\f"); continue;
                case '"' or '&' or '\'' or '+' or '<' or '>' or '`': Unit(c); continue;
            }
            if (c >= 0x20 && c < 0x7f)
                Byte((byte)c);
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                Unit(c);
                Unit(s[++i]);
            }
            else
                Unit(char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        Byte((byte)'"');
    }

    private void Unit(char c)
    {
        const string hex = "0123456789ABCDEF";
        Ascii("\\u");
        Byte((byte)hex[c >> 12]);
        Byte((byte)hex[(c >> 8) & 0xf]);
        Byte((byte)hex[(c >> 4) & 0xf]);
        Byte((byte)hex[c & 0xf]);
    }

    private void Ascii(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            Byte((byte)c);
    }

    private void Byte(byte b)
    {
        if (_len == _buf.Length)
            Array.Resize(ref _buf, _buf.Length * 2);
        _buf[_len++] = b;
    }
}
