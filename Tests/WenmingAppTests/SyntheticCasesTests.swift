import Foundation
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

/// `wenming generate` (the synthetic city the benchmarks run on): what it writes must be what the platform itself
/// would have written — numbered, counted and recorded the same way — or the benchmarks measure something else.
@Suite("Synthetic cases")
struct SyntheticCasesTests {
    @Test func generatedCasesAreNumberedCountedAndRecordedLikeRealOnes() async throws {
        try await withServices { s in
            _ = try await DemoLoader.load(s)
            let r = try await SyntheticCases.generate(s, count: 400, days: 60, seed: 7)
            #expect(r.cases == 400)

            let rows = try await s.db.read { try await $0.raw("SELECT number, state, type_code FROM cases").all() }
            #expect(rows.count == 400)
            let numbers = try rows.map { try $0.decode(column: "number", as: String.self) }
            #expect(Set(numbers).count == 400)
            #expect(numbers.allSatisfy(CaseNumber.looksLike))
            // A realistic mix, not one state or one type.
            let states = try rows.map { try $0.decode(column: "state", as: String.self) }
            #expect(states.allSatisfy { CaseState(rawValue: $0) != nil })
            #expect(Set(states).count >= 4)
            #expect(Set(try rows.map { try $0.decode(column: "type_code", as: String.self) }).count >= 4)

            // Every case has its history, and the running counters agree with the cases themselves.
            let noHistory = try await s.db.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)").first()!
                    .decode(column: "n", as: Int64.self)
            }
            #expect(noHistory == 0)
            // Groups of many rows per statement: on PostgreSQL one trigger per statement adds each group to the counters.
            try await countersAgree(s.db)

            // The numbering continues after the generated cases: the next case takes a number none of them has.
            let year = Calendar.gregorian(WorkCalendar.shanghai).component(.year, from: s.clock.now())
            let next = try await s.db.write { try await CaseService.nextNumber($0, name: "case-\(year)") }
            #expect(!numbers.contains(CaseNumber.format(year: year, sequence: next)))
            #expect(numbers.contains(CaseNumber.format(year: year, sequence: next - 1)))
        }
    }
}
