import Foundation
import Testing
@testable import WenmingCore

@Suite struct ScoreParsingTests {
    /// Text → hundredths, or nil when the text must be refused.
    static let cases: [(String, Int?)] = [
        ("12", 1200),
        ("2.5", 250),
        ("0.25", 25),
        ("0.05", 5),
        ("0", 0),
        ("0.0", 0),
        ("0.00", 0),
        ("1.50", 150),
        ("1.05", 105),
        ("1000", 100_000),
        ("0012", 1200),                 // leading zeros are harmless
        (" 3 ", 300),                   // surrounding spaces are trimmed
        ("\t4.5\t", 450),               // tabs count as whitespace
        ("123456789012", 12_345_678_901_200), // 12 characters: the longest accepted
        ("1234567890123", nil),         // 13 characters
        ("1.", nil),                    // a point needs a decimal after it
        (".5", nil),                    // and a whole part before it
        (".", nil),
        ("-1", nil),                    // not negative
        ("-2.5", nil),
        ("1.234", nil),                 // at most two decimals
        ("1.5.5", nil),
        ("１２", nil),                   // full-width digits
        ("1.５", nil),                   // full-width decimal
        ("１.5", nil),
        ("٣", nil),                     // Arabic-Indic digit
        ("", nil),
        ("   ", nil),
        ("abc", nil),
        ("1e2", nil),
        ("1,5", nil),
        ("1 .5", nil),
        ("1. 5", nil),
        ("1.-5", nil),
        ("1.+5", nil),
        ("0x10", nil),
        ("3\n", 300),                   // surrounding white space, line breaks included, is trimmed
    ]

    @Test(arguments: cases)
    func parse(text: String, hundredths: Int?) {
        #expect(Score(text)?.hundredths == hundredths, "Score(\"\(text)\")")
    }

    /// Signs are refused: "-0.5" must not come back as 0.5, nor "+1" as 1.
    @Test(arguments: ["-0.5", "-0.05", "-0", "+1", "+2.5"])
    func signedTextIsRefused(text: String) {
        #expect(Score(text) == nil)
    }
}

@Suite struct ScoreFormattingTests {
    static let cases: [(Int, String)] = [
        (0, "0"),
        (1200, "12"),
        (250, "2.5"),
        (25, "0.25"),
        (5, "0.05"),
        (105, "1.05"),
        (110, "1.1"),
        (100, "1"),
        (99, "0.99"),
        (100_050, "1000.5"),
        (-250, "-2.5"),
        (-5, "-0.05"),
        (-100, "-1"),
        (-1, "-0.01"),
    ]

    @Test(arguments: cases)
    func description(hundredths: Int, text: String) {
        #expect(Score(hundredths: hundredths).description == text)
        #expect("\(Score(hundredths: hundredths))" == text)
    }

    /// Every non-negative value up to 20 points survives description → parse.
    @Test func roundTrip() {
        for h in 0...2000 {
            let s = Score(hundredths: h)
            #expect(Score(s.description) == s, "\(h)")
        }
    }
}

@Suite struct ScoreArithmeticTests {
    static func s(_ t: String) -> Score { Score(t)! }

    @Test func zero() {
        #expect(Score.zero.hundredths == 0)
        #expect(Score.zero == Score("0"))
        #expect(Score.zero.description == "0")
    }

    @Test func addAndSubtract() {
        #expect(Self.s("2.5") + Self.s("0.25") == Score(hundredths: 275))
        #expect(Self.s("10") - Self.s("2.5") == Self.s("7.5"))
        #expect(Self.s("1") - Self.s("2.5") == Score(hundredths: -150))
        #expect((Self.s("1") - Self.s("2.5")).description == "-1.5")
        var x = Self.s("1.1")
        x += Self.s("0.9")
        #expect(x == Self.s("2"))
        x -= Self.s("0.01")
        #expect(x.description == "1.99")
    }

    @Test func decimalSumsAreExact() {
        #expect(Self.s("0.1") + Self.s("0.2") == Self.s("0.3"))
        #expect((Self.s("0.1") + Self.s("0.2")).hundredths == 30)
        let ten = Array(repeating: Self.s("0.1"), count: 10).reduce(Score.zero, +)
        #expect(ten == Self.s("1"))
        let hundred = Array(repeating: Self.s("0.01"), count: 100).reduce(Score.zero, +)
        #expect(hundred == Self.s("1"))
        // 5.5 × 6 + 16.5 × 3 = 82.5, exactly
        let mixed = Array(repeating: Self.s("5.5"), count: 6) + Array(repeating: Self.s("16.5"), count: 3)
        #expect(mixed.reduce(.zero, +).description == "82.5")
    }

    @Test func ordering() {
        let texts = ["12", "0.05", "2.5", "0", "2.25", "100", "0.5"]
        let sorted = texts.map(Self.s).sorted()
        #expect(sorted.map(\.description) == ["0", "0.05", "0.5", "2.25", "2.5", "12", "100"])
        #expect(Self.s("2.5") < Self.s("2.51"))
        #expect(Self.s("2.5") == Self.s("2.50"))
        #expect(!(Self.s("3") < Self.s("3")))
        #expect(Score(hundredths: -1) < .zero)
        #expect([Self.s("3"), Self.s("1.5"), Self.s("7")].max() == Self.s("7"))
    }

    @Test func hashableAndCodable() throws {
        #expect(Set([Self.s("2.5"), Self.s("2.50"), Score(hundredths: 250)]).count == 1)
        let data = try JSONEncoder().encode([Self.s("2.5"), Self.s("0.05")])
        let back = try JSONDecoder().decode([Score].self, from: data)
        #expect(back == [Score(hundredths: 250), Score(hundredths: 5)])
    }
}
