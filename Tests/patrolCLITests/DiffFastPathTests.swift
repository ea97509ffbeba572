import ArgumentParser
import Testing
@testable import patrol

/// The hook's fast path must read every argument list it accepts exactly as ArgumentParser
/// does, and leave every other list to ArgumentParser.
@Suite struct DiffFastPathTests {
    /// What ArgumentParser makes of `arguments` (the subcommand's own), or nil when it rejects them.
    private func parsedByArgumentParser(_ arguments: [String]) -> DiffRequest? {
        guard let command = try? Patrol.parseAsRoot(arguments) as? DiffCommand else { return nil }
        return command.request
    }

    @Test(arguments: [
        ["diff"],
        ["diff", "--staged"],
        ["diff", "--staged", "-q"],
        ["diff", "HEAD~1"],
        ["diff", "main..feature"],
        ["diff", "-"],
        ["diff", "-", "--format", "sarif"],
        ["diff", "--format=json", "--staged", "--show-secrets"],
        ["diff", "--staged", "--format", "junit", "-o", "report.xml", "--exit-code", "3"],
        ["diff", "--output=out.json", "--format", "json", "HEAD"],
        ["diff", "--min-confidence", "high", "--strict", "--no-color", "--verbose"],
        ["diff", "--repository", "/tmp/repo", "--staged"],
        ["diff", "--repository=/tmp/repo", "HEAD~2..HEAD"],
        ["diff", "--rules", "a", "--rules=b", "--config", "ci.yml", "--no-generic"],
        ["diff", "--no-config", "--no-baseline", "--staged"],
        ["diff", "--baseline", "accepted.json", "--exit-code=0"],
        ["diff", "--exit-code=-1"],
        ["diff", "--output", ""],
    ])
    func readsWhatArgumentParserReads(arguments: [String]) throws {
        let expected = try #require(parsedByArgumentParser(arguments), "ArgumentParser accepts \(arguments)")
        #expect(DiffFastPath.request(from: arguments) == expected)
    }

    @Test func readsTheHooksCommandWithItsDefaults() throws {
        let request = try #require(DiffFastPath.request(from: ["diff", "--staged"]))
        #expect(request == DiffRequest(revision: nil, staged: true, repository: ".", report: ReportSettings(), selection: RuleSelection(), baseline: BaselineChoice()))
        #expect(request.report.format == .text && request.report.exitCode == 1 && request.report.minConfidence == .low)
    }

    /// Lists the fast path leaves alone: ArgumentParser rejects most of them with its own
    /// message; the others (help, combined flags, `--`) only ArgumentParser knows how to read.
    @Test(arguments: [
        ["scan", "."],
        [],
        ["diff", "--help"],
        ["diff", "-h"],
        ["diff", "--staged", "HEAD"],
        ["diff", "HEAD", "HEAD~1"],
        ["diff", "--format", "yaml"],
        ["diff", "--format"],
        ["diff", "--format", "--staged"],
        ["diff", "--min-confidence", "certain"],
        ["diff", "--exit-code", "one"],
        ["diff", "--exit-code", "99999999999"],
        ["diff", "--exit-code", "-1"],
        ["diff", "--unknown"],
        ["diff", "--staged", "--staged"],
        ["diff", "--format", "json", "--format", "text"],
        ["diff", "-qv"],
        ["diff", "--", "HEAD"],
        ["diff", "--staged=yes"],
        ["diff", "-o"],
        ["diff", "--output="],
        ["diff", "--version"],
    ])
    func leavesEverythingElseToArgumentParser(arguments: [String]) {
        #expect(DiffFastPath.request(from: arguments) == nil)
    }

    @Test func argumentParserRejectsWhatTheFastPathCannotParse() {
        for arguments in [["diff", "--staged", "HEAD"], ["diff", "HEAD", "HEAD~1"], ["diff", "--format", "yaml"], ["diff", "--unknown"], ["diff", "--exit-code", "one"], ["diff", "--exit-code", "-1"], ["diff", "--output="]] {
            #expect(parsedByArgumentParser(arguments) == nil, "\(arguments)")
        }
    }
}
