import ArgumentParser
import Foundation
import PatrolKit
import PatrolRevoke

/// `patrol revoke [REPORT]`: revokes a JSON report's secrets through their providers' APIs.
/// Without `--yes` it is a dry run (at a terminal, it asks for each token).
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a JSON report's secrets through the providers' APIs (a dry run without --yes).",
        discussion: """
            Each token is first checked (a token that no longer works is 'already-invalid'), then \
            revoked: GitHub through the credential revocation API (no sign-in; batches of up to \
            1,000), GitLab and Slack with the leaked token itself, Azure DevOps as its owner (a \
            Microsoft Entra token: --entra-token or AZURE_DEVOPS_ENTRA_TOKEN, from 'az account \
            get-access-token --resource 499b84ac-1321-427f-aa17-267ca6975798') or, with --admin, \
            as an organisation administrator (the same Entra token, or AZURE_DEVOPS_ADMIN_PAT).

            Without --yes nothing is revoked: the checks run and the revoking calls are listed \
            (method, host, path; never a token). At a terminal, it asks for each token instead.

            Outcomes: revoked, already-invalid, not-supported (the provider's manual steps are \
            shown), needs-choice (several Azure DevOps tokens fit: pick one with \
            --authorization-id), failed (with the HTTP status and the provider's message), dry-run, \
            declined. Every outcome is appended to the audit log (never the secret).

            Exit codes:
              0  every token was revoked or was already invalid
              1  at least one token was not revoked (including a dry run that would revoke one)
              2  usage error; unreadable report; a redacted secret that cannot be found again
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Argument(help: ArgumentHelp("A JSON report (--format json), JSON Lines (--format jsonl) or patrol sweep output; '-' reads standard input.", valueName: "report"))
    var report: String = "-"

    @Flag(name: [.short, .long], help: "Revoke. Without it, a dry run (at a terminal: a question for each token).")
    var yes = false

    @Flag(help: "Azure DevOps: revoke as an organisation administrator (token administration API) instead of as the owner.")
    var admin = false

    @Option(help: ArgumentHelp("Azure DevOps: a Microsoft Entra access token (default: AZURE_DEVOPS_ENTRA_TOKEN). Prefer the variable: arguments are visible to other users.", valueName: "token"))
    var entraToken: String?

    @Option(help: ArgumentHelp("Azure DevOps: when several of the owner's tokens fit, revoke this one (repeatable: one per leaked token).", valueName: "id"))
    var authorizationId: [String] = []

    @Option(help: ArgumentHelp("Revoke only the finding with this fingerprint (repeatable).", valueName: "fingerprint"))
    var fingerprint: [String] = []

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the results to FILE instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors.")
    var quiet = false

    @OptionGroup var calls: ProviderCallOptions

    func run() throws {
        let selected = Set(fingerprint)
        let input = try TokenReport.load(report, command: "revoke", ruleDirectories: calls.ruleDirectories, for: .revoke)
        input.close()   // revoke needs only the tokens
        let tokens = input.tokens.filter { selected.isEmpty || selected.contains($0.fingerprint) }
        if !selected.isEmpty, let unknown = selected.first(where: { wanted in !tokens.contains { $0.fingerprint == wanted } }) {
            throw CommandFailure("--fingerprint \(unknown): no finding of the report has it")
        }
        let environment = ProcessInfo.processInfo.environment
        let settings = RevokeSettings(
            azureDevOpsOrganization: calls.org,
            entraToken: entraToken ?? environment["AZURE_DEVOPS_ENTRA_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            adminPAT: environment["AZURE_DEVOPS_ADMIN_PAT"].flatMap { $0.isEmpty ? nil : $0 },
            asAdministrator: admin,
            authorizationIds: Set(authorizationId)
        )
        let revoker = Revoker(access: try calls.access(settings: settings))
        let mode: Revoker.Mode
        if yes {
            mode = .revoke
        } else if let terminal = TerminalQuestion.open() {
            mode = .confirm { proposal in terminal.ask(RevocationText.question(proposal)) }
        } else {
            mode = .dryRun
        }
        let results = AsyncBridge.run { await revoker.revoke(tokens, mode: mode) }

        let isDryRun: Bool
        if case .dryRun = mode { isDryRun = true } else { isDryRun = false }
        let text = format == .json ? RevocationText.json(results, dryRun: isDryRun) : RevocationText.render(results)
        try Terminal.write(text, to: output)
        let now = Date()
        try calls.record(results.map {
            AuditLog.Entry(time: now, provider: $0.token.provider, fingerprint: $0.token.fingerprint, action: "revoke", outcome: $0.outcome.rawValue, status: $0.status)
        })
        if !quiet {
            var counts: [String] = []
            for outcome in Revocation.Outcome.allCases {
                let count = results.filter { $0.outcome == outcome }.count
                if count > 0 { counts.append("\(count) \(outcome.rawValue)") }
            }
            Terminal.note("patrol: \(results.count) token\(results.count == 1 ? "" : "s")" + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", ")))
            if results.contains(where: { $0.outcome == .dryRun }) {
                Terminal.note("patrol: dry run: nothing was revoked; run again with --yes to send the calls listed")
            }
        }
        if results.contains(where: { !$0.isSettled }) { throw ExitCode(1) }
    }
}

/// Asks yes/no questions on the controlling terminal, which stays free when the report comes
/// through standard input (`patrol scan … | patrol revoke -`).
final class TerminalQuestion: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Only when standard error is a terminal (a person is watching) and one can be opened.
    static func open() -> TerminalQuestion? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        let descriptor = Glibc.open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        return TerminalQuestion(descriptor: descriptor)
    }

    func ask(_ question: String) -> Bool {
        let prompt = Array((question + " [y/N] ").utf8)
        _ = prompt.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") { answer.append(byte) }
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return text == "y" || text == "yes"
    }
}
