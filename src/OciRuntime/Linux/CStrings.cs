using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>A NULL-terminated char* array in unmanaged memory, for execve.</summary>
internal sealed unsafe class CStrings : IDisposable
{
    private readonly nint[] _strings;
    public byte** Ptr { get; }

    public CStrings(IReadOnlyList<string> list)
    {
        _strings = list.Select(s => Marshal.StringToCoTaskMemUTF8(s)).ToArray();
        Ptr = (byte**)NativeMemory.Alloc((nuint)(list.Count + 1), (nuint)sizeof(nint));
        for (int i = 0; i < _strings.Length; i++)
            Ptr[i] = (byte*)_strings[i];
        Ptr[_strings.Length] = null;
    }

    public void Dispose()
    {
        foreach (var s in _strings)
            Marshal.FreeCoTaskMem(s);
        NativeMemory.Free(Ptr);
    }
}
