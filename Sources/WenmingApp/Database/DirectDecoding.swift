import SQLKit

/// The cells both engines' direct rows (`DirectRow`, `DirectPostgresRow`) decode without the `Decoder` machinery:
/// integers and strings as `Int64`, `Int`, `String` and their optionals, and NULL as an optional's nil. For another
/// type the `reads…` test is false and the row takes its engine's general path.
///
/// The type asked for is compared by identity with identities found once, and no `D?` is formed: naming `Int64?.self`
/// in the comparison, or an optional of the generic D, looked metadata up in the runtime's cache on every cell (~10 %
/// of a year's scores). Each cast follows the check that D is exactly that type, so it only re-labels the value.
enum DirectDecoding {
    private static let int64 = ObjectIdentifier(Int64.self), int64OrNil = ObjectIdentifier(Int64?.self)
    private static let int = ObjectIdentifier(Int.self), intOrNil = ObjectIdentifier(Int?.self)
    private static let string = ObjectIdentifier(String.self), stringOrNil = ObjectIdentifier(String?.self)

    static func readsInteger<D>(_: D.Type) -> Bool {
        let id = ObjectIdentifier(D.self)
        return id == int64 || id == int64OrNil || id == int || id == intOrNil
    }
    static func readsText<D>(_: D.Type) -> Bool {
        let id = ObjectIdentifier(D.self)
        return id == string || id == stringOrNil
    }
    static func readsNull<D>(_: D.Type) -> Bool {
        let id = ObjectIdentifier(D.self)
        return id == int64OrNil || id == intOrNil || id == stringOrNil
    }

    /// The integer as D; D must be one `readsInteger` accepts.
    static func integer<D>(_ v: Int64, as: D.Type) -> D {
        switch ObjectIdentifier(D.self) {
        case int64: unsafeBitCast(v, to: D.self)
        case int64OrNil: unsafeBitCast(Optional(v), to: D.self)
        case int: unsafeBitCast(Int(v), to: D.self)
        case intOrNil: unsafeBitCast(Optional(Int(v)), to: D.self)
        default: preconditionFailure("\(D.self) is not an integer type read directly")
        }
    }

    /// The string as D; D must be one `readsText` accepts.
    static func text<D>(_ v: String, as: D.Type) -> D {
        switch ObjectIdentifier(D.self) {
        case string: unsafeBitCast(v, to: D.self)
        case stringOrNil: unsafeBitCast(Optional(v), to: D.self)
        default: preconditionFailure("\(D.self) is not a string type read directly")
        }
    }

    /// NULL as D; D must be one `readsNull` accepts.
    static func null<D>(as: D.Type) -> D {
        switch ObjectIdentifier(D.self) {
        case int64OrNil: unsafeBitCast(Int64?.none, to: D.self)
        case intOrNil: unsafeBitCast(Int?.none, to: D.self)
        case stringOrNil: unsafeBitCast(String?.none, to: D.self)
        default: preconditionFailure("\(D.self) is not an optional type read directly")
        }
    }
}

/// Optional cells read through their non-optional type: a call naming `Int64?.self` looks the optional's metadata up
/// in the runtime's locked cache each time, which the hot row loops (a year's scores, the ledger export) felt.
/// The results, and the error for a column the row lacks, are those of `decode(column:as: T?.self)`.
extension SQLRow {
    func int64OrNil(_ column: String) throws -> Int64? { try optional(column, Int64.self) }
    func intOrNil(_ column: String) throws -> Int? { try optional(column, Int.self) }
    func stringOrNil(_ column: String) throws -> String? { try optional(column, String.self) }

    private func optional<T: Decodable>(_ column: String, _ type: T.Type) throws -> T? {
        guard contains(column: column) else { return try decode(column: column, as: T?.self) }
        return try decodeNil(column: column) ? nil : try decode(column: column, as: T.self)
    }
}
