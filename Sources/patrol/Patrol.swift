import ArgumentParser
import Foundation
import PatrolKit

/// The `patrol` command: subcommands only, each in its own file.
struct Patrol: ParsableCommand {
    static let version = "0.2.0"

    /// What `--version`, `-V` and `patrol version` print: `patrol 0.2.0 (abc1234)`, the commit
    /// recorded at build time by Plugins/BuildCommit (just `patrol 0.2.0` when it is unknown).
    static let versionLine = "patrol \(version)" + (buildCommit.isEmpty ? "" : " (\(buildCommit))")

    static let configuration = CommandConfiguration(
        commandName: "patrol",
        abstract: "Find committed access tokens — Azure DevOps first — proven offline by their checksums.",
        discussion: """
            Exit codes:
              0  no findings
              1  findings remain after the baseline and allow rules (--exit-code N changes it)
              2  usage or configuration error; the target cannot be scanned at all; with --strict,
                 any file that could not be read (findings win: a run with both exits 1)
            verify and revoke have their own (patrol verify --help, patrol revoke --help).

            patrol --version (or -V, or patrol version) prints the version and the commit.
            Shell completions: patrol --generate-completion-script bash|zsh|fish.
            """,
        version: versionLine,
        subcommands: [ScanCommand.self, HistoryCommand.self, DiffCommand.self, HookCommand.self, BaselineCommand.self, RulesCommand.self, RemediateCommand.self, VerifyCommand.self, RevokeCommand.self, SweepCommand.self, CICommand.self, VersionCommand.self],
        defaultSubcommand: nil
    )
}

extension Patrol {
    /// Arguments that must reach the whole command tree: help, version and completion requests.
    private static let treeArguments: Set<String> = ["-h", "--help", "-help", "help", "--version", "--experimental-dump-help"]

    /// The subcommand named first, parsed as a root of its own. ArgumentParser reflects over the
    /// options of every subcommand on each run, about a third of `patrol`'s start-up, which the
    /// pre-commit hook pays on every commit; `patrol` itself has no options, so parsing only the
    /// named subcommand gives the same values. Nil, and the whole tree parses, for help, version
    /// and completion requests and for anything that fails, so messages are the tree's own.
    static func parseSubcommandAlone() -> (any ParsableCommand)? {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first,
              !arguments.contains(where: { treeArguments.contains($0) || $0.hasPrefix("--generate-completion") }),
              var type = configuration.subcommands.first(where: { $0.configuration.commandName == name })
        else { return nil }
        var rest = arguments.dropFirst()
        // A nested subcommand (`sweep list`) is parsed alone too: `sweep` takes positional
        // repositories, which would otherwise swallow the subcommand's name.
        while let next = rest.first, let nested = type.configuration.subcommands.first(where: { $0.configuration.commandName == next }) {
            type = nested
            rest = rest.dropFirst()
        }
        return try? type.parseAsRoot(Array(rest))
    }
}

/// An error that ends the command with exit code 2 and a message naming what to fix.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }
}

@main
enum PatrolMain {
    static func main() {
        // Writing to a git process that exited, or to a closed pipe, must be an error to handle,
        // not a signal that kills patrol.
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] || arguments == ["-V"] || arguments == ["version"] {
            // What ArgumentParser prints, without building the command tree to print it.
            Terminal.writeStandardOutput(Patrol.versionLine + "\n")
            exit(0)
        }
        do {
            if let request = DiffFastPath.request(from: arguments) {
                let ruleSet = try request.run()
                // Nothing found: end here, without tearing down the rule set on the way out.
                withExtendedLifetime(ruleSet) { exit(0) }
            } else {
                // After the hook's fast path, which never needs it.
                if let message = CommandSuggestion.message(for: arguments, root: Patrol.self) {
                    throw CommandFailure(message)
                }
                var command = try Patrol.parseSubcommandAlone() ?? Patrol.parseAsRoot()
                try command.run()
            }
        } catch let code as ExitCode {
            // Findings (or --strict): the code as it is, without ArgumentParser's error
            // reporting, which would build the whole command tree to print nothing.
            exit(code.rawValue)
        } catch let failure as CommandFailure {
            Terminal.error(failure.description)
            exit(2)
        } catch let error as RuleError {
            Terminal.error(error.description)
            exit(2)
        } catch let error as ScanError {
            Terminal.error(error.description)
            exit(2)
        } catch {
            let code = Patrol.exitCode(for: error)
            if code == .validationFailure {
                // Usage errors exit 2 like every other "could not run" case (DESIGN.md), not 64.
                FileHandle.standardError.write(Data((Patrol.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            Patrol.exit(withError: error)
        }
    }
}

/// Values kept until the process exits: a report of 160,000 findings is about a million
/// objects, and releasing them one by one on the way out took 3 % of such a scan. The kernel
/// takes the whole heap back at once.
enum KeptUntilExit {
    nonisolated(unsafe) private static var values: [Any] = []

    /// Keeps `value` (call from the main thread only).
    static func keep(_ value: Any) {
        values.append(value)
    }
}
