import Foundation
import Testing

/// The built `patrol` executable, run as a user would (end-to-end tests).
enum PatrolProcess {
    static let url: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("patrol")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/patrol")
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] }
    }

    /// Runs patrol with a clean HOME (so no audit log lands in the real one) and the given variables.
    static func run(_ arguments: [String], in folder: URL, stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("PATROL_") || key.hasPrefix("AZURE_DEVOPS_") || key == "XDG_STATE_HOME" { env[key] = nil }
        env["NO_COLOR"] = "1"
        env["HOME"] = folder.appendingPathComponent("home").path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = Pipe(), error = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        let box = ErrorBox()
        let group = DispatchGroup()
        group.enter()
        let errorHandle = error.fileHandleForReading
        DispatchQueue.global().async {
            box.data = errorHandle.readDataToEndOfFile()
            group.leave()
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: box.data, as: UTF8.self))
    }

    private final class ErrorBox: @unchecked Sendable {
        // Written once before the group is left, read after waiting on it.
        var data = Data()
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
