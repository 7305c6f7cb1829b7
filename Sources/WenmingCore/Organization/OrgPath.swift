/// A node's materialised path: the ids from the root down to the node, written `/1/7/42/`.
///
/// Scope checks and subtree queries use it: a node is inside a scope when its path starts with the
/// scope's path. Paths are stored in the database so a subtree is one indexed range scan
/// (`path >= '/1/7/' AND path < '/1/7/~'`; paths hold only digits and `/`, which sort below `~`).
public struct OrgPath: Hashable, Sendable, CustomStringConvertible, Codable {
    public let ids: [Int64]

    public init(ids: [Int64]) { self.ids = ids }

    public init?(_ text: String) {
        guard text.hasPrefix("/"), text.hasSuffix("/") else { return nil }
        var out: [Int64] = []
        for part in text.dropFirst().dropLast().split(separator: "/", omittingEmptySubsequences: false) {
            // Canonical decimal only: no empty segments, signs, spaces or leading zeros.
            guard let first = part.first, first != "0", part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let v = Int64(part), v > 0 else { return nil }
            out.append(v)
        }
        guard !out.isEmpty else { return nil }
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
