import Foundation
import Testing

/// `patrol revoke` at an interactive terminal: util-linux `script` gives it a pseudo-terminal,
/// and the answers are typed on it.
@Suite struct TerminalTests {
    static let script = "/usr/bin/script"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script)))
    func atATerminalRevokeAsksForEachTokenAndRevokesOnlyWhatIsConfirmed() throws {
        let folder = try ScratchFolder()
        let first = Secrets.gitLab(seed: 900), second = Secrets.gitLab(seed: 901)
        try folder.write("repo/ci.env", "GITLAB_TOKEN=\(first)\nDEPLOY_TOKEN=\(second)\n")
        let scan = try PatrolProcess.run(["scan", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let fake = try FakeProviders()
        fake.makeLive(first, second)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.script)
        let command = "'\(PatrolProcess.url.path)' revoke report.json --audit-log audit.jsonl"
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = folder.url
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in fake.environment { environment[key] = value }
        environment["HOME"] = folder.path("home")
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data("y\nn\n".utf8))
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()

        #expect(process.terminationStatus == 1, "\(text)")
        #expect(text.components(separatedBy: "[y/N]").count == 3, "\(text)")
        #expect(text.contains("Revoke GitLab gitlab-pat-routable"), "\(text)")
        #expect(text.contains("revoked  gitlab-pat-routable"), "\(text)")
        #expect(text.contains("declined  gitlab-pat-routable"), "\(text)")
        #expect(fake.revokingRequests.map { $0.header("PRIVATE-TOKEN") } == [first])
        #expect(!text.contains(first) && !text.contains(second))
    }
}
