import Foundation

/// A small, non-validating XML pull tokenizer, sufficient for the parts of an XLSX file.
///
/// Supports elements with attributes (single or double quoted), self-closing tags (reported as
/// `start` followed by `end`), text, CDATA, comments, processing instructions / the XML declaration
/// and a DOCTYPE (skipped), the five predefined entities and numeric character references.
/// Line ends in text and attribute values are normalised to LF, as XML requires.
/// Element and attribute names are reported by their local name (the part after the last `:`),
/// so `r:id` becomes `id` and `x:row` becomes `row`. Adjacent text and CDATA are merged into one
/// `text` event. Tags must nest properly; malformed input throws `SpreadsheetError.badXML`.
/// Input is UTF-8 (a UTF-16 document with a byte order mark is converted first).
public struct XMLLite: Sendable {
    public enum Event: Sendable, Equatable {
        case start(name: String, attributes: [String: String])
        case end(name: String)
        case text(String)
    }

    /// All events of a document.
    public static func events(_ data: Data) throws -> [Event] {
        var out: [Event] = []
        try parse(data) { out.append($0) }
        return out
    }

    /// Streams the events of a document to `handler` (no intermediate array; use for big sheets).
    public static func parse(_ data: Data, _ handler: (Event) throws -> Void) throws {
        if data.count >= 2 {
            let b0 = data[data.startIndex], b1 = data[data.startIndex + 1]
            if (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF) {
                let enc: String.Encoding = b0 == 0xFF ? .utf16LittleEndian : .utf16BigEndian
                guard let s = String(data: data.dropFirst(2), encoding: enc) else {
                    throw SpreadsheetError.badXML("无法解码 UTF-16 文本")
                }
                let utf8 = Data(s.utf8)
                try utf8.withUnsafeBytes { buf in
                    var p = Parser(buf: buf)
                    try p.run(handler)
                }
                return
            }
        }
        try data.withUnsafeBytes { buf in
            var p = Parser(buf: buf)
            try p.run(handler)
        }
    }

    /// Same as `events(_:)` for a string.
    public static func events(_ text: String) throws -> [Event] {
        try events(Data(text.utf8))
    }

    // MARK: - Parser

    private struct Parser {
        let buf: UnsafeRawBufferPointer
        var i = 0
        /// Open elements as byte ranges of their qualified names.
        var stack: [Range<Int>] = []
        var pendingText: [UInt8] = []
        var hasPendingText = false

        init(buf: UnsafeRawBufferPointer) {
            self.buf = buf
        }

        static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&")
        static let slash = UInt8(ascii: "/"), eq = UInt8(ascii: "="), colon = UInt8(ascii: ":")
        static let quot = UInt8(ascii: "\""), apos = UInt8(ascii: "'"), bang = UInt8(ascii: "!")
        static let qmark = UInt8(ascii: "?"), semi = UInt8(ascii: ";")

        @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
            c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
        }

        @inline(__always) static func isNameEnd(_ c: UInt8) -> Bool {
            isSpace(c) || c == gt || c == slash || c == eq
        }

        func fail(_ reason: String) -> SpreadsheetError {
            SpreadsheetError.badXML("\(reason)（位置 \(i)）")
        }

        func startsWith(_ s: StaticString, at pos: Int) -> Bool {
            let len = s.utf8CodeUnitCount
            guard pos + len <= buf.count else { return false }
            let p = s.utf8Start
            for k in 0..<len where buf[pos + k] != p[k] { return false }
            return true
        }

        /// Index of the first occurrence of `s` at or after `from`, or nil.
        func find(_ s: StaticString, from: Int) -> Int? {
            let len = s.utf8CodeUnitCount
            let first = s.utf8Start[0]
            var k = from
            while k + len <= buf.count {
                if buf[k] == first && startsWith(s, at: k) { return k }
                k += 1
            }
            return nil
        }

        mutating func flushText(_ handler: (Event) throws -> Void) throws {
            guard hasPendingText else { return }
            let s = String(decoding: pendingText, as: UTF8.self)
            pendingText.removeAll(keepingCapacity: true)
            hasPendingText = false
            try handler(.text(s))
        }

