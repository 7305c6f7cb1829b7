/// Uploaded files are accepted by what their bytes are, not by what their name says.
public enum FileKind: String, CaseIterable, Sendable {
    case jpeg, png, webp, heic, pdf, xlsx, docx

    public var contentType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .pdf: "application/pdf"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
    }

    public var isImage: Bool { [.jpeg, .png, .webp, .heic].contains(self) }

    /// The kind of a file from its first bytes; ZIP-based Office files are told apart by their name's extension.
    public static func sniff(_ b: [UInt8], filename: String) -> FileKind? {
        func at(_ o: Int, _ s: [UInt8]) -> Bool { b.count >= o + s.count && Array(b[o..<(o + s.count)]) == s }
        if at(0, [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if at(0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if at(0, Array("RIFF".utf8)) && at(8, Array("WEBP".utf8)) { return .webp }
        if at(4, Array("ftyp".utf8)), b.count >= 12 {
            let brand = String(decoding: b[8..<12], as: UTF8.self)
            if ["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"].contains(brand) { return .heic }
        }
        if at(0, Array("%PDF-".utf8)) { return .pdf }
        if at(0, [0x50, 0x4B, 0x03, 0x04]) {
            let lower = filename.lowercased()
            if lower.hasSuffix(".xlsx") { return .xlsx }
            if lower.hasSuffix(".docx") { return .docx }
        }
        return nil
    }

    public static let allowedDescription = "JPEG、PNG、WebP、HEIC 图片，PDF，Word（.docx）或 Excel（.xlsx）"
}
