#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PatrolCache

/// The sweep's SQLite database: which blobs were scanned under which rule-set version and what
/// they held, and each repository's ref tips and attribution from its last complete sweep.
///
/// WAL journal, one transaction per batch: a process killed at any moment (even `kill -9`)
/// leaves every committed batch in place and no partial one, so the next run neither loses nor
/// repeats work. Writes are idempotent (a blob's row is keyed by rule set and object id), so a
/// batch written twice — by two shards sharing the file, or after a crash — changes nothing.
///
/// The file holds secrets in clear (findings are rebuilt from it), so it is created mode 0600
/// in a folder of mode 0700.
public final class SweepCache: Sendable {
    private let database: SweepDatabase
    public let path: String

    /// Bump when the stored layout or the meaning of stored results changes: part of every
    /// rule-set version, so an older cache is simply not used.
    static let formatVersion = 1

    public init(path: String) throws(SweepFailure) {
        self.path = path
        let folder = PathText.parent(of: path)
        do {
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw SweepFailure("cannot create the folder of the cache \(path): \(error.localizedDescription)")
        }
        // Create the file ourselves so it never exists with wider permissions (SQLite gives its
        // -wal and -shm files the database's permissions).
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SweepFailure("cannot open the cache \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        do {
            // Shards on one machine may share the file: wait for the other writer instead of failing.
            database = try SweepDatabase(path: path, busySeconds: 60)
        } catch let busy as SweepDatabase.Busy {
            throw SweepFailure("cannot use the cache \(path): \(busy); try again when the other sweep has finished, or give each run its own --cache FILE")
        } catch {
            throw SweepFailure("cannot use the cache \(path): \(error) (delete it to start afresh)")
        }
    }

    /// The id of a rule-set version, recorded on first use.
    func ruleSetID(version: String) throws -> Int64 {
        try database.ruleSetID(version: version)
    }

    /// The cached results among `oids` (those never scanned under `ruleSet` are absent).
    func lookup(_ oids: [String], ruleSet: Int64, ruleIndex: [String: Int]) throws -> [String: CachedBlob] {
        let decoder = JSONDecoder()
        var found: [String: CachedBlob] = [:]
        for row in try database.blobs(oids, ruleSet: ruleSet) {
            var occurrences: [Occurrence] = []
            if let data = row.occurrences {
                occurrences = try decoder.decode([StoredOccurrence].self, from: data).compactMap { $0.occurrence(ruleIndex: ruleIndex) }
            }
            found[row.oid] = CachedBlob(kind: CachedBlob.Kind(rawValue: row.kind) ?? .scanned, occurrences: occurrences)
        }
        return found
    }

    /// Records scanned blobs, all in one transaction.
    func store(_ blobs: [(oid: String, blob: CachedBlob)], ruleSet: Int64, rules: RuleSet) throws {
        guard !blobs.isEmpty else { return }
        let encoder = JSONEncoder()
        let rows = try blobs.map { item in
            SweepDatabase.BlobRow(
                oid: item.oid,
                kind: item.blob.kind.rawValue,
                occurrences: item.blob.occurrences.isEmpty ? nil : try encoder.encode(item.blob.occurrences.map { StoredOccurrence($0, ruleSet: rules) })
            )
        }
        try database.store(rows, ruleSet: ruleSet)
    }

    func repositoryState(entry: String) throws -> RepositoryState? {
        guard let row = try database.repository(entry: entry),
              let attribution = try? JSONDecoder().decode(RepositoryAttribution.self, from: row.attribution) else { return nil }
        return RepositoryState(ruleSet: row.ruleSet, tips: row.tips.split(separator: "\n").map(String.init), attribution: attribution)
    }

    func save(_ state: RepositoryState, entry: String) throws {
        let data = try JSONEncoder().encode(state.attribution)
        try database.save(.init(ruleSet: state.ruleSet, tips: state.tips.joined(separator: "\n"), attribution: data), entry: entry)
    }

    /// Drops every result recorded under `ruleSet` (`--rescan`): the sweep that follows scans
    /// every blob again. One transaction, so a kill leaves either all of it or none.
    func reset(ruleSet: Int64) throws {
        try database.reset(ruleSet: ruleSet)
    }

    /// Forgets a repository's state (it had unreadable blobs: sweep it in full next time).
    func forget(entry: String) throws {
        try database.forget(entry: entry)
    }

    /// Compares an organisation source's listing with the one recorded at its previous sweep,
    /// records the new one, and returns the entries no longer listed (their state is forgotten).
    public func updateListing(_ entries: [SweepEntry], source: String) throws(SweepFailure) -> [SweepEntry] {
        do {
            let previous = try database.listing(source: source).map { try SweepEntry.parseList($0) } ?? []
            let current = Set(entries)
            let removed = previous.filter { !current.contains($0) }
            let records = entries.compactMap { entry in entry.origin.map { $0.listRecord(url: entry.text) } }.joined(separator: "\n")
            try database.saveListing(records, source: source, removedEntries: removed.map(\.text))
            return removed
        } catch {
            throw SweepFailure("cannot record the listing of \(source) in the cache \(path): \(error)")
        }
    }
}
