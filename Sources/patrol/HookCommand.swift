import ArgumentParser
import Foundation
import PatrolKit

/// `patrol hook install | uninstall`: the git hooks that run patrol before a commit or a push.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Install or remove the git pre-commit (or pre-push) hook.",
        subcommands: [Install.self, Uninstall.self]
    )

    /// Marks hooks patrol wrote, so it never removes or overwrites someone else's.
    static let marker = "# patrol-hook:"

    struct Target: ParsableArguments {
        @Flag(help: "The pre-push hook (scans the commits being pushed) instead of pre-commit.")
        var prePush = false

        @Option(name: .customLong("repository"), help: ArgumentHelp("The repository (default: the current folder).", valueName: "path"))
        var repository = "."

        var name: String { prePush ? "pre-push" : "pre-commit" }

        /// The hook file, honouring core.hooksPath (git resolves it).
        func hookFile() throws -> URL {
            let output = try runGit(["rev-parse", "--git-path", "hooks/" + name])
            let url = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: repository, isDirectory: true))
            return url.standardizedFileURL
        }

        func runGit(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", repository] + arguments
            let output = Pipe()
            let error = Pipe()
            process.standardOutput = output
            process.standardError = error
            do {
                try process.run()
            } catch {
                throw CommandFailure("cannot run git: \(error.localizedDescription)")
            }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let message = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw CommandFailure(process.terminationStatus == 127 ? "git was not found on PATH" : "\(repository): \(text)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install the hook (honours core.hooksPath).",
            discussion: "The pre-commit hook runs 'patrol diff --staged'; the pre-push hook runs 'patrol ci --pre-push REMOTE' over what each pushed ref adds (remote..local, or for a new branch what no remote-tracking branch has). A hook that patrol did not write is left alone unless --force."
        )
        @OptionGroup var target: Target
        @Flag(help: "Replace an existing hook that patrol did not write.") var force = false

        func run() throws {
            let file = try target.hookFile()
            if let existing = try? String(contentsOf: file, encoding: .utf8), !existing.contains(HookCommand.marker), !force {
                throw CommandFailure("\(file.path) exists and was not written by patrol; pass --force to replace it (or call patrol from it yourself)")
            }
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let script = target.prePush ? HookScripts.prePush(binary: Self.binaryPath()) : HookScripts.preCommit(binary: Self.binaryPath())
            do {
                try Data(script.utf8).write(to: file)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
            } catch {
                throw CommandFailure("cannot write \(file.path): \(error.localizedDescription)")
            }
            print("installed the \(target.name) hook: \(file.path)")
        }

        /// This executable's absolute path, so the hook works without patrol on PATH.
        static func binaryPath() -> String {
            let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            return path == "/proc/self/exe" ? CommandLine.arguments[0] : path
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove the hook, if patrol wrote it.")
        @OptionGroup var target: Target

        func run() throws {
            let file = try target.hookFile()
            guard let existing = try? String(contentsOf: file, encoding: .utf8) else {
                print("no \(target.name) hook to remove")
                return
            }
            guard existing.contains(HookCommand.marker) else {
                throw CommandFailure("\(file.path) was not written by patrol; leaving it alone")
            }
            try FileManager.default.removeItem(at: file)
            print("removed the \(target.name) hook: \(file.path)")
        }
    }
}

/// The hook scripts. They fail loudly when patrol cannot run: a hook that silently scans
/// nothing is worse than none.
enum HookScripts {
    static func preCommit(binary: String) -> String {
        """
        #!/bin/sh
        \(HookCommand.marker) pre-commit, written by 'patrol hook install'; remove with 'patrol hook uninstall'.
        # Scans the lines this commit adds (also with 'git commit -a'). Bypass once: git commit --no-verify
        patrol_bin=\(shellQuoted(binary))
        [ -x "$patrol_bin" ] || patrol_bin=patrol
        exec "$patrol_bin" diff --staged

        """
    }

    static func prePush(binary: String) -> String {
        """
        #!/bin/sh
        \(HookCommand.marker) pre-push, written by 'patrol hook install --pre-push'; remove with 'patrol hook uninstall --pre-push'.
        # Scans what each pushed ref adds: what the remote's old tip lacks, or for a new branch what no
        # branch of the remote has (patrol ci reads git's list of refs). Bypass once: git push --no-verify
        patrol_bin=\(shellQuoted(binary))
        [ -x "$patrol_bin" ] || patrol_bin=patrol
        exec "$patrol_bin" ci --pre-push "$1"

        """
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
