import Foundation

/// The project's `.patrol.yml`: what not to report, and which rules to use.
///
/// ```yaml
/// allow:
///   paths: [tests/fixtures/, "*.snap"]   # globs, relative to the folder holding .patrol.yml
///   regexes: ['^EXAMPLE']                 # matched against the secret
///   stopwords: [example, dummy]           # a secret containing one (any case) is not reported
/// rules:
///   disable: [azure-devops-pat-legacy]
///   extra: patrol-rules/                  # a folder of rule files, relative to .patrol.yml
/// generic: false                          # no generic heuristic (rules of the provider `generic`)
/// ```
public struct PatrolConfig: Sendable, Equatable {
    public var allowPaths: [Glob] = []
    public var allowRegexes: [String] = []
    public var allowStopwords: [String] = []
    public var disabledRules: [String] = []
    public var extraRules: String?
    /// The generic heuristic (`patterns/generic.yml`) is on unless `generic: false`.
    public var generic = true
    /// The file it was read from; nil for the empty default.
    public var file: String?
    /// The folder that `allow.paths` and `rules.extra` are relative to.
    public var root: String?

    public init() {}

    public static let fileName = ".patrol.yml"

    public static func load(file: String) throws(RuleError) -> PatrolConfig {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw RuleError(file: file, reason: "cannot read the configuration: \(error.localizedDescription)")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(RuleError) -> PatrolConfig {
        var config = PatrolConfig()
        config.file = file
        config.root = PathText.parent(of: file)
        // Nothing but comments (or `---`, `~`) is an empty document: the defaults.
        guard let document = try YAMLFields.optionalDocument(text, file: file, what: "the configuration") else { return config }
        try document.rejectUnknownKeys(["allow", "rules", "generic"])
        if let generic = try document.bool("generic") { config.generic = generic }
        if let allow = try document.mapping("allow", what: "'allow'") {
            try allow.rejectUnknownKeys(["paths", "regexes", "stopwords"])
            config.allowPaths = try allow.stringList("paths").map(Glob.init)
            config.allowRegexes = try allow.stringList("regexes")
            config.allowStopwords = try allow.stringList("stopwords")
            for regex in config.allowRegexes {
                do {
                    _ = try PCRE2Pattern(regex)
                } catch {
                    throw allow.error("regexes", "entry '\(regex)' is not a valid regex: \(error.message) at offset \(error.offset)")
                }
            }
        }
        if let rules = try document.mapping("rules", what: "'rules'") {
            try rules.rejectUnknownKeys(["disable", "extra"])
            config.disabledRules = try rules.stringList("disable")
            config.extraRules = try rules.string("extra")
        }
        return config
    }

    /// `.patrol.yml` for a scan of `target`: at the root of the git work tree holding it, else in
    /// the target folder itself.
    public static func discover(for target: String) -> String? {
        projectFile(named: fileName, for: target)
    }

    /// A project file (`.patrol.yml`, `.patrol-baseline.json`) for a scan of `target`: at the
    /// root of the git work tree holding it, else in the target folder (a file's folder) itself.
    static func projectFile(named name: String, for target: String) -> String? {
        var isDirectory: ObjCBool = false
        var folder = target
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue {
            folder = PathText.parent(of: target)
            if folder.isEmpty { folder = "." }
        }
        if let root = GitWorkTree.root(containing: folder) {
            let candidate = PathText.appending(name, to: root)
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        let candidate = PathText.appending(name, to: folder)
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// The configuration of a repository: `.patrol.yml` at the top of its work tree, or for a
    /// bare repository the one in `HEAD`'s tree. Nil when there is none.
    public static func forRepository(_ path: String) throws(RuleError) -> PatrolConfig? {
        if let file = discover(for: path) { return try load(file: file) }
        // Inside a work tree, and not itself a git directory (a bare repository has HEAD and
        // objects/ at its top): not bare, so there is no need to ask git.
        let looksBare = FileManager.default.fileExists(atPath: PathText.appending("HEAD", to: path))
            && FileManager.default.fileExists(atPath: PathText.appending("objects", to: path))
        if !looksBare && GitWorkTree.root(containing: path) != nil { return nil }
        guard let bare = try? GitChild.text(["rev-parse", "--is-bare-repository"], in: path), bare == "true",
              let text = try? GitChild.run(["show", "HEAD:" + fileName], in: path)
        else { return nil }
        var config = try parse(String(decoding: text, as: UTF8.self), file: "HEAD:" + fileName)
        config.root = nil
        return config
    }
}
