import Crypto
import Foundation

/// The `git filter-repo --replace-text` file: one line per literal, `SECRET==>***REMOVED***`.
///
/// It holds secrets, so it is written with mode 0600 (the folder 0700), opened without
/// following a symlink, and by default outside any repository: `~/.local/state/patrol/`
/// (`$XDG_STATE_HOME/patrol/`). A literal that a line cannot carry as it is — a private key's
/// newlines, or `==>` inside it — is written as a `regex:` line matching exactly that text.
public struct ReplacementsFile: Sendable, Equatable {
    public static let replacement = "***REMOVED***"

    /// The literals, in the order of the plan's secrets.
    public var literals: [String]

    public init(literals: [String]) {
        var seen = Set<String>()
        self.literals = literals.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    public var text: String {
        literals.map { Self.line(for: $0) + "\n" }.joined()
    }

    static func line(for literal: String) -> String {
        let plain = !literal.contains("\n") && !literal.contains("\r") && !literal.contains("==>")
            && !literal.hasPrefix("regex:") && !literal.hasPrefix("glob:") && !literal.hasPrefix("literal:")
        if plain { return literal + "==>" + replacement }
        return "regex:" + pythonRegexEscape(literal) + "==>" + replacement
    }

    /// Escapes for Python's `re` (what filter-repo uses): every ASCII character that is not a
    /// letter, digit or underscore gets a backslash, except the line breaks, which become `\n`
    /// and `\r` (a regex line cannot hold a raw newline).
    static func pythonRegexEscape(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.isASCII && !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"):
                output += "\\" + String(scalar)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// `$XDG_STATE_HOME/patrol` or `~/.local/state/patrol`.
    public static func stateFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return PathText.appending("patrol", to: state) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return PathText.appending(".local/state/patrol", to: home)
    }

    /// The default file for a repository: named after its folder and a hash of its path, so
    /// each repository has its own and a second plan for it replaces the first.
    public static func defaultPath(forRoot root: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let name = PathText.lastComponent(of: root).filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        let digest = SHA256.hash(data: Array(root.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return PathText.appending("replacements-\(name.isEmpty ? "root" : name)-\(digest).txt", to: stateFolder(environment: environment))
    }

    /// Writes the file with mode 0600, creating its folder (0700) when missing.
    public func write(to path: String) throws(RemediationError) {
        let folder = PathText.parent(of: path)
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotWriteReplacements(path: path, reason: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw .cannotWriteReplacements(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        // An existing file keeps its mode on O_CREAT: narrow it before writing secrets into it.
        guard fchmod(descriptor, 0o600) == 0 else { throw .cannotWriteReplacements(path: path, reason: String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .cannotWriteReplacements(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// A warning when `path` lies inside a git work tree that does not ignore it: one `git add
    /// -A` away from committing every secret again. Nil when it is outside, or ignored.
    public static func workTreeWarning(for path: String) -> String? {
        guard RepositoryFacts.isIgnored(path) == false else { return nil }
        return "\(path) is inside a git work tree and git does not ignore it: it holds the secrets in clear, so never commit it (add it to .git/info/exclude, or write it outside the repository with --replace-file)"
    }
}
