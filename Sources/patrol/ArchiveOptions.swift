import ArgumentParser
import PatrolKit

/// How `scan`, `history`, `ci`, `diff` and `sweep` look inside archives and compressed files.
struct ArchiveOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Open archives and compressed files (zip, jar, nupkg, tar, tar.gz, gz, bz2, xz, zst, …) nested this many levels deep; 0 reads them as binary (default 3).", valueName: "n"))
    var archiveDepth = 3

    @Option(help: ArgumentHelp("Stop reading inside one archive after this many uncompressed bytes (default 256M).", valueName: "size"))
    var archiveMaxBytes: ByteSize?

    func validate() throws {
        if archiveDepth < 0 { throw ValidationError("--archive-depth must be 0 or more") }
        if let archiveMaxBytes, archiveMaxBytes.bytes < 1 { throw ValidationError("--archive-max-bytes must be at least 1 byte") }
    }

    var limits: ArchiveLimits {
        var limits = ArchiveLimits()
        limits.depth = archiveDepth
        if let archiveMaxBytes { limits.maxBytes = archiveMaxBytes.bytes }
        return limits
    }
}
