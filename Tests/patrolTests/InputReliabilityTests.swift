import Foundation
import Testing

/// The most basic uses never crash and never lose a token: one-character file names and every
/// form of path, a configuration of nothing but comments, text that only looks like UTF-16 —
/// each driven through the built binary.
@Suite struct InputReliabilityTests {
    private func scanJSON(_ arguments: [String], in folder: URL, stdin: Data? = nil) throws -> RunResult {
        try patrol(["scan", "--format", "json", "--show-secrets"] + arguments, in: folder, stdin: stdin)
    }

    private func secrets(_ result: RunResult) throws -> [String] {
        try result.findings().compactMap { $0["secret"] as? String }
    }

    /// A folder `work` (a git work tree or not) holding `x`, `dir/y` and `sub/`, with a token
    /// in each file.
    private func layout(gitWorkTree: Bool) throws -> (root: TemporaryFolder, tokens: [String: String]) {
        let root = try TemporaryFolder()
        let tokens = ["x": Tokens.github(seed: 901), "dir/y": Tokens.github(seed: 902)]
        for (path, token) in tokens { try root.write(path, "token \(token)\n") }
        try root.write("sub/clean.txt", "nothing here\n")
        if gitWorkTree {
            try root.git("init", "-q")
            try root.git("add", "-A")
            try root.git("commit", "-q", "-m", "files")
        }
        return (root, tokens)
    }

    @Test(arguments: [false, true])
    func oneCharacterNamesAndEveryPathFormAreScannedWithoutACrash(_ gitWorkTree: Bool) throws {
        let (root, tokens) = try layout(gitWorkTree: gitWorkTree)
        let cases: [(arguments: [String], folder: URL, token: String)] = [
            (["x"], root.url, tokens["x"]!),
            (["./x"], root.url, tokens["x"]!),
            (["dir/y"], root.url, tokens["dir/y"]!),
            (["y"], root.url.appendingPathComponent("dir"), tokens["dir/y"]!),
            (["../x"], root.url.appendingPathComponent("sub"), tokens["x"]!),
            (["../dir/y"], root.url.appendingPathComponent("sub"), tokens["dir/y"]!),
            ([root.url.appendingPathComponent("x").path], root.url.appendingPathComponent("sub"), tokens["x"]!),
            (["/" + root.url.appendingPathComponent("dir/y").path], root.url, tokens["dir/y"]!),
        ]
        for (arguments, folder, token) in cases {
            let result = try scanJSON(arguments, in: folder)
            #expect(result.status == 1, "patrol scan \(arguments) in \(folder.path) (git: \(gitWorkTree)): status \(result.status), \(result.stderr)")
            #expect(try secrets(result) == [token], "patrol scan \(arguments)")
        }
        // Folders named by one character and by `.`/`..`.
        try root.write("d/z", "token \(tokens["x"]!)\n")
        for (arguments, folder) in [(["d"], root.url), (["."], root.url.appendingPathComponent("d")), ([".."], root.url.appendingPathComponent("sub"))] {
            let result = try scanJSON(arguments, in: folder)
            #expect(result.status == 1, "patrol scan \(arguments): \(result.stderr)")
        }
    }

    @Test(arguments: ["# only a comment\n", "# one\n\n   # two\n", "---\n# nothing\n", "~\n", "---\n...\n"])
    func aConfigurationWithNothingInItMeansTheDefaults(_ text: String) throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 903)
        try folder.write(".patrol.yml", text)
        try folder.write("app.env", "token \(token)\n")
        let result = try scanJSON(["."], in: folder.url)
        #expect(result.status == 1, "config \(text.debugDescription): \(result.stderr)")
        #expect(try secrets(result) == [token])
    }

    @Test func textThatLooksLikeUTF16IsScannedRawInFilesStandardInputAndHistory() throws {
        let folder = try TemporaryFolder()
        let ascii = Tokens.github(seed: 904), latin = Tokens.github(seed: 905), utf8Tail = Tokens.github(seed: 906)
        var mixed = Data([0xFF, 0xFE])
        mixed.append(contentsOf: "log start\r\n".utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] })
        mixed.append(contentsOf: Array("then UTF-8\nkey \(utf8Tail)\n".utf8))
        let files: [String: Data] = [
            "ascii.txt": Data([0xFF, 0xFE] + Array("\nkey \(ascii)\n".utf8)),
            "latin1.txt": Data([0xFF, 0xFE, 0x20, 0xE9, 0x0A] + Array("key \(latin)\n".utf8)),
            "mixed.log": mixed,
        ]
        for (path, data) in files { try folder.write(path, data) }
        let scan = try scanJSON(["."], in: folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        #expect(Set(try secrets(scan)) == [ascii, latin, utf8Tail])
        #expect(try secrets(scan).count == 3, "one finding per secret")

        let stdin = try scanJSON(["-"], in: folder.url, stdin: files["ascii.txt"])
        #expect(stdin.status == 1, "\(stdin.stderr)")
        #expect(try secrets(stdin) == [ascii])

        try folder.git("init", "-q")
        try folder.git("add", "-A")
        try folder.git("commit", "-q", "-m", "files")
        let history = try patrol(["history", "--format", "json", "--show-secrets"], in: folder.url)
        #expect(history.status == 1, "\(history.stderr)")
        #expect(Set(try secrets(history)) == [ascii, latin, utf8Tail])
    }
}
