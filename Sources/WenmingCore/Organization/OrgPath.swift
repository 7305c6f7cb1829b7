/// A node's materialised path: the ids from the root down to the node, written `/1/7/42/`.
///
/// Scope checks and subtree queries use it: a node is inside a scope when its path starts with the
/// scope's path. Paths are stored in the database so a subtree is one indexed range scan
/// (`path >= '/1/7/' AND path < '/1/7/~'`; paths hold only digits and `/`, which sort below `~`).
public struct OrgPath: Hashable, Sendable, CustomStringConvertible, Codable {
    public let ids: [Int64]

    public init(ids: [Int64]) { self.ids = ids }

    public init?(_ text: String) {
        // Over the UTF-8 bytes: canonical decimal segments only (no empty segments, signs, spaces, non-ASCII digits or
        // leading zeros), each within Int64, between a leading and a trailing "/". Paths are parsed on hot paths (every
        // row of a dashboard count), so no substrings or Character properties.
        var out: [Int64] = []
        var value: Int64 = 0, digits = 0, sawSlash = false
        for b in text.utf8 {
            if b == UInt8(ascii: "/") {
                if sawSlash {
                    guard digits > 0 else { return nil }
                    out.append(value)
                }
                sawSlash = true
                value = 0; digits = 0
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                guard sawSlash else { return nil }
                if digits == 0 && b == UInt8(ascii: "0") { return nil }
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                value = a; digits += 1
            } else {
                return nil
            }
        }
        guard digits == 0, !out.isEmpty else { return nil }   // ends with "/"
        ids = out
    }

    public var description: String { "/" + ids.map(String.init).joined(separator: "/") + "/" }
    public var depth: Int { ids.count - 1 }
    public var nodeID: Int64 { ids.last! }

    public func child(_ id: Int64) -> OrgPath { OrgPath(ids: ids + [id]) }

    /// True when `other` is this node or lies below it.
    public func contains(_ other: OrgPath) -> Bool {
        other.ids.count >= ids.count && Array(other.ids.prefix(ids.count)) == ids
    }

    /// The path of a node of this subtree after its subtree root moved from `oldRoot` to `newRoot`.
    public func rebased(from oldRoot: OrgPath, to newRoot: OrgPath) -> OrgPath? {
        guard oldRoot.contains(self) else { return nil }
        return OrgPath(ids: newRoot.ids + ids.dropFirst(oldRoot.ids.count))
    }
}
