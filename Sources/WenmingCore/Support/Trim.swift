/// Trimming of surrounding white space by a scan of the string's scalars.
///
/// Foundation's `trimmingCharacters(in:)` bridges through `NSString` and a `CharacterSet`; on the case intake path it was
/// ~4 % of the server's CPU. White space here is what `.whitespacesAndNewlines` holds: Unicode's White_Space property
/// (spaces including U+3000 ideographic space and U+00A0, tabs, line breaks) and the zero-width space U+200B.
extension Substring {
    public func trimmed() -> String {
        let u = unicodeScalars
        var lo = u.startIndex, hi = u.endIndex
        while lo < hi, u[lo].isBlank { lo = u.index(after: lo) }
        while lo < hi {
            let p = u.index(before: hi)
            guard u[p].isBlank else { break }
            hi = p
        }
        return String(Substring(u[lo..<hi]))
    }
}

extension String {
    /// The string without leading and trailing white space; the string itself (no copy) when it has none.
    public func trimmed() -> String {
        guard let f = unicodeScalars.first, let l = unicodeScalars.last, f.isBlank || l.isBlank else { return self }
        return self[...].trimmed()
    }
}

extension Unicode.Scalar {
    /// Unicode White_Space or U+200B, with ASCII decided without a property look-up.
    @inline(__always) var isBlank: Bool {
        value < 0x80 ? value == 0x20 || (0x09...0x0D).contains(value) : value == 0x200B || properties.isWhitespace
    }
}
