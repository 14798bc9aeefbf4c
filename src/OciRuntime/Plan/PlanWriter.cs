using System.Buffers.Binary;
using System.Text;

namespace OciRuntime.Plan;

/// <summary>Writes the little-endian fields of plan.h: u32, u64, str, strlist, u32list.</summary>
internal sealed class PlanWriter
{
    private byte[] _buf = new byte[4096];
    private int _len;

    public int Length => _len;

    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, _len);

    private Span<byte> Grow(int n)
    {
        if (_len + n > _buf.Length)
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        var s = _buf.AsSpan(_len, n);
        _len += n;
        return s;
    }

    public void U32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), v);

    public void U64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), v);

    public void Str(string s)
    {
        if (s.Contains('\0'))
            throw new ArgumentException($"a NUL character cannot be passed to the kernel: \"{s.Replace("\0", "\\0")}\"");
        int n = Encoding.UTF8.GetByteCount(s) + 1;
        U32((uint)n);
        var dst = Grow(n);
        Encoding.UTF8.GetBytes(s, dst);
        dst[n - 1] = 0;
    }

    public void StrList(IReadOnlyList<string> list)
    {
        U32((uint)list.Count);
        foreach (var s in list)
            Str(s);
    }

    public void U32List(IReadOnlyList<uint> list)
    {
        U32((uint)list.Count);
        foreach (var v in list)
            U32(v);
    }

    /// <summary>Overwrites a u32 written earlier (lengths known only afterwards).</summary>
    public void PatchU32(int offset, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(offset, 4), v);
}
