import Foundation
import SQLKit
import Testing
@testable import WenmingApp

/// Group commit (`Database.writeBatched`): concurrent writers are committed together, and one failing
/// writer never undoes the others.
@Suite("Batched writes")
struct BatchWriteTests {
    struct Refused: Error {}

    @Test func concurrentWritersAllCommitAndAFailureStaysAlone() async throws {
        let t = try await TestDB.make()
        do {
            let db = t.db
            try await db.write { try await $0.raw("CREATE TABLE batch_probe (id \(unsafeRaw: db.engine == .sqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY"), k INTEGER NOT NULL UNIQUE)").run() }
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for k in 0..<200 {
                    group.addTask {
                        do {
                            let id = try await db.writeBatched { tx -> Int64 in
                                let id = try await tx.raw("INSERT INTO batch_probe (k) VALUES (\(bind: k)) RETURNING id").first()!.decode(column: "id", as: Int64.self)
                                if k % 10 == 7 { throw Refused() }
                                return id
                            }
                            return (k, id > 0)
                        } catch is Refused { return (k, false) }
                    }
                }
                var out: [Int: Bool] = [:]
                for try await (k, ok) in group { out[k] = ok }
                return out
            }
            #expect(outcomes.count == 200)
            for (k, ok) in outcomes { #expect(ok == (k % 10 != 7), "writer \(k)") }
            let kept = try await db.read { try await $0.raw("SELECT k FROM batch_probe ORDER BY k").all().map { try $0.decode(column: "k", as: Int.self) } }
            #expect(kept == (0..<200).filter { $0 % 10 != 7 })
        } catch {
            await t.cleanup()
            throw error
        }
        await t.cleanup()
    }
}
