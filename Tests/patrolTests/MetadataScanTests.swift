import Foundation
import FoundationXML
import Testing
@testable import PatrolKit

/// Commit messages, annotated tag messages and git notes in `history`, `sweep` and `ci`, on real
/// repositories that git builds in temporary folders.
@Suite struct MetadataScanTests {
    /// A repository whose files are clean, with one token in a commit message (of a commit two
    /// branches reach), one in an annotated tag's message and one in a note.
    struct Leaky {
        let repo: TemporaryFolder
        let inMessage: String, inTag: String, inNote: String
        let messageCommit: String, tagObject: String, notedCommit: String

        init(seed: UInt64) throws {
            repo = try TemporaryFolder()
            try repo.git("init", "-q")
            inMessage = Tokens.github(seed: seed)
            inTag = Tokens.github(seed: seed + 1)
            inNote = Tokens.github(seed: seed + 2)
            try repo.commit("start", ["README.md": "hello\n"])
            messageCommit = try repo.commit("fix the build\n\nused token \(inMessage) to test\n", ["build.sh": "make\n"])
            try repo.git("branch", "other")
            notedCommit = try repo.commit("more work", ["work.txt": "work\n"])
            try repo.git("tag", "-a", "v1.0", "-m", "release\ndeploy key: \(inTag)")
            tagObject = try repo.git("rev-parse", "v1.0").trimmingCharacters(in: .whitespacesAndNewlines)
            try repo.git("notes", "add", "-m", "ci run with \(inNote)", notedCommit)
        }
    }

    private func history(_ arguments: [String], in repo: TemporaryFolder) throws -> (RunResult, [[String: Any]]) {
        let result = try patrol(["history", "--format", "json", "--show-secrets"] + arguments, in: repo.url)
        return (result, (try? result.findings()) ?? [])
    }

    @Test func historyReportsEachCommitMessageTagMessageAndNoteOnceWithNoPath() throws {
        let leaky = try Leaky(seed: 1501)
        let (result, findings) = try history([], in: leaky.repo)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(findings.count == 3, "the commit two branches reach is scanned once; the note is not also a file: \(findings)")
        let byLocation = Dictionary(findings.map { ($0["location"] as? String ?? "file", $0) }) { first, _ in first }
        #expect(Set(byLocation.keys) == ["commit-message", "tag-message", "note"])
        for finding in findings {
            #expect(finding["path"] is NSNull, "\(finding)")
            let locations = finding["locations"] as? [[String: Any]] ?? []
            #expect(locations.count == 1 && locations[0]["path"] is NSNull && locations[0]["location"] as? String == finding["location"] as? String)
        }
        let message = try #require(byLocation["commit-message"])
        #expect(message["secret"] as? String == leaky.inMessage)
        #expect(message["commit"] as? String == leaky.messageCommit)
        #expect(message["author"] as? String == "Test <test@example.com>")
        #expect(message["line"] as? Int == 3 && message["column"] as? Int == 12, "\(message)")
        let tag = try #require(byLocation["tag-message"])
        #expect(tag["secret"] as? String == leaky.inTag)
        #expect(tag["commit"] as? String == leaky.tagObject)
        #expect(tag["tag"] as? String == "v1.0")
        #expect(tag["line"] as? Int == 2 && tag["column"] as? Int == 13, "\(tag)")
        let note = try #require(byLocation["note"])
        #expect(note["secret"] as? String == leaky.inNote)
        #expect(note["commit"] as? String == leaky.notedCommit)
        #expect(note["line"] as? Int == 1 && note["column"] as? Int == 13, "\(note)")
        #expect(message["fingerprint"] as? String == Finding.fingerprint(rule: message["rule"] as! String, secret: leaky.inMessage))
    }

