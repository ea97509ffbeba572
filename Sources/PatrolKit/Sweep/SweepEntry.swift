import Crypto
import Foundation

/// One repository of a sweep, as the user wrote it: a local folder, or a URL that git clones.
///
/// The text is kept exactly as given: it names the repository in every output record, keys the
/// repository's state in the cache and picks its shard, so the same line always lands on the
/// same machine and finds its own state again.
public struct SweepEntry: Sendable, Hashable {
    public let text: String
    /// Where the entry came from when an organisation source listed it (`--github-org`,
    /// `--azure-devops`, …, or a JSON Lines list made by `patrol sweep list`); nil for a plain
    /// folder or URL. Not part of the entry's identity: the text alone keys the cache and shards.
    public var origin: SweepOrigin?
    /// The HTTP header git sends to the entry's host, from the source's credentials. It reaches
    /// git only through the child's environment, never a clone's config, the cache or any output.
    public var gitCredential: GitCredential?

    public init(_ text: String, origin: SweepOrigin? = nil, gitCredential: GitCredential? = nil) {
        self.text = text
        self.origin = origin
        self.gitCredential = gitCredential
    }

    public static func == (lhs: SweepEntry, rhs: SweepEntry) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// A clone URL: anything with a scheme (`https://`, `ssh://`, `file://`, `git://`), or git's
    /// scp-like form `[user@]host:path`, where a colon comes before any slash. Everything else is
    /// a local folder.
    public var isURL: Bool {
        if text.contains("://") { return true }
        guard let colon = text.firstIndex(of: ":") else { return false }
        let before = text[..<colon]
        return !before.isEmpty && !before.contains("/") && before != "." && before != ".."
    }

    /// The entry with any password or token in the URL's user part replaced by `***`, for output
    /// that should not carry credentials: `https://user:***@host/…`, and `https://***@host/…`
    /// for a lone user name on http(s), where it is usually a token. scp-like `git@host:path`
    /// is left alone (that user name is a convention, not a secret).
    public var redacted: String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        let user = rest[..<at]
        let prefix = text[..<scheme.upperBound]
        if let colon = user.firstIndex(of: ":") {
            return prefix + user[..<colon] + ":***" + rest[at...]
        }
        let name = prefix.lowercased()
        guard name == "https://" || name == "http://" else { return text }
        return prefix + "***" + rest[at...]
    }

    /// The folder under the clone directory for a URL: a readable name from its host and path
    /// (never its credentials) and a hash of the whole entry, so two URLs never share a folder.
    public var cloneFolderName: String {
        var readable = redacted
        if let scheme = readable.range(of: "://") { readable = String(readable[scheme.upperBound...]) }
        if let at = readable.range(of: "@", options: .backwards), !readable[..<at.lowerBound].contains("/") {
            readable = String(readable[at.upperBound...])
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        var name = String(readable.map { allowed.contains($0) ? $0 : "_" })
        while name.hasSuffix(".git") || name.hasSuffix("_") { name.removeLast(name.hasSuffix("_") ? 1 : 4) }
        while name.hasPrefix("_") || name.hasPrefix(".") { name.removeFirst() }
        let digest = SHA256.hash(data: Array(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return String(name.suffix(80)) + "-" + digest + ".git"
    }

    /// Entries of a list file: one per line, blank lines and lines starting with `#` left out,
    /// surrounding whitespace trimmed. A line that starts with `{` is a JSON object as
    /// `patrol sweep list` prints it (`{"repository", "url", "source", "org", …}`): its `url` is
    /// the entry, the rest its origin. A JSON line without a `url` is an error naming the line.
    public static func parseList(_ text: String) throws(SweepListError) -> [SweepEntry] {
        var entries: [SweepEntry] = []
        var number = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("{") {
                entries.append(try SweepOrigin.entry(fromJSONLine: trimmed, line: number))
            } else {
                entries.append(SweepEntry(trimmed))
            }
        }
        return entries
    }
}

/// `--shard K/N`: this machine sweeps the entries whose stable hash modulo N is K.
///
/// The hash is FNV-1a (64 bits) of the entry's UTF-8 bytes — not Swift's `hashValue`, which is
/// seeded randomly per process — so an entry stays on its shard whatever else the list holds,
/// on every machine and every run.
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `K/N` with 0 ≤ K < N.
    public init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let index = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let count = Int(parts[1].trimmingCharacters(in: .whitespaces)),
              count >= 1, index >= 0, index < count else { return nil }
        self.init(index: index, count: count)
    }

    public func contains(_ entry: SweepEntry) -> Bool {
        Int(Self.stableHash(entry.text) % UInt64(count)) == index
    }

    public static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    public var description: String { "\(index)/\(count)" }
}
