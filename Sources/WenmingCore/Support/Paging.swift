/// Page arithmetic for every list: clamped so that no request can overflow or ask for unbounded rows.
public struct PageWindow: Sendable, Equatable {
    public let page: Int
    public let pageSize: Int
    public var limit: Int { pageSize }
    public var offset: Int { (page - 1) * pageSize }

    public static let maxPage = 1_000_000
    public static let maxPageSize = 500

    public init(page: Int, pageSize: Int) {
        self.page = min(max(1, page), PageWindow.maxPage)
        self.pageSize = min(max(1, pageSize), PageWindow.maxPageSize)
    }
}

public enum SearchText {
    /// A `LIKE` pattern matching `text` anywhere, with `\`, `%` and `_` escaped (use with `ESCAPE '\'`),
    /// lower-cased so that matching is case-insensitive on both engines (compare with `LOWER(column)`).
    public static func containsPattern(_ text: String) -> String {
        var out = "%"
        for ch in text.lowercased() {
            if ch == "\\" || ch == "%" || ch == "_" { out.append("\\") }
            out.append(ch)
        }
        out.append("%")
        return out
    }
}
