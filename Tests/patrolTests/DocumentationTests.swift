import Foundation
import Testing

/// The README is the front door (issue 13 §5): small, the contributor set-up first, and every
/// link into docs/ lands on a file and a heading that exist.
@Suite struct DocumentationTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// Written on other branches (CI, reliability, organisation sweeps, verify's trust); linked
    /// from here before they land.
    private static let pagesOfOtherBranches: Set<String> = ["docs/ci.md", "docs/reliability.md", "docs/sweep-organisations.md", "docs/verify-trust.md"]

    private func read(_ relative: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(relative), encoding: .utf8)
    }

    @Test func readmeIsUnder15KBWithTheSetUpCommandsFirst() throws {
        let readme = try read("README.md")
        #expect(readme.utf8.count <= 15_000, "README.md is \(readme.utf8.count) bytes")
        let firstBlock = try #require(readme.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        #expect(firstBlock.hasPrefix("make run"), "\(firstBlock)")
        #expect(firstBlock.contains("\nmake test"), "\(firstBlock)")
        for section in ["## Install", "## Quick start", "## Commands", "## Documentation"] {
            #expect(readme.contains("\n\(section)\n"), "README lacks \(section)")
        }
    }

    @Test func everyRelativeLinkOfTheReadmeAndTheDocsResolves() throws {
        let docs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        #expect(docs.count >= 7, "\(docs)")
        let link = try Regex(#"\]\(([^)\s]+)\)"#)
        for page in ["README.md"] + docs {
            let text = try read(page)
            for match in text.matches(of: link) {
                let target = String(text[match.range].dropFirst(2).dropLast())
                if target.hasPrefix("http") { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let folder = (page as NSString).deletingLastPathComponent
                let file = parts[0].isEmpty ? page : (folder as NSString).appendingPathComponent(parts[0])
                let normalized = (file as NSString).standardizingPath
                guard FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(normalized).path) else {
                    #expect(Self.pagesOfOtherBranches.contains(normalized), "\(page): \(target) does not exist")
                    continue
                }
                if parts.count == 2 {
                    let anchors = Self.anchors(in: try read(normalized))
                    #expect(anchors.contains(parts[1]), "\(page): \(target): no such heading or anchor in \(normalized)")
                }
            }
        }
    }

    @Test func everyProviderHasAnAnchorInTheRulesPage() throws {
        let anchors = Self.anchors(in: try read("docs/rules.md"))
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("patterns").path).filter { $0.hasSuffix(".yml") }
        #expect(files.count > 30)
        for file in files {
            let text = try read("patterns/" + file)
            let id = try #require(text.split(separator: "\n").first { $0.hasPrefix("  id: ") }).dropFirst("  id: ".count)
            #expect(anchors.contains("provider-\(id)"), "docs/rules.md has no anchor provider-\(id) (SARIF helpUri)")
        }
    }

    /// GitHub's heading anchors (lower-cased, punctuation dropped, spaces to '-') and explicit ids.
    static func anchors(in markdown: String) -> Set<String> {
        var anchors: Set<String> = []
        var inCode = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            if !inCode, line.hasPrefix("#") {
                let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                let slug = String(title.lowercased().compactMap { character -> Character? in
                    if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
                    if character == " " { return "-" }
                    return nil
                })
                anchors.insert(slug)
            }
            var rest = Substring(line)
            while let range = rest.range(of: "<a id=\"") {
                let after = rest[range.upperBound...]
                guard let end = after.firstIndex(of: "\"") else { break }
                anchors.insert(String(after[..<end]))
                rest = after[end...]
            }
        }
        return anchors
    }
}
