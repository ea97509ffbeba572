#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB

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
    private let pool: DatabasePool
    public let path: String

    /// Bump when the stored layout or the meaning of stored results changes: part of every
    /// rule-set version, so an older cache is simply not used.
    static let formatVersion = 1

    public init(path: String) throws(SweepFailure) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw SweepFailure("cannot create the folder of the cache \(path): \(error.localizedDescription)")
        }
        // Create the file ourselves so it never exists with wider permissions.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SweepFailure("cannot open the cache \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        var configuration = Configuration()
        // Shards on one machine may share the file: wait for the other writer instead of failing.
        configuration.busyMode = .timeout(60)
        configuration.label = "patrol-sweep"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE rule_set (
                        id INTEGER PRIMARY KEY,
                        version TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE blob (
                        rule_set INTEGER NOT NULL,
                        oid TEXT NOT NULL,
                        kind INTEGER NOT NULL,
                        occurrences BLOB,
                        PRIMARY KEY (rule_set, oid)
                    ) WITHOUT ROWID;
                    CREATE TABLE repository (
                        entry TEXT NOT NULL PRIMARY KEY,
                        rule_set INTEGER NOT NULL,
                        tips TEXT NOT NULL,
                        attribution BLOB NOT NULL,
                        swept_at TEXT NOT NULL
                    );
                    """)
            }
            try migrator.migrate(pool)
        } catch {
            throw SweepFailure("cannot use the cache \(path): \(error) (delete it to start afresh)")
        }
    }

    /// The id of a rule-set version, recorded on first use.
    func ruleSetID(version: String) throws -> Int64 {
        // Usually known already: a read, no write transaction.
        if let id = try pool.read({ db in try Int64.fetchOne(db, sql: "SELECT id FROM rule_set WHERE version = ?", arguments: [version]) }) {
            return id
        }
        return try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO rule_set (version) VALUES (?)", arguments: [version])
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM rule_set WHERE version = ?", arguments: [version]) else {
                throw SweepFailure("rule set \(version) not recorded")
            }
            return id
        }
    }

    /// The cached results among `oids` (those never scanned under `ruleSet` are absent).
    func lookup(_ oids: [String], ruleSet: Int64, ruleIndex: [String: Int]) throws -> [String: CachedBlob] {
        guard !oids.isEmpty else { return [:] }
        return try pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT kind, occurrences FROM blob WHERE rule_set = ? AND oid = ?")
            var found: [String: CachedBlob] = [:]
            let decoder = JSONDecoder()
            for oid in oids {
                guard let row = try Row.fetchOne(statement, arguments: [ruleSet, oid]) else { continue }
                let kind = CachedBlob.Kind(rawValue: row[0]) ?? .scanned
                var occurrences: [Occurrence] = []
                if let data: Data = row[1] {
                    let stored = try decoder.decode([StoredOccurrence].self, from: data)
                    occurrences = stored.compactMap { $0.occurrence(ruleIndex: ruleIndex) }
                }
                found[oid] = CachedBlob(kind: kind, occurrences: occurrences)
            }
            return found
        }
    }

    /// Records scanned blobs, all in one transaction.
    func store(_ blobs: [(oid: String, blob: CachedBlob)], ruleSet: Int64, rules: RuleSet) throws {
        guard !blobs.isEmpty else { return }
        let encoder = JSONEncoder()
        let rows: [(String, Int, Data?)] = try blobs.map { item in
            let data = item.blob.occurrences.isEmpty ? nil : try encoder.encode(item.blob.occurrences.map { StoredOccurrence($0, ruleSet: rules) })
            return (item.oid, item.blob.kind.rawValue, data)
        }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO blob (rule_set, oid, kind, occurrences) VALUES (?, ?, ?, ?)")
            for (oid, kind, data) in rows {
                try statement.execute(arguments: [ruleSet, oid, kind, data])
            }
        }
    }

    func repositoryState(entry: String) throws -> RepositoryState? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT rule_set, tips, attribution FROM repository WHERE entry = ?", arguments: [entry]) else {
                return nil
            }
            let tips: String = row[1]
            let data: Data = row[2]
            guard let attribution = try? JSONDecoder().decode(RepositoryAttribution.self, from: data) else { return nil }
            return RepositoryState(ruleSet: row[0], tips: tips.split(separator: "\n").map(String.init), attribution: attribution)
        }
    }

    func save(_ state: RepositoryState, entry: String) throws {
        let data = try JSONEncoder().encode(state.attribution)
        let now = ISO8601DateFormatter().string(from: Date())
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO repository (entry, rule_set, tips, attribution, swept_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [entry, state.ruleSet, state.tips.joined(separator: "\n"), data, now]
            )
        }
    }

    /// Drops every result recorded under `ruleSet` (`--rescan`): the sweep that follows scans
    /// every blob again. One transaction, so a kill leaves either all of it or none.
    func reset(ruleSet: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM blob WHERE rule_set = ?", arguments: [ruleSet])
            try db.execute(sql: "DELETE FROM repository WHERE rule_set = ?", arguments: [ruleSet])
        }
    }

    /// Forgets a repository's state (it failed, or its attribution is no longer trusted).
    func forget(entry: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM repository WHERE entry = ?", arguments: [entry])
        }
    }
}
