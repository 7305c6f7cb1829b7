import Foundation
import Testing
@testable import WenmingCore

/// `CivilText` writes what `Calendar` and `String(format:)` write, at the edges and across centuries.
@Suite("Dates and coordinates as text")
struct CivilTextTests {
    static func reference(_ s: Int64) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(s)))
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    @Test func minutesAtTheEdges() {
        #expect(CivilText.minute(localSeconds: 0) == "1970-01-01 00:00")
        #expect(CivilText.minute(localSeconds: -1) == "1969-12-31 23:59")
        #expect(CivilText.minute(localSeconds: -86_400) == "1969-12-31 00:00")
        // 2024-02-29 23:59:59 and the next second; 2026-12-31 23:59 and the new year.
        #expect(CivilText.minute(localSeconds: 1_709_251_199) == "2024-02-29 23:59")
        #expect(CivilText.minute(localSeconds: 1_709_251_200) == "2024-03-01 00:00")
        #expect(CivilText.minute(localSeconds: 1_798_761_599) == "2026-12-31 23:59")
        #expect(CivilText.minute(localSeconds: 1_798_761_600) == "2027-01-01 00:00")
        // 1900 and 2100 are not leap years, 2000 is.
        #expect(CivilText.day(localSeconds: -2_203_977_600) == "1900-02-28")
        #expect(CivilText.day(localSeconds: -2_203_891_200) == "1900-03-01")
        #expect(CivilText.day(localSeconds: 951_782_400) == "2000-02-29")
        #expect(CivilText.day(localSeconds: 4_107_542_400) == "2100-03-01")
    }

    @Test func minutesAgreeWithTheCalendar() {
        var rng = SystemRandomNumberGenerator()
        var samples: [Int64] = [0, 59, 60, 3599, 3600, 86_399, 86_400, -60, -61, 253_402_300_799]
        for _ in 0..<3000 { samples.append(Int64.random(in: -2_208_988_800...4_102_444_800, using: &rng)) }
        for s in samples {
            #expect(CivilText.minute(localSeconds: s) == Self.reference(s), "\(s)")
            #expect(CivilText.day(localSeconds: s) == String(Self.reference(s).prefix(10)), "\(s)")
        }
    }

    @Test func millionthsAgreeWithPrintf() {
        var rng = SystemRandomNumberGenerator()
        var samples: [Int64] = [0, 1, -1, 999_999, -999_999, 1_000_000, -1_000_000, 120_123_456, -33_000_001, 180_000_000, -90_000_000]
        for _ in 0..<3000 { samples.append(Int64.random(in: -180_000_000...180_000_000, using: &rng)) }
        for v in samples {
            let want = String(format: "%.6f", Double(v) / 1_000_000)
            #expect(CivilText.millionths(v) == (want == "-0.000000" ? "0.000000" : want), "\(v)")
        }
        #expect(CivilText.millionths(-1) == "-0.000001")
        #expect(CivilText.millionths(0) == "0.000000")
    }
}
