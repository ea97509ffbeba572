import Foundation
import PatrolKit
import PatrolRevoke

/// How `patrol revoke` shows its results: a block per token (text), or JSON. Tokens appear
/// only redacted; calls only as method, host and path.
enum RevocationText {
    static func render(_ results: [Revocation]) -> String {
        var out = ""
        for result in results {
            let token = result.token
            out += "\(result.outcome.rawValue)  \(token.rule)  \(token.redacted)  \(token.place)  \(token.fingerprint.prefix(12))\n"
            if let owner = result.owner { out += "    owner: \(owner)\n" }
            for call in result.calls {
                out += (result.outcome == .dryRun ? "    would send: " : result.outcome == .declined ? "    not sent: " : "    sent: ") + call.description + "\n"
            }
            if result.outcome != .needsChoice, let chosen = result.candidates.first {
                out += "    the owner's token: \(chosen.summary)\n"
            }
            if let status = result.status, result.outcome == .failed, result.message?.contains("HTTP \(status)") != true { out += "    HTTP \(status)\n" }
            if let message = result.message { out += "    \(message)\n" }
            if result.outcome == .needsChoice {
                for candidate in result.candidates { out += "    - \(candidate.summary)\n" }
            }
            if result.outcome == .notSupported, let steps = token.manualSteps { out += "    by hand: \(steps)\n" }
        }
        return out
    }

    static func question(_ proposal: Revoker.Proposal) -> String {
        var text = "Revoke \(proposal.token.providerName) \(proposal.token.rule) \(proposal.token.redacted) (\(proposal.token.place))"
        if let owner = proposal.owner { text += " of \(owner)" }
        if let chosen = proposal.chosen { text += ", listed as \(chosen.summary)" }
        return text + " with " + proposal.calls.map(\.description).joined(separator: ", ") + "?"
    }

    static func json(_ results: [Revocation], dryRun: Bool) -> String {
        let items: [[String: Any]] = results.map { result in
            var item: [String: Any] = [
                "fingerprint": result.token.fingerprint,
                "rule": result.token.rule,
                "provider": result.token.provider,
                "secret": result.token.redacted,
                "place": result.token.place,
                "outcome": result.outcome.rawValue,
                "status": result.status.map { $0 as Any } ?? NSNull(),
                "message": result.message.map { $0 as Any } ?? NSNull(),
                "owner": result.owner.map { $0 as Any } ?? NSNull(),
                "calls": result.calls.map(\.description),
                "candidates": result.candidates.map { candidate -> [String: Any] in
                    ["authorization_id": candidate.authorizationId, "display_name": candidate.displayName, "scope": candidate.scope,
                     "valid_from": candidate.validFrom, "valid_to": candidate.validTo]
                },
            ]
            item["manual_steps"] = result.outcome == .notSupported ? (result.token.manualSteps.map { $0 as Any } ?? NSNull()) : NSNull()
            return item
        }
        let object: [String: Any] = ["version": 1, "dry_run": dryRun, "results": items]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
