import Foundation

/// `application/x-www-form-urlencoded` bodies and query strings.
public enum FormEncoding {
    /// Decodes `a=1&b=%E4%B8%AD&b=2`: `+` is a space, percent-escapes are UTF-8; repeated keys keep every value.
    public static func decode(_ s: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in s.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = unescape(String(parts[0]))
            let v = parts.count > 1 ? unescape(String(parts[1])) : ""
            guard !k.isEmpty else { continue }
            out[k, default: []].append(v)
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }

    public static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }
}

/// A decoded form: first value per key, trimmed on request.
public struct FormValues: Sendable {
    public var values: [String: [String]]
    public init(_ values: [String: [String]] = [:]) { self.values = values }
    public subscript(_ k: String) -> String { values[k]?.first ?? "" }
    public func trimmed(_ k: String) -> String { self[k].trimmed() }
    public func int64(_ k: String) -> Int64? { Int64(trimmed(k)) }
    public func all(_ k: String) -> [String] { values[k] ?? [] }
    public func has(_ k: String) -> Bool { values[k] != nil }
}