        mutating func run(_ handler: (Event) throws -> Void) throws {
            let n = buf.count
            if n >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
            var sawRoot = false
            while i < n {
                if buf[i] != Self.lt {
                    // Text run up to the next '<'.
                    let start = i
                    while i < n, buf[i] != Self.lt { i += 1 }
                    if stack.isEmpty {
                        // Outside the root element only whitespace is allowed.
                        for k in start..<i where !Self.isSpace(buf[k]) {
                            i = k
                            throw fail("根元素之外出现文本")
                        }
                        continue
                    }
                    try appendDecoded(start, i, attribute: false)
                    hasPendingText = true
                    continue
                }
                // Markup.
                let next: UInt8 = i + 1 < n ? buf[i + 1] : 0
                if next == Self.bang && startsWith("<!--", at: i) {
                    guard let end = find("-->", from: i + 4) else { throw fail("注释没有结束") }
                    i = end + 3
                } else if next == Self.bang && startsWith("<![CDATA[", at: i) {
                    guard stack.isEmpty == false else { throw fail("根元素之外出现 CDATA") }
                    guard let end = find("]]>", from: i + 9) else { throw fail("CDATA 没有结束") }
                    appendNormalised(i + 9, end)
                    hasPendingText = true
                    i = end + 3
                } else if next == Self.qmark {
                    guard let end = find("?>", from: i + 2) else { throw fail("处理指令没有结束") }
                    i = end + 2
                } else if next == Self.bang {
                    try skipDeclaration()
                } else if next == Self.slash {
                    try flushText(handler)
                    i += 2
                    let (range, local) = try readName()
                    while i < n, Self.isSpace(buf[i]) { i += 1 }
                    guard i < n, buf[i] == Self.gt else { throw fail("结束标签 </\(qname(range))> 格式错误") }
                    i += 1
                    guard let open = stack.popLast() else { throw fail("多余的结束标签 </\(qname(range))>") }
                    guard sameBytes(open, range) else {
                        throw fail("结束标签 </\(qname(range))> 与开始标签 <\(qname(open))> 不匹配")
                    }
                    try handler(.end(name: local))
                } else {
                    try flushText(handler)
                    if stack.isEmpty && sawRoot { throw fail("文档有多个根元素") }
                    sawRoot = true
                    i += 1
                    let (range, local) = try readName()
                    var attributes: [String: String] = [:]
                    var selfClosing = false
                    while true {
                        var hadSpace = false
                        while i < n, Self.isSpace(buf[i]) { i += 1; hadSpace = true }
                        guard i < n else { throw fail("标签 <\(qname(range))> 没有结束") }
                        if buf[i] == Self.gt { i += 1; break }
                        if buf[i] == Self.slash {
                            guard i + 1 < n, buf[i + 1] == Self.gt else { throw fail("标签 <\(qname(range))> 格式错误") }
                            i += 2
                            selfClosing = true
                            break
                        }
                        guard hadSpace else { throw fail("标签 <\(qname(range))> 的属性之间缺少空格") }
                        let (attrRange, key) = try readName()
                        while i < n, Self.isSpace(buf[i]) { i += 1 }
                        guard i < n, buf[i] == Self.eq else { throw fail("属性 \(qname(attrRange)) 缺少“=”") }
                        i += 1
                        while i < n, Self.isSpace(buf[i]) { i += 1 }
                        guard i < n, buf[i] == Self.quot || buf[i] == Self.apos else {
                            throw fail("属性 \(qname(attrRange)) 的值缺少引号")
                        }
                        let q = buf[i]
                        i += 1
                        let vStart = i
                        var plain = true
                        while i < n, buf[i] != q {
                            let c = buf[i]
                            if c == Self.lt { throw fail("属性值中不能出现“<”") }
                            if c == Self.amp || c < 0x20 { plain = false }
                            i += 1
                        }
                        guard i < n else { throw fail("属性 \(qname(attrRange)) 的值没有结束") }
                        let value: String
                        if plain {
                            value = qname(vStart..<i)
                        } else {
                            pendingText.removeAll(keepingCapacity: true)
                            try appendDecoded(vStart, i, attribute: true)
                            value = String(decoding: pendingText, as: UTF8.self)
                            pendingText.removeAll(keepingCapacity: true)
                        }
                        i += 1
                        if attributes[key] == nil { attributes[key] = value }
                    }
                    try handler(.start(name: local, attributes: attributes))
                    if selfClosing {
                        try handler(.end(name: local))
                    } else {
                        stack.append(range)
                    }
                }
            }
            if let open = stack.last { throw fail("元素 <\(qname(open))> 没有结束") }
            if !sawRoot { throw fail("文档没有根元素") }
        }

        /// Skips `<!DOCTYPE ...>` (with an optional internal subset in brackets) and similar.
        mutating func skipDeclaration() throws {
            var depth = 0
            var k = i + 2
            var q: UInt8 = 0
            while k < buf.count {
                let c = buf[k]
                if q != 0 {
                    if c == q { q = 0 }
                } else if c == Self.quot || c == Self.apos {
                    q = c
                } else if c == UInt8(ascii: "[") {
                    depth += 1
                } else if c == UInt8(ascii: "]") {
                    depth -= 1
                } else if c == Self.gt && depth <= 0 {
                    i = k + 1
                    return
                }
                k += 1
            }
            throw fail("声明没有结束")
        }

