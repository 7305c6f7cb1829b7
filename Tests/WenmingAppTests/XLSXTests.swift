import Foundation
import Testing
import WenmingCore
@testable import WenmingApp

@Suite struct XLSXTests {
    /// Zips hand-written parts into an in-memory archive.
    static func zip(_ parts: [(String, String)]) throws -> Data {
        try XLSX.zip(parts.map { (path: $0.0, data: Data($0.1.utf8)) })
    }

    static func entries(_ data: Data) throws -> [String: String] {
        try XLSX.unzip(data).mapValues { String(decoding: $0, as: UTF8.self) }
    }

    static let sample: [[String]] = [
        ["编码", "名称", "上级编码", "备注"],
        ["007", "文明办", "", "leading zero stays text"],
        ["42", "-3.5", "0", "1.50"],
        ["12345678901234567890", " 前后空格 ", "多行\n文本", "a\r\nb"],
        [],
        ["", "", "中间空行之后", ""],
        ["<&>\"'", "=SUM(A1)", "_x000D_ literal", "tab\there"],
        ["", "", "", "", "", "F列"],
        ["x", "", ""],
    ]

    @Test func roundTripKeepsStringsGapsAndEmptyRows() throws {
        let data = try XLSX.write(sheets: [(name: "组织", rows: Self.sample)])
        #expect(data.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        #expect(try XLSX.read(data) == Self.sample)
        #expect(try TableFile.decode(filename: "export.xlsx", data: data) == Self.sample)
        #expect(try TableFile.decode(filename: "misnamed.csv", data: data) == Self.sample)
    }

    @Test func writesNumbersOnlyForPlainDecimals() throws {
        let data = try XLSX.write(sheets: [(name: "S", rows: [["h"], ["42"], ["007"], ["-3.5"], ["1.50"], ["1e5"], ["123456789012"]])])
        let sheet = try #require(try Self.entries(data)["xl/worksheets/sheet1.xml"])
        #expect(sheet.contains(#"<c r="A2"><v>42</v></c>"#))
        #expect(sheet.contains(#"<c r="A4"><v>-3.5</v></c>"#))
        for ref in ["A3", "A5", "A6", "A7"] {
            #expect(sheet.contains(#"<c r="\#(ref)" s="2" t="inlineStr">"#), "\(ref) should be text")
        }
        // Header row is bold (style 1) and frozen.
        #expect(sheet.contains(#"<c r="A1" s="1" t="inlineStr">"#))
        #expect(sheet.contains(#"state="frozen""#))
    }

