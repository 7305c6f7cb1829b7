import Foundation
import Testing
@testable import WenmingCore

@Suite struct FileKindTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let tail: [UInt8] = Array(repeating: 0x00, count: 32)

    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + bytes("JFIF") + [0x00, 0x01, 0x01] + tail
    static let jpegExif: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x1C, 0x45] + bytes("Exif") + [0x00, 0x00] + tail
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D] + bytes("IHDR") + tail
    static let webp: [UInt8] = bytes("RIFF") + [0x24, 0x00, 0x00, 0x00] + bytes("WEBPVP8 ") + tail
    static let heic: [UInt8] = [0x00, 0x00, 0x00, 0x18] + bytes("ftypheic") + [0x00, 0x00, 0x00, 0x00] + bytes("mif1heic") + tail
    static let heicMif1: [UInt8] = [0x00, 0x00, 0x00, 0x1C] + bytes("ftypmif1") + [0x00, 0x00, 0x00, 0x00] + bytes("mif1heicmiaf") + tail
    static let pdf: [UInt8] = bytes("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj\n") + tail
    static let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00] + bytes("[Content_Types].xml") + tail

    static let accepted: [([UInt8], String, FileKind)] = [
        (jpeg, "photo.jpg", .jpeg),
        (jpegExif, "IMG_0001.JPEG", .jpeg),
        (jpeg, "photo.png", .jpeg),                 // the bytes decide, not the name
        (jpeg, "", .jpeg),
        (png, "screen.png", .png),
        (png, "screen", .png),
        (webp, "pic.webp", .webp),
        (heic, "IMG_1234.HEIC", .heic),
        (heicMif1, "burst.heif", .heic),
        (pdf, "通报.pdf", .pdf),
        (pdf, "report.txt", .pdf),
        (zip, "台账.xlsx", .xlsx),
        (zip, "REPORT.XLSX", .xlsx),
        (zip, "方案.docx", .docx),
        (zip, "方案.DocX", .docx),
    ]

    @Test(arguments: accepted)
    func sniffAccepts(data: [UInt8], name: String, kind: FileKind) {
        #expect(FileKind.sniff(data, filename: name) == kind)
    }

    static let refused: [([UInt8], String)] = [
        (bytes("这不是图片，只是文字。\nhello"), "photo.jpg"),         // a text file named .jpg
        (bytes("MZ") + [0x90, 0x00, 0x03, 0x00] + tail, "setup.exe"),
        (bytes("MZ") + [0x90, 0x00, 0x03, 0x00] + tail, "invoice.pdf"), // an .exe dressed as a PDF
        (zip, "archive.zip"),                                      // a zip that is not an Office file
        (zip, "archive.xlsx.zip"),
        (zip, "xlsx"),
        (zip, "台账.xls"),
        (zip, "方案.doc"),
        ([], "empty.jpg"),
        ([], ""),
        ([0xFF, 0xD8], "short.jpg"),                                // truncated magic
        (Array(png.prefix(7)), "short.png"),
        (bytes("RIFF") + [0x24, 0x00, 0x00, 0x00] + bytes("WAVEfmt ") + tail, "sound.webp"),
        (bytes("RIFF"), "tiny.webp"),
        ([0x00, 0x00, 0x00, 0x18] + bytes("ftypisom") + tail, "movie.heic"),   // an MP4
        ([0x00, 0x00, 0x00, 0x18] + bytes("ftypqt  ") + tail, "movie.heic"),   // a QuickTime movie
        ([0x00, 0x00, 0x00, 0x18] + bytes("ftyphei"), "cut.heic"),            // brand cut short
        (bytes("GIF89a") + tail, "anim.jpg"),
        (bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"), "logo.png"),
        (bytes("%PD"), "short.pdf"),
        (bytes(" %PDF-1.7"), "padded.pdf"),
        (Array(repeating: 0x00, count: 64), "zeros.png"),
    ]

    @Test(arguments: refused)
    func sniffRefuses(data: [UInt8], name: String) {
        #expect(FileKind.sniff(data, filename: name) == nil)
    }

    @Test func contentTypesAndImages() {
        #expect(FileKind.jpeg.contentType == "image/jpeg")
        #expect(FileKind.png.contentType == "image/png")
        #expect(FileKind.webp.contentType == "image/webp")
        #expect(FileKind.heic.contentType == "image/heic")
        #expect(FileKind.pdf.contentType == "application/pdf")
        #expect(FileKind.xlsx.contentType == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(FileKind.docx.contentType == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        #expect(FileKind.allCases.filter(\.isImage) == [.jpeg, .png, .webp, .heic])
        #expect(!FileKind.allowedDescription.isEmpty)
    }
}

@Suite struct PageWindowTests {
    static let cases: [(Int, Int, Int, Int, Int)] = [   // page, size asked → page, size, offset
        (1, 20, 1, 20, 0),
        (3, 20, 3, 20, 40),
        (0, 20, 1, 20, 0),
        (-5, 20, 1, 20, 0),
        (Int.min, 20, 1, 20, 0),
        (Int.max, 20, 1_000_000, 20, 19_999_980),
        (1_000_000, 500, 1_000_000, 500, 499_999_500),
        (1_000_001, 10, 1_000_000, 10, 9_999_990),
        (2, 0, 2, 1, 1),
        (2, -3, 2, 1, 1),
        (2, Int.min, 2, 1, 1),
        (2, 10_000, 2, 500, 500),
        (2, Int.max, 2, 500, 500),
        (Int.max, Int.max, 1_000_000, 500, 499_999_500),
        (4, 500, 4, 500, 1500),
        (4, 501, 4, 500, 1500),
    ]

    @Test(arguments: cases)
    func clamps(page: Int, size: Int, wantPage: Int, wantSize: Int, wantOffset: Int) {
        let w = PageWindow(page: page, pageSize: size)
        #expect(w.page == wantPage)
        #expect(w.pageSize == wantSize)
        #expect(w.limit == wantSize)
        #expect(w.offset == wantOffset)
        #expect(w.offset >= 0)
    }

    @Test func limits() {
        #expect(PageWindow.maxPage == 1_000_000)
        #expect(PageWindow.maxPageSize == 500)
        #expect(PageWindow(page: 0, pageSize: 0) == PageWindow(page: 1, pageSize: 1))
    }
}

@Suite struct SearchTextTests {
    static let cases: [(String, String)] = [
        ("abc", "%abc%"),
        ("", "%%"),
        ("ABC", "%abc%"),
        ("Wenming 文明", "%wenming 文明%"),
        ("50%", "%50\\%%"),
        ("a_b", "%a\\_b%"),
        ("C:\\temp", "%c:\\\\temp%"),
        ("%_\\", "%\\%\\_\\\\%"),
        ("100%_达标", "%100\\%\\_达标%"),
        ("'; DROP", "%'; drop%"),        // quotes are the binding's job, not the pattern's
        ("ÄÖ", "%äö%"),
    ]

    @Test(arguments: cases)
    func containsPattern(text: String, pattern: String) {
        #expect(SearchText.containsPattern(text) == pattern)
    }
}
