import Foundation
import Testing
@testable import PatrolKit

/// File names that are not UTF-8 or hold control characters, paths past PATH_MAX and deep
/// trees (issues 14 and 17): every file is scanned, every path round-trips, no control
/// character reaches the terminal.
@Suite struct OddPathTests {
    /// A name of each odd kind and the token in it.
    private static let invalidName: [UInt8] = Array("bad".utf8) + [0xFF, 0xFE] + Array(".txt".utf8)
    private static let oddNames: [[UInt8]] = [
        invalidName,
        Array("line\nbreak.txt".utf8),
        Array("-dash.txt".utf8),
        Array("esc\u{1B}[31mred\u{1B}]0;owned\u{07}.txt".utf8),
    ]

    private func writeOddFiles(in folder: TemporaryFolder) throws -> [String] {
        var tokens: [String] = []
        for (index, name) in Self.oddNames.enumerated() {
            let token = Tokens.cask(seed: 170 + UInt64(index))
            tokens.append(token)
            try RawFiles.write(Array(folder.path.utf8) + [0x2F] + name, "pat: \(token)\n")
        }
        return tokens
    }

    @Test func tokensInOddlyNamedFilesAreFoundInAFolderAndInAWorkTree() throws {
        let folder = try TemporaryFolder()
        let tokens = try writeOddFiles(in: folder)
        let plain = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(Set(try plain.findings().compactMap { $0["secret"] as? String }) == Set(tokens), "folder: \(plain.stderr)")

        try folder.git("init", "-q")
        let untracked = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(Set(try untracked.findings().compactMap { $0["secret"] as? String }) == Set(tokens), "untracked in a work tree: \(untracked.stderr)")
        try folder.commit("odd names")
        let tracked = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(Set(try tracked.findings().compactMap { $0["secret"] as? String }) == Set(tokens), "tracked: \(tracked.stderr)")
        #expect(tracked.status == 1)
    }

    @Test func nonUTF8PathIsQuotedLosslesslyInJSONSARIFAndCSV() throws {
        let folder = try TemporaryFolder()
        _ = try writeOddFiles(in: folder)
        let json = try patrol(["scan", ".", "--format", "json"], in: folder.url)
        let paths = try json.findings().compactMap { $0["path"] as? String }
        #expect(paths.contains("\"bad\\377\\376.txt\""), "\(paths)")
        #expect(paths.contains("line\nbreak.txt"), "a valid UTF-8 name is written as it is: \(paths)")
        #expect(Set(paths.map { ReportPath.bytes(of: $0) }) == Set(Self.oddNames), "every JSON path gives back the file's bytes")

        let sarif = try patrol(["scan", ".", "--format", "sarif"], in: folder.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let results = try #require(((object["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        let uris = results.compactMap { (($0["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]).flatMap { ($0["artifactLocation"] as? [String: Any])?["uri"] as? String } }
        #expect(Set(uris) == ["bad%FF%FE.txt", "line%0Abreak.txt", "-dash.txt", "esc%1B%5B31mred%1B%5D0;owned%07.txt"], "\(uris)")

        let csv = try patrol(["scan", ".", "--format", "csv"], in: folder.url)
        let rows = try CSV.parse(csv.stdout)
        let column = try #require(rows.first?.firstIndex(of: "path"))
        #expect(Set(rows.dropFirst().map { $0[column] }) == Set(paths), "CSV quotes the newline and keeps the same paths")
    }

    /// `history` reads paths from `git log -z` as bytes: a non-UTF-8 name is quoted git-style,
    /// as the worktree scan quotes it, not decoded with replacement characters.
    @Test func historyQuotesANonUTF8PathLosslesslyAsTheWorktreeScanDoes() throws {
        let folder = try TemporaryFolder()
        _ = try writeOddFiles(in: folder)
        try folder.git("init", "-q")
        try folder.commit("odd names")
        let history = try patrol(["history", ".", "--format", "json"], in: folder.url)
        #expect(history.status == 1, "\(history.stderr)")
        let paths = try history.findings().compactMap { $0["path"] as? String }
        #expect(paths.contains("\"bad\\377\\376.txt\""), "\(paths)")
        #expect(!paths.contains { $0.contains("\u{FFFD}") }, "no replacement character: \(paths)")
        #expect(Set(paths.map { ReportPath.bytes(of: $0) }) == Set(Self.oddNames), "every history path gives back the file's bytes")
    }

    @Test func textOutputsNeverPrintAControlCharacterFromANameOrALine() throws {
        let folder = try TemporaryFolder()
        _ = try writeOddFiles(in: folder)
        try folder.write("snippet.txt", "x=\u{1B}[2J\u{1B}]0;gotcha\u{07} pat: \(Tokens.cask(seed: 179))\n")
        func checked(_ result: RunResult, _ what: String) {
            for (stream, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
                let raw = text.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || (0x7F...0x9F).contains($0.value) }
                #expect(raw.isEmpty, "\(what) \(stream) holds raw control characters \(raw.map { $0.value }): \(text)")
            }
        }
        let text = try patrol(["scan", ".", "--verbose"], in: folder.url)
        #expect(text.status == 1)
        checked(text, "scan")
        #expect(text.stdout.contains("esc\\x1b[31mred\\x1b]0;owned\\x07.txt"), "\(text.stdout)")
        #expect(text.stdout.contains("line\\nbreak.txt"), "\(text.stdout)")
        #expect(text.stdout.contains("x=\\x1b[2J\\x1b]0;gotcha\\x07 pat:"), "\(text.stdout)")
        checked(try patrol(["scan", ".", "--format", "markdown"], in: folder.url), "markdown")

        try folder.git("init", "-q")
        try folder.commit("odd names")
        checked(try patrol(["history", "."], in: folder.url), "history")
        checked(try patrol(["diff", "HEAD"], in: folder.url), "diff")
        let report = try patrol(["scan", ".", "--format", "json"], in: folder.url)
        checked(try patrol(["remediate", "-", "--no-replace-file"], in: folder.url, stdin: Data(report.stdout.utf8)), "remediate")
    }

