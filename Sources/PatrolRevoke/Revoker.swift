import Foundation

/// `patrol revoke`: for each token, the read-only checks first (does it still work, whose is
/// it, which of the owner's tokens is it), then — only when allowed — the revoking call.
public struct Revoker: Sendable {
    /// What a person is asked about at the terminal.
    public struct Proposal: Sendable {
        public var token: LeakedToken
        public var calls: [PlannedCall]
        public var owner: String?
        /// Azure DevOps: the listed token that would be revoked.
        public var chosen: PersonalAccessToken?
    }

    public enum Mode: Sendable {
        /// Send nothing that revokes; report the calls that would be made.
        case dryRun
        /// Revoke every token that can be.
        case revoke
        /// Ask for each token (one question at a time) and revoke those confirmed.
        case confirm(@Sendable (Proposal) async -> Bool)
    }

    public let access: ProviderAccess

    public init(access: ProviderAccess) { self.access = access }

    /// One result per token, in the order given.
    public func revoke(_ tokens: [LeakedToken], mode: Mode) async -> [Revocation] {
        let redactor = access.redactor(for: tokens)
        let clients = access.clients(for: tokens, redactor: redactor)
        let (groups, unsupported) = ProviderAccess.grouped(tokens, by: \.revoker, clients: clients)
        var results: [String: Revocation] = [:]
        for token in unsupported {
            // A provider patrol can check but whose API has no self-revoking call (Hugging
            // Face, HCP Terraform): said so, and `manualSteps` carries the settings page.
            let checkable = IdentityCalls.covers(provider: token.provider, rule: token.rule) && !SelfRevocations.covers(provider: token.provider, rule: token.rule)
            results[token.fingerprint] = Revocation(token: token, outcome: .notSupported,
                                                    message: checkable ? "\(token.providerName)'s API has no call with which a leaked token revokes itself: revoke it by hand"
                                                        : "patrol cannot revoke \(token.providerName) tokens through an API")
        }

        // 1. Read-only checks, providers in parallel.
        var plans: [String: [RevocationPlan]] = [:]
        await withTaskGroup(of: (String, [Preparation]).self) { group in
            for (name, members) in groups {
                let client = clients[name]!
                group.addTask {
                    var prepared: [Preparation] = []
                    for token in members { prepared.append(await client.prepare(token)) }
                    return (name, prepared)
                }
            }
            for await (name, prepared) in group {
                for preparation in prepared {
                    switch preparation {
                    case .done(let revocation): results[revocation.token.fingerprint] = revocation.redacted(by: redactor)
                    case .plan(var plan):
                        plan.owner = plan.owner.map { redactor.clean($0) }
                        plan.chosen = plan.chosen.map { $0.redacted(by: redactor) }
                        plans[name, default: []].append(plan)
                    }
                }
            }
        }

        // 2. What may be sent: nothing in a dry run; at the terminal, what the person confirms.
        var approved: [String: [RevocationPlan]] = [:]
        for (name, _) in groups {
            // Each group's plans are in report order: prepared one after another.
            for plan in plans[name] ?? [] {
                let calls = [plan.request.call]
                switch mode {
                case .dryRun:
                    results[plan.token.fingerprint] = Revocation(token: plan.token, outcome: .dryRun, calls: calls, candidates: plan.chosen.map { [$0] } ?? [], owner: plan.owner)
                case .revoke:
                    approved[name, default: []].append(plan)
                case .confirm(let ask):
                    if await ask(Proposal(token: plan.token, calls: calls, owner: plan.owner, chosen: plan.chosen)) {
                        approved[name, default: []].append(plan)
                    } else {
                        results[plan.token.fingerprint] = Revocation(token: plan.token, outcome: .declined, calls: calls, candidates: plan.chosen.map { [$0] } ?? [], owner: plan.owner)
                    }
                }
            }
        }

        // 3. The revoking calls, providers in parallel.
        await withTaskGroup(of: [Revocation].self) { group in
            for (name, members) in approved {
                let client = clients[name]!
                group.addTask { await client.execute(members) }
            }
            for await revocations in group {
                for revocation in revocations { results[revocation.token.fingerprint] = revocation.redacted(by: redactor) }
            }
        }
        return tokens.compactMap { results[$0.fingerprint] }
    }
}