    @Test func workbookStructure() throws {
        let data = try XLSX.write(sheets: [
            (name: "组织/机构[1]", rows: [["a"]]),
            (name: "组织/机构[1]", rows: [["b"]]),
            (name: String(repeating: "长", count: 40), rows: []),
            (name: "", rows: [["d"]]),
        ])
        let parts = try Self.entries(data)
        for path in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                     "xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml"] {
            #expect(parts[path] != nil, "missing \(path)")
        }
        let workbook = try #require(parts["xl/workbook.xml"])
        #expect(workbook.contains(#"name="组织机构1""#))
        #expect(workbook.contains(#"name="组织机构1 (2)""#))
        #expect(workbook.contains(#"name="\#(String(repeating: "长", count: 31))""#))
        #expect(workbook.contains(#"name="Sheet4""#))
        #expect(parts["xl/styles.xml"]?.contains("<b/>") == true)
        // Every part is well-formed for our own tokenizer.
        for (_, text) in parts { _ = try XMLLite.events(text) }
        // Reading gives the first sheet.
        #expect(try XLSX.read(data) == [["a"]])
    }

    @Test func stripsCharactersIllegalInXML() throws {
        let data = try XLSX.write(sheets: [(name: "S", rows: [["h"], ["a\u{1}b\u{B}c\u{FFFE}d"]])])
        #expect(try XLSX.read(data) == [["h"], ["abcd"]])
    }

    @Test func emptyWorkbook() throws {
        let data = try XLSX.write(sheets: [])
        #expect(try XLSX.read(data) == [])
    }

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>
        """
    static let rootRels = """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
          <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
        </Relationships>
        """

    /// A workbook as Excel writes it: shared strings with rich text and phonetic runs, a hidden first
    /// sheet, the visible sheet not named sheet1.xml, gaps, booleans, floats and a date.
    @Test func readsSharedStringsAndExcelFeatures() throws {
        let workbook = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
              <sheets>
                <sheet name="隐藏" sheetId="1" state="hidden" r:id="rId1"/>
                <sheet name="数据" sheetId="2" r:id="rId2"/>
              </sheets>
            </workbook>
            """
        let wbRels = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
              <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/>
              <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/hidden.xml"/>
              <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
              <Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
            </Relationships>
            """
        let shared = """
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
              <si><t>编码</t></si>
              <si><r><rPr><b/></rPr><t>名</t></r><r><t xml:space="preserve">称 </t></r><rPh sb="0" eb="1"><t>ミョウ</t></rPh></si>
              <si><t>007</t></si>
              <si><t>line1_x000D_
            line2</t></si>
              <si><t/></si>
            </sst>
            """
        let styles = """
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
              <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
              <cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>
              <cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="22"/></cellXfs>
            </styleSheet>
            """
        let sheet = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
              <sheetData>
                <row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>
                <row r="3"><c r="A3" t="s"><v>2</v></c><c r="C3"><v>3</v></c><c r="D3"><v>2.5</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" s="0"/></row>
                <row r="4"><c r="B4"><v>0.30000000000000004</v></c><c r="C4"><v>1.0E-3</v></c><c r="D4" t="e"><v>#N/A</v></c><c r="E4" t="str"><f>A1</f><v>编码</v></c></row>
                <row r="5"><c r="A5" s="1"><v>45292</v></c><c r="B5" s="2"><v>45293</v></c><c r="C5" s="3"><v>45292.5</v></c><c r="D5" t="s"><v>3</v></c><c r="E5" t="s"><v>4</v></c></row>
                <row r="6"><c t="inlineStr"><is><t>no ref</t></is></c><c><v>12345678901234</v></c></row>
              </sheetData>
            </worksheet>
            """
        let data = try Self.zip([
            ("[Content_Types].xml", Self.contentTypes),
            ("_rels/.rels", Self.rootRels),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", wbRels),
            ("xl/sharedStrings.xml", shared),
            ("xl/styles.xml", styles),
            ("xl/worksheets/hidden.xml", #"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>hidden</t></is></c></row></sheetData></worksheet>"#),
            ("xl/worksheets/data.xml", sheet),
        ])
        let rows = try XLSX.read(data)
        #expect(rows == [
            ["编码", "名称 "],
            [],
            ["007", "", "3", "2.5", "TRUE"],
            ["", "0.3", "0.001", "#N/A", "编码"],
            ["2024-01-01", "2024-01-02", "2024-01-01 12:00:00", "line1\r\nline2", ""],
            ["no ref", "12345678901234"],
        ])
        let table = Table(rawRows: rows)
        #expect(table.rowNumbers == [3, 4, 5, 6])
        #expect(table.value(0, "编码") == "007")
    }

    @Test func fallsBackToSheet1WithoutRelationships() throws {
        let data = try Self.zip([
            ("xl/workbook.xml", #"<workbook><sheets/></workbook>"#),
            ("xl/worksheets/sheet1.xml", #"<worksheet><sheetData><row r="2"><c r="B2"><v>7</v></c></row></sheetData></worksheet>"#),
        ])
        #expect(try XLSX.read(data) == [[], ["", "7"]])
    }

    @Test func noSheet() throws {
        let data = try Self.zip([("xl/workbook.xml", #"<workbook><sheets/></workbook>"#)])
        #expect(throws: SpreadsheetError.noSheet) { try XLSX.read(data) }
    }

    @Test func zipWithoutWorkbookIsNotXLSX() throws {
        let data = try Self.zip([("hello.txt", "hi")])
        #expect(throws: SpreadsheetError.notXLSX) { try XLSX.read(data) }
    }

    @Test func corruptSheetXMLIsBadXML() throws {
        let data = try Self.zip([
            ("xl/workbook.xml", #"<workbook><sheets/></workbook>"#),
            ("xl/worksheets/sheet1.xml", #"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData></worksheet>"#),
        ])
        #expect(throws: SpreadsheetError.self) { try XLSX.read(data) }
        do {
            _ = try XLSX.read(data)
        } catch {
            guard case SpreadsheetError.badXML = error else {
                Issue.record("expected badXML, got \(error)")
                return
            }
        }
    }

    @Test(arguments: [
        Data(),
        Data("garbage bytes, not a zip".utf8),
        Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x01, 0x02]),
        Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
    ])
    func garbageIsNotXLSX(data: Data) {
        #expect(throws: SpreadsheetError.notXLSX) { try XLSX.read(data) }
    }

    @Test func tableFileDetectsByContent() throws {
        let csv = Data("编码,名称\r\n001,市\r\n".utf8)
        #expect(try TableFile.decode(filename: "orgs.xlsx", data: csv) == [["编码", "名称"], ["001", "市"]])
        #expect(try TableFile.decode(filename: nil, data: csv) == [["编码", "名称"], ["001", "市"]])
        let binary = Data([0xB1, 0xE0, 0xC2, 0xEB, 0xFF])
        #expect(throws: SpreadsheetError.notUTF8) { try TableFile.decode(filename: "orgs.csv", data: binary) }
        #expect(throws: SpreadsheetError.notXLSX) { try TableFile.decode(filename: "orgs.xlsx", data: binary) }
        #expect(throws: SpreadsheetError.notXLSX) {
            try TableFile.decode(filename: "orgs.csv", data: Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        }
    }

    @Test func largeSheetRoundTrip() throws {
        var rows: [[String]] = [["编码", "名称", "上级编码", "序号"]]
        for i in 0..<20_000 { rows.append(["C\(i)", "组织 \(i)", i == 0 ? "" : "C\(i / 2)", "\(i)"]) }
        let data = try XLSX.write(sheets: [(name: "大表", rows: rows)])
        #expect(try XLSX.read(data) == rows)
    }
}
