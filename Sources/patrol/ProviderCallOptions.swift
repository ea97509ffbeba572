import ArgumentParser
import Foundation
import PatrolKit
import PatrolRevoke

/// Options of `verify` and `revoke`: how to reach the providers, and where to log.
struct ProviderCallOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to wait for each answer.", valueName: "seconds"))
    var timeout: Double = 20

    @Option(help: ArgumentHelp("Seconds before the first retry of a 429 or 5xx answer that names no Retry-After; doubled for each retry (at most 3).", valueName: "seconds"))
    var backoff: Double = 1

    @Option(help: ArgumentHelp("The Azure DevOps organisation of tokens found with no dev.azure.com/ORG or ORG.visualstudio.com near them.", valueName: "org"))
    var org: String?

    @Option(help: ArgumentHelp("Append each action to this JSON Lines file (default: ~/.local/state/patrol/audit.jsonl).", valueName: "file"))
    var auditLog: String?

    @Option(name: .customLong("rules"), help: ArgumentHelp("A folder of extra rule files (for findings of rules that are not built in).", valueName: "dir"))
    var ruleDirectories: [String] = []

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard backoff >= 0, backoff.isFinite else { throw ValidationError("--backoff must be zero or more seconds") }
    }

    func access(settings: RevokeSettings) throws -> ProviderAccess {
        let endpoints: ProviderEndpoints
        do {
            endpoints = try ProviderEndpoints.from(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure(error.description)
        }
        return ProviderAccess(endpoints: endpoints, timeout: timeout, retry: RetryPolicy(maxRetries: 3, initialBackoff: backoff),
                              userAgent: "patrol/\(Patrol.version)", settings: settings)
    }

    var auditLogPath: String { auditLog ?? AuditLog.defaultPath(environment: ProcessInfo.processInfo.environment) }

    /// Appends to the audit log; a log that cannot be written is an error (exit 2) after the
    /// results are shown, since the actions happened.
    func record(_ entries: [AuditLog.Entry]) throws {
        do {
            try AuditLog(path: auditLogPath).append(entries)
        } catch {
            throw CommandFailure(error.description)
        }
    }
}

/// A report read for `verify` or `revoke`: its findings, and one token per distinct secret
/// with the real secret (recovered when the report was redacted).
struct TokenReport {
    let report: LeakReport
    let ruleSet: RuleSet
    let secrets: [String: String]
    let tokens: [LeakedToken]

    /// Reads the report; `needsSecret` says which providers' tokens must be sent, so only their
    /// secrets must be recovered. A secret that cannot be recovered ends the command (exit 2).
    static func load(_ path: String, command: String, ruleDirectories: [String], needsSecret: (Provider?, _ rule: String) -> Bool) throws -> TokenReport {
        let source = path == "-" ? "<stdin>" : path
        let bytes: [UInt8]
        if path == "-" {
            if isatty(STDIN_FILENO) == 1 {
                throw CommandFailure("no report: name a JSON report ('patrol \(command) report.json') or pipe one in ('patrol scan --format json --show-secrets | patrol \(command) -')")
            }
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("\(path): cannot read the report (no such file, or not readable)")
            }
            bytes = Array(data)
        }
        let report: LeakReport
        do {
            report = try LeakReport.parse(bytes, source: source)
        } catch {
            throw CommandFailure(error.description)
        }
        let ruleSet = try RuleLoader.load(extraDirectories: ruleDirectories)
        let (secrets, failures) = ReportSecrets.recover(report, ruleSet: ruleSet)

        var tokens: [LeakedToken] = []
        var seen = Set<String>()
        var missing: [String] = []
        for entry in report.entries where seen.insert(entry.finding.fingerprint).inserted {
            let finding = entry.finding
            let provider = ruleSet.provider(id: finding.provider)
            let secret = secrets[finding.fingerprint]
            if secret == nil && needsSecret(provider, finding.rule) {
                missing.append("\(finding.path):\(finding.line): " + (failures[finding.fingerprint] ?? "not found"))
                continue
            }
            tokens.append(LeakedToken(
                secret: secret ?? finding.secret,
                fingerprint: finding.fingerprint,
                rule: finding.rule,
                provider: finding.provider,
                providerName: provider?.name ?? finding.provider,
                verifier: provider?.verify,
                revoker: provider?.revoke,
                context: finding.context,
                place: "\(finding.path):\(finding.line)",
                manualSteps: provider.flatMap { manualRevokeStep($0, context: finding.context) }
            ))
        }
        if !missing.isEmpty { throw CommandFailure(RevokeError.unrecoverableSecrets(missing).description) }
        return TokenReport(report: report, ruleSet: ruleSet, secrets: secrets, tokens: tokens)
    }

    /// The provider's own revoke step, with `{org}` and the like filled from the finding.
    private static func manualRevokeStep(_ provider: Provider, context: [String: String]) -> String? {
        let remediation = ProviderRemediation(markdown: provider.remediation)
        guard let step = remediation.steps.first(where: { $0.kind == .revoke }) else { return nil }
        var values = context
        values["org"] = values["org"] ?? "YOUR-ORG"
        return ProviderRemediation.fill(step.text, values)
    }
}

/// Runs async work from a synchronous command. The main thread only waits; the work runs on
/// the cooperative pool, and URLSession on its own threads.
enum AsyncBridge {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    private final class ResultBox<T>: @unchecked Sendable {
        // Written once before the semaphore is signalled, read after waiting on it.
        var value: T?
    }
}
