/// Path arithmetic on plain strings, as `NSString`'s path methods do it, without them:
/// swift-corelibs-foundation's `deletingLastPathComponent` trapped (SIGILL) on a one-character
/// path such as `x`, which made `patrol scan x` crash before reading anything. These never trap,
/// whatever the input (empty, `/`, trailing slashes, `..`).
package enum PathText {
    /// The folder part of `path`: `a/b` → `a`, `/a` → `/`, `a` → `""`, `/` → `/`, `a/b/` → `a`.
    package static func parent(of path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == slash { bytes.removeLast() }
        guard let index = bytes.lastIndex(of: slash) else { return "" }
        var end = index
        while end > 0, bytes[end - 1] == slash { end -= 1 }
        if end == 0 { return "/" }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The last component of `path`: `a/b` → `b`, `a/b/` → `b`, `/` → `/`, `""` → `""`.
    package static func lastComponent(of path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == slash { bytes.removeLast() }
        if bytes == [slash] { return "/" }
        guard let index = bytes.lastIndex(of: slash) else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes[(index + 1)...], as: UTF8.self)
    }

    /// `component` appended to `folder` with one slash between: `("a", "b")` → `a/b`,
    /// `("/", "b")` → `/b`, `("", "b")` → `b`, `("a/", "b")` → `a/b`.
    package static func appending(_ component: String, to folder: String) -> String {
        if folder.isEmpty { return component }
        var base = Substring(folder)
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        let tail = component.drop { $0 == "/" }
        if tail.isEmpty { return String(base) }
        return base == "/" ? "/" + tail : base + "/" + tail
    }

    private static let slash = UInt8(ascii: "/")
}
