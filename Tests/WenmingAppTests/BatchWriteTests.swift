import Foundation
import SQLKit
import Testing
@testable import WenmingApp

/// Group writes (`WriteGroup`): items submitted at once are written together, by one multi-row statement
/// here, and one failing item never undoes the others.
@Suite("Batched writes")
struct BatchWriteTests {
    struct Refused: Error {}
    actor GroupSizes {
        var largest = 0
        func add(_ n: Int) { largest = max(largest, n) }
    }

    @Test func concurrentWritersAllCommitAndAFailureStaysAlone() async throws {
        try await TestDB.with { db in
            try await db.write { try await $0.raw("CREATE TABLE batch_probe (id \(unsafeRaw: db.engine == .sqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY"), k INTEGER NOT NULL UNIQUE)").run() }
            let sizes = GroupSizes()
            // One multi-row insert per group; a group holding a refused key fails as a whole.
            let writer = WriteGroup<Int, Int64>(db) { ks, tx in
                await sizes.add(ks.count)
                let ids = try await tx.raw(.insert("batch_probe", ["k"], ks.map { [$0] }, suffix: " RETURNING id, k")).all()
                    .map { (try $0.decode(column: "k", as: Int.self), try $0.decode(column: "id", as: Int64.self)) }
                if ks.contains(where: { $0 % 10 == 7 }) { throw Refused() }
                let byK = Dictionary(uniqueKeysWithValues: ids)
                return ks.map { byK[$0]! }
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for k in 0..<200 {
                    group.addTask {
                        do {
                            let id = try await writer.submit(k)
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
            // Submitted at once, most of them waited for the first group and were written together.
            #expect(await sizes.largest > 1)
        }
    }
}
