import Foundation

/// The CI (or hook) that runs `patrol ci`, and what its event asks to be scanned, read from the
/// environment it sets. Reading is pure: `CIScope` asks git what the selection means.
public struct CIEvent: Sendable, Equatable {
    public enum Provider: String, Sendable, Equatable {
        case github = "GitHub"
        case azure = "Azure Pipelines"
        case gitlab = "GitLab"
        case preCommit = "pre-commit"
        case prePush = "git"
        case range = "range"

        /// What to set so that the checkout has the whole history.
        var fullHistoryHint: String {
            switch self {
            case .github: "set 'fetch-depth: 0' on actions/checkout"
            case .azure: "set 'fetchDepth: 0' on the checkout step"
            case .gitlab: "set the variable GIT_DEPTH: 0"
            case .preCommit, .prePush, .range: "run 'git fetch --unshallow'"
            }
        }
    }

    public var provider: Provider
    /// The event as a person reads it: "push to main", "pull request #4", "manual build".
    public var name: String
    public var selection: CISelection

    public init(provider: Provider, name: String, selection: CISelection) {
        self.provider = provider
        self.name = name
        self.selection = selection
    }
}

/// What an event adds, before git resolves it into commits.
public enum CISelection: Sendable, Equatable {
    /// What `head` adds over `base` (a pull request: base..head).
    case range(base: String, head: String)
    /// A push of `after` to a branch (nil: a tag) that held `before` (nil or all zeros: a new
    /// branch). A `before` that is missing or not an ancestor is a force-push.
    case push(before: String?, after: String, branch: String?)
    /// The commits of `head` the previous build had not scanned: the commit in the state file
    /// (`--state`) and its ancestors were scanned clean.
    case sinceMarker(head: String)
    /// Refs being pushed to `remote`, as a git pre-push hook reads them.
    case pushedRefs([PushedRef], remote: String)
    /// `head` and all its ancestors.
    case history(head: String)
    /// Every commit of every ref.
    case allRefs
}

/// One line of what git gives a pre-push hook: `<local ref> <local sha> <remote ref> <remote sha>`.
public struct PushedRef: Sendable, Equatable {
    public var localSha: String
    /// Nil or all zeros: the remote does not have the ref yet.
    public var remoteSha: String?

    public init(localSha: String, remoteSha: String?) {
        self.localSha = localSha
        self.remoteSha = remoteSha
    }

    /// The refs of a pre-push hook's standard input; deleted refs (local sha all zeros) add nothing.
    public static func parse(_ text: String) -> [PushedRef] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, !CIEvent.isZero(String(fields[1])) else { return nil }
            return PushedRef(localSha: String(fields[1]), remoteSha: CIEvent.isZero(String(fields[3])) ? nil : String(fields[3]))
        }
    }
}

/// Why `patrol ci` cannot say what to scan. Each message says what to do.
public enum CIError: Error, Sendable, Equatable, CustomStringConvertible {
    case noCI
    case missingVariable(CIEvent.Provider, String)
    case badEventFile(String, String)
    case missingCommit(CIEvent.Provider, what: String, commit: String)
    case shallow(CIEvent.Provider, String)
    case state(String, String)
    case git(GitError)

    public var description: String {
        switch self {
        case .noCI:
            "no CI detected (GITHUB_ACTIONS, TF_BUILD, GITLAB_CI or pre-commit's PRE_COMMIT_TO_REF): pass --range A..B, or run 'patrol history' to scan all history"
        case .missingVariable(let provider, let name):
            "\(provider.rawValue): \(name) is not set; patrol ci cannot tell what this build adds"
        case .badEventFile(let path, let message):
            "cannot read the GitHub event file \(path): \(message)"
        case .missingCommit(let provider, let what, let commit):
            "\(what) \(commit) is not in this checkout: \(provider.fullHistoryHint) so that patrol ci sees the whole history"
        case .shallow(let provider, let message):
            "\(message): this is a shallow clone and the commits to scan reach past its edge; \(provider.fullHistoryHint) (never scanning less than the build adds)"
        case .state(let path, let message):
            "state file \(path): \(message)"
        case .git(let error):
            error.description
        }
    }
}

