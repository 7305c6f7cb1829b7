import Foundation
import Testing
import WenmingCore

@Suite struct CSVTests {
    @Test(arguments: [
        ("a,b,c", [["a", "b", "c"]]),
        ("a,b\nc,d\n", [["a", "b"], ["c", "d"]]),
        ("a,b\r\nc,d\r\n", [["a", "b"], ["c", "d"]]),
        ("a,b\rc,d", [["a", "b"], ["c", "d"]]),
        ("\"a,1\",b", [["a,1", "b"]]),
        ("\"say \"\"hi\"\"\",x", [["say \"hi\"", "x"]]),
        ("\"line1\nline2\",x\r\ny,z", [["line1\nline2", "x"], ["y", "z"]]),
        ("\"line1\r\nline2\"", [["line1\r\nline2"]]),
        ("a,,c", [["a", "", "c"]]),
        ("a,", [["a", ""]]),
        (",", [["", ""]]),
        ("\"\"", [[""]]),
        ("\u{FEFF}编码,名称\r\n001,文明办\r\n", [["编码", "名称"], ["001", "文明办"]]),
        ("a\n\n\n", [["a"]]),
        ("a\r\n\r\n", [["a"]]),
        ("a\n\nb", [["a"], [""], ["b"]]),
        ("a\n,\n", [["a"], ["", ""]]),
        ("", [[String]]()),
        ("\u{FEFF}", [[String]]()),
        (" a , b ", [[" a ", " b "]]),
        ("ab\"c,d", [["ab\"c", "d"]]),
    ] as [(String, [[String]])])
    func parses(input: String, expected: [[String]]) throws {
        #expect(try CSV.parse(input) == expected)
        #expect(try CSV.parse(data: Data(input.utf8)) == expected)
    }

    @Test(arguments: [
        ("\"abc", 1),
        ("a,b\n\"c,d\ne", 2),
        ("a\n\"x\ny\"\n\"open", 3),
        ("a\n\nb,\"open\n\n", 3),
    ] as [(String, Int)])
    func unterminatedQuoteNamesRow(input: String, row: Int) {
        #expect(throws: SpreadsheetError.unterminatedQuote(row: row)) { try CSV.parse(input) }
    }

    @Test func rejectsInvalidUTF8() {
        // "编码" in GBK.
        let gbk = Data([0xB1, 0xE0, 0xC2, 0xEB, 0x2C, 0x61])
        #expect(throws: SpreadsheetError.notUTF8) { try CSV.parse(data: gbk) }
    }

    @Test func acceptsUTF16WithBOM() throws {
        let text = "编码,名称\r\n001,文明办\r\n"
        var le = Data([0xFF, 0xFE])
        le.append(text.data(using: .utf16LittleEndian)!)
        var be = Data([0xFE, 0xFF])
        be.append(text.data(using: .utf16BigEndian)!)
        #expect(try CSV.parse(data: le) == [["编码", "名称"], ["001", "文明办"]])
        #expect(try CSV.parse(data: be) == [["编码", "名称"], ["001", "文明办"]])
    }

    @Test func writeQuotesAndUsesCRLFAndBOM() {
        let out = CSV.write([["a", "b,c", "d\"e"], ["line\nbreak", " lead", "trail ", "plain"]])
        #expect(out == "\u{FEFF}a,\"b,c\",\"d\"\"e\"\r\n\"line\nbreak\",\" lead\",\"trail \",plain\r\n")
        #expect(out.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
    }

    @Test(arguments: [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+cmd", "'+cmd"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-", "'-"),
        ("-3", "-3"),
        ("+1.5", "+1.5"),
        ("-0.25", "-0.25"),
        ("-2e3", "-2e3"),
        ("-.5", "-.5"),
        ("3-4", "3-4"),
        ("a=b", "a=b"),
        ("中文", "中文"),
    ] as [(String, String)])
    func formulaInjectionGuard(field: String, written: String) {
        #expect(CSV.write([[field]]) == "\u{FEFF}" + written + "\r\n")
    }

    @Test func injectionGuardStillQuotesWhenNeeded() throws {
        let out = CSV.write([["=a,b"]])
        #expect(out == "\u{FEFF}\"'=a,b\"\r\n")
        #expect(try CSV.parse(out) == [["'=a,b"]])
    }

    @Test func roundTrip() throws {
        let rows: [[String]] = [
            ["编码", "名称", "上级编码", "备注"],
            ["007", "文明办, 一科", "", "说“你好”\"quoted\""],
            ["", "", "", ""],
            ["x"],
            [""],
            ["multi\nline\r\ncell", " spaced ", "\t", "-5"],
            ["a", "", "", "b"],
        ]
        #expect(try CSV.parse(CSV.write(rows)) == rows)
        #expect(try CSV.parse(data: Data(CSV.write(rows).utf8)) == rows)
    }

    @Test func emptyRowWritesAsBlankLine() throws {
        #expect(CSV.write([["a"], [], ["b"]]) == "\u{FEFF}a\r\n\r\nb\r\n")
        #expect(try CSV.parse(CSV.write([["a"], [], ["b"]])) == [["a"], [""], ["b"]])
    }

    @Test func tableSkipsBlankRowsAndKeepsRowNumbers() throws {
        let rows = try CSV.parse("\n , \n 编码 ,名称\r\n001,市\r\n\r\n,  \r\n002,区\n\"x\ny\",z\n")
        let table = Table(rawRows: rows)
        #expect(table.header == ["编码", "名称"])
        #expect(table.headerRowNumber == 3)
        #expect(table.rows == [["001", "市"], ["002", "区"], ["x\ny", "z"]])
        #expect(table.rowNumbers == [4, 7, 8])
        #expect(table.value(0, "编码") == "001")
        #expect(table.value(1, "名称") == "区")
        #expect(table.value(1, "不存在") == "")
        #expect(table.value(9, "编码") == "")
    }

    @Test func tableValueTrimsAndHandlesShortRows() {
        let table = Table(rawRows: [["a", "b", "c"], [" 1 "], ["", "", "\u{3000}x\u{3000}"]])
        #expect(table.value(0, "a") == "1")
        #expect(table.value(0, "c") == "")
        #expect(table.value(1, "c") == "x")
        #expect(table.rowNumbers == [2, 3])
        #expect(table.columnIndex(" b ") == 1)
    }

    @Test func emptyTable() {
        let table = Table(rawRows: [[], [""], ["  "]])
        #expect(table.header.isEmpty)
        #expect(table.rows.isEmpty)
        #expect(table.headerRowNumber == 0)
    }

    @Test func errorDescriptionsAreChinese() {
        #expect(SpreadsheetError.unterminatedQuote(row: 5).description == "第 5 行的引号没有闭合")
        #expect(SpreadsheetError.notXLSX.description == "不是有效的 XLSX 文件")
        #expect(SpreadsheetError.noSheet.description == "XLSX 文件中没有工作表")
        #expect(SpreadsheetError.badXML("x").description == "XLSX 文件内容损坏：x")
        #expect(SpreadsheetError.notUTF8.description.hasPrefix("文件不是 UTF-8 编码的 CSV"))
    }

    @Test func parsesLargeInputQuickly() throws {
        var text = "编码,名称,备注\r\n"
        for i in 0..<50_000 { text += "C\(i),\"名称 \(i)\",\"含,逗号\"\r\n" }
        let rows = try CSV.parse(text)
        #expect(rows.count == 50_001)
        #expect(rows[50_000] == ["C49999", "名称 49999", "含,逗号"])
    }
}
