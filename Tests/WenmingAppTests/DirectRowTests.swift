import Foundation
import SQLKit
import Testing
@testable import WenmingApp

/// The engines' direct rows (`DirectRow`, `DirectPostgresRow`, through `DirectDecoding`) read integers, strings and
/// NULLs as every type asks, and leave other types to the engine's general path.
@Suite("Direct row decoding")
struct DirectRowTests {
    @Test func integersStringsAndNullsDecodeAsEachTypeAsks() async throws {
        try await TestDB.with { db in
            try await db.write { tx in
                try await tx.raw("CREATE TABLE direct_probe (id INTEGER NOT NULL, small SMALLINT, big BIGINT, name TEXT, ratio REAL)").run()
                try await tx.raw("INSERT INTO direct_probe VALUES (1, 7, 9000000000, '明湖区', 0.5), (2, NULL, NULL, NULL, NULL)").run()
            }
            let rows = try await db.read { try await $0.raw("SELECT id, small, big, name, ratio FROM direct_probe ORDER BY id").all() }
            #expect(rows.count == 2)
            let full = rows[0], empty = rows[1]

            #expect(try full.decode(column: "id", as: Int64.self) == 1)
            #expect(try full.decode(column: "id", as: Int.self) == 1)
            #expect(try full.decode(column: "small", as: Int?.self) == 7)
            #expect(try full.decode(column: "big", as: Int64?.self) == 9_000_000_000)
            #expect(try full.decode(column: "name", as: String.self) == "明湖区")
            #expect(try full.decode(column: "name", as: String?.self) == "明湖区")
            // Another type takes the general path.
            #expect(try full.decode(column: "ratio", as: Double.self) == 0.5)

            #expect(try full.int64OrNil("big") == 9_000_000_000)
            #expect(try full.intOrNil("small") == 7)
            #expect(try full.stringOrNil("name") == "明湖区")
            // A column the row lacks is an error, not a NULL.
            #expect(throws: (any Error).self) { try full.int64OrNil("missing") }
            #expect(throws: (any Error).self) { try full.stringOrNil("missing") }

            #expect(try empty.decode(column: "small", as: Int?.self) == nil)
            #expect(try empty.decode(column: "big", as: Int64?.self) == nil)
            #expect(try empty.decode(column: "name", as: String?.self) == nil)
            #expect(try empty.decode(column: "ratio", as: Double?.self) == nil)
            #expect(try empty.int64OrNil("big") == nil)
            #expect(try empty.intOrNil("small") == nil)
            #expect(try empty.stringOrNil("name") == nil)
            // NULL is not a non-optional integer or string.
            #expect(throws: (any Error).self) { try empty.decode(column: "big", as: Int64.self) }
            #expect(throws: (any Error).self) { try empty.decode(column: "name", as: String.self) }
        }
    }
}

/// Reads inside `Database.prepared` (named prepared statements on PostgreSQL) give the same rows as unnamed ones, for
/// every value bound, a NULL in a parameter's place included; the names stand for text and parameter types and stop at
/// their limit.
@Suite("Prepared reads")
struct PreparedReadTests {
    @Test func preparedReadsAnswerLikeUnnamedOnesForEveryValue() async throws {
        try await TestDB.with { db in
            try await db.write { tx in
                try await tx.raw("CREATE TABLE prepared_probe (id INTEGER NOT NULL, name TEXT)").run()
                try await tx.raw("INSERT INTO prepared_probe VALUES (1, '甲'), (2, '乙'), (3, NULL)").run()
            }
            func names(_ id: Int64?, prepared: Bool) async throws -> [String] {
                try await db.read { db in
                    let q: SQLQueryString = "SELECT id, name FROM prepared_probe WHERE id = \(bind: id) OR (\(bind: id) IS NULL AND name IS NULL) ORDER BY id"
                    let rows = prepared ? try await Database.prepared { try await db.raw(q).all() } : try await db.raw(q).all()
                    return try rows.map { "\(try $0.decode(column: "id", as: Int64.self))=\(try $0.stringOrNil("name") ?? "NULL")" }
                }
            }
            // More executions than PostgreSQL's five custom plans before it considers a generic one.
            for round in 0..<8 {
                for id: Int64? in [1, 2, 3, 4, nil] {
                    #expect(try await names(id, prepared: true) == names(id, prepared: false), "round \(round), id \(String(describing: id))")
                }
            }
            #expect(try await names(2, prepared: true) == ["2=乙"])
            #expect(try await names(nil, prepared: true) == ["3=NULL"])
        }
    }

    @Test func aNameStandsForOneTextAndItsParameterTypesUpToTheLimit() {
        let names = NamedStatement.Names(limit: 2, enabled: true)
        #expect(names.name("SELECT a FROM t WHERE b = $1", types: ",20/1") == "w1")
        #expect(names.name("SELECT a FROM t WHERE b = $1", types: ",20/1") == "w1")
        #expect(names.name("SELECT a FROM t WHERE b = $1", types: ",25/1") == "w2")
        #expect(names.name("SELECT a FROM t WHERE b = $1", types: ",null") == nil)   // past the limit: unnamed
        #expect(names.name("UPDATE t SET a = 1", types: "") == nil)                   // only reads
        #expect(NamedStatement.Names(limit: 5, enabled: false).name("SELECT 1", types: "") == nil)
    }
}

/// Kept statements are not re-prepared when new values are bound (SQLite's query planner stability guarantee is on).
@Suite("Direct SQLite statements")
struct DirectSQLiteStatementTests {
    @Test func boundValuesDoNotRePrepareAStatement() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenming-qpsg-" + AuthService.randomToken(bytes: 6))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try DirectSQLite(path: dir.appendingPathComponent("q.sqlite").path)
        for sql in ["CREATE TABLE o (id INTEGER PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL)",
                    "CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT NOT NULL, org_id INTEGER NOT NULL REFERENCES o(id), active INTEGER NOT NULL)",
                    "CREATE INDEX u_org ON u(org_id)", "CREATE INDEX o_path ON o(path)"] {
            try db.run(sql, []) { _ in }
        }
        for i in 1...40 {
            try db.run("INSERT INTO o (id, name, path) VALUES (?, ?, ?)", [.integer(Int64(i)), .text("org\(i)"), .text("/1/\(i)/")]) { _ in }
            try db.run("INSERT INTO u (id, name, org_id, active) VALUES (?, ?, ?, 1)", [.integer(Int64(i)), .text("u\(i)"), .integer(Int64(i))]) { _ in }
        }
        try db.run("ANALYZE", []) { _ in }
        // The shapes that had been re-prepared on every use: a join on a bound key, and a bound LIMIT.
        let join = "SELECT u.id, u.name, o.name AS org_name, o.path FROM u JOIN o ON o.id = u.org_id WHERE u.id = ?"
        let limit = "SELECT id FROM u WHERE org_id >= ? ORDER BY id LIMIT ?"
        var names: [String] = []
        for i in 1...20 {
            try db.run(join, [.integer(Int64(i))]) { names.append(try! $0.decode(column: "org_name", as: String.self)) }
            var n = 0
            try db.run(limit, [.integer(Int64(i)), .integer(Int64(i % 3 + 1))]) { _ in n += 1 }
            #expect(n == i % 3 + 1)
        }
        #expect(names == (1...20).map { "org\($0)" })
        #expect(db.reprepares(join) == 0)
        #expect(db.reprepares(limit) == 0)
    }
}
