import Foundation
import Testing
@testable import PatrolKit

/// Path arithmetic without `NSString`, whose `deletingLastPathComponent` trapped on a
/// one-character path (`patrol scan x` crashed).
@Suite struct PathTextTests {
    @Test(arguments: [
        ("x", ""), ("ab", ""), ("./x", "."), ("dir/x", "dir"), ("../x", ".."), ("/x", "/"), ("/", "/"),
        ("", ""), ("a/b/", "a"), ("/a/b", "/a"), ("//a", "/"), ("a//b", "a"), (".", ""), ("..", ""),
    ])
    func parentOfEveryPathForm(_ path: String, _ parent: String) {
        #expect(PathText.parent(of: path) == parent, "parent of \(path.debugDescription)")
    }

    @Test(arguments: [("x", "x"), ("dir/x", "x"), ("/", "/"), ("", ""), ("a/b/", "b"), ("/x", "x")])
    func lastComponentOfEveryPathForm(_ path: String, _ last: String) {
        #expect(PathText.lastComponent(of: path) == last, "last component of \(path.debugDescription)")
    }

    @Test(arguments: [("a", "b", "a/b"), ("/", "b", "/b"), ("", "b", "b"), ("a/", "b", "a/b"), ("a", "/b", "a/b"), ("x", ".patrol.yml", "x/.patrol.yml")])
    func appendingOneComponent(_ folder: String, _ component: String, _ joined: String) {
        #expect(PathText.appending(component, to: folder) == joined)
    }

    /// The project files of a one-character name, `/` and absolute paths are looked up
    /// without a trap; a folder with a `.patrol.yml` is found.
    @Test func projectFilesAreFoundForEveryTargetForm() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("d"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "# defaults\n".write(to: folder.appendingPathComponent("d/.patrol.yml"), atomically: true, encoding: .utf8)
        try "x\n".write(to: folder.appendingPathComponent("d/x"), atomically: true, encoding: .utf8)
        let configFile = folder.appendingPathComponent("d/.patrol.yml").path
        #expect(PatrolConfig.discover(for: folder.appendingPathComponent("d/x").path) == configFile)
        #expect(PatrolConfig.discover(for: folder.appendingPathComponent("d").path) == configFile)
        #expect(PatrolConfig.discover(for: folder.appendingPathComponent("d/").path) == configFile)
        _ = PatrolConfig.discover(for: "/")
        _ = PatrolConfig.discover(for: "x")
        _ = Baseline.discover(for: "/")
        #expect(Baseline.defaultFile(for: "/").hasSuffix("/.patrol-baseline.json"))
    }

    @Test(arguments: ["# only a comment\n", "\n\n# a\n   # b\n", "---\n", "~\n", "null\n", "---\n...\n", ""])
    func anEmptyConfigurationIsTheDefaults(_ text: String) throws {
        let config = try PatrolConfig.parse(text, file: "/tmp/project/.patrol.yml")
        var expected = PatrolConfig()
        expected.file = "/tmp/project/.patrol.yml"
        expected.root = "/tmp/project"
        #expect(config == expected, "\(text.debugDescription)")
    }

    @Test func aConfigurationThatIsAListOrAWordIsStillAnError() {
        #expect(throws: RuleError.self) { try PatrolConfig.parse("- a\n- b\n", file: ".patrol.yml") }
        #expect(throws: RuleError.self) { try PatrolConfig.parse("hello\n", file: ".patrol.yml") }
    }
}
