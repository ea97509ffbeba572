import Testing
@testable import PatrolKit

/// Archives are recognised by their first bytes: every format patrol opens, and nothing else.
@Suite struct ArchiveMagicTests {
    private func matches(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { ArchiveMagic.matches($0) }
    }

    private func tar() -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        header.replaceSubrange(257..<263, with: Array("ustar\u{0}".utf8))
        return header
    }

    @Test func recognisesZipGzipBzip2XzZstd7zAndTar() {
        #expect(matches([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]))
        #expect(matches([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00]))
        #expect(matches(Array("BZh91AY&SY".utf8) + [0, 0]))
        #expect(matches([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00]))
        #expect(matches([0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x00]))
        #expect(matches([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0x00]))
        #expect(matches(tar()))
    }

    @Test func rejectsTextImagesAndLookalikes() {
        #expect(!matches(Array("PK is a name\n".utf8)))
        #expect(!matches(Array("BZh9 but no block marker here\n".utf8)))
        #expect(!matches([0x1F, 0x8B]))
        #expect(!matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(!matches(Array("GITHUB_TOKEN=x\n".utf8)))
        #expect(!matches([UInt8](repeating: 0, count: 600)))
        #expect(!matches([]))
    }

    @Test func compressedStreamsNameTheirContentAfterTheInput() {
        #expect(ArchiveMagic.innerName(ofCompressed: "logs/app.log.gz") == "app.log")
        #expect(ArchiveMagic.innerName(ofCompressed: "a.env.zst") == "a.env")
        #expect(ArchiveMagic.innerName(ofCompressed: "blob") == "data")
        #expect(ArchivePath.join("logs/app.log.gz", ArchivePath.streamContent) == "logs/app.log.gz!app.log")
        #expect(ArchivePath.join("a.zip", "b.tar.gz!c/d.env") == "a.zip!b.tar.gz!c/d.env")
        #expect(ArchivePath.outermost(of: "a.zip!b.tar.gz!c/d.env") == "a.zip")
        #expect(InputScanner.entryDisplay("./blobs/sha256/" + String(repeating: "ab", count: 32)) == "sha256:" + String(repeating: "ab", count: 32))
        #expect(InputScanner.entryDisplay("./etc/app.env") == "etc/app.env")
    }
}
