import Foundation

/// Blobs being scanned right now by one of the repositories swept in parallel, so that forks
/// swept at the same time scan a shared blob once: the first repository to want it claims it,
/// the others wait until it is released and then read its result from the cache.
///
/// A repository releases all its claims before it waits for anyone else's, so no two can wait
/// for each other. Only blobs in flight are held here: memory does not grow with the sweep.
final class BlobClaims: @unchecked Sendable {
    // `owners` is guarded by `condition`.
    private let condition = NSCondition()
    private var owners: [String: Int] = [:]

    /// Claims the blobs of `oids` nobody else holds for `owner`; returns those claimed, and
    /// those another repository is scanning.
    func claim(_ oids: [String], owner: Int) -> (mine: [String], others: [String]) {
        condition.lock()
        defer { condition.unlock() }
        var mine: [String] = []
        var others: [String] = []
        for oid in oids {
            if let holder = owners[oid], holder != owner {
                others.append(oid)
            } else {
                owners[oid] = owner
                mine.append(oid)
            }
        }
        return (mine, others)
    }

    func release(_ oids: [String], owner: Int) {
        condition.lock()
        for oid in oids where owners[oid] == owner { owners[oid] = nil }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until none of `oids` is claimed any more.
    func waitForRelease(of oids: [String]) {
        condition.lock()
        while oids.contains(where: { owners[$0] != nil }) { condition.wait() }
        condition.unlock()
    }
}
