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
