import Foundation
import Testing

/// A pushed repository as a CI sees it: a bare "origin", a developer's clone that pushes to it,
/// and the CI's own checkout, each a real git repository in a temporary folder.
final class PushedRepository {
    let origin: TemporaryFolder
    let work: TemporaryFolder
    let files: TemporaryFolder

    init() throws {
        origin = try TemporaryFolder()
        work = try TemporaryFolder()
        files = try TemporaryFolder()
        try origin.git("init", "-q", "--bare")
        try work.git("init", "-q")
        try work.git("remote", "add", "origin", origin.path)
    }

    /// The CI's checkout: a full clone of origin (all branches as origin/…, like fetch-depth: 0),
    /// on `branch` or at `commit`.
    func checkout(_ revision: String = "main", depth: Int? = nil) throws -> TemporaryFolder {
        let ci = try TemporaryFolder()
        var arguments = ["clone", "-q", "--no-checkout"]
        // file://, not a path: a local clone would hard-link every object, even ones no ref reaches.
        if let depth { arguments += ["--depth", String(depth)] }
        arguments += ["file://" + origin.path, "."]
        try ci.git(arguments)
        try ci.git("checkout", "-q", "--detach", revision)
        return ci
    }

    /// A GitHub event file (`GITHUB_EVENT_PATH`).
    func event(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try files.write("event-\(UUID().uuidString).json", data).path
    }

    func sha(_ revision: String, in repo: TemporaryFolder? = nil) throws -> String {
        try (repo ?? work).git("rev-parse", revision).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The CI's environment: every variable `patrol ci` reads is set here, empty unless given, so
/// the CI the tests themselves run in cannot leak into them.
func ciEnvironment(_ values: [String: String]) -> [String: String] {
    let read = [
        "PRE_COMMIT_TO_REF", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_REMOTE_NAME",
        "GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_SHA", "GITHUB_REF",
        "TF_BUILD", "BUILD_REASON", "BUILD_SOURCEVERSION", "BUILD_SOURCEBRANCH", "SYSTEM_PULLREQUEST_TARGETBRANCH",
        "SYSTEM_PULLREQUEST_SOURCECOMMITID", "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "SYSTEM_PULLREQUEST_PULLREQUESTID",
        "GITLAB_CI", "CI_COMMIT_SHA", "CI_COMMIT_BEFORE_SHA", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME", "CI_COMMIT_TAG",
        "CI_PIPELINE_SOURCE", "CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
    ]
    var environment = Dictionary(uniqueKeysWithValues: read.map { ($0, "") })
    environment.merge(values) { $1 }
    return environment
}

let zeroCommit = String(repeating: "0", count: 40)

/// A run of `patrol ci` must find the planted secret (exit 1) or fail loudly (exit 2): exit 0
/// with the secret in what the event adds is the bug these tests exist for.
func expectFound(_ run: RunResult, _ token: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == 1, "\(comment?.description ?? "") exit \(run.status): \(run.stderr)\n\(run.stdout)", sourceLocation: sourceLocation)
    #expect(run.stdout.contains("azure-devops-pat"), "\(run.stdout)", sourceLocation: sourceLocation)
    #expect(!run.stdout.contains(token) && !run.stderr.contains(token), "the secret was printed", sourceLocation: sourceLocation)
}
