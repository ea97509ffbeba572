import ArgumentParser

/// `patrol version` (also `patrol --version` and `patrol -V`): the version and the commit built from.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version and the commit patrol was built from (also --version, -V)."
    )

    func run() {
        Terminal.writeStandardOutput(Patrol.versionLine + "\n")
    }
}
