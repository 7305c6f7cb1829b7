import Foundation

/// Errors raised while reading CSV / XLSX files. `description` is a user-facing Chinese message.
public enum SpreadsheetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The CSV bytes are not valid UTF-8 (nor UTF-16 with a byte order mark).
    case notUTF8
    /// A quoted CSV field that starts on this 1-based row is never closed.
    case unterminatedQuote(row: Int)
    /// The file is not a ZIP archive / has no workbook part.
    case notXLSX
    /// The workbook contains no (readable) worksheet.
    case noSheet
    /// An XML part of the workbook is malformed; the associated value says why.
    case badXML(String)

    public var description: String {
        switch self {
        case .notUTF8: return "文件不是 UTF-8 编码的 CSV（请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或直接上传 XLSX 文件）"
        case .unterminatedQuote(let row): return "第 \(row) 行的引号没有闭合"
        case .notXLSX: return "不是有效的 XLSX 文件"
        case .noSheet: return "XLSX 文件中没有工作表"
        case .badXML(let reason): return "XLSX 文件内容损坏：\(reason)"
        }
    }
}

/// RFC 4180 CSV reading and writing.
///
/// Reading accepts quoted fields with embedded commas, doubled quotes (`""`) and line breaks;
/// CRLF, LF or a lone CR end a record; a leading UTF-8 BOM is dropped; empty lines at the end are dropped.
/// An empty line in the middle is kept as a record with one empty field (`[""]`), so the index of
/// each returned record + 1 is the row number a spreadsheet program would show.
public enum CSV {
    /// Parses CSV text into records of fields.
    public static func parse(_ text: String) throws -> [[String]] {
        var text = text
        return try text.withUTF8 { try parseBytes(UnsafeRawBufferPointer($0)) }
    }

    /// Parses CSV bytes. They must be UTF-8 (a BOM is optional); UTF-16 with a BOM is also accepted.
    /// Anything else throws `SpreadsheetError.notUTF8`.
    public static func parse(data: Data) throws -> [[String]] {
        let bytes = [UInt8](data)
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            let encoding: String.Encoding = bytes[0] == 0xFF ? .utf16LittleEndian : .utf16BigEndian
            guard let text = String(data: Data(bytes[2...]), encoding: encoding) else { throw SpreadsheetError.notUTF8 }
            return try parse(text)
        }
        guard isValidUTF8(bytes) else { throw SpreadsheetError.notUTF8 }
        return try bytes.withUnsafeBytes { try parseBytes($0) }
    }

    /// Serialises records as CSV for spreadsheet programs: a UTF-8 BOM first (so Excel detects
    /// UTF-8 and shows Chinese correctly), CRLF after every record.
    ///
    /// A field is quoted when it contains a comma, a quote, CR or LF, or starts/ends with whitespace.
    ///
    /// **Formula-injection guard:** a field that starts with `=`, `+`, `-` or `@` and is *not* a plain
    /// number (e.g. `-3`, `+1.5`, `-2e3` stay untouched) gets a leading `'`, so a spreadsheet program
    /// shows it as text instead of evaluating it. Such fields therefore do not round-trip byte for byte.
    /// A record that consists of a single empty field is written as `""` so it survives re-parsing;
    /// an empty record (`[]`) is written as an empty line and reads back as `[""]`.
    public static func write(_ rows: [[String]]) -> String {
        var out = "\u{FEFF}"
        for row in rows {
            if row.count == 1 && row[0].isEmpty {
                out += "\"\"\r\n"
                continue
            }
            var first = true
            for field in row {
                if !first { out += "," }
                first = false
                out += escape(field)
            }
            out += "\r\n"
        }
        return out
    }

    // MARK: - Writing helpers

    static func escape(_ raw: String) -> String {
        var field = raw
        if let c = field.utf8.first, c == UInt8(ascii: "=") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "@"),
           !isPlainNumber(field) {
            field = "'" + field
        }
        var needsQuotes = false
        for c in field.utf8 where c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 0x0A || c == 0x0D {
            needsQuotes = true
            break
        }
        if !needsQuotes, let f = field.unicodeScalars.first, let l = field.unicodeScalars.last,
           f.properties.isWhitespace || l.properties.isWhitespace {
            needsQuotes = true
        }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `[+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?`
    static func isPlainNumber(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func isDigit(_ i: Int) -> Bool { i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        var mantissaDigits = 0
        while isDigit(i) { i += 1; mantissaDigits += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while isDigit(i) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return false }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        return i == b.count
    }

    // MARK: - Parsing

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Core parser over UTF-8 bytes (assumed valid UTF-8; invalid sequences become U+FFFD).
    static func parseBytes(_ buf: UnsafeRawBufferPointer) throws -> [[String]] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
        let n = buf.count
        var i = 0
        if n >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }

        var rows: [[String]] = []
        var row: [String] = []
        /// Whether the current record is a truly empty line (no characters at all).
        var lineIsBlank = true
        /// Number of rows at the end that are blank lines (dropped at EOF).
        var trailingBlank = 0
        var scratch: [UInt8] = []

        func string(_ from: Int, _ to: Int) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: buf[from..<to]), as: UTF8.self)
        }

        while i < n {
            // Start of a field.
            var field: String
            if buf[i] == quote {
                let rowNumber = rows.count + 1
                lineIsBlank = false
                i += 1
                scratch.removeAll(keepingCapacity: true)
                var closed = false
                var segStart = i
                while i < n {
                    if buf[i] == quote {
                        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[segStart..<i]))
                        if i + 1 < n, buf[i + 1] == quote {
                            scratch.append(quote)
                            i += 2
                            segStart = i
                        } else {
                            i += 1
                            closed = true
                            break
                        }
                    } else {
                        i += 1
                    }
                }
                guard closed else { throw SpreadsheetError.unterminatedQuote(row: rowNumber) }
                // Lenient: characters between the closing quote and the next separator are kept.
                let tailStart = i
                while i < n, buf[i] != comma, buf[i] != cr, buf[i] != lf { i += 1 }
                if i > tailStart { scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[tailStart..<i])) }
                field = String(decoding: scratch, as: UTF8.self)
            } else {
                let start = i
                while i < n, buf[i] != comma, buf[i] != cr, buf[i] != lf { i += 1 }
                if i > start { lineIsBlank = false }
                field = string(start, i)
            }
            row.append(field)

            // After a field: separator, line end or EOF.
            if i < n, buf[i] == comma {
                lineIsBlank = false
                i += 1
                if i == n { row.append("") } // "a," at EOF: trailing empty field
                continue
            }
            if i < n, buf[i] == cr {
                i += 1
                if i < n, buf[i] == lf { i += 1 }
            } else if i < n, buf[i] == lf {
                i += 1
            }
            rows.append(row)
            trailingBlank = lineIsBlank ? trailingBlank + 1 : 0
            row = []
            row.reserveCapacity(rows[rows.count - 1].count)
            lineIsBlank = true
        }
        if !row.isEmpty {
            rows.append(row)
            trailingBlank = lineIsBlank ? trailingBlank + 1 : 0
        }
        if trailingBlank > 0 { rows.removeLast(trailingBlank) }
        return rows
    }
}

