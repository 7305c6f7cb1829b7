import Foundation

/// One part of a `multipart/form-data` body.
public struct MultipartPart: Sendable, Equatable {
    /// The form field name (`name=` of Content-Disposition; "" if absent).
    public var name: String
    /// The uploaded file's name (last path component only), or nil for a plain field.
    public var filename: String?
    /// The part's Content-Type header, if any.
    public var contentType: String?
    /// The raw content.
    public var body: [UInt8]

    public init(name: String, filename: String? = nil, contentType: String? = nil, body: [UInt8]) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.body = body
    }

    /// The content decoded as UTF-8 (invalid bytes become U+FFFD).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

public enum MultipartError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The body does not follow the multipart structure (missing boundary, truncated, bad headers).
    case malformed

    public var description: String {
        switch self {
        case .malformed: return "上传的表单格式不正确"
        }
    }
}

/// Parsing of `multipart/form-data` request bodies (RFC 7578 / RFC 2046).
public enum Multipart {
    /// Largest header block accepted for one part.
    static let maxHeaderBytes = 16 * 1024

    /// The `boundary` parameter of a `multipart/...` Content-Type (quoted or not), or nil.
    public static func boundary(fromContentType contentType: String) -> String? {
        let (type, params) = parseHeaderValue(contentType)
        guard type.lowercased().hasPrefix("multipart/") else { return nil }
        guard let b = params["boundary"], !b.isEmpty, b.utf8.count <= 200 else { return nil }
        return b
    }

    /// Splits a multipart body into its parts. Throws `MultipartError.malformed` when the body
    /// has no opening boundary, is truncated before the closing boundary, or a part has no header end.
    /// A preamble before the first boundary and an epilogue after the last one are ignored.
    /// Bare LF line ends are tolerated in addition to CRLF.
    public static func parse(body: [UInt8], boundary: String) throws -> [MultipartPart] {
        guard !boundary.isEmpty else { throw MultipartError.malformed }
        let dash: [UInt8] = Array("--\(boundary)".utf8)
        return try body.withUnsafeBufferPointer { buf in
            let finder = Finder(needle: dash)
            let n = buf.count
            /// For a delimiter candidate at `at`: nil if it is not a delimiter line; otherwise whether
            /// it is the closing delimiter and where the next line starts.
            func delimiter(at: Int, lineStartFrom: Int) -> (close: Bool, next: Int)? {
                guard at == lineStartFrom || buf[at - 1] == 0x0A else { return nil }
                var p = at + dash.count
                if p + 1 < n, buf[p] == UInt8(ascii: "-"), buf[p + 1] == UInt8(ascii: "-") { return (true, n) }
                while p < n, buf[p] == 0x20 || buf[p] == 0x09 { p += 1 } // transport padding
                if p < n, buf[p] == 0x0D { p += 1 }
                guard p < n, buf[p] == 0x0A else { return nil }
                return (false, p + 1)
            }
            /// The next delimiter at or after `from`.
            func nextDelimiter(from: Int) throws -> (at: Int, close: Bool, next: Int) {
                var search = from
                while true {
                    guard let at = finder.find(in: buf, from: search) else { throw MultipartError.malformed }
                    if let d = delimiter(at: at, lineStartFrom: from) { return (at, d.close, d.next) }
                    search = at + 1
                }
            }
            var parts: [MultipartPart] = []
            var current = try nextDelimiter(from: 0)
            while true {
                if current.close { return parts } // the rest is epilogue
                var p = current.next
                // Headers up to an empty line.
                var headers: [(String, String)] = []
                while true {
                    var e = p
                    while e < n, buf[e] != 0x0A {
                        e += 1
                        if e - current.next > maxHeaderBytes { throw MultipartError.malformed }
                    }
                    guard e < n else { throw MultipartError.malformed }
                    var lineEnd = e
                    if lineEnd > p, buf[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    let line = decodeHeaderBytes(UnsafeBufferPointer(rebasing: buf[p..<lineEnd]))
                    p = e + 1
                    if line.isEmpty { break }
                    if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                        headers[headers.count - 1].1 += " " + line.trimmed() // folded
                        continue
                    }
                    guard let colon = line.firstIndex(of: ":") else { throw MultipartError.malformed }
                    let key = line[..<colon].trimmed().lowercased()
                    let value = line[line.index(after: colon)...].trimmed()
                    headers.append((key, value))
                }
                // Body up to the next delimiter at a line start.
                let bodyStart = p
                let following = try nextDelimiter(from: bodyStart)
                let next = following.at
                var bodyEnd = next
                if bodyEnd > bodyStart, buf[bodyEnd - 1] == 0x0A {
                    bodyEnd -= 1
                    if bodyEnd > bodyStart, buf[bodyEnd - 1] == 0x0D { bodyEnd -= 1 }
                }
                var part = MultipartPart(name: "", body: Array(UnsafeBufferPointer(rebasing: buf[bodyStart..<bodyEnd])))
                for (key, value) in headers {
                    switch key {
                    case "content-disposition":
                        let (_, params) = parseHeaderValue(value)
                        part.name = params["name"] ?? ""
                        if let star = params["filename*"], let decoded = decodeExtValue(star) {
                            part.filename = baseName(decoded)
                        } else if let plain = params["filename"] {
                            part.filename = baseName(plain)
                        }
                    case "content-type":
                        part.contentType = value
                    default:
                        break
                    }
                }
                parts.append(part)
                current = following
            }
        }
    }

