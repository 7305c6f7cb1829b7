import Foundation
import WenmingCore
import ZIPFoundation

/// Minimal XLSX (Office Open XML spreadsheet) writer and first-sheet reader.
///
/// `write` then `read` of the first sheet gives back the same rows, with these exceptions:
/// characters not allowed in XML 1.0 are dropped, and cell texts are cut at Excel's limit of
/// 32,767 UTF-16 units. Empty cells in the middle of a row and empty rows (`[]`) survive, and so do
/// empty strings at the end of a row.
public enum XLSX {
    /// Largest uncompressed size accepted for one part (defends against ZIP bombs).
    static let maxPartBytes = 512 * 1024 * 1024
    static let maxColumns = 16_384
    static let maxRows = 1_048_576
    static let maxCellText = 32_767

    // MARK: - Writing

    /// Builds a workbook with one worksheet per entry of `sheets` (at least one, possibly empty).
    ///
    /// The first row of each sheet is bold and frozen. Values that are plain decimal numbers
    /// (no leading zeros, no trailing fractional zeros, at most 11 integer and 15 total digits, e.g.
    /// `42`, `-3.5`) are stored as numbers; everything else (`007`, `1.50`, ID-card numbers, …) as text.
    /// Sheet names are cleaned for Excel: `[]:*?/\` removed, at most 31 characters, unique.
    public static func write(sheets: [(name: String, rows: [[String]])]) throws -> Data {
        let sheets = sheets.isEmpty ? [(name: "Sheet1", rows: [[String]]())] : sheets
        var used = Set<String>()
        let names = sheets.enumerated().map { sheetName($0.element.name, index: $0.offset, used: &used) }

        var parts: [(path: String, data: Data)] = []
        func add(_ path: String, _ text: String) { parts.append((path, Data(text.utf8))) }
        func add(_ path: String, _ data: Data) { parts.append((path, data)) }

        let header = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let pkgRelNS = "http://schemas.openxmlformats.org/package/2006/relationships"

        var types = header + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        types += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        types += #"<Default Extension="xml" ContentType="application/xml"/>"#
        types += #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        types += #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        for i in sheets.indices {
            types += #"<Override PartName="/xl/worksheets/sheet\#(i + 1).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        types += "</Types>"
        add("[Content_Types].xml", types)

        add("_rels/.rels", header + #"<Relationships xmlns="\#(pkgRelNS)"><Relationship Id="rId1" Type="\#(relNS)/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)

        var workbook = header + #"<workbook xmlns="\#(mainNS)" xmlns:r="\#(relNS)"><bookViews><workbookView/></bookViews><sheets>"#
        var wbRels = header + #"<Relationships xmlns="\#(pkgRelNS)">"#
        for (i, name) in names.enumerated() {
            workbook += #"<sheet name="\#(escapeXML(name, attribute: true))" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"/>"#
            wbRels += #"<Relationship Id="rId\#(i + 1)" Type="\#(relNS)/worksheet" Target="worksheets/sheet\#(i + 1).xml"/>"#
        }
        workbook += "</sheets></workbook>"
        wbRels += #"<Relationship Id="rId\#(sheets.count + 1)" Type="\#(relNS)/styles" Target="styles.xml"/></Relationships>"#
        add("xl/workbook.xml", workbook)
        add("xl/_rels/workbook.xml.rels", wbRels)
        add("xl/styles.xml", header + stylesXML(mainNS))

        for (i, sheet) in sheets.enumerated() {
            var xml = Array(header.utf8)
            appendSheetXML(sheet.rows, mainNS: mainNS, relNS: relNS, selected: i == 0, to: &xml)
            add("xl/worksheets/sheet\(i + 1).xml", Data(xml))
        }
        return try zip(parts)
    }

    /// Deflates `parts` into an in-memory ZIP archive, in the given order.
    static func zip(_ parts: [(path: String, data: Data)]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (path, data) in parts {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count),
                modificationDate: Date(), compressionMethod: .deflate, bufferSize: 256 * 1024,
                provider: { position, size in
                    let start = Int(position)
                    return data.subdata(in: start..<min(start + size, data.count))
                })
        }
        guard let data = archive.data else { throw SpreadsheetError.notXLSX }
        return data
    }

    /// Every file entry of a ZIP archive by path (for tests and diagnostics).
    static func unzip(_ data: Data) throws -> [String: Data] {
        let archive = try Archive(data: data, accessMode: .read)
        var out: [String: Data] = [:]
        for entry in archive where entry.type == .file {
            var d = Data()
            _ = try archive.extract(entry, bufferSize: 256 * 1024) { d.append($0) }
            out[entry.path] = d
        }
        return out
    }

    /// Style indices: 0 default, 1 bold header (text format), 2 text format ("@") for text cells.
    static func stylesXML(_ ns: String) -> String {
        #"<styleSheet xmlns="\#(ns)">"#
            + #"<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#
            + #"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>"#
            + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
            + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
            + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
            + #"<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
            + #"<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>"#
            + #"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#
            + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
            + "</styleSheet>"
    }

    /// Appends the worksheet XML for `rows` (built as bytes: sheets may have 100k+ rows).
    static func appendSheetXML(_ rows: [[String]], mainNS: String, relNS: String, selected: Bool, to out: inout [UInt8]) {
        func put(_ s: String) { out.append(contentsOf: s.utf8) }
        func putReference(_ column: Int, _ row: Int) {
            appendColumnName(column, to: &out)
            put(String(row))
        }

        let columnCount = rows.reduce(0) { max($0, $1.count) }
        put(#"<worksheet xmlns="\#(mainNS)" xmlns:r="\#(relNS)">"#)
        let lastRef = columnCount > 0 && !rows.isEmpty ? "A1:\(columnName(columnCount - 1))\(rows.count)" : "A1"
        put(#"<dimension ref="\#(lastRef)"/>"#)
        put(#"<sheetViews><sheetView workbookViewId="0""#)
        if selected { put(#" tabSelected="1""#) }
        put(">")
        if rows.count > 1 {
            put(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>"#)
        }
        put("</sheetView></sheetViews>")
        put(#"<sheetFormatPr defaultRowHeight="15"/>"#)
        if columnCount > 0 {
            var widths = Array(repeating: 0, count: columnCount)
            for row in rows.prefix(2000) {
                for (c, value) in row.enumerated() where !value.isEmpty { widths[c] = max(widths[c], displayWidth(value)) }
            }
            put("<cols>")
            for (c, w) in widths.enumerated() {
                let width = min(max(w + 2, 8), 60)
                put(#"<col min="\#(c + 1)" max="\#(c + 1)" width="\#(width)" style="2" customWidth="1"/>"#)
            }
            put("</cols>")
        }
        put("<sheetData>")
        for (r, row) in rows.enumerated() {
            let rowNumber = r + 1
            put(#"<row r=""#)
            put(String(rowNumber))
            guard !row.isEmpty else {
                put(#""/>"#)
                continue
            }
            put(#"">"#)
            let lastNonEmpty = row.lastIndex(where: { !$0.isEmpty }) ?? -1
            for (c, value) in row.enumerated() {
                // Empty cells before the last non-empty one are implied by the gaps;
                // trailing ones are written as explicit empty strings so they read back.
                if value.isEmpty && c < lastNonEmpty { continue }
                put(#"<c r=""#)
                putReference(c, rowNumber)
                if r > 0, isExcelNumber(value) {
                    put(#""><v>"#)
                    put(value)
                    put("</v></c>")
                } else {
                    put(r == 0 ? #"" s="1" t="inlineStr"><is><t"# : #"" s="2" t="inlineStr"><is><t"#)
                    if needsPreserve(value) { put(#" xml:space="preserve""#) }
                    put(">")
                    appendCellText(value, to: &out)
                    put("</t></is></c>")
                }
            }
            put("</row>")
        }
        put("</sheetData></worksheet>")
    }

    /// Appends the column letters (`A`, …, `Z`, `AA`, …) of a 0-based column index.
    static func appendColumnName(_ index: Int, to out: inout [UInt8]) {
        if index < 26 {
            out.append(UInt8(65 + index))
            return
        }
        out.append(contentsOf: columnName(index).utf8)
    }

    /// `A`, `B`, …, `Z`, `AA`, … for a 0-based column index.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var scalars: [Unicode.Scalar] = []
        while n > 0 {
            let rem = (n - 1) % 26
            scalars.append(Unicode.Scalar(UInt8(65 + rem)))
            n = (n - 1) / 26
        }
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars.reversed())
        return s
    }

    /// Approximate column width in Excel character units (CJK counts double), longest line.
    static func displayWidth(_ s: String) -> Int {
        var best = 0, current = 0
        for u in s.unicodeScalars {
            if u == "\n" { best = max(best, current); current = 0; continue }
            switch u.value {
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
                 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                current += 2
            default:
                current += 1
            }
        }
        return max(best, current)
    }

    /// Plain decimal that Excel stores and shows unchanged: `-?(0|[1-9]\d*)(\.\d*[1-9])?`,
    /// not `-0`, at most 11 integer digits (Excel's General format shows more as 1.2E+11) and 15 digits in all.
    static func isExcelNumber(_ s: String) -> Bool {
        plainDecimal(s, maxIntegerDigits: 11)
    }

    /// `-?(0|[1-9]\d*)(\.\d*[1-9])?`, not `-0`, at most `maxIntegerDigits` integer and 15 digits in all.
    static func plainDecimal(_ s: String, maxIntegerDigits: Int) -> Bool {
        var s = s
        return s.withUTF8 { plainDecimal($0, maxIntegerDigits: maxIntegerDigits) }
    }

    static func plainDecimal(_ b: UnsafeBufferPointer<UInt8>, maxIntegerDigits: Int) -> Bool {
        guard !b.isEmpty, b.count <= 20 else { return false }
        var i = 0
        if b[0] == UInt8(ascii: "-") { i = 1 }
        let intStart = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        let intDigits = i - intStart
        guard intDigits >= 1, intDigits <= maxIntegerDigits else { return false }
        if intDigits > 1 && b[intStart] == 0x30 { return false }
        var fracDigits = 0
        if i < b.count {
            guard b[i] == UInt8(ascii: ".") else { return false }
            i += 1
            let fracStart = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            fracDigits = i - fracStart
            guard i == b.count, fracDigits >= 1, b[b.count - 1] != 0x30 else { return false }
        }
        guard intDigits + fracDigits <= 15 else { return false }
        if intStart == 1, intDigits == 1, b[1] == 0x30, fracDigits == 0 { return false } // "-0"
        return true
    }

    /// Whether `<t>` needs `xml:space="preserve"`: leading/trailing whitespace or a line break.
    static func needsPreserve(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, let l = s.unicodeScalars.last else { return false }
        return f.properties.isWhitespace || l.properties.isWhitespace || s.utf8.contains(0x0A)
    }

    /// Appends cell text for `<t>`: illegal XML characters removed, cut at 32,767 UTF-16 units,
    /// literal `_xHHHH_` sequences protected (Excel decodes them), CR kept as `&#13;`, XML-escaped.
    static func appendCellText(_ raw: String, to out: inout [UInt8]) {
        var s = raw
        if s.utf8.count > maxCellText && s.utf16.count > maxCellText {
            var cut = ""
            var units = 0
            for ch in s {
                units += ch.utf16.count
                if units > maxCellText { break }
                cut.append(ch)
            }
            s = cut
        }
        // Fast path: nothing to escape, drop or protect.
        var special = false
        var previous: UInt8 = 0
        for b in s.utf8 {
            if b < 0x20 {
                if b != 0x09 && b != 0x0A { special = true; break }
            } else if b == 0x26 || b == 0x3C || b == 0x3E || b == 0xEF || (b == 0x78 && previous == 0x5F) {
                special = true
                break
            }
            previous = b
        }
        if special {
            if s.contains("_x") { s = protectOOXMLEscapes(s) }
            s = escapeXML(s, attribute: false)
        }
        out.append(contentsOf: s.utf8)
    }

    /// Replaces `_xHHHH_` by `_x005F_xHHHH_` so readers decode it back to the literal text.
    static func protectOOXMLEscapes(_ s: String) -> String {
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            if u[i] == "_", matchesEscape(u, i) {
                out.append(contentsOf: "_x005F".unicodeScalars)
            }
            out.append(u[i])
            i += 1
        }
        return String(out)
    }

    static func matchesEscape(_ u: [Unicode.Scalar], _ i: Int) -> Bool {
        guard i + 6 < u.count, u[i] == "_", u[i + 1] == "x", u[i + 6] == "_" else { return false }
        for k in 2...5 where !u[i + k].properties.isASCIIHexDigit { return false }
        return true
    }

    /// XML escaping plus removal of characters XML 1.0 forbids.
    static func escapeXML(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22 where attribute: out += "&quot;"
            case 0x0D: out += "&#13;"
            case 0x0A where attribute: out += "&#10;"
            case 0x09 where attribute: out += "&#9;"
            case 0x09, 0x0A, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: out.unicodeScalars.append(u)
            default: break // not allowed in XML 1.0
            }
        }
        return out
    }

    /// Excel-safe, unique (case-insensitively) sheet name.
    static func sheetName(_ raw: String, index: Int, used: inout Set<String>) -> String {
        let forbidden: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]
        var name = String(raw.filter { !forbidden.contains($0) && !($0.unicodeScalars.first?.properties.generalCategory == .control) })
        name = name.trimmed()
        while name.hasPrefix("'") { name.removeFirst() }
        while name.hasSuffix("'") { name.removeLast() }
        if name.isEmpty || name.lowercased() == "history" { name = "Sheet\(index + 1)" }
        func truncated(_ s: String, _ limit: Int) -> String {
            var out = ""
            for ch in s {
                if out.utf16.count + ch.utf16.count > limit { break }
                out.append(ch)
            }
            return out
        }
        name = truncated(name, 31)
        var candidate = name
        var n = 2
        while used.contains(candidate.lowercased()) {
            let suffix = " (\(n))"
            candidate = truncated(name, 31 - suffix.utf16.count) + suffix
            n += 1
        }
        used.insert(candidate.lowercased())
        return candidate
    }

    // MARK: - Reading

    /// Reads the first worksheet (the first visible one in tab order) as rows of cell texts.
    ///
    /// `result[i]` is Excel row `i + 1`; missing rows are `[]` and missing cells before the last
    /// filled one are `""`. Shared strings, inline strings (including rich-text runs; phonetic runs are
    /// ignored), booleans (`TRUE`/`FALSE`), error values and cached formula results are returned as text.
    /// Numbers are shown like Excel's General format with up to 15 significant digits (integers without
    /// `.0`); numbers with a date/time format become `yyyy-MM-dd`, `yyyy-MM-dd HH:mm:ss` or `HH:mm:ss`.
    public static func read(_ data: Data) throws -> [[String]] {
        guard data.count >= 4, data.prefix(4).elementsEqual([0x50, 0x4B, 0x03, 0x04]) else {
            throw SpreadsheetError.notXLSX
        }
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw SpreadsheetError.notXLSX
        }
        let zip = ZipParts(archive)

        // Workbook part, via the package relationships.
        var workbookPath = "xl/workbook.xml"
        if let rels = try zip.data("_rels/.rels") {
            for rel in try relationships(rels, base: "") where rel.type.hasSuffix("/officeDocument") {
                workbookPath = rel.target
                break
            }
        }
        guard let workbookData = try zip.data(workbookPath) else { throw SpreadsheetError.notXLSX }
        let workbook = try parseWorkbook(workbookData)

        let slash = workbookPath.lastIndex(of: "/")
        let workbookDir = slash.map { String(workbookPath[...$0]) } ?? ""
        let workbookFile = slash.map { String(workbookPath[workbookPath.index(after: $0)...]) } ?? workbookPath
        var rels: [String: Relationship] = [:]
        if let relData = try zip.data(workbookDir + "_rels/" + workbookFile + ".rels") {
            for rel in try relationships(relData, base: workbookDir) where rels[rel.id] == nil { rels[rel.id] = rel }
        }

        // First visible worksheet, else the first worksheet, else the conventional path.
        var sheetPath: String?
        let worksheets = workbook.sheets.compactMap { sheet -> (path: String, visible: Bool)? in
            guard let rel = rels[sheet.relId], rel.type.hasSuffix("/worksheet") else { return nil }
            return (rel.target, sheet.visible)
        }
        sheetPath = (worksheets.first(where: { $0.visible }) ?? worksheets.first)?.path
        var sheetData = try sheetPath.flatMap { try zip.data($0) }
        if sheetData == nil { sheetData = try zip.data(workbookDir + "worksheets/sheet1.xml") }
        guard let sheetXML = sheetData else { throw SpreadsheetError.noSheet }

        let sharedPath = rels.values.first(where: { $0.type.hasSuffix("/sharedStrings") })?.target
            ?? workbookDir + "sharedStrings.xml"
        let sharedStrings = try zip.data(sharedPath).map(parseSharedStrings) ?? []

        let stylesPath = rels.values.first(where: { $0.type.hasSuffix("/styles") })?.target ?? workbookDir + "styles.xml"
        let dateStyles = try zip.data(stylesPath).map(parseDateStyles) ?? []

        return try parseSheet(sheetXML, sharedStrings: sharedStrings, dateStyles: dateStyles, date1904: workbook.date1904)
    }

    /// Looks up parts by path (case-insensitively as a fallback) and inflates them.
    struct ZipParts {
        let archive: Archive
        var byLowerPath: [String: Entry] = [:]

        init(_ archive: Archive) {
            self.archive = archive
            for entry in archive where entry.type == .file {
                var p = entry.path
                while p.hasPrefix("/") { p.removeFirst() }
                byLowerPath[p.lowercased()] = byLowerPath[p.lowercased()] ?? entry
            }
        }

        func data(_ path: String) throws -> Data? {
            guard let entry = archive[path] ?? byLowerPath[path.lowercased()] else { return nil }
            var out = Data()
            do {
                _ = try archive.extract(entry, bufferSize: 256 * 1024, skipCRC32: false) { chunk in
                    out.append(chunk)
                    if out.count > XLSX.maxPartBytes { throw SpreadsheetError.badXML("\(path) 过大") }
                }
            } catch let error as SpreadsheetError {
                throw error
            } catch {
                throw SpreadsheetError.badXML("无法解压 \(path)")
            }
            return out
        }
    }

    struct Relationship {
        var id: String
        var type: String
        var target: String
    }

    static func relationships(_ data: Data, base: String) throws -> [Relationship] {
        var out: [Relationship] = []
        try XMLLite.parse(data) { event in
            guard case .start("Relationship", let a) = event, let id = a["Id"], let target = a["Target"],
                  a["TargetMode"]?.lowercased() != "external" else { return }
            out.append(Relationship(id: id, type: a["Type"] ?? "", target: resolve(target, base: base)))
        }
        return out
    }

    /// Resolves a relationship target against the source part's folder (`xl/`), handling `/` and `..`.
    static func resolve(_ target: String, base: String) -> String {
        let joined = target.hasPrefix("/") ? target : base + target
        var parts: [Substring] = []
        for piece in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if piece == "." { continue }
            if piece == ".." { _ = parts.popLast(); continue }
            parts.append(piece)
        }
        return parts.joined(separator: "/")
    }

    struct Workbook {
        var sheets: [(relId: String, visible: Bool)] = []
        var date1904 = false
    }

    static func parseWorkbook(_ data: Data) throws -> Workbook {
        var wb = Workbook()
        try XMLLite.parse(data) { event in
            guard case .start(let name, let a) = event else { return }
            if name == "sheet", let id = a["id"] {
                let state = a["state"] ?? "visible"
                wb.sheets.append((id, state == "visible"))
            } else if name == "workbookPr", let v = a["date1904"] {
                wb.date1904 = v == "1" || v.lowercased() == "true"
            }
        }
        return wb
    }

    static func parseSharedStrings(_ data: Data) throws -> [String] {
        var strings: [String] = []
        var current = ""
        var inItem = false, inText = false
        var skipDepth = 0 // inside <rPh> (phonetic guide) runs
        try XMLLite.parse(data) { event in
            switch event {
            case .start(let name, _):
                switch name {
                case "si": inItem = true; current = ""
                case "rPh": skipDepth += 1
                case "t": inText = inItem && skipDepth == 0
                default: break
                }
            case .end(let name):
                switch name {
                case "si": strings.append(decodeOOXMLEscapes(current)); inItem = false
                case "rPh": skipDepth -= 1
                case "t": inText = false
                default: break
                }
            case .text(let t):
                if inText { current += t }
            }
        }
        return strings
    }

    /// Indices into `cellXfs` whose number format is a date/time format.
    static func parseDateStyles(_ data: Data) throws -> Set<Int> {
        var customFormats: [Int: String] = [:]
        var xfFormats: [Int] = []
        var inCellXfs = false
        try XMLLite.parse(data) { event in
            switch event {
            case .start("numFmt", let a):
                if let id = a["numFmtId"].flatMap({ Int($0) }) { customFormats[id] = a["formatCode"] ?? "" }
            case .start("cellXfs", _):
                inCellXfs = true
            case .end("cellXfs"):
                inCellXfs = false
            case .start("xf", let a) where inCellXfs:
                xfFormats.append(a["numFmtId"].flatMap { Int($0) } ?? 0)
            default:
                break
            }
        }
        var result = Set<Int>()
        for (index, id) in xfFormats.enumerated() {
            let isDate: Bool
            if let code = customFormats[id] {
                isDate = isDateFormat(code)
            } else {
                // Built-in date/time formats, including the East Asian ones (27–36, 50–58).
                isDate = (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
            }
            if isDate { result.insert(index) }
        }
        return result
    }

    /// Whether a custom number format code formats dates/times (ignores quoted text, escapes, `[...]`).
    static func isDateFormat(_ code: String) -> Bool {
        var inQuote = false, inBracket = false, escaped = false
        var bracket = ""
        for ch in code.lowercased() {
            if escaped { escaped = false; continue }
            if inQuote { if ch == "\"" { inQuote = false }; continue }
            if inBracket {
                if ch == "]" {
                    inBracket = false
                    if ["h", "hh", "m", "mm", "s", "ss"].contains(bracket) { return true } // elapsed time
                } else {
                    bracket.append(ch)
                }
                continue
            }
            switch ch {
            case "\\", "_", "*": escaped = true
            case "\"": inQuote = true
            case "[": inBracket = true; bracket = ""
            case "y", "m", "d", "h", "s": return true
            case ";": return false // only the first section matters
            default: break
            }
        }
        return false
    }

    static func parseSheet(_ data: Data, sharedStrings: [String], dateStyles: Set<Int>, date1904: Bool) throws -> [[String]] {
        var rows: [[String]] = []
        var rowNumber = 0
        var cells: [String] = []
        var inRow = false

        var col = -1
        var type = ""
        var style = 0
        var value = ""
        var inlineText = ""
        var hasValue = false, hasInline = false
        var inV = false, inIs = false, inText = false
        var skipDepth = 0

        func cellValue() throws -> String {
            switch type {
            case "s":
                guard let idx = Int(trimmedASCII(value)), idx >= 0, idx < sharedStrings.count else {
                    throw SpreadsheetError.badXML("共享字符串索引无效（\(columnName(col))\(rowNumber)）")
                }
                return sharedStrings[idx]
            case "inlineStr":
                return hasInline ? decodeOOXMLEscapes(inlineText) : value
            case "b":
                let v = trimmedASCII(value)
                return v == "1" || v.lowercased() == "true" ? "TRUE" : "FALSE"
            case "str", "e", "d":
                return value
            default:
                if hasInline { return decodeOOXMLEscapes(inlineText) }
                let v = trimmedASCII(value)
                if dateStyles.contains(style), let serial = Double(v), let date = formatDate(serial, date1904: date1904) {
                    return date
                }
                return formatNumber(v)
            }
        }

        try XMLLite.parse(data) { event in
            switch event {
            case .start(let name, let a):
                switch name {
                case "row":
                    if let r = a["r"] {
                        guard let n = Int(r), n >= 1, n <= maxRows else { throw SpreadsheetError.badXML("行号无效：\(r)") }
                        rowNumber = n
                    } else {
                        rowNumber += 1
                    }
                    cells = []
                    col = -1
                    inRow = true
                case "c" where inRow:
                    if let ref = a["r"] {
                        guard let c = columnIndex(ofReference: ref) else { throw SpreadsheetError.badXML("单元格引用无效：\(ref)") }
                        col = c
                    } else {
                        col += 1
                    }
                    guard col < maxColumns else { throw SpreadsheetError.badXML("列数超过上限") }
                    type = a["t"] ?? ""
                    style = a["s"].flatMap { Int($0) } ?? 0
                    value = ""; inlineText = ""
                    hasValue = false; hasInline = false
                case "v" where inRow:
                    inV = true
                    hasValue = true
                case "is" where inRow:
                    inIs = true
                    hasValue = true
                    hasInline = true
                case "rPh":
                    skipDepth += 1
                case "t" where inIs:
                    inText = skipDepth == 0
                default:
                    break
                }
            case .end(let name):
                switch name {
                case "row" where inRow:
                    if rows.count < rowNumber - 1 {
                        rows.append(contentsOf: repeatElement([], count: rowNumber - 1 - rows.count))
                    }
                    if rows.count == rowNumber - 1 {
                        rows.append(cells)
                    } else {
                        // Row listed again or out of order: merge the cells.
                        var existing = rows[rowNumber - 1]
                        if existing.count < cells.count { existing += repeatElement("", count: cells.count - existing.count) }
                        for (k, v) in cells.enumerated() where !v.isEmpty { existing[k] = v }
                        rows[rowNumber - 1] = existing
                    }
                    inRow = false
                case "c" where inRow:
                    if hasValue {
                        let v = try cellValue()
                        if cells.count <= col {
                            cells.append(contentsOf: repeatElement("", count: col - cells.count))
                            cells.append(v)
                        } else {
                            cells[col] = v
                        }
                    }
                case "v":
                    inV = false
                case "is":
                    inIs = false
                case "t":
                    inText = false
                case "rPh":
                    skipDepth -= 1
                default:
                    break
                }
            case .text(let t):
                if inV {
                    value += t
                } else if inText {
                    inlineText += t
                }
            }
        }
        return rows
    }

    /// `s` without leading/trailing ASCII spaces, tabs and line breaks.
    static func trimmedASCII(_ s: String) -> String {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let f = s.utf8.first, let l = s.utf8.last, isSpace(f) || isSpace(l) else { return s }
        let u = s.utf8
        guard let start = u.firstIndex(where: { !isSpace($0) }), let end = u.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(s[start...end])
    }

    /// 0-based column of a reference such as `C7` or `AA10`; nil when malformed.
    static func columnIndex(ofReference ref: String) -> Int? {
        var col = 0
        var letters = 0
        for u in ref.utf8 {
            switch u {
            case 0x41...0x5A: col = col * 26 + Int(u - 0x41 + 1)
            case 0x61...0x7A: col = col * 26 + Int(u - 0x61 + 1)
            case 0x24: continue // "$"
            default:
                guard letters > 0 else { return nil }
                return col - 1
            }
            letters += 1
            if letters > 3 { return nil }
        }
        return letters > 0 ? col - 1 : nil
    }

    /// Numbers as Excel's General format shows them, to 15 significant digits, integers without ".0".
    static func formatNumber(_ v: String) -> String {
        if isCanonicalDecimal(v) { return v }
        guard let d = Double(v), d.isFinite else { return v }
        if d == d.rounded(), abs(d) < 1e15 {
            return String(Int64(d))
        }
        return String(format: "%.15g", d)
    }

    /// Already in the shortest plain form: `-?(0|[1-9]\d*)(\.\d*[1-9])?` with ≤ 15 digits, not `-0`.
    static func isCanonicalDecimal(_ v: String) -> Bool {
        plainDecimal(v, maxIntegerDigits: 15)
    }

    /// Excel serial date → `yyyy-MM-dd`, `yyyy-MM-dd HH:mm:ss` or `HH:mm:ss`.
    static func formatDate(_ serial: Double, date1904: Bool) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil } // up to 9999-12-31
        var totalSeconds = Int((serial * 86_400).rounded())
        var days = totalSeconds / 86_400
        totalSeconds %= 86_400
        let h = totalSeconds / 3600, m = totalSeconds % 3600 / 60, s = totalSeconds % 60
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        let time = "\(two(h)):\(two(m)):\(two(s))"
        if days == 0 && !date1904 && serial < 1 { return time }
        // Days since 1970-01-01 of the serial's date.
        if date1904 {
            days += -24_107 // 1904-01-01
        } else {
            if days == 60 { return "1900-02-29" + (totalSeconds > 0 ? " \(time)" : "") } // Excel's fictitious leap day
            if days < 60 { days += 1 }
            days += -25_569 // 1899-12-30
        }
        // Civil-from-days (Howard Hinnant).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { y += 1 }
        let date = "\(y)-\(two(month))-\(two(d))"
        return totalSeconds > 0 ? "\(date) \(time)" : date
    }

    /// Decodes Excel's `_xHHHH_` escapes (e.g. `_x000D_` for CR, `_x005F_` for a literal `_`).
    static func decodeOOXMLEscapes(_ s: String) -> String {
        guard s.utf8.contains(0x5F), s.contains("_x") else { return s }
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            if u[i] == "_", matchesEscape(u, i) {
                var v: UInt32 = 0
                for k in 2...5 { v = v * 16 + hexValue(u[i + k]) }
                if let scalar = Unicode.Scalar(v) {
                    out.append(scalar)
                    i += 7
                    continue
                }
            }
            out.append(u[i])
            i += 1
        }
        return String(out)
    }

    static func hexValue(_ u: Unicode.Scalar) -> UInt32 {
        switch u.value {
        case 0x30...0x39: return u.value - 0x30
        case 0x41...0x46: return u.value - 0x41 + 10
        case 0x61...0x66: return u.value - 0x61 + 10
        default: return 0
        }
    }
}

/// Decoding of uploaded import files.
public enum TableFile {
    /// Rows of an uploaded table file, detected by content: a ZIP (`PK\u{3}\u{4}`) is read as XLSX,
    /// anything else as CSV. The file name is only a hint: content that is neither valid CSV text nor a
    /// ZIP but is named `.xlsx`/`.xls` (or is an old binary `.xls`) throws `SpreadsheetError.notXLSX`.
    public static func decode(filename: String?, data: Data) throws -> [[String]] {
        let magic = Array(data.prefix(4))
        if magic == [0x50, 0x4B, 0x03, 0x04] {
            return try XLSX.read(data)
        }
        if magic == [0xD0, 0xCF, 0x11, 0xE0] { // OLE2 compound file: legacy .xls
            throw SpreadsheetError.notXLSX
        }
        do {
            return try CSV.parse(data: data)
        } catch SpreadsheetError.notUTF8 {
            let ext = filename.map { ($0 as NSString).pathExtension.lowercased() } ?? ""
            if ext == "xlsx" || ext == "xls" || ext == "xlsm" { throw SpreadsheetError.notXLSX }
            throw SpreadsheetError.notUTF8
        }
    }
}
