/// The cells both engines' direct rows (`DirectRow`, `DirectPostgresRow`) decode without the `Decoder` machinery:
/// integers and strings as `Int64`, `Int`, `String` and their optionals, and NULL as an optional's nil. Nil when the
/// type asked for is another one; the row then takes its engine's general path. (Each `as!` follows the check that
/// D is exactly that type; the result is wrapped explicitly, so an optional D's nil is a value, not a miss.)
enum DirectDecoding {
    static func integer<D>(_ v: Int64, as: D.Type) -> D? {
        if D.self == Int64.self { return .some(v as! D) }
        if D.self == Int64?.self { return .some(Optional(v) as! D) }
        if D.self == Int.self { return .some(Int(v) as! D) }
        if D.self == Int?.self { return .some(Optional(Int(v)) as! D) }
        return nil
    }

    static func text<D>(_ v: String, as: D.Type) -> D? {
        if D.self == String.self { return .some(v as! D) }
        if D.self == String?.self { return .some(Optional(v) as! D) }
        return nil
    }

    static func null<D>(as: D.Type) -> D? {
        if D.self == Int64?.self { return .some(Int64?.none as! D) }
        if D.self == String?.self { return .some(String?.none as! D) }
        if D.self == Int?.self { return .some(Int?.none as! D) }
        return nil
    }
}
