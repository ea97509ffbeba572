/// How deep and how much patrol reads inside archives and compressed files.
///
/// The byte, ratio and entry limits hold per outermost input (a file, a blob), counting every
/// nested archive inside it, so a zip bomb costs at most `maxBytes` of reading and never more
/// memory than one chunk.
public struct ArchiveLimits: Sendable, Equatable {
    /// Archive levels opened: 1 opens `a.zip`, 2 also the `b.tar.gz` inside it; 0 opens none.
    public var depth = 3
    /// Uncompressed bytes read from one input's archives before the rest is left unscanned.
    public var maxBytes = 256 << 20
    /// Entries (files, folders, links) listed in one input's archives before the rest is left unscanned.
    public var maxEntries = 100_000
    /// Uncompressed bytes per compressed byte beyond which reading stops, once past `ratioFloor`.
    public var maxRatio = 100
    /// Bytes read before the ratio is checked: small, highly compressible files are normal.
    public var ratioFloor = 8 << 20

    public init() {}

    /// Archives not opened at all (`--archive-depth 0`).
    public static var off: ArchiveLimits {
        var limits = ArchiveLimits()
        limits.depth = 0
        return limits
    }
}

/// Recognises the archive and compression formats patrol opens by their first bytes, not by
/// their names: a `config.bin` that is a zip is opened, a `notes.zip` that is text is read as text.
///
/// It runs on every input before the text sniff, so it only compares a few bytes.
enum ArchiveMagic {
    /// The bytes needed to recognise every format (tar's `ustar` sits at offset 257).
    static let headLength = 512

    /// Whether `head` starts a zip-family file, a tar, a 7z, or a gzip, bzip2, xz or zstd stream.
    static func matches(_ head: UnsafeRawBufferPointer) -> Bool {
        let count = head.count
        guard count >= 4 else { return false }
        let b0 = head[0], b1 = head[1], b2 = head[2], b3 = head[3]
        switch b0 {
        case 0x50: // PK\3\4: zip, jar, war, ear, nupkg, whl, apk, vsix, docx, xlsx
            return b1 == 0x4B && b2 == 0x03 && b3 == 0x04
        case 0x1F: // gzip
            return b1 == 0x8B && b2 == 0x08
        case 0x42: // BZh1…9, then a block or end-of-stream marker
            guard b1 == 0x5A, b2 == 0x68, (0x31...0x39).contains(b3), count >= 10 else { return false }
            let block: [UInt8] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
            let end: [UInt8] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
            return (0..<6).allSatisfy { head[4 + $0] == block[$0] } || (0..<6).allSatisfy { head[4 + $0] == end[$0] }
        case 0xFD: // xz
            return count >= 6 && b1 == 0x37 && b2 == 0x7A && b3 == 0x58 && head[4] == 0x5A && head[5] == 0x00
        case 0x28: // zstd
            return b1 == 0xB5 && b2 == 0x2F && b3 == 0xFD
        case 0x37: // 7z
            return count >= 6 && b1 == 0x7A && b2 == 0xBC && b3 == 0xAF && head[4] == 0x27 && head[5] == 0x1C
        default:
            break
        }
        // tar (POSIX ustar and GNU): "ustar" at 257.
        return count >= 262 && head[257] == 0x75 && head[258] == 0x73 && head[259] == 0x74 && head[260] == 0x61 && head[261] == 0x72
    }

    /// The name of the single file inside a compressed stream (`app.log.gz` holds `app.log`),
    /// which the stream itself does not record.
    static func innerName(ofCompressed name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        for suffix in [".gz", ".bz2", ".xz", ".zst", ".zstd", ".z"] where base.lowercased().hasSuffix(suffix) && base.count > suffix.count {
            return String(base.dropLast(suffix.count))
        }
        if base.lowercased().hasSuffix(".tgz") { return String(base.dropLast(4)) + ".tar" }
        return "data"
    }
}
