import SQLKit

extension SQLQueryString {
    /// `INSERT INTO table (columns) VALUES (…), (…)` with every value bound.
    static func insert(_ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]], suffix: String = "") -> SQLQueryString {
        var q = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns.joined(separator: ", "))) VALUES ")
        for (ri, r) in rows.enumerated() {
            q.appendInterpolation(unsafeRaw: ri == 0 ? "(" : ", (")
            for (ci, v) in r.enumerated() {
                if ci > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                q.appendInterpolation(bind: v)
            }
            q.appendInterpolation(unsafeRaw: ")")
        }
        q.appendInterpolation(unsafeRaw: suffix)
        return q
    }
}
