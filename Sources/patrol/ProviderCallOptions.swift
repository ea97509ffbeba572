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

    @Option(help: ArgumentHelp("Send at most this many requests in the whole run (retries included); secrets left over are reported as not checked.", valueName: "n"))
    var maxRequests: Int?

    @Option(help: ArgumentHelp("At most this many requests a second to each provider.", valueName: "n"))
    var rate: Double = 10

    @Option(help: ArgumentHelp("The Azure DevOps organisation of tokens found with no dev.azure.com/ORG or ORG.visualstudio.com near them.", valueName: "org"))
    var org: String?

    @Option(help: ArgumentHelp("Append each action to this JSON Lines file (default: ~/.local/state/patrol/audit.jsonl).", valueName: "file"))
    var auditLog: String?

    @Option(name: .customLong("rules"), help: ArgumentHelp("A folder of extra rule files (for findings of rules that are not built in).", valueName: "dir"))
    var ruleDirectories: [String] = []

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard backoff >= 0, backoff.isFinite else { throw ValidationError("--backoff must be zero or more seconds") }
        if let maxRequests, maxRequests < 0 { throw ValidationError("--max-requests must be zero or more") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number of requests a second") }
    }

    func access(settings: RevokeSettings) throws -> ProviderAccess {
        let endpoints: ProviderEndpoints
        do {
            endpoints = try ProviderEndpoints.from(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure(error.description)
        }
        return ProviderAccess(endpoints: endpoints, timeout: timeout, retry: RetryPolicy(maxRetries: 3, initialBackoff: backoff),
                              userAgent: "patrol/\(Patrol.version)", settings: settings, limits: RequestLimits(maxRequests: maxRequests, perSecond: rate))
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

/// A report read for `verify` or `revoke`: one token per distinct secret with the real secret
/// (recovered when the report was redacted), gathered as the findings stream in. The findings
/// themselves are not kept: `forEachFinding` reads the report file again (`verify` writes
/// them back); only a report that came through a pipe is kept in memory for that.
struct TokenReport {
    /// What surrounds the findings (target, skipped, errors, stats); no entries.
    let report: LeakReport
    let ruleSet: RuleSet
    let secrets: [String: String]
    let tokens: [LeakedToken]
    private let input: ReportInput
    private let minimumConfidence: Confidence
    /// The findings of a report that cannot be read again (standard input, a pipe).
    private let kept: [LeakReport.Entry]?

    /// Reads the report (a file, or standard input for `-`). A secret that must be sent but
    /// cannot be recovered ends the command (exit 2). `keepFindings`: the findings will be
    /// asked for again (`forEachFinding`).
    static func load(_ path: String, command: String, ruleDirectories: [String], for purpose: ReportTokens.Purpose, minimumConfidence: Confidence = .low, keepFindings: Bool = false) throws -> TokenReport {
        if path == "-", isatty(STDIN_FILENO) == 1 {
            throw CommandFailure("no report: name a JSON report ('patrol \(command) report.json') or pipe one in ('patrol scan --format json --show-secrets | patrol \(command) -')")
        }
        let ruleSet = try RuleLoader.load(extraDirectories: ruleDirectories)
        // Read a finding at a time: a report of 200,000 findings is never parsed whole.
        let input = try ReportInput(path: path)
        let keep = keepFindings && !input.canReadAgain
        var kept: [LeakReport.Entry] = []
        var collector = ReportTokens.Collector(ruleSet: ruleSet, for: purpose)
        let report: LeakReport
        do {
            report = try LeakReport.read(descriptor: input.descriptor, source: input.source) { entry in
                guard entry.finding.confidence >= minimumConfidence else { return }
                collector.add(entry)
                if keep { kept.append(entry) }
            }
        } catch {
            input.close()
            throw CommandFailure(error.description)
        }
        do {
            let found = try collector.tokens(target: report.target)
            return TokenReport(report: report, ruleSet: ruleSet, secrets: found.secrets, tokens: found.tokens, input: input, minimumConfidence: minimumConfidence, kept: keep ? kept : nil)
        } catch {
            input.close()
            throw CommandFailure(error.description)
        }
    }

    /// Hands each finding (at `minimumConfidence` or above) to `body` again, in report order.
    func forEachFinding(_ body: (LeakReport.Entry) -> Void) throws {
        if let kept {
            kept.forEach(body)
            return
        }
        guard input.rewind() else { throw CommandFailure("\(input.source): cannot read the report again") }
        do {
            _ = try LeakReport.read(descriptor: input.descriptor, source: input.source) { entry in
                if entry.finding.confidence >= minimumConfidence { body(entry) }
            }
        } catch {
            throw CommandFailure(error.description)
        }
    }

    func close() { input.close() }
}

/// Runs async work from a synchronous command. The main thread only waits; the work runs on
/// the cooperative pool, and AsyncHTTPClient on its own event loop.
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