/// A parsed import sheet: a header row and the non-empty data rows below it.
public struct Table: Sendable, Equatable {
    /// Column titles (trimmed) taken from the first non-empty row.
    public var header: [String]
    /// Data rows, as read (not trimmed, not padded); rows whose cells are all empty are dropped.
    public var rows: [[String]]
    /// For each entry of `rows`, its 1-based row number in the source sheet (as Excel shows it).
    public var rowNumbers: [Int]
    /// 1-based row number of the header row in the source sheet (0 when the sheet is empty).
    public var headerRowNumber: Int

    public init(header: [String], rows: [[String]], rowNumbers: [Int], headerRowNumber: Int = 1) {
        self.header = header
        self.rows = rows
        self.rowNumbers = rowNumbers
        self.headerRowNumber = headerRowNumber
    }

    /// Builds a table from raw spreadsheet rows (`rawRows[i]` is spreadsheet row `i + 1`).
    /// The first row with a non-empty cell becomes the header; later all-empty rows are skipped.
    public init(rawRows: [[String]]) {
        header = []
        rows = []
        rowNumbers = []
        headerRowNumber = 0
        var haveHeader = false
        for (index, raw) in rawRows.enumerated() {
            let isEmpty = raw.allSatisfy { $0.trimmed().isEmpty }
            if isEmpty { continue }
            if !haveHeader {
                header = raw.map { $0.trimmed() }
                headerRowNumber = index + 1
                haveHeader = true
            } else {
                rows.append(raw)
                rowNumbers.append(index + 1)
            }
        }
    }

    /// Index of the first header cell equal to `column` (compared trimmed), if any.
    public func columnIndex(_ column: String) -> Int? {
        let wanted = column.trimmed()
        return header.firstIndex(of: wanted)
    }

    /// The trimmed value in data row `row` (index into `rows`) under header `column`; "" when missing.
    public func value(_ row: Int, _ column: String) -> String {
        guard row >= 0, row < rows.count, let c = columnIndex(column), c < rows[row].count else { return "" }
        return rows[row][c].trimmed()
    }
}
