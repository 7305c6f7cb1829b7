import Foundation
import Testing
import WenmingCore

@Suite struct XMLLiteTests {
    typealias E = XMLLite.Event

    @Test func elementsAttributesAndText() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <!-- leading comment -->
            <x:sst xmlns:x="urn:x" count='2'><si a="1" b = '2'><t xml:space="preserve"> 你好 </t></si><empty/></x:sst>
            """
        let events = try XMLLite.events(xml)
        #expect(events == [
            .start(name: "sst", attributes: ["x": "urn:x", "count": "2"]),
            .start(name: "si", attributes: ["a": "1", "b": "2"]),
            .start(name: "t", attributes: ["space": "preserve"]),
            .text(" 你好 "),
            .end(name: "t"),
            .end(name: "si"),
            .start(name: "empty", attributes: [:]),
            .end(name: "empty"),
            .end(name: "sst"),
        ])
    }

    @Test(arguments: [
        ("<t>a &lt; b &amp;&amp; c &gt; d</t>", "a < b && c > d"),
        ("<t>&quot;q&quot; &apos;s&apos;</t>", "\"q\" 's'"),
        ("<t>&#20013;&#x6587;&#65;</t>", "中文A"),
        ("<t>&#x1F600;</t>", "😀"),
        ("<t><![CDATA[<b>&amp;</b>]]></t>", "<b>&amp;</b>"),
        ("<t>a<![CDATA[ b ]]>c<!-- x -->d</t>", "a b cd"),
        ("<t>l1\r\nl2\rl3\nl4</t>", "l1\nl2\nl3\nl4"),
        ("<t>a&#13;&#10;b</t>", "a\r\nb"),
        ("<t>a<?pi stuff?>b</t>", "ab"),
    ] as [(String, String)])
    func textDecoding(xml: String, text: String) throws {
        let events = try XMLLite.events(xml)
        #expect(events == [.start(name: "t", attributes: [:]), .text(text), .end(name: "t")])
    }

    @Test func attributeEntitiesAndNormalisation() throws {
        let events = try XMLLite.events(#"<a v="x &amp; &quot;y&quot; &#x41;" w="1&#10;2" n="l1&#xA;l2" t="a\#tb"/>"#)
        #expect(events == [.start(name: "a", attributes: ["v": "x & \"y\" A", "w": "1\n2", "n": "l1\nl2", "t": "a b"]), .end(name: "a")])
    }

    @Test func doctypeAndBOMAreSkipped() throws {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data("<!DOCTYPE r [ <!ENTITY e \"v\"> ]><r/>".utf8))
        #expect(try XMLLite.events(data) == [.start(name: "r", attributes: [:]), .end(name: "r")])
    }

    @Test func utf16Document() throws {
        var data = Data([0xFF, 0xFE])
        data.append("<r a=\"中\">文</r>".data(using: .utf16LittleEndian)!)
        #expect(try XMLLite.events(data) == [.start(name: "r", attributes: ["a": "中"]), .text("文"), .end(name: "r")])
    }

    @Test func streamingMatchesEvents() throws {
        let data = Data("<r><a>1</a><b x='2'/></r>".utf8)
        var streamed: [E] = []
        try XMLLite.parse(data) { streamed.append($0) }
        #expect(try streamed == XMLLite.events(data))
        #expect(streamed.count == 7)
    }

    @Test(arguments: [
        "",
        "just text",
        "<a>",
        "<a></b>",
        "<a></a></a>",
        "<a><b></a></b>",
        "<a x=1/>",
        "<a x=\"1/>",
        "<a x=\"1\"y=\"2\"/>",
        "<a>&unknown;</a>",
        "<a>&amp</a>",
        "<a>&#xZZ;</a>",
        "<a>&#X41;</a>",
        "<a>&#0;</a>",
        "<a>&#xD800;</a>",
        "<a><!-- open </a>",
        "<a><![CDATA[ open </a>",
        "<a/><b/>",
        "<a/>trailing",
        "<a x=\"<\"/>",
    ])
    func malformedThrows(xml: String) {
        #expect(throws: SpreadsheetError.self) { try XMLLite.events(xml) }
    }

    @Test func malformedReportsBadXML() {
        do {
            _ = try XMLLite.events("<a></b>")
            Issue.record("expected an error")
        } catch let SpreadsheetError.badXML(reason) {
            #expect(reason.contains("</b>"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func largeDocumentIsLinear() throws {
        var xml = "<sheetData>"
        for r in 1...100_000 { xml += "<row r=\"\(r)\"><c r=\"A\(r)\" t=\"s\"><v>\(r % 7)</v></c><c r=\"B\(r)\"><v>\(r)</v></c></row>" }
        xml += "</sheetData>"
        var rows = 0, values = 0
        try XMLLite.parse(Data(xml.utf8)) { event in
            switch event {
            case .start("row", _): rows += 1
            case .text: values += 1
            default: break
            }
        }
        #expect(rows == 100_000)
        #expect(values == 200_000)
    }
}
