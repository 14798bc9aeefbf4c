using System.Runtime.CompilerServices;

namespace OciRuntime.Linux;

/// <summary>
/// Populates, in one madvise(MADV_POPULATE_WRITE), the memory the GC has committed for the
/// first managed allocations, so that the ~120 KB a <c>run</c> allocates after <c>Main</c> does
/// not take a page fault per 4 KB as the GC clears each allocation quantum (a fault costs
/// 12–23 µs in a VM; specs/performance.md). Where the GC's commit ends the kernel stops and
/// returns an error, which is fine: what is not populated faults in as before.
/// </summary>
internal static unsafe class GcHeapPrefault
{
    private const int Length = 160 * 1024;

    public static void Run()
    {
        // A fresh object sits at the GC's allocation pointer: the memory after it is where the
        // next allocations go. Only its address is used, before any collection could move it.
        object probe = new();
        nint at = *(nint*)Unsafe.AsPointer(ref probe);
        nint page = at & ~(nint)4095;
        _ = LibC.madvise((void*)page, Length, LibC.MADV_POPULATE_WRITE);
    }
}
