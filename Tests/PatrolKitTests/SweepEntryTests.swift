import Foundation
import Testing
@testable import PatrolKit

@Suite struct SweepEntryTests {
    @Test(arguments: [
        ("https://github.com/org/repo.git", true),
        ("ssh://git@host:22/org/repo", true),
        ("git@github.com:org/repo.git", true),
        ("file:///srv/git/repo.git", true),
        ("/srv/git/repo", false),
        ("relative/folder", false),
        ("./odd:name", false),
        ("C", false),
    ])
    func urlsAreToldFromLocalFolders(text: String, isURL: Bool) {
        #expect(SweepEntry(text).isURL == isURL)
    }

    @Test func credentialsInURLsAreRedacted() {
        #expect(SweepEntry("https://user:s3cret@host/org/repo.git").redacted == "https://user:***@host/org/repo.git")
        #expect(SweepEntry("https://tokenvalue@host/org/repo.git").redacted == "https://***@host/org/repo.git")
        #expect(SweepEntry("ssh://git@host/org/repo.git").redacted == "ssh://git@host/org/repo.git")
        #expect(SweepEntry("git@host:org/repo.git").redacted == "git@host:org/repo.git")
        #expect(SweepEntry("https://host/org/a@b").redacted == "https://host/org/a@b")
    }

    @Test func cloneFoldersNeverHoldCredentialsAndDifferPerEntry() {
        let withToken = SweepEntry("https://user:s3cret@host/org/repo.git").cloneFolderName
        let plain = SweepEntry("https://host/org/repo.git").cloneFolderName
        #expect(!withToken.contains("s3cret"))
        #expect(plain.hasPrefix("host_org_repo-"))
        #expect(plain.hasSuffix(".git"))
        #expect(withToken != plain)
    }

    @Test func listsSkipBlankAndCommentLines() throws {
        let text = "# team A\n/srv/a\n\n  https://host/b.git  \n   # indented comment\r\n/srv/c\r\n"
        #expect(try SweepEntry.parseList(text).map(\.text) == ["/srv/a", "https://host/b.git", "/srv/c"])
    }

    @Test func shardArgumentsAreCheckedAndCountFromZero() {
        #expect(SweepShard(argument: "0/3") == SweepShard(index: 0, count: 3))
        #expect(SweepShard(argument: "2/3") == SweepShard(index: 2, count: 3))
        #expect(SweepShard(argument: "3/3") == nil)
        #expect(SweepShard(argument: "-1/3") == nil)
        #expect(SweepShard(argument: "1/0") == nil)
        #expect(SweepShard(argument: "1") == nil)
    }

    @Test func theShardHashIsFixedFNV1a() {
        // Published FNV-1a 64 test vectors: the hash must never change, or entries move shards.
        #expect(SweepShard.stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(SweepShard.stableHash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(SweepShard.stableHash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func everyEntryIsInExactlyOneShardWhateverElseTheListHolds() {
        let entries = (0..<200).map { SweepEntry("https://host/org/repo-\($0).git") }
        for count in [1, 2, 3, 7] {
            let shards = (0..<count).map { SweepShard(index: $0, count: count) }
            for entry in entries {
                #expect(shards.filter { $0.contains(entry) }.count == 1)
            }
            // Membership depends on the entry alone, so growing the list moves nothing.
            let small = Set(entries.prefix(50).filter(shards[0].contains))
            let large = Set(entries.filter(shards[0].contains))
            #expect(small == large.intersection(entries.prefix(50)))
        }
    }
}
