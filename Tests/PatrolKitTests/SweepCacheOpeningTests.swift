import Foundation
import Testing
@testable import PatrolKit

/// Many openers of one new cache file at the same instant — separate SQLite connections, as
/// separate `patrol sweep` processes have — all succeed, and all see one schema.
@Suite struct SweepCacheOpeningTests {
    /// Runs `body` on `count` threads released together.
    private func together(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                start.wait()
                body(index)
                group.leave()
            }
        }
        usleep(20_000)
        for _ in 0..<count { start.signal() }
        group.wait()
    }

    @Test func eightOpenersOfOneNewCacheAllSucceedTwentyTimesOver() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patrol-cache-open-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for trial in 0..<20 {
            let path = folder.appendingPathComponent("trial-\(trial)/sweep.sqlite").path
            let failures = Failures()
            together(8) { index in
                do {
                    let cache = try SweepCache(path: path)
                    let id = try cache.ruleSetID(version: "rules-v1")
                    if id != 1 { failures.add("opener \(index): rule set id \(id)") }
                } catch {
                    failures.add("opener \(index): \(error)")
                }
            }
            #expect(failures.all.isEmpty, "trial \(trial): \(failures.all)")
        }
    }
}

private final class Failures: @unchecked Sendable {
    // Guarded by `lock`.
    private var items: [String] = []
    private let lock = NSLock()

    func add(_ item: String) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