    // MARK: - Helpers

    /// Header bytes are UTF-8 in practice (browsers send raw UTF-8 filenames); fall back to Latin-1.
    static func decodeHeaderBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let s = utf8String(bytes) { return s }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// Strict UTF-8 decoding: nil when the bytes are not valid UTF-8.
    static func utf8String(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `value; key=value; key="quoted \"value\""` into the leading value and lower-cased keys.
    static func parseHeaderValue(_ header: String) -> (String, [String: String]) {
        let s = Array(header.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
        var main = ""
        while i < s.count, s[i] != ";" { main.unicodeScalars.append(s[i]); i += 1 }
        var params: [String: String] = [:]
        while i < s.count {
            i += 1 // ';'
            skipSpaces()
            var key = ""
            while i < s.count, s[i] != "=", s[i] != ";" { key.unicodeScalars.append(s[i]); i += 1 }
            key = key.trimmed().lowercased()
            var value = ""
            if i < s.count, s[i] == "=" {
                i += 1
                skipSpaces()
                if i < s.count, s[i] == "\"" {
                    i += 1
                    while i < s.count, s[i] != "\"" {
                        // Only \" and \\ are escapes; other backslashes are literal (Windows paths).
                        if s[i] == "\\", i + 1 < s.count, s[i + 1] == "\"" || s[i + 1] == "\\" { i += 1 }
                        value.unicodeScalars.append(s[i])
                        i += 1
                    }
                    if i < s.count { i += 1 }
                    while i < s.count, s[i] != ";" { i += 1 }
                } else {
                    while i < s.count, s[i] != ";" { value.unicodeScalars.append(s[i]); i += 1 }
                    value = value.trimmed()
                }
            }
            if !key.isEmpty, params[key] == nil { params[key] = value }
        }
        return (main.trimmed(), params)
    }

    /// RFC 5987 `charset'lang'percent-encoded` (UTF-8 or ISO-8859-1).
    static func decodeExtValue(_ v: String) -> String? {
        let pieces = v.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        let charset = pieces[0].lowercased()
        var bytes: [UInt8] = []
        let raw = Array(pieces[2].utf8)
        var k = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while k < raw.count {
            if raw[k] == UInt8(ascii: "%") {
                guard k + 2 < raw.count, let h = hex(raw[k + 1]), let l = hex(raw[k + 2]) else { return nil }
                bytes.append(h << 4 | l)
                k += 3
            } else {
                bytes.append(raw[k])
                k += 1
            }
        }
        switch charset {
        case "utf-8", "utf8", "": return bytes.withUnsafeBufferPointer { utf8String($0) }
        case "iso-8859-1", "latin1": return String(bytes.map { Character(Unicode.Scalar($0)) })
        default: return nil
        }
    }

    /// Keeps only the last path component (old browsers send full client paths).
    static func baseName(_ name: String) -> String {
        if let sep = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            return String(name[name.index(after: sep)...])
        }
        return name
    }

    /// Boyer–Moore–Horspool search for a fixed needle.
    struct Finder {
        let needle: [UInt8]
        var skip: [Int]

        init(needle: [UInt8]) {
            self.needle = needle
            skip = Array(repeating: needle.count, count: 256)
            for k in 0..<(needle.count - 1) { skip[Int(needle[k])] = needle.count - 1 - k }
        }

        func find(in hay: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
            let m = needle.count
            let n = hay.count
            guard m > 0, from >= 0 else { return nil }
            return needle.withUnsafeBufferPointer { nd in
                var i = from
                let last = nd[m - 1]
                while i + m <= n {
                    let c = hay[i + m - 1]
                    if c == last {
                        var k = m - 2
                        while k >= 0, hay[i + k] == nd[k] { k -= 1 }
                        if k < 0 { return i }
                    }
                    i += skip[Int(c)]
                }
                return nil
            }
        }
    }
}