extension CIEvent {
    static func isZero(_ sha: String) -> Bool { !sha.isEmpty && sha.allSatisfy { $0 == "0" } }

    /// The event of the CI this process runs in, or nil outside any CI. The pre-commit
    /// framework's variables come first: its pre-push hook may run inside a CI job.
    /// `readFile` reads GitHub's event file (a parameter so that tests need no file).
    public static func detect(environment env: [String: String], readFile: (String) throws -> Data = { try Data(contentsOf: URL(fileURLWithPath: $0)) }) throws(CIError) -> CIEvent? {
        func value(_ name: String) -> String? {
            guard let text = env[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        if let to = value("PRE_COMMIT_TO_REF") {
            let remote = value("PRE_COMMIT_REMOTE_NAME") ?? "origin"
            return CIEvent(provider: .preCommit, name: "push to \(remote)", selection: .pushedRefs([PushedRef(localSha: to, remoteSha: value("PRE_COMMIT_FROM_REF").flatMap { isZero($0) ? nil : $0 })], remote: remote))
        }
        if value("GITHUB_ACTIONS") == "true" { return try github(value, readFile: readFile) }
        if value("TF_BUILD")?.lowercased() == "true" { return try azure(value) }
        if value("GITLAB_CI") == "true" { return try gitlab(value) }
        return nil
    }

    private static func github(_ value: (String) -> String?, readFile: (String) throws -> Data) throws(CIError) -> CIEvent {
        let event = value("GITHUB_EVENT_NAME") ?? ""
        func payload() throws(CIError) -> [String: Any] {
            guard let path = value("GITHUB_EVENT_PATH") else { throw .missingVariable(.github, "GITHUB_EVENT_PATH") }
            do {
                guard let object = try JSONSerialization.jsonObject(with: readFile(path)) as? [String: Any] else {
                    throw CIError.badEventFile(path, "not a JSON object")
                }
                return object
            } catch let error as CIError {
                throw error
            } catch {
                throw .badEventFile(path, error.localizedDescription)
            }
        }
        func field(_ object: [String: Any], _ keys: String...) -> String? {
            var current: Any? = object
            for key in keys { current = (current as? [String: Any])?[key] }
            return (current as? String).flatMap { $0.isEmpty ? nil : $0 }
        }
        switch event {
        case "pull_request", "pull_request_target":
            let body = try payload()
            guard let base = field(body, "pull_request", "base", "sha") else { throw .missingVariable(.github, "pull_request.base.sha in the event file") }
            guard let head = field(body, "pull_request", "head", "sha") else { throw .missingVariable(.github, "pull_request.head.sha in the event file") }
            let number = (body["pull_request"] as? [String: Any])?["number"].map { " #\($0)" } ?? ""
            return CIEvent(provider: .github, name: "pull request\(number)", selection: .range(base: base, head: head))
        case "merge_group":
            let body = try payload()
            guard let base = field(body, "merge_group", "base_sha"), let head = field(body, "merge_group", "head_sha") else {
                throw .missingVariable(.github, "merge_group.base_sha and head_sha in the event file")
            }
            return CIEvent(provider: .github, name: "merge queue", selection: .range(base: base, head: head))
        case "push":
            let body = try payload()
            guard let after = field(body, "after") ?? value("GITHUB_SHA") else { throw .missingVariable(.github, "after in the event file") }
            let ref = field(body, "ref") ?? value("GITHUB_REF") ?? ""
            return push(.github, ref: ref, before: field(body, "before"), after: after)
        default:
            return CIEvent(provider: .github, name: event.isEmpty ? "run" : event.replacingOccurrences(of: "_", with: " "), selection: .allRefs)
        }
    }

    /// A push of `ref` (refs/heads/… or refs/tags/…).
    private static func push(_ provider: Provider, ref: String, before: String?, after: String) -> CIEvent {
        if ref.hasPrefix("refs/tags/") {
            return CIEvent(provider: provider, name: "tag \(ref.dropFirst("refs/tags/".count))", selection: .push(before: nil, after: after + "^{commit}", branch: nil))
        }
        let branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
        return CIEvent(provider: provider, name: "push to \(branch)", selection: .push(before: before.flatMap { isZero($0) ? nil : $0 }, after: after, branch: branch.isEmpty ? nil : branch))
    }

    private static func azure(_ value: (String) -> String?) throws(CIError) -> CIEvent {
        let reason = value("BUILD_REASON") ?? ""
        switch reason {
        case "PullRequest":
            guard let target = value("SYSTEM_PULLREQUEST_TARGETBRANCH") else { throw .missingVariable(.azure, "SYSTEM_PULLREQUEST_TARGETBRANCH") }
            guard let source = value("SYSTEM_PULLREQUEST_SOURCECOMMITID") ?? value("BUILD_SOURCEVERSION") else { throw .missingVariable(.azure, "SYSTEM_PULLREQUEST_SOURCECOMMITID") }
            let branch = target.hasPrefix("refs/heads/") ? String(target.dropFirst("refs/heads/".count)) : target
            let number = value("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER") ?? value("SYSTEM_PULLREQUEST_PULLREQUESTID")
            return CIEvent(provider: .azure, name: "pull request" + (number.map { " #\($0)" } ?? "") + " into \(branch)", selection: .range(base: branch, head: source))
        case "Manual", "Schedule":
            return CIEvent(provider: .azure, name: reason == "Manual" ? "manual build" : "scheduled build", selection: .allRefs)
        default:
            guard let source = value("BUILD_SOURCEVERSION") else { throw .missingVariable(.azure, "BUILD_SOURCEVERSION") }
            let ref = value("BUILD_SOURCEBRANCH") ?? ""
            if ref.hasPrefix("refs/tags/") { return push(.azure, ref: ref, before: nil, after: source) }
            let branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
            return CIEvent(provider: .azure, name: "CI build of \(branch.isEmpty ? source : branch)", selection: .sinceMarker(head: source))
        }
    }

    private static func gitlab(_ value: (String) -> String?) throws(CIError) -> CIEvent {
        guard let sha = value("CI_COMMIT_SHA") else { throw .missingVariable(.gitlab, "CI_COMMIT_SHA") }
        if value("CI_MERGE_REQUEST_IID") != nil || value("CI_PIPELINE_SOURCE") == "merge_request_event" {
            // Merged-results pipelines build the merge with the target's tip; others the source branch.
            guard let base = value("CI_MERGE_REQUEST_TARGET_BRANCH_SHA") ?? value("CI_MERGE_REQUEST_DIFF_BASE_SHA") else {
                throw .missingVariable(.gitlab, "CI_MERGE_REQUEST_DIFF_BASE_SHA")
            }
            return CIEvent(provider: .gitlab, name: "merge request" + (value("CI_MERGE_REQUEST_IID").map { " !\($0)" } ?? ""), selection: .range(base: base, head: sha))
        }
        if let tag = value("CI_COMMIT_TAG") { return push(.gitlab, ref: "refs/tags/" + tag, before: nil, after: sha) }
        switch value("CI_PIPELINE_SOURCE") ?? "push" {
        case "push":
            let branch = value("CI_COMMIT_BRANCH") ?? value("CI_COMMIT_REF_NAME") ?? ""
            return push(.gitlab, ref: "refs/heads/" + branch, before: value("CI_COMMIT_BEFORE_SHA"), after: sha)
        case let source:
            return CIEvent(provider: .gitlab, name: "\(source) pipeline", selection: .allRefs)
        }
    }

    /// `--range A..B` (or one revision: its whole history).
    public static func range(_ text: String) -> CIEvent {
        if let dots = text.range(of: "..") {
            let base = String(text[..<dots.lowerBound])
            let head = String(text[dots.upperBound...])
            return CIEvent(provider: .range, name: text, selection: .range(base: base.isEmpty ? "HEAD" : base, head: head.isEmpty ? "HEAD" : head))
        }
        return CIEvent(provider: .range, name: text, selection: .history(head: text))
    }
}