    @Test func notesUnderEveryNotesRefAreScannedAndSayWhichRefHoldsThem() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let inReview = Tokens.github(seed: 1531), inDefault = Tokens.github(seed: 1532)
        let commit = try repo.commit("work", ["work.txt": "work\n"])
        try repo.git("notes", "--ref=review", "add", "-m", "reviewed with \(inReview)", commit)
        try repo.git("notes", "add", "-m", "ci with \(inDefault)", commit)
        let (result, findings) = try history([], in: repo)
        #expect(result.status == 1, "\(result.stderr)")
        let bySecret = Dictionary(findings.map { ($0["secret"] as? String ?? "", $0) }) { first, _ in first }
        #expect(Set(bySecret.keys) == [inReview, inDefault], "\(findings)")
        #expect((bySecret[inReview]?["context"] as? [String: Any])?["notes_ref"] as? String == "refs/notes/review")
        #expect((bySecret[inDefault]?["context"] as? [String: Any])?["notes_ref"] as? String == "refs/notes/commits")
        #expect(findings.allSatisfy { $0["location"] as? String == "note" && $0["commit"] as? String == commit })
        let text = try patrol(["history", "--no-color"], in: repo.url)
        #expect(text.stdout.contains("(note review on \(commit.prefix(12)))"), "\(text.stdout)")
        #expect(text.stdout.contains("(note on \(commit.prefix(12)))"), "\(text.stdout)")
    }

    @Test func noMetadataTurnsItOffAndARangeScansOnlyItsOwnMessagesTagsAndNotes() throws {
        let leaky = try Leaky(seed: 1511)
        let (off, offFindings) = try history(["--no-metadata"], in: leaky.repo)
        // The note's blob is then an ordinary blob of refs/notes/commits, as before.
        #expect(!offFindings.contains { $0["location"] != nil }, "\(offFindings)")
        #expect(!offFindings.contains { ($0["secret"] as? String) == leaky.inMessage || ($0["secret"] as? String) == leaky.inTag }, "\(off.stdout)")

        // Only the last commit: its note and the tag on it, not the earlier commit's message.
        let (range, findings) = try history(["HEAD~1..HEAD"], in: leaky.repo)
        #expect(range.status == 1, "\(range.stderr)")
        #expect(Set(findings.compactMap { $0["secret"] as? String }) == [leaky.inTag, leaky.inNote], "\(findings)")
        let (earlier, earlierFindings) = try history(["HEAD~2..HEAD~1"], in: leaky.repo)
        #expect(earlier.status == 1)
        #expect(earlierFindings.compactMap { $0["secret"] as? String } == [leaky.inMessage], "\(earlierFindings)")
    }

    @Test func everyReportFormatWritesAMessageFindingAndSARIFStillValidates() throws {
        let leaky = try Leaky(seed: 1521)
        let sarif = try patrol(["history", "--format", "sarif"], in: leaky.repo.url)
        #expect(sarif.status == 1, "\(sarif.stderr)")
        #expect(!sarif.stdout.contains(leaky.inMessage))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let results = try #require(((document["runs"] as? [[String: Any]])?.first)?["results"] as? [[String: Any]])
        #expect(results.count == 3)
        let kinds = results.compactMap { result -> String? in
            let logical = ((result["locations"] as? [[String: Any]])?.first?["logicalLocations"] as? [[String: Any]])?.first
            return logical?["kind"] as? String
        }
        #expect(Set(kinds) == ["commit-message", "tag-message", "note"], "\(results)")
        try SARIFValidation.expectValid(sarif.stdout)

        let csv = try patrol(["history", "--format", "csv"], in: leaky.repo.url)
        let rows = try CSV.parse(csv.stdout)
        let header = try #require(rows.first)
        let records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        #expect(Set(records.compactMap { $0["location"] }) == ["commit-message", "tag-message", "note"])
        #expect(records.allSatisfy { $0["path"] == "" })
        #expect(records.contains { $0["tag"] == "v1.0" })

        let junit = try patrol(["history", "--format", "junit"], in: leaky.repo.url)
        #expect(junit.status == 1)
        #expect(junit.stdout.contains("name=\"(commit message \(leaky.messageCommit.prefix(12)))\""), "\(junit.stdout)")
        #expect(try XMLDocument(xmlString: junit.stdout).rootElement()?.name == "testsuites")

        let text = try patrol(["history", "--no-color"], in: leaky.repo.url)
        #expect(text.stdout.contains("(tag message v1.0)"), "\(text.stdout)")
        let markdown = try patrol(["history", "--format", "markdown"], in: leaky.repo.url)
        #expect(markdown.stdout.contains("(note on \(leaky.notedCommit.prefix(12)))"), "\(markdown.stdout)")
        let jsonl = try patrol(["history", "--format", "jsonl"], in: leaky.repo.url)
        let lines = try jsonl.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(lines.count == 3 && lines.allSatisfy { $0["path"] is NSNull && $0["location"] is String })
        for output in [sarif, csv, junit, text, markdown, jsonl] {
            #expect(!output.stdout.contains(leaky.inTag), "a report shows the secret")
        }
    }

    @Test func aBaselineAcceptsAMessageFindingButNotTheSameSecretInAFile() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.github(seed: 1531)
        try repo.commit("start\n\n\(token)\n", ["README.md": "hello\n"])
        #expect(try patrol(["baseline", "create", "--history"], in: repo.url).status == 0)
        let baseline = try String(contentsOf: repo.url.appendingPathComponent(".patrol-baseline.json"), encoding: .utf8)
        #expect(baseline.contains("\"path\": null") && baseline.contains("\"location\": \"commit-message\""), "\(baseline)")
        #expect(try patrol(["history"], in: repo.url).status == 0)
        // Survives a rewrite of the commit (no commit id in the entry).
        try repo.git("commit", "-q", "--amend", "-m", "start again\n\n\(token)\n")
        #expect(try patrol(["history"], in: repo.url).status == 0)
        // The same secret in a file is another finding.
        try repo.commit("add it to a file", ["app.env": "TOKEN=\(token)\n"])
        let (result, findings) = try history([], in: repo)
        #expect(result.status == 1)
        #expect(findings.map { $0["path"] as? String } == ["app.env"], "\(findings)")
    }

    @Test func remediatePlanRewritesMessagesAndRecoversARedactedSecretFromTheCommit() throws {
        let folder = try TemporaryFolder()
        try folder.git("init", "-q", "--bare", "remote.git")
        try folder.git("init", "-q", "repo")
        let repo = folder.url.appendingPathComponent("repo")
        try folder.git(["remote", "add", "origin", folder.url.appendingPathComponent("remote.git").path], in: "repo")
        let token = Tokens.github(seed: 1541)
        try folder.write("repo/README.md", "hello\n")
        try folder.git(["add", "-A"], in: "repo")
        try folder.git(["commit", "-q", "-m", "start\n\nwith \(token)"], in: "repo")
        try folder.git(["push", "-q", "origin", "HEAD:refs/heads/main"], in: "repo")
        try folder.git(["fetch", "-q", "origin"], in: "repo")
        let report = folder.url.appendingPathComponent("report.json").path
        #expect(try patrol(["history", "--format", "json", "--output", report], in: repo).status == 1)
        #expect(!(try String(contentsOfFile: report, encoding: .utf8)).contains(token))

        // verify and revoke read such a report with the same reader.
        let parsed = try LeakReport.parse(Array(try Data(contentsOf: URL(fileURLWithPath: report))), source: report)
        #expect(parsed.entries.count == 1 && parsed.entries[0].finding.origin == .commitMessage)

        let state = try TemporaryFolder()
        let replaceFile = state.url.appendingPathComponent("replace.txt").path
        let result = try patrol(["remediate", report, "--replace-file", replaceFile], environment: ["XDG_STATE_HOME": state.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("git filter-repo --replace-text \(replaceFile) --replace-message \(replaceFile)"), "\(result.stdout)")
        #expect(result.stdout.contains("--replace-message` rewrites every commit and annotated tag message"), "\(result.stdout)")
        #expect(!result.stdout.contains(token))
        #expect(try String(contentsOfFile: replaceFile, encoding: .utf8) == "\(token)==>***REMOVED***\n")
    }

    @Test func sweepReportsMessagesOnEveryRunAndNoMetadataTurnsItOff() throws {
        let leaky = try Leaky(seed: 1551)
        let workspace = try TemporaryFolder()
        func sweep(_ extra: [String]) throws -> [[String: Any]] {
            let result = try patrol(["sweep", "--cache", workspace.url.appendingPathComponent("cache.sqlite").path, "--clone-dir", workspace.url.appendingPathComponent("clones").path, "--show-secrets"] + extra + [leaky.repo.path])
            return result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter { $0["rule"] != nil }
        }
        let first = try sweep([])
        #expect(Set(first.compactMap { $0["location"] as? String }) == ["commit-message", "tag-message", "note"], "\(first)")
        #expect(first.count == 3)
        let second = try sweep([])
        #expect(second.count == 3, "an unchanged repository still reports its messages: \(second)")
        let off = try sweep(["--no-metadata"])
        #expect(!off.contains { $0["location"] != nil }, "\(off)")
    }

    @Test func ciScansTheMessagesOfThePushedCommitsOnly() throws {
        let repo = try PushedRepository()
        let before = Tokens.github(seed: 1561), pushed = Tokens.github(seed: 1562)
        let base = try repo.work.commit("base with \(before)", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.commit("wip\n\ntoken \(pushed)", ["b.txt": "b\n"])
        try repo.work.git("push", "-q", "origin", "main")
        let ci = try repo.checkout()
        let json = ci.url.appendingPathComponent("report.json").path
        func push(_ extra: [String]) throws -> RunResult {
            let event = try repo.event(["ref": "refs/heads/main", "before": base, "after": try repo.sha("HEAD")])
            return try patrol(["ci", "--json", json] + extra, in: ci.url, environment: ciEnvironment([
                "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": event, "GITHUB_SHA": try repo.sha("HEAD"), "GITHUB_REF": "refs/heads/main",
            ]))
        }
        let run = try push([])
        #expect(run.status == 1, "\(run.stderr)")
        // The annotation has no file: the message says where.
        #expect(run.stdout.contains("::error title=patrol%3A "), "\(run.stdout)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.count == 1 && findings[0]["location"] as? String == "commit-message", "\(findings)")
        #expect(!run.stdout.contains(pushed) && !run.stdout.contains(before))
        let off = try push(["--no-metadata"])
        #expect(off.status == 0, "\(off.stdout)")
    }
}
