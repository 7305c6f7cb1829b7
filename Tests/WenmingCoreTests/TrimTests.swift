import Foundation
import Testing
@testable import WenmingCore

struct TrimTests {
    /// Every case gives what Foundation's trimming by `.whitespacesAndNewlines` gives.
    @Test func matchesFoundation() {
        let samples = [
            "", " ", "\t\n\r ", "abc", "  abc  ", "\tabc\n", "\r\nabc\r\n", "a b", " a b ",
            "\u{3000}文明城市\u{3000}", "\u{00A0}占道经营\u{00A0}", "\u{2028}x\u{2029}", "\u{0085}y\u{0085}", "\u{200A}z\u{202F}",
            "湖滨街道 12 号", " 湖滨街道 12 号\n", "\u{0B}\u{0C}v\u{0B}\u{0C}", "\u{200B}zero-width\u{200B}", "é", " e\u{301} ",
            "👨‍👩‍👧 ", "\u{FEFF}bom",
        ]
        for s in samples {
            let expected = s.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(s.trimmed() == expected, "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(("#" + s + "#").dropFirst().dropLast().trimmed() == expected)
        }
    }

    @Test func keepsInnerSpaceAndOnlyTrimsEnds() {
        #expect("  共建 共享  ".trimmed() == "共建 共享")
        #expect("   ".trimmed().isEmpty)
        #expect("x".trimmed() == "x")
    }
}
