/// Dates, times and fixed-point numbers written as text by arithmetic, for lists and exports of many rows.
///
/// `Calendar.dateComponents` and `String(format:)` cost microseconds a call; a ledger export of 100,000 cases
/// writes six times and two coordinates per row. These give the same text (tested against `Calendar` and
/// `String(format:)`).
public enum CivilText {
    /// "YYYY-MM-DD HH:MM" of a local time given as seconds since 1970-01-01 00:00 local (an epoch plus its zone's
    /// offset at that instant). Proleptic Gregorian; years 0–9999 are written with four digits.
    public static func minute(localSeconds s: Int64) -> String {
        let days = floorDiv(s, 86_400), rest = s - days * 86_400
        var out = date(days: days, capacity: 16)
        out.append(UInt8(ascii: " "))
        digits(rest / 3600, 2, &out); out.append(UInt8(ascii: ":"))
        digits(rest % 3600 / 60, 2, &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// "YYYY-MM-DD" of a local time given as seconds since 1970-01-01 00:00 local.
    public static func day(localSeconds s: Int64) -> String {
        String(decoding: date(days: floorDiv(s, 86_400), capacity: 10), as: UTF8.self)
    }

    /// "YYYY-MM-DD" of a day counted from 1970-01-01, as bytes with room for `capacity`.
    static func date(days: Int64, capacity: Int) -> [UInt8] {
        let (y, m, d) = civil(days: days)
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        digits(y, 4, &out); out.append(UInt8(ascii: "-"))
        digits(m, 2, &out); out.append(UInt8(ascii: "-"))
        digits(d, 2, &out)
        return out
    }

    /// A number stored in millionths (a coordinate's `e6`) with six decimals, as `String(format: "%.6f")` writes
    /// `Double(v) / 1e6`: "-0.000001", "120.123456", "0.000000".
    public static func millionths(_ v: Int64) -> String {
        var out: [UInt8] = []
        if v < 0 { out.append(UInt8(ascii: "-")) }
        let m = v.magnitude
        digits(Int64(m / 1_000_000), 1, &out)
        out.append(UInt8(ascii: "."))
        digits(Int64(m % 1_000_000), 6, &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Year, month and day of a day counted from 1970-01-01 (H. Hinnant's `civil_from_days`).
    public static func civil(days z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// `v` (≥ 0) in at least `width` decimal digits, zero-padded.
    static func digits(_ v: Int64, _ width: Int, _ out: inout [UInt8]) {
        var x = v.magnitude, n = 1, t = x
        while t >= 10 { t /= 10; n += 1 }
        let w = max(n, width), start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: w))
        var i = start + w - 1
        repeat { out[i] = UInt8(ascii: "0") + UInt8(x % 10); x /= 10; i -= 1 } while x > 0
    }
}
