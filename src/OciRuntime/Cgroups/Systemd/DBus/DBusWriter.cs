using System.Buffers.Binary;
using System.Text;

namespace OciRuntime.Cgroups.Systemd.DBus;

/// <summary>
/// D-Bus marshalling, little-endian (the wire format of the D-Bus specification, "Marshaling"):
/// every value is aligned to its size (8 for structs, 4 for strings and arrays) counted from the
/// start of the message. A body is written on its own: the header is padded to 8, so offsets
/// within the body align as within the message. Only what the systemd driver sends.
/// </summary>
internal sealed class DBusWriter
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

    private Span<byte> Take(int alignment, int size)
    {
        int start = (Length + alignment - 1) & ~(alignment - 1);
        if (start + size > _buffer.Length)
            System.Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, start + size));
        _buffer.AsSpan(Length, start - Length).Clear(); // padding is zero
        Length = start + size;
        return _buffer.AsSpan(start, size);
    }

    public void Pad(int alignment) => Take(alignment, 0);

    public void Byte(byte v) => Take(1, 1)[0] = v;
    public void Bool(bool v) => UInt32(v ? 1u : 0u);
    public void Int16(short v) => BinaryPrimitives.WriteInt16LittleEndian(Take(2, 2), v);
    public void UInt16(ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2, 2), v);
    public void Int32(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4, 4), v);
    public void UInt32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4, 4), v);
    public void Int64(long v) => BinaryPrimitives.WriteInt64LittleEndian(Take(8, 8), v);
    public void UInt64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8, 8), v);
    public void Double(double v) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8, 8), v);

    /// <summary>A string or an object path: its length (u32), its UTF-8 bytes, a NUL.</summary>
    public void String(string v)
    {
        int n = Encoding.UTF8.GetByteCount(v);
        UInt32((uint)n);
        Encoding.UTF8.GetBytes(v, Take(1, n + 1));
        _buffer[Length - 1] = 0;
    }

    /// <summary>A signature: its length (one byte), its ASCII, a NUL.</summary>
    public void Signature(string v)
    {
        if (v.Length > 255)
            throw new ArgumentException($"D-Bus signature longer than 255: {v}");
        Byte((byte)v.Length);
        var s = Take(1, v.Length + 1);
        Encoding.ASCII.GetBytes(v, s);
        s[^1] = 0;
    }

    /// <summary>Starts an array of elements aligned to <paramref name="elementAlignment"/>; the
    /// length (u32) is filled in by <see cref="ArrayEnd"/>: the bytes after the padding that
    /// follows it, to the end of the last element.</summary>
    public (int LengthAt, int Start) ArrayStart(int elementAlignment)
    {
        UInt32(0);
        int at = Length - 4;
        Pad(elementAlignment);
        return (at, Length);
    }

    public void ArrayEnd((int LengthAt, int Start) array) =>
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(array.LengthAt, 4), (uint)(Length - array.Start));

    public void StructStart() => Pad(8);

    public void Variant(string signature, object value)
    {
        Signature(signature);
        Value(signature, value);
    }

    /// <summary>One value of a single complete type: the basic types, "v" (a <see cref="UnitValue"/>),
    /// "ay", "au", "as", "a(ss)", and arrays of a basic type given as <see cref="UnitValue"/>[].</summary>
    public void Value(string signature, object value)
    {
        switch (signature, value)
        {
            case ("y", byte v): Byte(v); break;
            case ("b", bool v): Bool(v); break;
            case ("n", short v): Int16(v); break;
            case ("q", ushort v): UInt16(v); break;
            case ("i", int v): Int32(v); break;
            case ("u", uint v): UInt32(v); break;
            case ("x", long v): Int64(v); break;
            case ("t", ulong v): UInt64(v); break;
            case ("d", double v): Double(v); break;
            case ("s" or "o", string v): String(v); break;
            case ("g", string v): Signature(v); break;
            case ("v", UnitValue v): Variant(v.Signature, v.Value); break;
            case ("ay", byte[] v):
                {
                    UInt32((uint)v.Length);
                    v.CopyTo(Take(1, v.Length));
                    break;
                }
            case ("au", uint[] v): Items(v, 4, x => UInt32(x)); break;
            case ("as", string[] v): Items(v, 4, String); break;
            case ("a(ss)", ValueTuple<string, string>[] v):
                Items(v, 8, p =>
                {
                    StructStart();
                    String(p.Item1);
                    String(p.Item2);
                });
                break;
            case ([ 'a', _ ], UnitValue[] items):
                {
                    string element = signature[1..];
                    Items(items, Alignment(element), i => Value(element, i.Value));
                    break;
                }
            default:
                throw new ArgumentException($"unit property value of type {signature} cannot be sent");
        }
    }

    private void Items<T>(T[] items, int alignment, Action<T> write)
    {
        var array = ArrayStart(alignment);
        foreach (var item in items)
            write(item);
        ArrayEnd(array);
    }

    /// <summary>The alignment of a value whose signature starts with the given code.</summary>
    public static int Alignment(string signature) => signature[0] switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'b' or 'i' or 'u' or 's' or 'o' or 'a' or 'h' => 4,
        'x' or 't' or 'd' or '(' or '{' => 8,
        var c => throw new ArgumentException($"D-Bus type '{c}' is not known"),
    };
}
