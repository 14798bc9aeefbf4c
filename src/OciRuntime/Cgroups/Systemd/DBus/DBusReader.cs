using System.Buffers.Binary;
using System.Text;

namespace OciRuntime.Cgroups.Systemd.DBus;

/// <summary>
/// Reads little-endian D-Bus values from a whole message (offsets, and so alignment, count from
/// its first byte). Any complete type can be read as an object (<see cref="Value"/>): basic types
/// as themselves, arrays as List&lt;object&gt;, structs as object[], a variant as its value.
/// A value that runs past the end is an error, not a crash.
/// </summary>
internal sealed class DBusReader(byte[] message, int position, int end)
{
    public int Position { get; private set; } = position;

    public bool AtEnd => Position >= end;

    private ReadOnlySpan<byte> Take(int alignment, int size)
    {
        int start = (Position + alignment - 1) & ~(alignment - 1);
        if (size < 0 || start + size > end)
            throw new DBusException("malformed message: a value runs past its end");
        Position = start + size;
        return message.AsSpan(start, size);
    }

    public void Align(int alignment) => Take(alignment, 0);

    /// <summary>A length read from the message: never more than what is left.</summary>
    private int Length(uint n) => n <= (uint)(end - Position)
        ? (int)n : throw new DBusException("malformed message: a length runs past its end");

    public byte Byte() => Take(1, 1)[0];
    public bool Bool() => UInt32() != 0;
    public short Int16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2, 2));
    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, 2));
    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4, 4));
    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, 4));
    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8, 8));
    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, 8));
    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, 8));

    public string String()
    {
        int n = Length(UInt32());
        var s = Take(1, n + 1);
        return Encoding.UTF8.GetString(s[..^1]);
    }

    public string Signature()
    {
        int n = Byte();
        var s = Take(1, n + 1);
        return Encoding.ASCII.GetString(s[..^1]);
    }

    /// <summary>A value of the single complete type <paramref name="signature"/>.</summary>
    public object Value(string signature)
    {
        switch (signature[0])
        {
            case 'y': return Byte();
            case 'b': return Bool();
            case 'n': return Int16();
            case 'q': return UInt16();
            case 'i': return Int32();
            case 'u': return UInt32();
            case 'x': return Int64();
            case 't': return UInt64();
            case 'd': return Double();
            case 's' or 'o': return String();
            case 'g': return Signature();
            case 'v':
                {
                    string inner = Signature();
                    if (inner.Length == 0 || TypeEnd(inner, 0) != inner.Length)
                        throw new DBusException($"malformed message: variant signature \"{inner}\"");
                    return Value(inner);
                }
            case 'a':
                {
                    int n = Length(UInt32());
                    string element = signature[1..];
                    Align(DBusWriter.Alignment(element));
                    int stop = Position + n;
                    if (n < 0 || stop > end)
                        throw new DBusException("malformed message: an array runs past its end");
                    var items = new List<object>();
                    while (Position < stop)
                        items.Add(Value(element));
                    return items;
                }
            case '(' or '{':
                {
                    Align(8);
                    var fields = new List<object>();
                    for (int i = 1; i < signature.Length - 1; i = TypeEnd(signature, i))
                        fields.Add(Value(signature[i..TypeEnd(signature, i)]));
                    return fields.ToArray();
                }
            default:
                throw new DBusException($"D-Bus type \"{signature}\" cannot be read");
        }
    }

    /// <summary>The index just after the single complete type that starts at <paramref name="i"/>.</summary>
    public static int TypeEnd(string signature, int i)
    {
        if (i >= signature.Length)
            throw new DBusException($"malformed signature \"{signature}\"");
        switch (signature[i])
        {
            case 'a':
                return TypeEnd(signature, i + 1);
            case '(' or '{':
                {
                    char close = signature[i] == '(' ? ')' : '}';
                    int j = i + 1;
                    while (j < signature.Length && signature[j] != close)
                        j = TypeEnd(signature, j);
                    if (j >= signature.Length)
                        throw new DBusException($"malformed signature \"{signature}\"");
                    return j + 1;
                }
            default:
                return i + 1;
        }
    }
}
