import Foundation
import PatrolTestSupport
import Testing

/// The built `patrol` executable, run as a user would (end-to-end tests).
enum PatrolProcess {
    static var url: URL { PatrolBinary.url }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] }
    }

    /// Runs patrol with a clean HOME (so no audit log lands in the real one) and the given variables.
    static func run(_ arguments: [String], in folder: URL, stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("PATROL_") || key.hasPrefix("AZURE_DEVOPS_") || key == "XDG_STATE_HOME" { env[key] = nil }
        env["NO_COLOR"] = "1"
        env["HOME"] = folder.appendingPathComponent("home").path
        for (key, value) in environment { env[key] = value }
        let run = try runProcess(url, arguments, in: folder, stdin: stdin, environment: env)
        return Result(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }
}

/// A temporary folder removed when the test ends.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-revoke-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func read(_ relative: String) -> String {
        FileManager.default.contents(atPath: path(relative)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
