/// Lower-case hexadecimal text of bytes (digests, tokens, draw seeds): by table lookup, not `String(format:)`,
/// which cost a tenth of an authenticated request's CPU when every digest byte was formatted on its own.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
