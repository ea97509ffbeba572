import ArgumentParser
import Foundation
import PatrolKit

/// The `patrol` command: subcommands only, each in its own file.
struct Patrol: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "patrol",
        abstract: "Find committed access tokens — Azure DevOps first — proven offline by their checksums.",
        discussion: """
            Exit codes:
              0  no findings
              1  findings remain after the baseline and allow rules (--exit-code N changes it)
              2  usage or configuration error; the target cannot be scanned at all; with --strict,
                 any file that could not be read (findings win: a run with both exits 1)
            """,
        version: version,
        subcommands: [ScanCommand.self, HistoryCommand.self, DiffCommand.self, HookCommand.self, BaselineCommand.self, RulesCommand.self, RemediateCommand.self, SweepCommand.self],
        defaultSubcommand: nil
    )
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
        do {
            var command = try Patrol.parseAsRoot()
            try command.run()
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
