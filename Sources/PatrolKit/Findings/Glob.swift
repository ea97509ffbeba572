#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A path glob as in `.gitignore`: `*`, `?` and `[…]` within one path segment, `**` for any
/// number of segments. A pattern without a slash matches a file or folder name at any depth; one
/// with a slash is anchored at the root. A pattern that matches a folder matches everything
/// inside it, so `vendor` and `tests/fixtures/` both cover their contents.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let segments: [String]

    public init(_ pattern: String) {
        self.pattern = pattern
        var text = pattern
        while text.hasSuffix("/") { text.removeLast() }
        let anchored = text.dropLast().contains("/")
        while text.hasPrefix("/") { text.removeFirst() }
        if text.hasPrefix("./") { text.removeFirst(2) }
        var parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if !anchored { parts.insert("**", at: 0) }
        segments = parts
    }

    public var description: String { pattern }

    /// Matches a path relative to the root the glob belongs to, with `/` separators. A path
    /// inside an archive (`config.zip!app/.env`) is also matched as if the archive were a
    /// folder (`config.zip/app/.env`), so `*.env`, `**/fixtures/**` and `config.zip` all cover
    /// that entry; a name that merely holds a `!` still matches as it is.
    public func matches(_ path: String) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if matchPrefix(segmentIndex: 0, componentIndex: 0, components) { return true }
        guard path.contains("!") else { return false }
        let entered = path.split(omittingEmptySubsequences: true) { $0 == "/" || $0 == "!" }.map(String.init)
        return matchPrefix(segmentIndex: 0, componentIndex: 0, entered)
    }

    /// True when the segments from `segmentIndex` match the components from `componentIndex`,
    /// either all of them or a leading run of them (a folder that holds the path).
    private func matchPrefix(segmentIndex: Int, componentIndex: Int, _ components: [String]) -> Bool {
        if segmentIndex == segments.count { return componentIndex > 0 || components.isEmpty }
        let segment = segments[segmentIndex]
        if segment == "**" {
            for next in componentIndex...components.count
            where matchPrefix(segmentIndex: segmentIndex + 1, componentIndex: next, components) {
                return true
            }
            return false
        }
        guard componentIndex < components.count,
              fnmatch(segment, components[componentIndex], FNM_PERIOD_IGNORED) == 0
        else { return false }
        return matchPrefix(segmentIndex: segmentIndex + 1, componentIndex: componentIndex + 1, components)
    }
}

/// fnmatch flags: none, so `*` also matches a leading dot, as in `.gitignore`.
private let FNM_PERIOD_IGNORED: Int32 = 0
