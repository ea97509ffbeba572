import Foundation
import Testing

/// `patrol verify` on a history report whose secrets are in a commit message and a tag message
/// (`path: null`), checked against the providers on the local server.
@Suite struct MetadataReportTests {
    private func git(_ arguments: String..., in folder: ScratchFolder) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"] + arguments
        process.currentDirectoryURL = folder.url.appendingPathComponent("repo")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "git \(arguments)")
    }

    @Test func verifyFindsRedactedSecretsAgainInTheirCommitAndTagMessagesAndKeepsTheirLocation() throws {
        let folder = try ScratchFolder()
        let inMessage = Secrets.gitLab(seed: 1601), inTag = Secrets.gitLab(seed: 1602)
        try folder.write("repo/README.md", "hello\n")
        try git("init", "-q", in: folder)
        try git("add", "-A", in: folder)
        try git("commit", "-q", "-m", "deploy\n\nGITLAB_TOKEN=\(inMessage)", in: folder)
        try git("tag", "-a", "v1", "-m", "release with \(inTag)", in: folder)
        let history = try PatrolProcess.run(["history", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(history.status == 1, "\(history.stderr)")
        let report = folder.read("report.json")
        #expect(!report.contains(inMessage) && !report.contains(inTag))

        let fake = try FakeProviders()
        fake.makeLive(inMessage)
        let result = try PatrolProcess.run(["verify", "report.json", "--format", "json", "--audit-log", "audit.jsonl"], in: folder.url, environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try #require(result.json?["findings"] as? [[String: Any]])
        let byLocation = Dictionary(findings.map { ($0["location"] as? String ?? "file", $0) }) { first, _ in first }
        #expect(byLocation["commit-message"]?["verified"] as? Bool == true, "\(findings)")
        #expect(byLocation["tag-message"]?["verified"] as? Bool == false, "\(findings)")
        #expect(byLocation["tag-message"]?["tag"] as? String == "v1")
        #expect(findings.allSatisfy { $0["path"] is NSNull })
        #expect(Set(fake.requests.compactMap { $0.header("PRIVATE-TOKEN") }) == [inMessage, inTag])
        #expect(!result.stdout.contains(inMessage) && !result.stderr.contains(inTag))
    }

    @Test func verifyFindsARedactedSecretAgainInANoteUnderAnyNotesRef() throws {
        let folder = try ScratchFolder()
        let inNote = Secrets.gitLab(seed: 1611)
        try folder.write("repo/README.md", "hello\n")
        try git("init", "-q", in: folder)
        try git("add", "-A", in: folder)
        try git("commit", "-q", "-m", "start", in: folder)
        try git("notes", "--ref=deploy", "add", "-m", "GITLAB_TOKEN=\(inNote)", "HEAD", in: folder)
        let history = try PatrolProcess.run(["history", "repo", "--format", "json", "-o", "report.json"], in: folder.url)
        #expect(history.status == 1, "\(history.stderr)")
        #expect(!folder.read("report.json").contains(inNote))

        let fake = try FakeProviders()
        fake.makeLive(inNote)
        let result = try PatrolProcess.run(["verify", "report.json", "--format", "json", "--audit-log", "audit.jsonl", "--no-access-map"], in: folder.url, environment: fake.environment)
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try #require(result.json?["findings"] as? [[String: Any]])
        #expect(findings.count == 1 && findings[0]["location"] as? String == "note", "\(findings)")
        #expect(findings.first?["verified"] as? Bool == true, "\(result.stderr)")
        #expect(fake.requests.compactMap { $0.header("PRIVATE-TOKEN") } == [inNote])
    }
}
