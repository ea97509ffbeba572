import Foundation
import Testing
@testable import PatrolKit

/// The command line's manners: the version and its commit, "did you mean", progress flags on
/// every command that shows progress, and shell completions, all through the built binary.
@Suite struct CommandLinePolishTests {
    /// The package's own folder (this file is Tests/patrolTests/…).
    private static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func versionFlagsAndCommandPrintTheVersionAndTheCommitBuiltFrom() throws {
        let long = try patrol(["--version"])
        let short = try patrol(["-V"])
        let command = try patrol(["version"])
        for run in [long, short, command] {
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.isEmpty, "\(run.stderr)")
        }
        #expect(short.stdout == long.stdout)
        #expect(command.stdout == long.stdout)
        let line = long.stdout.trimmingCharacters(in: .newlines)
        let parts = line.split(separator: " ")
        #expect(parts.count == 3 && parts[0] == "patrol", "\(line)")
        // The number is the one the reports carry.
        let folder = try TemporaryFolder()
        try folder.write("notes.txt", "nothing here\n")
        let report = try patrol(["scan", folder.path, "--format", "json"]).json()
        #expect(String(parts[1]) == (report["tool"] as? [String: Any])?["version"] as? String, "\(line)")
        // The commit is a commit of this package's repository (built from a git clone).
        let commit = String(parts.count == 3 ? parts[2] : "").trimmingCharacters(in: CharacterSet(charactersIn: "()"))
        #expect(commit.count >= 7 && commit.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(line)")
        let check = try runGit(["cat-file", "-e", "\(commit)^{commit}"], in: Self.packageRoot)
        #expect(check == 0, "\(commit) is not a commit of \(Self.packageRoot.path)")
    }

    @Test(arguments: [
        (["scna"], "unknown command 'scna' for 'patrol'; did you mean 'scan'?"),
        (["hstory", "."], "unknown command 'hstory' for 'patrol'; did you mean 'history'?"),
        (["dif", "--staged"], "unknown command 'dif' for 'patrol'; did you mean 'diff'?"),
        (["verison"], "unknown command 'verison' for 'patrol'; did you mean 'version'?"),
        (["rules", "lsit"], "unknown command 'lsit' for 'patrol rules'; did you mean 'list'?"),
        (["baseline", "craete"], "unknown command 'craete' for 'patrol baseline'; did you mean 'create'?"),
        (["hook", "instal"], "unknown command 'instal' for 'patrol hook'; did you mean 'install'?"),
    ])
    func aMistypedCommandSuggestsTheNearestAndExitsTwo(arguments: [String], message: String) throws {
        let run = try patrol(arguments)
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "patrol: error: \(message)\n", "\(arguments)")
    }

    @Test func aCommandFarFromEveryNameListsTheCommands() throws {
        let run = try patrol(["frobnicate"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("unknown command 'frobnicate' for 'patrol' (commands: scan, history, diff,"), "\(run.stderr)")
        #expect(run.stderr.contains("see 'patrol --help'"), "\(run.stderr)")
    }

    @Test func anArgumentOfAKnownCommandIsNeverTakenForACommand() throws {
        // `scna` here is a path to scan, not a command: the scan reports the missing path.
        let folder = try TemporaryFolder()
        let run = try patrol(["scan", "scna"], in: folder.url)
        #expect(run.status == 2)
        #expect(!run.stderr.contains("did you mean"), "\(run.stderr)")
        #expect(try patrol(["rules", "show", "github-pat"]).status == 0)
    }

    @Test(arguments: ["--no-progress", "--progress"])
    func everyCommandThatShowsProgressAcceptsTheProgressFlags(flag: String) throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("first", ["README.md": "hello\n"])
        let files = repo.url.appendingPathComponent("baseline-files.json").path
        let blobs = repo.url.appendingPathComponent("baseline-history.json").path
        let commands: [[String]] = [
            ["scan", repo.path],
            ["history", repo.path],
            ["baseline", "create", repo.path, "--output", files],
            ["baseline", "update", repo.path, "--output", files],
            ["baseline", "create", repo.path, "--history", "--output", blobs],
            ["baseline", "update", repo.path, "--history", "--output", blobs],
        ]
        for command in commands {
            let run = try patrol(command + [flag])
            #expect(run.status == 0, "\(command + [flag]): \(run.stderr)")
            // Under a second: no progress line is drawn even with --progress.
            #expect(!run.stderr.contains("patrol: reading"), "\(command + [flag]): \(run.stderr)")
        }
    }

    @Test(arguments: [
        ("bash", "-F _patrol patrol"),
        ("zsh", "#compdef patrol"),
        ("fish", "complete -c 'patrol'"),
    ])
    func completionScriptsCoverEveryCommand(shell: String, marker: String) throws {
        let run = try patrol(["--generate-completion-script", shell])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(marker), "\(shell): \(run.stdout.prefix(300))")
        for command in ["scan", "history", "diff", "sweep", "verify", "revoke", "remediate", "baseline", "hook", "rules", "version"] {
            #expect(run.stdout.contains(command), "\(shell) completion lacks \(command)")
        }
        #expect(run.stdout.contains("no-progress"), "\(shell) completion lacks no-progress")
    }

    @Test func helpNamesTheVersionFlagsAndTheCompletionScripts() throws {
        let run = try patrol(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("-V"), "\(run.stdout)")
        #expect(run.stdout.contains("--generate-completion-script bash|zsh|fish"), "\(run.stdout)")
    }

    private func runGit(_ arguments: [String], in folder: URL) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
