import Foundation
import Testing

/// A report that holds secrets in clear (`--show-secrets`) is private: created mode 0600, and
/// an existing file is tightened to 0600 before it is written. Reports without secrets keep
/// the usual mode.
@Suite struct ReportFileModeTests {
    private func mode(_ path: String) -> mode_t {
        var status = stat()
        guard stat(path, &status) == 0 else { return 0o7777 }
        return status.st_mode & 0o777
    }

    /// A git repository with one committed and one staged token, and a report file written
    /// world-readable beforehand.
    private func workspace(seed: UInt64) throws -> (folder: TemporaryFolder, token: String) {
        let folder = try TemporaryFolder()
        try folder.git("init", "-q")
        try folder.commit("start", ["README.md": "hello\n"])
        let token = Tokens.cask(seed: seed)
        try folder.commit("leak", ["config/app.env": "PAT=\(token)\n"])
        try folder.write("staged.env", "PAT=\(Tokens.cask(seed: seed + 1))\n")
        try folder.git("add", "staged.env")
        return (folder, token)
    }

    private func worldReadable(_ path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: Data("old report\n".utf8))
        #expect(chmod(path, 0o644) == 0)
    }

    @Test(arguments: [["scan", "."], ["history", "."], ["diff", "--staged"]])
    func aReportWithSecretsIsCreatedPrivateAndAnExistingOneIsTightened(command: [String]) throws {
        let (folder, _) = try workspace(seed: 1_100)
        let fresh = folder.url.appendingPathComponent("../\(folder.url.lastPathComponent)-fresh.json").standardized.path
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        let created = try patrol(command + ["--format", "json", "--show-secrets", "-o", fresh], in: folder.url)
        #expect(created.status == 1, "\(command): \(created.stderr)")
        #expect(mode(fresh) == 0o600, "\(command) created \(fresh) with mode \(String(mode(fresh), radix: 8))")

        let existing = folder.url.appendingPathComponent("report.json").path
        try worldReadable(existing)
        let overwritten = try patrol(command + ["--format", "json", "--show-secrets", "-o", existing], in: folder.url)
        #expect(overwritten.status == 1, "\(command): \(overwritten.stderr)")
        #expect(mode(existing) == 0o600, "\(command) left \(existing) with mode \(String(mode(existing), radix: 8))")
        #expect(FileManager.default.contents(atPath: existing).map { String(decoding: $0, as: UTF8.self) }?.contains("\"findings\"") == true)

        // Redacted: no secret in it, so the usual mode is kept.
        let redacted = folder.url.appendingPathComponent("redacted.json").path
        try worldReadable(redacted)
        #expect(try patrol(command + ["--format", "json", "-o", redacted], in: folder.url).status == 1)
        #expect(mode(redacted) == 0o644)
    }

    @Test func sweepOutputWithSecretsIsTightenedToo() throws {
        let (folder, _) = try workspace(seed: 1_200)
        let output = folder.url.appendingPathComponent("sweep.jsonl").path
        try worldReadable(output)
        let result = try patrol(["sweep", "--cache", folder.url.appendingPathComponent("cache.sqlite").path, "--show-secrets", "-o", output, folder.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(mode(output) == 0o600)
        #expect(mode(folder.url.appendingPathComponent("cache.sqlite").path) == 0o600)
    }

    @Test func verifyWritingSecretsBackAndRemediatesReplacementsFileArePrivate() throws {
        let (folder, _) = try workspace(seed: 1_300)
        let report = try patrol(["scan", ".", "--format", "json", "--show-secrets", "-o", "report.json"], in: folder.url)
        #expect(report.status == 1, "\(report.stderr)")

        // A closed port: verify gets no answer (no traffic leaves the machine) and still writes the report.
        let closed = try closedPort()
        let verified = folder.url.appendingPathComponent("verified.json").path
        try worldReadable(verified)
        let verify = try patrol(["verify", "report.json", "--format", "json", "--show-secrets", "-o", verified, "--audit-log", "audit.jsonl", "--org", "contoso", "--timeout", "2"],
                                in: folder.url, environment: ["PATROL_AZURE_DEVOPS_URL": "http://127.0.0.1:\(closed)", "HOME": folder.path])
        #expect(verify.status == 2, "\(verify.stderr)")
        #expect(mode(verified) == 0o600)
        #expect(mode(folder.url.appendingPathComponent("audit.jsonl").path) == 0o600)

        let replacements = folder.url.appendingPathComponent("../\(folder.url.lastPathComponent)-replacements.txt").standardized.path
        defer { try? FileManager.default.removeItem(atPath: replacements) }
        try worldReadable(replacements)
        let remediate = try patrol(["remediate", "report.json", "--replace-file", replacements, "-o", "plan.md"], in: folder.url)
        #expect(remediate.status == 0, "\(remediate.stderr)")
        #expect(mode(replacements) == 0o600)
    }

    @Test func aDeviceIsWrittenAsItIsNotMadePrivate() throws {
        let (folder, _) = try workspace(seed: 1_400)
        let before = mode("/dev/null")
        let result = try patrol(["scan", ".", "--show-secrets", "-o", "/dev/null"], in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(mode("/dev/null") == before)
    }

    /// A port nothing listens on: bound, then closed.
    private func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
