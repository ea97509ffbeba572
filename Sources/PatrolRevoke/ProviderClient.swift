import Foundation
import PatrolKit

/// What the user chose for this run, shared by every client.
public struct RevokeSettings: Sendable {
    /// `--org`: the Azure DevOps organisation of tokens with no `context.org`.
    public var azureDevOpsOrganization: String?
    /// `--entra-token` / `AZURE_DEVOPS_ENTRA_TOKEN`: a Microsoft Entra access token for Azure DevOps.
    public var entraToken: String?
    /// `AZURE_DEVOPS_ADMIN_PAT`: a PAT with the token-administration scope, for `--admin`.
    public var adminPAT: String?
    /// `--admin`: revoke as an organisation administrator instead of as the owner.
    public var asAdministrator: Bool
    /// `--authorization-id`: picks among several fitting Azure DevOps tokens.
    public var authorizationIds: Set<String>

    public init(azureDevOpsOrganization: String? = nil, entraToken: String? = nil, adminPAT: String? = nil, asAdministrator: Bool = false, authorizationIds: Set<String> = []) {
        self.azureDevOpsOrganization = azureDevOpsOrganization
        self.entraToken = entraToken
        self.adminPAT = adminPAT
        self.asAdministrator = asAdministrator
        self.authorizationIds = authorizationIds
    }

    /// Credentials of the user's own, which must never show in a message either.
    var credentials: [String] { [entraToken, adminPAT].compactMap { $0 }.filter { !$0.isEmpty } }
}

/// The revoking call for one token, decided after the read-only checks, not sent yet.
struct RevocationPlan: Sendable {
    var token: LeakedToken
    var request: HTTPRequest
    var owner: String?
    /// Azure DevOps: the token that will be revoked, as the owner's list describes it.
    var chosen: PersonalAccessToken?
}

/// After the read-only checks: a call to make, or an outcome already.
enum Preparation: Sendable {
    case plan(RevocationPlan)
    case done(Revocation)
}

/// How a provider answered a revoking call.
enum RevokeAnswer {
    case revoked(status: Int)
    case alreadyInvalid(status: Int)
    case refused(status: Int, message: String?)
    /// No answer, or a 5xx: it may or may not have happened.
    case unknown(status: Int?, message: String)
}

/// A provider's verifier and revoker. `prepare` sends only reads (verify, list); `execute`
/// sends the revoking calls.
protocol ProviderClient: Sendable {
    var http: HTTPClient { get }
    var redactor: Redactor { get }
    func verify(_ token: LeakedToken) async -> Verification
    /// After `verify` found the token live: what it reaches, through read-only calls with the
    /// token itself (a few pages each, `AccessPager`). `check.access` holds what the verifying
    /// answer already said (scopes, user); the default adds nothing to it.
    func mapAccess(_ token: LeakedToken, _ check: Verification) async -> TokenAccess?
    func prepare(_ token: LeakedToken) async -> Preparation
    func interpret(_ response: HTTPResponse, for plan: RevocationPlan) -> RevokeAnswer
    func execute(_ plans: [RevocationPlan]) async -> [Revocation]
}

extension ProviderClient {
    func mapAccess(_ token: LeakedToken, _ check: Verification) async -> TokenAccess? { check.access }

    var pager: AccessPager { AccessPager(http: http, redactor: redactor) }

    func execute(_ plans: [RevocationPlan]) async -> [Revocation] {
        var results: [Revocation] = []
        for plan in plans { results.append(await executeOne(plan)) }
        return results
    }

    /// Sends the revoking call; when its outcome is unknown (a timeout, a 5xx), asks whether the
    /// token still works before sending it again, so a lost answer is not mistaken for a failure
    /// and a revocation is not repeated blindly.
    func executeOne(_ plan: RevocationPlan) async -> Revocation {
        let attempts = http.retry.maxRetries + 1
        let call = plan.request.call
        var lastMessage = ""
        var lastStatus: Int?
        for attempt in 1...attempts {
            let answer: RevokeAnswer
            switch await http.send(plan.request, .revoking) {
            case .success(let response): answer = interpret(response, for: plan)
            case .failure(let failure): answer = .unknown(status: nil, message: failure.message)
            }
            func result(_ outcome: Revocation.Outcome, _ status: Int?, _ message: String?) -> Revocation {
                Revocation(token: plan.token, outcome: outcome, status: status, message: message.map { redactor.clean($0) }, calls: [call], candidates: plan.chosen.map { [$0] } ?? [], owner: plan.owner)
            }
            switch answer {
            case .revoked(let status):
                return result(.revoked, status, nil)
            case .alreadyInvalid(let status):
                return result(.alreadyInvalid, status, nil)
            case .refused(let status, let message):
                return result(.failed, status, message ?? "HTTP \(status)")
            case .unknown(let status, let message):
                lastMessage = message
                lastStatus = status
                let check = await verify(plan.token)
                if check.outcome == .notLive {
                    return result(.revoked, status, "the answer was lost (\(message)), but the token no longer works")
                }
                if attempt < attempts {
                    try? await Task.sleep(nanoseconds: UInt64(http.retry.initialBackoff * pow(2, Double(attempt - 1)) * 1_000_000_000))
                }
            }
        }
        return Revocation(token: plan.token, outcome: .failed, status: lastStatus, message: redactor.clean("\(lastMessage); still not revoked after \(attempts) attempts"), calls: [call], candidates: plan.chosen.map { [$0] } ?? [], owner: plan.owner)
    }

    /// The message of a response that was neither yes nor no.
    func describe(_ response: HTTPResponse, _ what: String) -> String {
        var text = "\(what): HTTP \(response.status)" + (response.providerMessage(redactedBy: redactor).map { ": \($0)" } ?? "")
        if response.status == 429, let wait = response.headers["retry-after"] {
            text += " (it asks to wait \(wait) s before trying again)"
        }
        return redactor.clean(text)
    }

    /// A 2xx answer that is not the provider's documented one: neither live nor not live.
    func undocumented(_ response: HTTPResponse, _ what: String, expected: String) -> String {
        "\(what): HTTP \(response.status), but not \(expected) (\(response.bodyDescription)): is the base URL the provider's API?"
    }

    func describe(_ failure: TransportFailure, _ what: String) -> String {
        "\(what): \(failure.message)"
    }
}
