import Foundation
import Testing

/// A damaged repository loses no finding but those in the damaged objects: `history` (all refs,
/// a revision, `--strict`) and `sweep` list each unreadable object with its id under the errors
/// and report every readable secret, exiting 1. Repositories are built with git and then
/// damaged by flipping bytes in loose objects.
@Suite struct CorruptHistoryTests {
    /// Flips bytes of the loose object `oid`: near its end (the zlib checksum and last data),
    /// so git reads its header and fails on the content, or at its start, so git cannot even
    /// read its header.
    private func corrupt(_ oid: String, in repo: TemporaryFolder, header: Bool) throws {
        let path = repo.url.appendingPathComponent(".git/objects/\(oid.prefix(2))/\(oid.dropFirst(2))").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        if header {
            for index in 2..<min(8, bytes.count) { bytes[index] ^= 0xA5 }
        } else {
            bytes[bytes.count - 3] ^= 0x55
            bytes[bytes.count / 2] ^= 0xFF
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    private func blob(_ path: String, in repo: TemporaryFolder) throws -> String {
        try repo.git("rev-parse", "HEAD:\(path)").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// 40 files with a token each, one commit, loose objects; two blobs damaged (one in its
    /// content, one in its header). Returns the tokens still readable and the damaged ids.
    private func damagedRepository() throws -> (repo: TemporaryFolder, readable: Set<String>, damaged: [String]) {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        var files: [String: String?] = [:]
        var tokens: [String: String] = [:]
        for index in 0..<40 {
            let token = Tokens.github(seed: UInt64(700 + index))
            tokens["f\(index).txt"] = token
            // Large enough for git to stream it: content damage then shows mid-read.
            let filler = (0..<200).map { "line \($0) of file \(index) \(($0 * 7919 + index) % 1009)" }.joined(separator: "\n")
            files["f\(index).txt"] = "token: \(token)\n" + filler + "\n"
        }
        try repo.commit("forty files", files)
        let content = try blob("f7.txt", in: repo), header = try blob("f23.txt", in: repo)
        try corrupt(content, in: repo, header: false)
        try corrupt(header, in: repo, header: true)
        var readable = Set(tokens.values)
        readable.remove(tokens["f7.txt"]!)
        readable.remove(tokens["f23.txt"]!)
        return (repo, readable, [content, header])
    }

    private func errors(_ result: RunResult) throws -> [[String: Any]] {
        try #require(try result.json()["errors"] as? [[String: Any]], "\(result.stdout)")
    }

    private func secrets(_ result: RunResult) throws -> Set<String> {
        Set(try result.findings().compactMap { $0["secret"] as? String })
    }

    @Test(arguments: [[String](), ["main"], ["--strict"], ["main", "--strict"], ["--threads", "1"]])
    func historyReportsEveryReadableSecretAndEachCorruptObjectById(_ extra: [String]) throws {
        let (repo, readable, damaged) = try damagedRepository()
        let result = try patrol(["history", "--format", "json", "--show-secrets"] + extra, in: repo.url)
        #expect(result.status == 1, "findings win over errors: \(result.stderr)")
        #expect(try secrets(result) == readable, "\(extra): \(result.stderr)")
        let listed = try errors(result)
        for oid in damaged {
            #expect(listed.contains { "\($0["path"] ?? "") \($0["message"] ?? "")".contains(oid) }, "\(oid) not listed in \(listed)")
        }
    }

    @Test func sweepReportsEveryReadableSecretAndTheCorruptObjects() throws {
        let (repo, readable, damaged) = try damagedRepository()
        let workspace = try TemporaryFolder()
        let result = try patrol(["sweep", "--cache", workspace.url.appendingPathComponent("c.sqlite").path, "--clone-dir", workspace.url.appendingPathComponent("clones").path, "--show-secrets", repo.path])
        var found = Set<String>()
        var errorText = ""
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let error = object["error"] as? [String: Any] {
                errorText += "\(error["message"] ?? "")"
            } else if let secret = object["secret"] as? String {
                found.insert(secret)
            }
        }
        #expect(result.status == 1, "\(result.stderr)")
        #expect(found == readable)
        for oid in damaged { #expect(errorText.contains(oid), "\(oid) not in \(errorText)") }
    }

    /// A damaged tree or commit: git log cannot show the commit. The blobs are still listed
    /// and scanned; matches no readable commit introduces are reported as unattributed.
    @Test(arguments: ["HEAD^{tree}", "HEAD"], [[String](), ["main"]])
    func historyWithACorruptTreeOrCommitStillReportsEverySecret(_ object: String, _ extra: [String]) throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let first = Tokens.github(seed: 801), second = Tokens.github(seed: 802)
        try repo.commit("one", ["a.txt": "token \(first)\n"])
        try repo.commit("two", ["b.txt": "token \(second)\n"])
        let damaged = try repo.git("rev-parse", object).trimmingCharacters(in: .whitespacesAndNewlines)
        try corrupt(damaged, in: repo, header: true)
        let result = try patrol(["history", "--format", "json", "--show-secrets"] + extra, in: repo.url)
        #expect(result.status == 1, "\(object) \(extra): \(result.stderr)")
        #expect(try secrets(result) == [first, second], "\(object) \(extra): \(result.stdout)")
        #expect(try !errors(result).isEmpty)
    }

    @Test func historyExitsTwoWhenNotOneBlobCanBeRead() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("one", ["a.txt": "token \(Tokens.github(seed: 803))\n" + String(repeating: "filler text line\n", count: 300)])
        let oid = try blob("a.txt", in: repo)
        try corrupt(oid, in: repo, header: false)
        let result = try patrol(["history", "--format", "json"], in: repo.url)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(oid), "\(result.stderr)")
    }
}
