import CPCRE2

/// How the C heap serves patrol's big arrays.
public enum ProcessHeap {
    /// A file where every line is a finding makes arrays of tens of megabytes (occurrences,
    /// findings, their groups). With glibc's defaults each is mapped on its own once over
    /// 128 KiB, faulted in page by page and unmapped when freed; here they come from the heap
    /// (up to 32 MiB, glibc's most), which grows 64 MiB at a time and is given back to the
    /// system only when 256 MiB at its top are free, so freed memory is reused as it is.
    /// Call once, at start.
    ///
    /// Transparent huge pages for the heap (`madvise(MADV_HUGEPAGE)`) were tried and left out:
    /// the median of `aws-dense` did not move, and a run that had to zero fresh huge pages
    /// took up to 70 % longer.
    public static func configure() {
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TOP_PAD, 64 << 20)
        mallopt(M_TRIM_THRESHOLD, 256 << 20)
    }
}