    @Test(.timeLimit(.minutes(2))) func folderChainPastPathMaxIsWalkedAndItsTokenFound() throws {
        let folder = try TemporaryFolder()
        defer { RawFiles.removeTree(folder.path) }
        let token = Tokens.cask(seed: 180)
        // 2,100 folders "d": a path of 4,200 bytes past the root, beyond PATH_MAX (4,096).
        try RawFiles.makeChain(under: folder.path, names: Array(repeating: "d", count: 2100), leaf: "leaf.txt", contents: "pat: \(token)\n")
        let result = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(result.status == 1, "stderr: \(result.stderr.prefix(500))")
        let found = try result.findings()
        #expect(found.compactMap { $0["secret"] as? String } == [token])
        #expect((found.first?["path"] as? String)?.utf8.count == 2100 * 2 + "leaf.txt".utf8.count)
    }

    @Test(.timeLimit(.minutes(2))) func leafPathOf4600BytesIsScannedNotSkipped() throws {
        let folder = try TemporaryFolder()
        defer { RawFiles.removeTree(folder.path) }
        let token = Tokens.cask(seed: 181)
        let names = (0..<23).map { String(repeating: Character(UnicodeScalar(UInt8(97 + $0 % 26))), count: 199) }
        try RawFiles.makeChain(under: folder.path, names: names, leaf: "leaf.txt", contents: "pat: \(token)\n")
        let result = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(result.status == 1, "stderr: \(result.stderr.prefix(500))")
        #expect(try result.findings().compactMap { $0["secret"] as? String } == [token])

        try folder.git("init", "-q")
        let untracked = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(untracked.status == 1, "in a work tree: \(untracked.stderr.prefix(500))")
        #expect(try untracked.findings().compactMap { $0["secret"] as? String } == [token])
    }

    @Test func deepTreeLooksForTheWorkTreeOncePerRoot() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 182)
        try RawFiles.makeChain(under: folder.path, names: Array(repeating: "deep", count: 300), leaf: "leaf.txt", contents: "pat: \(token)\n")
        let tree = FileTree(useGitIgnore: true, follow: false)
        var pending: [WalkJob] = [.folder(WalkPath(absolute: folder.path, display: ""), listing: .root)]
        var files = 0, folders = 0
        while let job = pending.popLast() {
            switch job {
            case .folder(let path, let kind):
                folders += 1
                pending += tree.list(folder: path, kind: kind).jobs
            case .file:
                files += 1
            }
        }
        #expect(folders == 301 && files == 1)
        #expect(tree.workTreeLookups == 1, "a .git was looked for in the ancestors of \(tree.workTreeLookups) folders")

        // The same through the binary, which also finds the token.
        let result = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(try result.findings().compactMap { $0["secret"] as? String } == [token])
    }

    @Test func nestedRepositoryBelowAPlainFolderIsListedByGit() throws {
        let folder = try TemporaryFolder()
        try folder.write("outer/inner/.gitignore", "ignored.txt\n")
        try folder.write("outer/inner/ignored.txt", "pat: \(Tokens.cask(seed: 183))\n")
        let kept = Tokens.cask(seed: 184)
        try folder.write("outer/inner/kept.txt", "pat: \(kept)\n")
        try folder.git(["init", "-q"], in: "outer/inner")
        let result = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(try result.findings().compactMap { $0["secret"] as? String } == [kept], "the nested repository's .gitignore applies: \(result.stderr)")
    }
}

/// Files and folders whose names are bytes, and paths longer than PATH_MAX (which Foundation
/// cannot create or remove), made with the *at system calls.
enum RawFiles {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func write(_ path: [UInt8], _ contents: String) throws {
        let descriptor = (path + [0]).withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(String(decoding: path, as: UTF8.self)): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        guard bytes.isEmpty || Glibc.write(descriptor, bytes, bytes.count) == bytes.count else { throw Failure(description: "short write") }
    }

    /// `root/names[0]/names[1]/…/leaf`, made one level at a time relative to the last folder.
    static func makeChain(under root: String, names: [String], leaf: String, contents: String) throws {
        var folder = open(root, O_RDONLY | O_DIRECTORY)
        guard folder >= 0 else { throw Failure(description: "cannot open \(root)") }
        for name in names {
            guard mkdirat(folder, name, 0o755) == 0 || errno == EEXIST else { throw Failure(description: "mkdirat: \(String(cString: strerror(errno)))") }
            let next = openat(folder, name, O_RDONLY | O_DIRECTORY)
            close(folder)
            guard next >= 0 else { throw Failure(description: "openat: \(String(cString: strerror(errno)))") }
            folder = next
        }
        defer { close(folder) }
        let file = openat(folder, leaf, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard file >= 0 else { throw Failure(description: "cannot create the leaf") }
        let bytes = Array(contents.utf8)
        _ = Glibc.write(file, bytes, bytes.count)
        close(file)
    }

    /// `rm -rf`, which walks with descriptors and so removes trees past PATH_MAX.
    static func removeTree(_ path: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/rm")
        process.arguments = ["-rf", path]
        try? process.run()
        process.waitUntilExit()
    }
}
