import Foundation
internal import GRDB

/// The SQLite file behind `patrol sweep`'s cache, through GRDB: tables and transactions only,
/// in plain types (rows, encoded data), so that GRDB is used in this one module and PatrolKit
/// keeps to its own types (findings, occurrences, attribution).
///
/// WAL journal (GRDB's `DatabasePool`), `synchronous = NORMAL`: a committed transaction survives
/// the process being killed at any moment; an uncommitted one leaves no trace.
public final class SweepDatabase: Sendable {
    private let pool: DatabasePool

    /// A stored blob result: its kind and its matches, encoded by the caller.
    public struct BlobRow: Sendable {
        public let oid: String
        public let kind: Int
        public let occurrences: Data?

        public init(oid: String, kind: Int, occurrences: Data?) {
            self.oid = oid
            self.kind = kind
            self.occurrences = occurrences
        }
    }

    /// A repository's recorded state, encoded by the caller.
    public struct RepositoryRow: Sendable {
        public let ruleSet: Int64
        public let tips: String
        public let attribution: Data

        public init(ruleSet: Int64, tips: String, attribution: Data) {
            self.ruleSet = ruleSet
            self.tips = tips
            self.attribution = attribution
        }
    }

    /// The cache was held by another process (another `patrol sweep` on the same file) for
    /// longer than the wait allowed. Nothing is wrong with the file.
    public struct Busy: Error, Sendable, CustomStringConvertible {
        public let seconds: Double
        public var description: String { "the cache was in use by another process for over \(Int(seconds)) s" }
    }

    /// The tables, each created only when missing, in one IMMEDIATE transaction: two runs that
    /// open a new file together cannot both decide to create them (GRDB's migrator reads its
    /// table first and writes later, so the second run failed with "table rule_set already
    /// exists"). A cache made by the migrator of earlier versions has the same tables.
    static let schema = """
        CREATE TABLE IF NOT EXISTS rule_set (
            id INTEGER PRIMARY KEY,
            version TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS blob (
            rule_set INTEGER NOT NULL,
            oid TEXT NOT NULL,
            kind INTEGER NOT NULL,
            occurrences BLOB,
            PRIMARY KEY (rule_set, oid)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS repository (
            entry TEXT NOT NULL PRIMARY KEY,
            rule_set INTEGER NOT NULL,
            tips TEXT NOT NULL,
            attribution BLOB NOT NULL,
            swept_at TEXT NOT NULL
        );
        -- The last listing of each organisation source, to report what it no longer lists.
        CREATE TABLE IF NOT EXISTS source_listing (
            source TEXT NOT NULL PRIMARY KEY,
            records TEXT NOT NULL
        );
        """

    /// Opens (creating when new) the database at `path`; `busySeconds` is how long to wait
    /// for another process using the same file.
    ///
    /// Several runs may open one new file at the same moment (shards on one machine). SQLite
    /// does not wait for the lock that switching a new file to WAL takes (`PRAGMA journal_mode
    /// = WAL` fails at once with "database is locked"), so opening is retried on SQLITE_BUSY and
    /// SQLITE_LOCKED, with a short random pause, until `busySeconds` have passed; every later
    /// statement waits through SQLite's busy timeout.
    public init(path: String, busySeconds: Double = 60) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busySeconds)
        configuration.label = "patrol-sweep"
        let deadline = Date().addingTimeInterval(busySeconds)
        let pool = try Self.retryingWhileBusy(until: deadline, seconds: busySeconds) {
            try DatabasePool(path: path, configuration: configuration)
        }
        try Self.retryingWhileBusy(until: deadline, seconds: busySeconds) {
            try pool.writeInTransaction(.immediate) { db in
                try db.execute(sql: Self.schema)
                return .commit
            }
        }
        self.pool = pool
    }

    private static func retryingWhileBusy<T>(until deadline: Date, seconds: Double, _ body: () throws -> T) throws -> T {
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                if Date() >= deadline { throw Busy(seconds: seconds) }
                usleep(UInt32.random(in: 5_000...40_000))
            }
        }
    }

    /// The records of a source's last listing (one JSON line each), nil if it was never listed.
    public func listing(source: String) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT records FROM source_listing WHERE source = ?", arguments: [source])
        }
    }

    /// Records a source's listing, and forgets the repositories it no longer lists.
    public func saveListing(_ records: String, source: String, removedEntries: [String]) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO source_listing (source, records) VALUES (?, ?)", arguments: [source, records])
            for entry in removedEntries {
                try db.execute(sql: "DELETE FROM repository WHERE entry = ?", arguments: [entry])
            }
        }
    }

    /// The id of a rule-set version, recorded on first use.
    public func ruleSetID(version: String) throws -> Int64 {
        // Usually known already: a read, no write transaction.
        if let id = try pool.read({ db in try Int64.fetchOne(db, sql: "SELECT id FROM rule_set WHERE version = ?", arguments: [version]) }) {
            return id
        }
        return try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO rule_set (version) VALUES (?)", arguments: [version])
            return try Int64.fetchOne(db, sql: "SELECT id FROM rule_set WHERE version = ?", arguments: [version]) ?? 0
        }
    }

    /// The stored rows among `oids` under `ruleSet` (absent ones are left out), read in one transaction.
    public func blobs(_ oids: [String], ruleSet: Int64) throws -> [BlobRow] {
        guard !oids.isEmpty else { return [] }
        return try pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT kind, occurrences FROM blob WHERE rule_set = ? AND oid = ?")
            var rows: [BlobRow] = []
            for oid in oids {
                guard let row = try Row.fetchOne(statement, arguments: [ruleSet, oid]) else { continue }
                rows.append(BlobRow(oid: oid, kind: row[0], occurrences: row[1]))
            }
            return rows
        }
    }

    /// Stores blob rows in one transaction; a row already there is replaced (the same result).
    public func store(_ rows: [BlobRow], ruleSet: Int64) throws {
        guard !rows.isEmpty else { return }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO blob (rule_set, oid, kind, occurrences) VALUES (?, ?, ?, ?)")
            for row in rows {
                try statement.execute(arguments: [ruleSet, row.oid, row.kind, row.occurrences])
            }
        }
    }

    public func repository(entry: String) throws -> RepositoryRow? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT rule_set, tips, attribution FROM repository WHERE entry = ?", arguments: [entry]) else {
                return nil
            }
            return RepositoryRow(ruleSet: row[0], tips: row[1], attribution: row[2])
        }
    }

    public func save(_ row: RepositoryRow, entry: String) throws {
        let now = ISO8601DateFormatter().string(from: Date())
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO repository (entry, rule_set, tips, attribution, swept_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [entry, row.ruleSet, row.tips, row.attribution, now]
            )
        }
    }

    public func forget(entry: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM repository WHERE entry = ?", arguments: [entry])
        }
    }

    /// Drops every blob and repository row of `ruleSet`, in one transaction.
    public func reset(ruleSet: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM blob WHERE rule_set = ?", arguments: [ruleSet])
            try db.execute(sql: "DELETE FROM repository WHERE rule_set = ?", arguments: [ruleSet])
        }
    }
}
