import Foundation

/// The built `patrol` executable: next to the test bundle (SwiftPM builds every product before
/// the tests), or `.build/debug/patrol` from the package root. Shared by the end-to-end tests of
/// every test target, which run the binary as a user would.
public enum PatrolBinary {
    public static let url: URL = {
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBundle.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("patrol")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/patrol")
    }()

    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// What one run of an executable printed, and how it ended.
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs `executable` with `arguments` in `folder`, with exactly `environment`, feeding `stdin`
/// (none: /dev/null). Standard error is drained on another thread so neither pipe can fill up.
public func runProcess(_ executable: URL, _ arguments: [String], in folder: URL?, stdin: Data?, environment: [String: String]) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    process.environment = environment
    let output = Pipe(), error = Pipe(), input = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    }
    let box = DataBox()
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
    return ProcessOutput(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: box.data, as: UTF8.self))
}

private final class DataBox: @unchecked Sendable {
    // Written once before the group is left, read after waiting on it: ordered by the group.
    var data = Data()
}
