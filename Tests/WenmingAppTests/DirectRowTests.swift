import Foundation
import SQLKit
import Testing
@testable import WenmingApp

/// The engines' direct rows (`DirectRow`, `DirectPostgresRow`, through `DirectDecoding`) read integers, strings and
/// NULLs as every type asks, and leave other types to the engine's general path.
@Suite("Direct row decoding")
struct DirectRowTests {
    @Test func integersStringsAndNullsDecodeAsEachTypeAsks() async throws {
        let t = try await TestDB.make()
        do {
            let db = t.db
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
        } catch {
            await t.cleanup()
            throw error
        }
        await t.cleanup()
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
