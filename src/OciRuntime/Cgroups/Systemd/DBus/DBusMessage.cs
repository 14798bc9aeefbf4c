using System.Buffers.Binary;

namespace OciRuntime.Cgroups.Systemd.DBus;

internal enum DBusMessageType : byte { MethodCall = 1, MethodReturn = 2, Error = 3, Signal = 4 }

/// <summary>
/// One D-Bus message: the fixed header (endianness 'l', type, flags, version 1, body length,
/// serial), the header fields an array of (byte code, variant), padding to 8, the body.
/// </summary>
internal sealed class DBusMessage
{
    /// <summary>Fixed header (12 bytes) and the length of the header fields array.</summary>
    public const int FixedHeaderLength = 16;

    /// <summary>The specification's limit on a message (2^27).</summary>
    public const int MaxLength = 1 << 27;

    private const byte FieldPath = 1, FieldInterface = 2, FieldMember = 3, FieldErrorName = 4,
        FieldReplySerial = 5, FieldDestination = 6, FieldSender = 7, FieldSignature = 8;

    public DBusMessageType Type { get; init; }
    public uint Serial { get; init; }
    public uint ReplySerial { get; init; }
    public string? Path { get; init; }
    public string? Interface { get; init; }
    public string? Member { get; init; }
    public string? ErrorName { get; init; }
    public string? Destination { get; init; }
    public string? Sender { get; init; }
    public string Signature { get; init; } = "";

    private byte[] _bytes = [];
    private int _bodyStart;

    /// <summary>The body, read from its first value.</summary>
    public DBusReader Body() => new(_bytes, _bodyStart, _bytes.Length);

    /// <summary>The body's first string ("" when there is none): an error's message.</summary>
    public string FirstString() => Signature.StartsWith('s') ? Body().String() : "";

    /// <summary>A method call: the whole message, header and body.</summary>
    public static byte[] MethodCall(uint serial, string? destination, string path, string @interface, string member,
        string signature, DBusWriter? body)
    {
        var w = new DBusWriter();
        int bodyLength = body?.Length ?? 0;
        w.Byte((byte)'l');
        w.Byte((byte)DBusMessageType.MethodCall);
        w.Byte(0); // flags: a reply is expected
        w.Byte(1); // protocol version
        w.UInt32((uint)bodyLength);
        w.UInt32(serial);
        var fields = w.ArrayStart(8);
        Field(w, FieldPath, "o", path);
        Field(w, FieldInterface, "s", @interface);
        Field(w, FieldMember, "s", member);
        if (destination is not null)
            Field(w, FieldDestination, "s", destination);
        if (signature.Length > 0)
            Field(w, FieldSignature, "g", signature);
        w.ArrayEnd(fields);
        w.Pad(8);
        var message = new byte[w.Length + bodyLength];
        w.Bytes.CopyTo(message);
        body?.Bytes.CopyTo(message.AsSpan(w.Length));
        return message;
    }

    private static void Field(DBusWriter w, byte code, string signature, string value)
    {
        w.StructStart();
        w.Byte(code);
        w.Variant(signature, value);
    }

    /// <summary>The length of the message whose first 16 bytes are given; an error for what this
    /// client does not read (big-endian, another protocol version) or a length over the limit.</summary>
    public static int TotalLength(ReadOnlySpan<byte> start)
    {
        if (start[0] != 'l')
            throw new DBusException(start[0] == 'B'
                ? "a big-endian message came (this client reads little-endian only)"
                : $"malformed message (endianness byte 0x{start[0]:x2})");
        if (start[3] != 1)
            throw new DBusException($"message of protocol version {start[3]} (only 1 is known)");
        long body = BinaryPrimitives.ReadUInt32LittleEndian(start[4..]);
        long fields = BinaryPrimitives.ReadUInt32LittleEndian(start[12..]);
        long total = ((FixedHeaderLength + fields + 7) & ~7L) + body;
        if (total > MaxLength)
            throw new DBusException($"message of {total} bytes (the limit is {MaxLength})");
        return (int)total;
    }

    /// <summary>Decodes a whole message (its length checked by <see cref="TotalLength"/>).</summary>
    public static DBusMessage Parse(byte[] bytes)
    {
        var r = new DBusReader(bytes, 0, bytes.Length);
        r.Byte();
        var type = (DBusMessageType)r.Byte();
        r.Byte();
        r.Byte();
        long bodyLength = r.UInt32();
        uint serial = r.UInt32();
        var fields = (List<object>)r.Value("a(yv)");
        r.Align(8);
        if (r.Position + bodyLength != bytes.Length)
            throw new DBusException("malformed message: header and body lengths disagree");
        object? Get(byte code) => fields.Cast<object[]>().FirstOrDefault(f => (byte)f[0] == code)?[1];
        return new DBusMessage
        {
            Type = type,
            Serial = serial,
            Path = Get(FieldPath) as string,
            Interface = Get(FieldInterface) as string,
            Member = Get(FieldMember) as string,
            ErrorName = Get(FieldErrorName) as string,
            ReplySerial = Get(FieldReplySerial) is uint rs ? rs : 0,
            Destination = Get(FieldDestination) as string,
            Sender = Get(FieldSender) as string,
            Signature = Get(FieldSignature) as string ?? "",
            _bytes = bytes,
            _bodyStart = r.Position,
        };
    }
}

/// <summary>The connection failed, or a message could not be read.</summary>
internal class DBusException(string message) : Exception(message);

/// <summary>No answer within the time given.</summary>
internal sealed class DBusTimeoutException(string message) : DBusException(message);

/// <summary>The peer answered a call with an error: its name and message.</summary>
internal sealed class DBusErrorReplyException(string name, string message) : DBusException($"{name}: {message}")
{
    public string Name { get; } = name;
    public string ErrorMessage { get; } = message;
}