        /// Reads a (possibly prefixed) name; returns its byte range and its local name.
        mutating func readName() throws -> (Range<Int>, String) {
            let start = i
            var localStart = i
            while i < buf.count {
                let c = buf[i]
                if Self.isNameEnd(c) || c == Self.lt { break }
                if c == Self.colon { localStart = i + 1 }
                i += 1
            }
            guard i > start else { throw fail("缺少名称") }
            return (start..<i, String(decoding: UnsafeRawBufferPointer(rebasing: buf[localStart..<i]), as: UTF8.self))
        }

        /// The (qualified) name or raw text stored at `range`.
        func qname(_ range: Range<Int>) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: buf[range]), as: UTF8.self)
        }

        func sameBytes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            guard a.count == b.count else { return false }
            var k = 0
            while k < a.count {
                if buf[a.lowerBound + k] != buf[b.lowerBound + k] { return false }
                k += 1
            }
            return true
        }

        /// Appends bytes `from..<to` with line ends normalised (CRLF / CR → LF), no entity decoding.
        mutating func appendNormalised(_ from: Int, _ to: Int) {
            var k = from
            var seg = from
            while k < to {
                if buf[k] == 0x0D {
                    pendingText.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[seg..<k]))
                    pendingText.append(0x0A)
                    if k + 1 < to, buf[k + 1] == 0x0A { k += 1 }
                    seg = k + 1
                }
                k += 1
            }
            pendingText.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[seg..<to]))
        }

        /// Appends bytes `from..<to` decoding entities and normalising line ends
        /// (in attribute values, tabs and line ends become spaces, per XML attribute-value normalisation).
        mutating func appendDecoded(_ from: Int, _ to: Int, attribute: Bool) throws {
            var k = from
            var seg = from
            while k < to {
                let c = buf[k]
                if c == Self.amp {
                    pendingText.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[seg..<k]))
                    var e = k + 1
                    while e < to, buf[e] != Self.semi, e - k < 12 { e += 1 }
                    guard e < to, buf[e] == Self.semi else {
                        i = k
                        throw fail("“&”后缺少实体名称或分号")
                    }
                    try appendEntity(k + 1, e)
                    k = e + 1
                    seg = k
                } else if c == 0x0D || (attribute && (c == 0x0A || c == 0x09)) {
                    pendingText.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[seg..<k]))
                    pendingText.append(attribute ? 0x20 : 0x0A)
                    if c == 0x0D, k + 1 < to, buf[k + 1] == 0x0A { k += 1 }
                    k += 1
                    seg = k
                } else {
                    k += 1
                }
            }
            pendingText.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[seg..<to]))
        }

        mutating func appendEntity(_ from: Int, _ to: Int) throws {
            let name = UnsafeRawBufferPointer(rebasing: buf[from..<to])
            func equals(_ s: StaticString) -> Bool {
                guard name.count == s.utf8CodeUnitCount else { return false }
                for k in 0..<name.count where name[k] != s.utf8Start[k] { return false }
                return true
            }
            if equals("lt") { pendingText.append(Self.lt); return }
            if equals("gt") { pendingText.append(Self.gt); return }
            if equals("amp") { pendingText.append(Self.amp); return }
            if equals("quot") { pendingText.append(Self.quot); return }
            if equals("apos") { pendingText.append(Self.apos); return }
            guard name.count >= 2, name[0] == UInt8(ascii: "#") else {
                i = from
                throw fail("未知的实体 &\(String(decoding: name, as: UTF8.self));")
            }
            var value: UInt32 = 0
            var digits = 0
            if name[1] == UInt8(ascii: "x") {
                for k in 2..<name.count {
                    let c = name[k]
                    let d: UInt32
                    switch c {
                    case 0x30...0x39: d = UInt32(c - 0x30)
                    case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                    case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                    default: i = from; throw fail("字符引用格式错误")
                    }
                    value = value &* 16 &+ d
                    digits += 1
                    if value > 0x10FFFF { break }
                }
            } else {
                for k in 1..<name.count {
                    let c = name[k]
                    guard c >= 0x30 && c <= 0x39 else { i = from; throw fail("字符引用格式错误") }
                    value = value &* 10 &+ UInt32(c - 0x30)
                    digits += 1
                    if value > 0x10FFFF { break }
                }
            }
            guard digits > 0, value != 0, let scalar = Unicode.Scalar(value) else {
                i = from
                throw fail("无效的字符引用")
            }
            pendingText.append(contentsOf: String(Character(scalar)).utf8)
        }
    }
}
