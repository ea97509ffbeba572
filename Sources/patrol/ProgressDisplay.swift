import ArgumentParser
import Foundation
import PatrolKit

/// `--progress` / `--no-progress`.
struct ProgressOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Show progress on standard error (default: on a terminal, once a scan lasts over a second).")
    var progress: Bool?

    func isEnabled(quiet: Bool) -> Bool {
        if let progress { return progress }
        return !quiet && isatty(STDERR_FILENO) == 1
    }
}

/// A one-line progress report on standard error, redrawn four times a second once a scan has
/// run for a second: items and bytes done, throughput and time left.
final class ProgressDisplay: @unchecked Sendable {
    // `running` is guarded by `lock`; the rest is immutable.
    private let counters: ScanProgress
    private let noun: String
    private let lock = NSLock()
    private var running = true
    private let finished = DispatchSemaphore(value: 0)
    private let enabled: Bool

    init(counters: ScanProgress, noun: String, enabled: Bool) {
        self.counters = counters
        self.noun = noun
        self.enabled = enabled
        guard enabled else { return }
        let start = Date()
        Thread.detachNewThread { [self] in
            var drawn = false
            while isRunning() {
                usleep(250_000)
                let elapsed = Date().timeIntervalSince(start)
                guard elapsed >= 1, isRunning() else { continue }
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line(elapsed: elapsed)).utf8))
                drawn = true
            }
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            finished.signal()
        }
    }

    private func isRunning() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    /// `patrol: reading blobs… 120/400 blobs, 3/9 MB, 40 MB/s, 1 s left`; without totals (a
    /// folder scan, which counts as it walks) only what is done and the rate.
    func line(elapsed: Double) -> String {
        let doneItems = counters.doneItems.load(ordering: .relaxed)
        let totalItems = counters.totalItems.load(ordering: .relaxed)
        let doneBytes = counters.doneBytes.load(ordering: .relaxed)
        let totalBytes = counters.totalBytes.load(ordering: .relaxed)
        let rate = Double(doneBytes) / max(elapsed, 0.001)
        let phase: String
        switch counters.phase {
        case .listing: phase = "listing \(noun)…"
        case .reading: phase = "reading \(noun)…"
        case .naming: phase = "naming commits…"
        }
        if counters.phase != .reading {
            // Before the first blob, or after the last: no count moves, the phase is the news.
            return totalItems == 0 ? "patrol: \(phase)" : "patrol: \(phase) \(doneItems)/\(totalItems) \(noun) scanned"
        }
        guard totalItems > 0 else {
            return "patrol: \(phase) \(doneItems) \(noun), \(megabytes(doneBytes)) MB, \(Int(rate / 1_000_000)) MB/s"
        }
        var text = "patrol: \(phase) \(doneItems)/\(totalItems) \(noun), \(megabytes(doneBytes))/\(megabytes(totalBytes)) MB, \(Int(rate / 1_000_000)) MB/s"
        if rate > 0, totalBytes > doneBytes {
            text += ", \(Int((Double(totalBytes - doneBytes) / rate).rounded(.up))) s left"
        }
        return text
    }

    private func megabytes(_ bytes: Int) -> Int { bytes / 1_000_000 }

    func stop() {
        guard enabled else { return }
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        if wasRunning { finished.wait() }
    }
}
