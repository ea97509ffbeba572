import Foundation
import PatrolTestSupport
import Testing

/// What `patrol scan` reads and what it leaves alone: git ignore rules, symlinks, special and
/// odd files. Each case asserts the report, not just the exit code.
@Suite struct FileTreeTests {
    private func report(_ arguments: [String], in folder: TemporaryFolder? = nil) throws -> (RunResult, [String: Any]) {
        let result = try patrol(["scan"] + arguments + ["--format", "json"], in: folder?.url)
        return (result, try result.json())
    }

    private func paths(_ findings: [[String: Any]]) -> [String] {
        findings.compactMap { $0["path"] as? String }
    }

    private func skipped(_ json: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for item in json["skipped"] as? [[String: Any]] ?? [] {
            result[item["path"] as! String] = item["reason"] as? String
        }
        return result
    }

    @Test func untrackedIgnoredFilesAreSkippedButTrackedOnesAreAlwaysScanned() throws {
        let folder = try TemporaryFolder()
        try folder.git("init", "-q")
        try folder.write(".gitignore", ".env\nsecrets/\n")
        try folder.write(".env", "PAT=\(Tokens.cask(seed: 1))\n")                 // ignored, untracked
        try folder.write("committed.env", "PAT=\(Tokens.cask(seed: 2))\n")       // will be tracked despite the pattern below
        try folder.write("secrets/a.txt", "PAT=\(Tokens.cask(seed: 3))\n")       // ignored folder
        try folder.write("src/app.py", "PAT='\(Tokens.cask(seed: 4))'\n")         // untracked, not ignored
        try folder.write(".git/info/exclude", "committed.env\n")
        try folder.git("add", "-f", "committed.env", ".gitignore")

        let (result, _) = try report([folder.path])
        #expect(result.status == 1)
        #expect(paths(try result.findings()) == ["committed.env", "src/app.py"])

        let (_, all) = try report([folder.path, "--no-ignore"])
        #expect(paths(all["findings"] as! [[String: Any]]) == [".env", "committed.env", "secrets/a.txt", "src/app.py"])
    }

    @Test func gitFolderIsNeverScanned() throws {
        let folder = try TemporaryFolder()
        try folder.git("init", "-q")
        try folder.write(".git/config-backup", "url = https://\(Tokens.cask(seed: 5))@dev.azure.com/x\n")
        for options in [[], ["--no-ignore"]] {
            let (result, _) = try report([folder.path] + options)
            #expect(result.status == 0, "\(options): \(result.stdout)")
        }
        // Outside a work tree too.
        let plain = try TemporaryFolder()
        try plain.write(".git/HEAD-copy", Tokens.cask(seed: 6))
        #expect(try patrol(["scan", plain.path]).status == 0)
    }

    @Test func outsideARepositoryEveryFileIsScanned() throws {
        let folder = try TemporaryFolder()
        try folder.write(".gitignore", "*.env\n")
        try folder.write("a.env", Tokens.cask(seed: 7))
        let (_, json) = try report([folder.path])
        #expect(paths(json["findings"] as! [[String: Any]]) == ["a.env"])
    }

    @Test func binaryAndOversizedFilesAreSkippedWithTheirReason() throws {
        let folder = try TemporaryFolder()
        var binary = Data([0x7F, 0x45, 0x4C, 0x46, 0, 0, 1, 0])
        binary.append(Data("pat=\(Tokens.cask(seed: 8))".utf8))
        try folder.write("tool.bin", binary)
        try folder.write("big.txt", String(repeating: "a", count: 5000) + Tokens.cask(seed: 9))
        try folder.write("small.txt", "nothing\n")
        let (result, json) = try report([folder.path, "--max-file-size", "4K"])
        #expect(result.status == 0)
        #expect(skipped(json) == ["tool.bin": "binary", "big.txt": "too-large"])
        #expect((json["stats"] as? [String: Any])?["files"] as? Int == 1)
    }

