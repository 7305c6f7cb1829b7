import SQLKit

/// Row models (`OrgRow`, `UserRow`, …) are decoded with their camelCase keys read from snake_case columns. SQLKit's
/// own `.convertFromSnakeCase` converts each key of each row with Unicode property look-ups: decoding the org and
/// user rows behind one authenticated, routed case intake took a sixth of its CPU. `SnakeCase.column` gives the same
/// column names by the same word-splitting rule on ASCII bytes.
enum SnakeCase {
    /// The snake_case column for a camelCase key, as SQLKit's `convertedToSnakeCase` gives it for ASCII keys: a word
    /// starts at each upper-case letter, a run of capitals is one word whose last capital starts the next word when a
    /// lower-case letter follows, and each word's first letter is lower-cased ("unitPath" → "unit_path",
    /// "detailJSON" → "detail_jSON", "nextURLPath" → "next_uRL_path"). Non-ASCII letters are never split on.
    static func column(for key: String) -> String {
        var key = key
        return key.withUTF8 { u -> String in
            let n = u.count
            guard n > 1 else { return String(decoding: u, as: UTF8.self) }
            func upper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
            func lower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
            var out: [UInt8] = []
            out.reserveCapacity(n + 4)
            func word(_ a: Int, _ b: Int) {
                guard a < b else { return }
                if a > 0 { out.append(95) }  // every word but the first, which starts at 0
                out.append(upper(u[a]) ? u[a] + 32 : u[a])
                if a + 1 < b { out.append(contentsOf: u[(a + 1)..<b]) }
            }
            var start = 0, search = 1
            while let up = (search..<n).first(where: { upper(u[$0]) }) {
                word(start, up)
                start = up
                guard let low = (up..<n).first(where: { lower(u[$0]) }) else { break }
                search = low
                if low != up + 1 { word(up, low - 1); start = low - 1 }
            }
            word(start, n)
            return String(decoding: out, as: UTF8.self)
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}

extension SQLRowDecoder {
    /// camelCase keys from snake_case columns (see `SnakeCase`).
    static let snakeCase = SQLRowDecoder(keyDecodingStrategy: .custom({ keys in SnakeCase.Key(stringValue: SnakeCase.column(for: keys.last!.stringValue)) }))
}
