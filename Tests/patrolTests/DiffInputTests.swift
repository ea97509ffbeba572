import Foundation
import Testing
@testable import PatrolKit

/// `patrol diff` on diffs that are odd but real (issue 14): miscounted hunks, bytes that are not
/// UTF-8, colour, quoted names, overflowing numbers, and input that is no diff at all.
@Suite struct DiffInputTests {
    private func diffStdin(_ input: Data, arguments: [String] = []) throws -> (RunResult, [[String: Any]]) {
        let folder = try TemporaryFolder()
        let result = try patrol(["diff", "-", "--format", "json", "--show-secrets"] + arguments, in: folder.url, stdin: input)
        return (result, (try? result.findings()) ?? [])
    }

    private func diffStdin(_ text: String) throws -> (RunResult, [[String: Any]]) {
        try diffStdin(Data(text.utf8))
    }

    private func header(_ path: String = "app.txt") -> String {
        "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n"
    }

    @Test func addedLinesPastTheHunkHeaderCountAreScanned() throws {
        let token = Tokens.cask(seed: 140)
        let (result, findings) = try diffStdin(header() + "@@ -0,0 +1,1 @@\n+first line\n+second line\n+pat: \(token)\n")
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(findings.map { "\($0["path"]!):\($0["line"]!)" } == ["app.txt:3"], "\(findings)")
        #expect(result.stderr.contains("past what the hunk header announced"), "\(result.stderr)")
    }

    /// A merge's combined diff (`git show` of a merge, `diff --cc`): one marker column per
    /// parent. Lines past the header's count that every parent lacks (`++`) are scanned too;
    /// context and lines of one parent move the line number on without being reported.
    @Test func addedLinesPastACombinedHunkHeaderCountAreScanned() throws {
        let token = Tokens.cask(seed: 145)
        let text = "diff --cc app.txt\nindex 1111111,2222222..3333333\n--- a/app.txt\n+++ b/app.txt\n"
            + "@@@ -1,1 -1,1 +1,1 @@@\n  kept\n+ from the first parent\n  kept too\n- gone in the result\n++pat: \(token)\n"
        let (result, findings) = try diffStdin(text)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(findings.map { "\($0["path"]!):\($0["line"]!)" } == ["app.txt:4"], "\(findings)")
        #expect(result.stderr.contains("past what the hunk header announced"), "\(result.stderr)")
    }

    @Test func hunkThatAnnouncedMoreLinesEndsAtTheNextFile() throws {
        let token = Tokens.cask(seed: 141)
        let text = header("a.txt") + "@@ -0,0 +1,5 @@\n+one\n" + header("b.txt") + "@@ -0,0 +1 @@\n+pat: \(token)\n"
        let (result, findings) = try diffStdin(text)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(findings.map { "\($0["path"]!):\($0["line"]!)" } == ["b.txt:1"])
    }

    @Test func tokenOnAnAddedLineWithInvalidUTF8OrANulIsFound() throws {
        let token = Tokens.cask(seed: 142)
        var input = Data(header().utf8)
        input += Data("@@ -0,0 +1,2 @@\n+caf".utf8) + Data([0xE9, 0xFF]) + Data(" pat: \(token)\n".utf8)
        input += Data("+nul".utf8) + Data([0]) + Data(" \(Tokens.legacy(seed: 143))\n".utf8)
        let (result, findings) = try diffStdin(input)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(findings.map { $0["line"] as? Int } == [1, 2], "\(findings)")
    }

    @Test func addedLineStartingWithFFFEKeepsItsToken() throws {
        let token = Tokens.cask(seed: 144)
        var input = Data(header().utf8)
        input += Data("@@ -0,0 +1 @@\n+".utf8) + Data([0xFF, 0xFE]) + Data("pat: \(token)\n".utf8)
        let (result, findings) = try diffStdin(input)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(findings.first?["secret"] as? String == token)
    }

    @Test func plainTextAndRandomBytesAreNotADiff() throws {
        let (text, _) = try diffStdin("just some notes\nnothing here looks like a patch\n")
        #expect(text.status == 2, "stdout: \(text.stdout) stderr: \(text.stderr)")
        #expect(text.stderr.contains("not a unified diff"), "\(text.stderr)")
        #expect(!text.stderr.contains("no secrets found"))

        var rng = SeededGenerator(seed: 145)
        let random = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let (bytes, _) = try diffStdin(random)
        #expect(bytes.status == 2, "stderr: \(bytes.stderr)")

        let (empty, _) = try diffStdin("")
        #expect(empty.status == 0, "an empty diff is a diff with no change: \(empty.stderr)")
    }

    @Test func colouredDiffFromGitIsScanned() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("base", ["app.txt": "one\n"])
        let token = Tokens.cask(seed: 146)
        try repo.write("app.txt", "one\npat: \(token)\n")
        let coloured = try repo.git("-c", "color.diff=always", "diff", "--color=always")
        #expect(coloured.contains("\u{1B}["), "git did not colour the diff")
        let result = try patrol(["diff", "-", "--format", "json", "--show-secrets"], in: repo.url, stdin: Data(coloured.utf8))
        let findings = (try? result.findings()) ?? []
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(findings.map { "\($0["path"]!):\($0["line"]!):\($0["column"]!)" } == ["app.txt:2:6"], "\(findings)")
    }

    @Test func quotedAndSpacedNamesAreReportedAsGitNamesThem() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("base")
        let names = ["my\tfile.txt", "caf\u{E9}.txt", "with space.txt", "quote\"d.txt", "a b/c d.txt"]
        for (index, name) in names.enumerated() {
            try repo.write(name, "pat: \(Tokens.cask(seed: 150 + UInt64(index)))\n")
        }
        try repo.commit("odd names")
        // git's own quoting, as a user's `git show | patrol diff -` sees it.
        let shown = try repo.git("-c", "core.quotePath=true", "show", "--format=", "HEAD")
        #expect(shown.contains("\"b/my\\tfile.txt\""), "git did not quote the tab: \(shown)")
        #expect(shown.contains("\\303\\251"), "git did not escape é in octal: \(shown)")
        let result = try patrol(["diff", "-", "--format", "json"], in: repo.url, stdin: Data(shown.utf8))
        let paths = Set(((try? result.findings()) ?? []).compactMap { $0["path"] as? String })
        #expect(paths == Set(names), "stderr: \(result.stderr)")
        // And through patrol's own git diff of the commit.
        let direct = try patrol(["diff", "--format", "json", "HEAD"], in: repo.url)
        #expect(Set(((try? direct.findings()) ?? []).compactMap { $0["path"] as? String }) == Set(names), "stderr: \(direct.stderr)")
    }

    @Test func hunkNumbersNearIntMaxDoNotTrap() throws {
        for numbers in ["-9223372036854775807,1 +9223372036854775807,2", "-1,1 +9223372036854775807,1", "-1 +99999999999999999999999,1", "-0,0 +1,9223372036854775807"] {
            let (result, _) = try diffStdin(header() + "@@ \(numbers) @@\n+x\n+y\n")
            #expect(result.status == 0 || result.status == 2, "'\(numbers)' ended with \(result.status): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        }
    }

    @Test func maxFileSizeThatOverflowsIsRefusedNotTrapped() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.txt", "hello\n")
        for size in ["99999999999999999999T", "9223372036854775807T", "1e300", "nanK", "-5M"] {
            let result = try patrol(["scan", ".", "--max-file-size", size], in: folder.url)
            #expect(result.status == 2, "--max-file-size \(size) ended with \(result.status): \(result.stderr)")
        }
    }
}