    @Test func symlinksAreSkippedUnlessFollowedAndLoopsEnd() throws {
        let folder = try TemporaryFolder()
        let outside = try TemporaryFolder()
        try outside.write("real/token.txt", Tokens.cask(seed: 10))
        try folder.write("plain.txt", "hello\n")
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("link").path, withDestinationPath: outside.url.appendingPathComponent("real").path)
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("loop").path, withDestinationPath: folder.path)
        let (plain, plainJSON) = try report([folder.path])
        #expect(plain.status == 0)
        #expect(skipped(plainJSON) == ["link": "symlink", "loop": "symlink"])
        let (followed, followedJSON) = try report([folder.path, "--follow"])
        #expect(followed.status == 1)
        #expect(paths(followedJSON["findings"] as! [[String: Any]]) == ["link/token.txt"])
    }

    @Test func fifosAreSkippedWithoutBlocking() throws {
        let folder = try TemporaryFolder()
        #expect(mkfifo(folder.url.appendingPathComponent("pipe").path, 0o600) == 0)
        try folder.write("x.txt", Tokens.cask(seed: 11))
        let (result, json) = try report([folder.path])
        #expect(result.status == 1)
        #expect(skipped(json) == ["pipe": "not-a-regular-file"])
    }

    @Test func unreadableEntriesAreErrorsAndStrictMakesThemFatal() throws {
        let folder = try TemporaryFolder()
        try folder.write("ok.txt", "fine\n")
        try FileManager.default.createSymbolicLink(atPath: folder.url.appendingPathComponent("dangling").path, withDestinationPath: "/nonexistent/target")
        let (result, json) = try report([folder.path, "--follow"])
        #expect(result.status == 0)
        let errors = json["errors"] as? [[String: Any]] ?? []
        #expect(errors.map { $0["path"] as? String } == ["dangling"])
        #expect(result.stderr.contains("cannot read dangling"))
        #expect(try patrol(["scan", folder.path, "--follow", "--strict"]).status == 2)
        // Findings win over --strict errors.
        try folder.write("x.txt", Tokens.cask(seed: 12))
        #expect(try patrol(["scan", folder.path, "--follow", "--strict"]).status == 1)
    }

    @Test func invalidUTF8AroundATokenDoesNotHideIt() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.legacy(seed: 13)
        var data = Data([0xC3, 0x28, 0xFF, 0xFE, 0x80, 0x0A])       // invalid sequences, then a newline
        data.append(Data("key=".utf8))
        data.append(Data([0xE2, 0x82]))                              // truncated sequence right before the token
        data.append(Data(token.utf8))
        data.append(Data([0xFF, 0x0A]))
        try folder.write("weird.cfg", data)
        let findings = try patrol(["scan", folder.path, "--format", "json"]).findings()
        #expect(findings.count == 1)
        #expect(findings.first?["line"] as? Int == 2)
        #expect(findings.first?["column"] as? Int == 7)
    }

    @Test func utf16FilesAreTranscodedAndScanned() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.cask(seed: 14)
        let text = "# exported\r\n$env:AZURE_DEVOPS_EXT_PAT = \"\(token)\"\r\n"
        var withBOM = Data([0xFF, 0xFE])
        withBOM.append(text.data(using: .utf16LittleEndian)!)
        try folder.write("le-bom.ps1", withBOM)
        try folder.write("be-nobom.ps1", text.data(using: .utf16BigEndian)!)
        let findings = try patrol(["scan", folder.path, "--format", "json", "--show-secrets"]).findings()
        #expect(findings.count == 2)
        for finding in findings {
            #expect(finding["secret"] as? String == token)
            #expect(finding["line"] as? Int == 2)
            #expect(finding["column"] as? Int == 30)
        }
    }

    @Test func aFiftyMegabyteSingleLineIsScannedWithExactColumns() throws {
        let folder = try TemporaryFolder()
        let filler = String(repeating: "aZ9+/", count: 2_000_000)      // 10 MB of base64-ish noise
        var text = ""
        var expected: [Int] = []
        for index in 0..<5 {
            text += filler + " "
            expected.append(text.utf8.count + 1)
            text += Tokens.cask(seed: 300 + UInt64(index)) + " "
        }
        try folder.write("minified.js", text)
        let findings = try patrol(["scan", folder.path, "--format", "json", "--max-file-size", "100M"]).findings()
        #expect(findings.count == 5)
        #expect(findings.compactMap { $0["column"] as? Int } == expected)
        #expect(findings.allSatisfy { $0["line"] as? Int == 1 })
        let snippet = try #require(findings.first?["snippet"] as? String)
        #expect(snippet.utf8.count < 600, "the snippet of a huge line is clipped")
    }

    @Test func twoGigabyteFileIsSkippedUnlessTheLimitIsRaisedThenScannedInBoundedMemory() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("huge.log")
        let size: UInt64 = 2 << 30
        let token = Tokens.cask(seed: 15)
        // Text first (a NUL in the first 8 KiB would make it binary), then a sparse hole.
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data(String(repeating: "log line\n", count: 2000).utf8)))
        let handle = try FileHandle(forWritingTo: file)
        try handle.seek(toOffset: size - 200)
        handle.write(Data("\npat=\(token)\n".utf8))
        try handle.truncate(atOffset: size)
        try handle.close()

        let (skipped, skippedJSON) = try report([folder.path])
        #expect(skipped.status == 0)
        #expect(self.skipped(skippedJSON) == ["huge.log": "too-large"])

        let output = folder.url.appendingPathComponent("report.json")
        let run = try patrol(["scan", folder.path, "--max-file-size", "3G", "--format", "json", "--output", output.path, "--verbose"], in: folder.url)
        #expect(run.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let findings = json["findings"] as! [[String: Any]]
        #expect(findings.count == 1)
        #expect(findings.first?["line"] as? Int == 2002)
        #expect((json["stats"] as? [String: Any])?["bytes"] as? Int == Int(size))
        // patrol reads in 8 MiB chunks. Its own peak, as it reports it (VmHWM): wait4's
        // ru_maxrss would start from this test process's peak, since a posix_spawn child shares
        // the parent's memory until it execs (that read 200 MB here while patrol used 40).
        let line = try #require(run.stderr.split(separator: "\n").first { $0.hasPrefix("patrol: peak memory ") }, "\(run.stderr)")
        let peakMiB = try #require(Int(line.dropFirst("patrol: peak memory ".count).prefix { $0.isNumber }))
        #expect(peakMiB > 0 && peakMiB < 100, "peak memory \(peakMiB) MiB")
    }
}
