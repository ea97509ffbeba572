import ArgumentParser
import PatrolKit
import Testing
@testable import patrol

@Suite struct CommandSuggestionTests {
    @Test(arguments: [
        ("scna", "scan"), ("sacn", "scan"), ("scan2", "scan"), ("histroy", "history"),
        ("revoek", "revoke"), ("verfy", "verify"), ("swep", "sweep"), ("SCAN", "scan"), ("rem", "remediate"),
    ])
    func aTypoIsMatchedToTheNearestCommand(typo: String, command: String) {
        let names = Patrol.configuration.subcommands.compactMap { $0.configuration.commandName }
        #expect(CommandSuggestion.closest(to: typo, among: names) == command, "\(typo)")
    }

    @Test(arguments: ["x", "deploy", "frobnicate", "ab"])
    func aWordFarFromEveryCommandGetsNoSuggestion(word: String) {
        let names = Patrol.configuration.subcommands.compactMap { $0.configuration.commandName }
        #expect(CommandSuggestion.closest(to: word, among: names) == nil, "\(word)")
    }

    @Test func knownCommandsOptionsAndHelpAreLeftToArgumentParser() {
        for arguments in [["scan", "scna"], ["--help"], ["help", "scna"], ["rules", "show", "lsit"], ["diff", "--staged"], [], ["-x"]] {
            #expect(CommandSuggestion.message(for: arguments, root: Patrol.self) == nil, "\(arguments)")
        }
    }

    @Test func distanceCountsASwapOfNeighboursAsOneEdit() {
        #expect(CommandSuggestion.distance(Array("scna"), Array("scan")) == 1)
        #expect(CommandSuggestion.distance(Array("kitten"), Array("sitting")) == 3)
        #expect(CommandSuggestion.distance(Array(""), Array("diff")) == 4)
    }
}

@Suite struct ProgressLineTests {
    private func line(_ configure: (ScanProgress) -> Void, noun: String = "blobs") -> String {
        let counters = ScanProgress()
        configure(counters)
        return ProgressDisplay(counters: counters, noun: noun, enabled: false).line(elapsed: 2)
    }

    @Test func theHistoryLineNamesItsPhase() {
        #expect(line { $0.phase = .listing } == "patrol: listing blobs…")
        #expect(line { $0.phase = .naming } == "patrol: naming commits…")
        let reading = line {
            $0.totalItems.store(10, ordering: .relaxed)
            $0.totalBytes.store(8_000_000, ordering: .relaxed)
            $0.doneItems.store(5, ordering: .relaxed)
            $0.doneBytes.store(4_000_000, ordering: .relaxed)
        }
        #expect(reading == "patrol: reading blobs… 5/10 blobs, 4/8 MB, 2 MB/s, 2 s left")
        let naming = line {
            $0.totalItems.store(10, ordering: .relaxed)
            $0.doneItems.store(10, ordering: .relaxed)
            $0.phase = .naming
        }
        #expect(naming == "patrol: naming commits… 10/10 blobs scanned")
    }

    @Test func aFolderScanWithoutTotalsShowsWhatIsDone() {
        let text = line({
            $0.doneItems.store(300, ordering: .relaxed)
            $0.doneBytes.store(6_000_000, ordering: .relaxed)
        }, noun: "files")
        #expect(text == "patrol: reading files… 300 files, 6 MB, 3 MB/s")
    }
}
