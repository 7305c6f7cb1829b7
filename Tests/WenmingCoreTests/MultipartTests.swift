import Foundation
import Testing
import WenmingCore

@Suite struct MultipartTests {
    @Test(arguments: [
        ("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk", "----WebKitFormBoundary7MA4YWxk"),
        ("multipart/form-data; boundary=\"a b;c\"", "a b;c"),
        ("Multipart/Form-Data;charset=utf-8;BOUNDARY=xyz", "xyz"),
        ("multipart/form-data; boundary=xyz ; charset=utf-8", "xyz"),
    ] as [(String, String)])
    func boundaryFromContentType(header: String, boundary: String) {
        #expect(Multipart.boundary(fromContentType: header) == boundary)
    }

    @Test(arguments: ["application/json", "multipart/form-data", "multipart/form-data; boundary=", "text/plain; boundary=abc"])
    func noBoundary(header: String) {
        #expect(Multipart.boundary(fromContentType: header) == nil)
    }

    static func body(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func parsesFieldsAndFiles() throws {
        let fileBytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x0D, 0x0A, 0x2D, 0x2D, 0x00, 0xFF]
        var body = Self.body(
            "preamble to ignore\r\n"
                + "--XyZ\r\n"
                + "Content-Disposition: form-data; name=\"mode\"\r\n"
                + "\r\n"
                + "dry-run\r\n"
                + "--XyZ\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"组织导入.xlsx\"\r\n"
                + "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
                + "\r\n")
        body += fileBytes
        body += Self.body("\r\n--XyZ\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--XyZ--\r\nepilogue --XyZ\r\n")

        let parts = try Multipart.parse(body: body, boundary: "XyZ")
        #expect(parts.count == 3)
        #expect(parts[0].name == "mode")
        #expect(parts[0].filename == nil)
        #expect(parts[0].text == "dry-run")
        #expect(parts[1].name == "file")
        #expect(parts[1].filename == "组织导入.xlsx")
        #expect(parts[1].contentType == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(parts[1].body == fileBytes)
        #expect(parts[2].name == "empty")
        #expect(parts[2].body.isEmpty)
    }

    @Test func boundaryLikeTextInsideBodyIsNotADelimiter() throws {
        let body = Self.body(
            "--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nx--b y\r\n--bz\r\n--b--\r\n")
        let parts = try Multipart.parse(body: body, boundary: "b")
        // "--b" not at a line start, or followed by something other than "--" / line end, is content.
        #expect(parts.count == 1)
        #expect(parts.first?.text == "x--b y\r\n--bz")
    }

    @Test(arguments: [
        ("filename*=UTF-8''%E7%BB%84%E7%BB%87.csv", "组织.csv"),
        ("filename=\"fallback.csv\"; filename*=utf-8''%E7%BB%84%E7%BB%87.csv", "组织.csv"),
        ("filename=\"C:\\Users\\张三\\orgs.csv\"", "orgs.csv"),
        ("filename=plain.csv", "plain.csv"),
        ("filename=\"a \\\"q\\\".csv\"", "a \"q\".csv"),
        ("filename=\"\"", ""),
    ] as [(String, String)])
    func filenames(disposition: String, expected: String) throws {
        let body = Self.body("--B\r\nContent-Disposition: form-data; name=\"f\"; \(disposition)\r\n\r\ndata\r\n--B--")
        let parts = try Multipart.parse(body: body, boundary: "B")
        #expect(parts.count == 1)
        #expect(parts[0].filename == expected)
        #expect(parts[0].text == "data")
    }

    @Test func toleratesBareLF() throws {
        let body = Self.body("--B\nContent-Disposition: form-data; name=\"a\"\n\n1\n--B\nContent-Disposition: form-data; name=\"b\"\n\n2\n--B--\n")
        let parts = try Multipart.parse(body: body, boundary: "B")
        #expect(parts.map(\.name) == ["a", "b"])
        #expect(parts.map(\.text) == ["1", "2"])
    }

    @Test func headerNamesAreCaseInsensitive() throws {
        let body = Self.body("--B\r\ncontent-disposition: form-data; NAME=\"a\"\r\nCONTENT-TYPE: text/csv\r\n\r\nx\r\n--B--\r\n")
        let parts = try Multipart.parse(body: body, boundary: "B")
        #expect(parts[0].name == "a")
        #expect(parts[0].contentType == "text/csv")
    }

    @Test(arguments: [
        "",
        "no boundary here",
        "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ntruncated",
        "--B\r\nContent-Disposition: form-data; name=\"a\"",
        "--B\r\nnot a header\r\n\r\nx\r\n--B--",
        "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--Bjunk",
    ])
    func malformed(body: String) {
        #expect(throws: MultipartError.malformed) { try Multipart.parse(body: Self.body(body), boundary: "B") }
    }

    @Test func errorDescription() {
        #expect(MultipartError.malformed.description == "上传的表单格式不正确")
    }

    @Test func largeBody() throws {
        let size = 8 * 1024 * 1024
        var payload = [UInt8](repeating: 0, count: size)
        for i in 0..<size { payload[i] = UInt8(truncatingIfNeeded: i &* 31 &+ (i >> 7)) }
        // Sprinkle near-boundaries through the payload.
        let near = Array("\r\n--boundar".utf8)
        for k in stride(from: 1000, to: size - 100, by: 100_000) { payload.replaceSubrange(k..<k + near.count, with: near) }
        var body = Self.body("--boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n")
        body += payload
        body += Self.body("\r\n--boundary--\r\n")
        let parts = try Multipart.parse(body: body, boundary: "boundary")
        #expect(parts.count == 1)
        #expect(parts[0].body == payload)
    }
}
