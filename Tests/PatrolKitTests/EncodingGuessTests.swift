import Foundation
import Testing
@testable import PatrolKit

/// A wrong UTF-16 guess never hides a token: input that looks like UTF-16 is scanned raw and
/// transcoded, in memory (blobs, diff lines), through the chunked path (files, standard input)
/// and from files, and a secret both views hold is reported once.
@Suite struct EncodingGuessTests {
    static let ruleSet = try! RuleLoader.load()

    private static func token(_ seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        return Validator.builtIn["github-ghp-crc32"]!.generate(&rng)
    }

    private static func utf16LE(_ text: String) -> [UInt8] {
        text.utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
    }

    /// The secrets found in `bytes` by every path an input can take.
    private func everyPath(_ bytes: [UInt8]) throws -> [String: [String]] {
        let scanner = InputScanner(ruleSet: Self.ruleSet)
        var results: [String: [String]] = [:]
        if case .scanned(_, let found) = scanner.scan(bytes: bytes) { results["memory"] = found.map(\.secret) }
        if case .scanned(_, let found) = scanner.scanChunked(bytes) { results["chunked"] = found.map(\.secret) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-encoding-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        if case .scanned(_, let found) = scanner.scanFile(atPath: file.path, maxFileSize: 1 << 30, enabled: nil) { results["file"] = found.map(\.secret) }
        return results
    }

    private func expectFound(_ bytes: [UInt8], _ expected: [String], _ what: String) throws {
        let results = try everyPath(bytes)
        for path in ["memory", "chunked", "file"] {
            #expect(results[path] == expected, "\(what), \(path): \(String(describing: results[path]))")
        }
    }

    @Test func asciiThatStartsWithAByteOrderMarkLookalikeIsScannedRaw() throws {
        let token = Self.token(1)
        try expectFound([0xFF, 0xFE] + Array("junk\nkey \(token)\n".utf8), [token], "FF FE then ASCII")
        try expectFound([0xFE, 0xFF] + Array("junk\nkey \(token)\n".utf8), [token], "FE FF then ASCII")
    }

    @Test func latin1TextStartingWithYDiaeresisThornIsScannedRaw() throws {
        let token = Self.token(2)
        // "ÿþ café " in Latin-1: FF FE, then é as E9.
        let latin1: [UInt8] = [0xFF, 0xFE, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A] + Array("token \(token)\n".utf8)
        try expectFound(latin1, [token], "Latin-1")
    }

    @Test func logWhoseHeadIsUTF16AndTailUTF8YieldsBothTokens() throws {
        let head = Self.token(3), tail = Self.token(4)
        let bytes = [0xFF, 0xFE] + Self.utf16LE("service start\r\nkey \(head)\r\n" + String(repeating: "starting up\r\n", count: 20))
            + Array("later lines in UTF-8\nkey \(tail)\n".utf8)
        let results = try everyPath(bytes)
        for path in ["memory", "chunked", "file"] {
            #expect(Set(results[path] ?? []) == [head, tail], "\(path): \(String(describing: results[path]))")
        }
    }

    @Test func realUTF16IsStillFoundOnceAndTheSameSecretInBothViewsOnce() throws {
        let token = Self.token(5)
        try expectFound([0xFF, 0xFE] + Self.utf16LE("$pat = '\(token)'\r\n"), [token], "UTF-16LE with BOM")
        try expectFound(Self.utf16LE("$pat = '\(token)'\r\n"), [token], "UTF-16LE without BOM")
        // The same secret in the UTF-16 head and the UTF-8 tail: one occurrence, the raw one.
        let bytes = [0xFF, 0xFE] + Self.utf16LE("key \(token)\r\n") + Array("\nkey \(token)\n".utf8)
        let scanner = InputScanner(ruleSet: Self.ruleSet)
        guard case .scanned(_, let found) = scanner.scan(bytes: bytes) else {
            Issue.record("not scanned")
            return
        }
        #expect(found.map(\.secret) == [token])
    }

    /// UTF-16 without a byte order mark of text that is mostly not ASCII: its NULs are few (only
    /// the spaces and the token's own characters), and all in the high bytes.
    @Test func utf16WithFewNulsIsStillTranscodedAndScanned() throws {
        let token = Self.token(7)
        let text = String(repeating: "ключ пароль сервер ", count: 40) + "\r\nтокен=\(token)\r\n"
        let little = Self.utf16LE(text)
        #expect(little.withUnsafeBytes { InputEncoding.sniff($0) } == .utf16(bigEndian: false))
        try expectFound(little, [token], "UTF-16LE, mostly Cyrillic")
        let big = text.utf16.flatMap { unit -> [UInt8] in [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        #expect(big.withUnsafeBytes { InputEncoding.sniff($0) } == .utf16(bigEndian: true))
        try expectFound(big, [token], "UTF-16BE, mostly Cyrillic")
    }

    /// Binary data with NULs on one side only is still binary when its code units are control
    /// characters or broken surrogates.
    @Test func binaryWithNulsOnOneSideIsStillBinary() {
        var rng = SeededGenerator(seed: 8)
        var bytes: [UInt8] = []
        for _ in 0..<2048 {
            bytes.append(UInt8.random(in: 1...0x1F, using: &rng))
            bytes.append(Bool.random(using: &rng) ? 0 : UInt8.random(in: 0xD8...0xDF, using: &rng))
        }
        #expect(bytes.withUnsafeBytes { InputEncoding.sniff($0) } == .binary)
    }

    @Test func standardInputThatLooksLikeUTF16IsScannedRawFromAPipe() throws {
        let token = Self.token(6)
        let bytes = [0xFF, 0xFE] + Array("plain text\nkey \(token)\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100_000)
        var pipe: [Int32] = [0, 0]
        #expect(Foundation.pipe(&pipe) == 0)
        let writer = pipe[1]
        let thread = Thread {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(writer, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(writer)
        }
        thread.start()
        let scanner = InputScanner(ruleSet: Self.ruleSet)
        let outcome = scanner.scanStream(descriptor: pipe[0], enabled: nil)
        close(pipe[0])
        guard case .scanned(let count, let found) = outcome else {
            Issue.record("not scanned: \(outcome)")
            return
        }
        #expect(found.map(\.secret) == [token])
        #expect(count == bytes.count)
    }
}
