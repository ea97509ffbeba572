import Foundation
import PatrolTestSupport
import Testing
@testable import PatrolKit

/// The result of one run of the binary.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Parses stdout as a JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        return try #require(object as? [String: Any], "stdout is not a JSON object: \(stdout)")
    }

    func findings() throws -> [[String: Any]] {
        try #require(try json()["findings"] as? [[String: Any]])
    }
}

/// Runs `patrol` with arguments, in a folder, with optional standard input.
@discardableResult
func patrol(_ arguments: [String], in folder: URL? = nil, stdin: Data? = nil, environment: [String: String] = [:], executable: URL = PatrolBinary.url) throws -> RunResult {
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for (key, value) in environment { env[key] = value }
    let run = try runProcess(executable, arguments, in: folder, stdin: stdin, environment: env)
    return RunResult(status: run.status, stdout: run.stdout, stderr: run.stderr)
}

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var path: String { url.path }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> URL {
        try write(relative, Data(text.utf8))
    }

    @discardableResult
    func write(_ relative: String, _ data: Data) throws -> URL {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file
    }

    /// Runs git in this folder; fails the test if git fails.
    @discardableResult
    func git(_ arguments: String...) throws -> String {
        try git(arguments)
    }

    @discardableResult
    func git(_ arguments: [String], in subfolder: String? = nil, expectSuccess: Bool = true) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "protocol.file.allow=always"] + arguments
        process.currentDirectoryURL = subfolder.map { url.appendingPathComponent($0) } ?? url
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_AUTHOR_NAME"] = "Test"
        environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test"
        environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if expectSuccess {
            #expect(process.terminationStatus == 0, "git \(arguments.joined(separator: " ")) failed: \(text)")
        } else {
            lastGitStatus = process.terminationStatus
        }
        return text
    }

    /// The exit status of the last `git(…, expectSuccess: false)`.
    var lastGitStatus: Int32 = 0

    /// Writes files (nil deletes one), stages everything and commits; returns the commit id.
    @discardableResult
    func commit(_ message: String, _ files: [String: String?] = [:]) throws -> String {
        for (path, text) in files {
            if let text {
                try write(path, text)
            } else {
                try FileManager.default.removeItem(at: url.appendingPathComponent(path))
            }
        }
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Synthetic tokens with valid checksums, made fresh for each test (never committed whole).
enum Tokens {
    static func cask(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return AzureDevOpsCaskChecksum.generate(using: &rng)
    }

    static func legacy(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return AzureDevOpsLegacyChecksum.generate(using: &rng)
    }

    static func badCask(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return Validator.builtIn["azure-devops-cask"]!.generateCorrupted(using: &rng)!
    }

    static func badLegacy(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return Validator.builtIn["azure-devops-legacy"]!.generateCorrupted(using: &rng)!
    }

    /// A random value that the generic heuristic reports (24 to 40 base62 characters).
    static func generic(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return GenericSecret.generate(using: &rng)
    }

    /// A token of a rule without a checksum, expanded from the rule's first example that is a
    /// bare token (`hf_{{base62:34}}`).
    static func example(rule: String, seed: UInt64) -> String {
        let ruleSet = try! RuleLoader.load()
        let template = ruleSet.rule(id: rule)!.examples.first { !$0.contains("=") && !$0.contains(" ") }!
        return RuleExamples.expand(template, rule: rule, in: ruleSet, seed: seed)!.text
    }

    static func github(seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return Validator.builtIn["github-ghp-crc32"]!.generate(&rng)
    }
}

/// A custom rule file: provider `acme`, rule `acme-key` (`acme_` + 12 characters), for tests of
/// `--rules` and `rules.extra`. `ruleLines` are added to the rule (e.g. a `paths:` filter).
func acmeRuleFile(adding ruleLines: [String] = []) -> String {
    let extra = ruleLines.map { "    \($0)\n" }.joined()
    return """
        provider: {id: acme, name: Acme}
        rules:
          - id: acme-key
            name: Acme key
            regex: '(?<secret>acme_[A-Za-z0-9]{12})'
            keywords: [acme_]
            entropy: 3.0
            confidence: medium

        """ + extra + """
            examples: ["key = acme_Q8vX2mLp0RtZ"]
            negative-examples: ["key = acme_aaaaaaaaaaaa"]
        """
}
