import Foundation
import Testing
@testable import PatrolKit

/// The small system helpers of the hook's start-up path, which replaced Foundation calls.
@Suite struct ProcessAndPathTests {
    @Test func childSeesItsOwnEnvironmentWithTheExtraVariablesReplacingAndAdding() throws {
        setenv("PATROL_TEST_KEPT", "kept", 1)
        setenv("PATROL_TEST_REPLACED", "old", 1)
        setenv("PATROL_TEST_REPLACED_LONGER", "other", 1)
        let child = try ChildProcess(["env"], extraEnvironment: ["PATROL_TEST_REPLACED": "new", "PATROL_TEST_ADDED": "added"])
        let lines = String(decoding: child.readAll(), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(child.wait().status == 0)
        let ours = lines.filter { $0.hasPrefix("PATROL_TEST_") }.sorted()
        #expect(ours == ["PATROL_TEST_ADDED=added", "PATROL_TEST_KEPT=kept", "PATROL_TEST_REPLACED=new", "PATROL_TEST_REPLACED_LONGER=other"])
        #expect(lines.contains { $0.hasPrefix("PATH=") })
    }

    @Test(arguments: [
        ("/a/b/c", "/a/b/c"),
        ("/a/./b/../c/", "/a/c"),
        ("/../x", "/x"),
        ("/", "/"),
        ("//a//b", "/a/b"),
    ])
    func absolutePathResolvesDotsInTheText(path: String, expected: String) {
        #expect(GitWorkTree.absolutePath(path) == expected)
    }

    @Test func relativePathIsTakenFromTheCurrentFolderLikeFoundation() {
        for path in [".", "sub/dir", "../up", "a/./b/.."] {
            #expect(GitWorkTree.absolutePath(path) == URL(fileURLWithPath: path).standardizedFileURL.path, "\(path)")
        }
    }

    @Test(arguments: [
        ("  main\n", "main"),
        ("\t\r\nx y\n\n", "x y"),
        ("", ""),
        (" \n ", ""),
        ("é\n", "é"),
    ])
    func gitOutputIsTrimmedOfSpaceAndNewlines(text: String, expected: String) {
        #expect(GitChild.trimmedText(Array(text.utf8)) == expected)
    }
}
