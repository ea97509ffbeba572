import CPCRE2
#if canImport(Glibc)
import Glibc
#endif

/// How the C heap serves patrol's big arrays.
public enum ProcessHeap {
    /// A file where every line is a finding makes arrays of tens of megabytes (occurrences,
    /// findings, their groups) and a million small objects. With glibc's defaults each big
    /// array is mapped on its own once over 128 KiB, faulted in page by page and unmapped when
    /// freed, and the heap grows and is faulted in 4 KiB at a time: on `aws-dense` a sixth of
    /// the run went to page faults. Here big arrays come from the heap (up to 32 MiB, glibc's
    /// most), freed memory is reused as it is (the heap is not given back before exit), and the heap is one region of transparent huge pages where the system
    /// grants them on request (`transparent_hugepage/enabled` set to `madvise`): a fault then
    /// brings in 2 MiB. Call once, at start.
    public static func configure() {
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        // Never trimmed: a trim would cut the huge-page region below, and growing it again
        // makes ordinary pages.
        mallopt(M_TRIM_THRESHOLD, Int32.max)
        #if canImport(Glibc)
        // Grow the heap once by a gigabyte of address space (memory is used only as it is
        // touched) and mark it for huge pages; later growth, past it, is ordinary pages.
        let pageSize = 2 << 20
        let start = Int(bitPattern: sbrk(0))
        mallopt(M_TOP_PAD, 1 << 30)
        // Handed to a C function, so that the optimiser does not remove it as unused.
        let probe = malloc(256 << 10)
        _ = malloc_usable_size(probe)
        free(probe)
        let end = Int(bitPattern: sbrk(0))
        let alignedStart = (start + pageSize - 1) & ~(pageSize - 1)
        if start > 0, end > alignedStart + pageSize {
            _ = madvise(UnsafeMutableRawPointer(bitPattern: alignedStart), (end - alignedStart) & ~(pageSize - 1), MADV_HUGEPAGE)
        }
        #endif
        mallopt(M_TOP_PAD, 64 << 20)
    }
}
