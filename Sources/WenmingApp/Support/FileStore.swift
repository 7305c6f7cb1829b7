import Crypto
import Foundation
import SQLKit
import WenmingCore

/// An uploaded file as the handlers pass it on.
public struct Upload: Sendable {
    public var filename: String
    public var bytes: [UInt8]
    public init(filename: String, bytes: [UInt8]) { self.filename = filename; self.bytes = bytes }
}

/// Uploaded files under the data folder, named by their SHA-256 (identical files are stored once).
/// Files are checked by content and size before anything is written; the caller removes `created`
/// when the transaction that refers to them fails.
public struct FileStore: Sendable {
    let dataDir: String
    let settings: SettingsStore

    public struct Stored: Sendable { public var upload: Upload; public var kind: FileKind; public var sha256: String; public var path: String }

    /// Checks each file's size and kind by content; `allowed` narrows the kinds (e.g. photos only).
    public func check(_ files: [Upload], allowed: Set<FileKind> = Set(FileKind.allCases), allowedDescription: String = FileKind.allowedDescription) async throws -> [(Upload, FileKind)] {
        let maxMB = try await settings.current().uploadMaxMB
        return try files.map { f in
            if f.bytes.count > maxMB * 1024 * 1024 { throw AppError.payloadTooLarge(Msg.uploadTooLarge(maxMB)) }
            guard let k = FileKind.sniff(f.bytes, filename: f.filename), allowed.contains(k) else {
                throw AppError.badRequest("“\(f.filename)”不是允许的文件类型（\(allowedDescription)）")
            }
            return (f, k)
        }
    }

    public func store(_ files: [(Upload, FileKind)]) throws -> (stored: [Stored], created: [URL]) {
        var out: [Stored] = []
        var created: [URL] = []
        for (f, k) in files {
            let hash = Hex.encode(SHA256.hash(data: f.bytes))
            let rel = "files/\(hash.prefix(2))/\(hash).\(k.rawValue)"
            let url = URL(fileURLWithPath: dataDir).appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: url.path) {
                try Data(f.bytes).write(to: url, options: .atomic)
                created.append(url)
            }
            out.append(Stored(upload: f, kind: k, sha256: hash, path: rel))
        }
        return (out, created)
    }

    /// Stores the files, runs `body` with them, and removes the newly written files when `body` fails.
    public func withStored<T: Sendable>(_ files: [(Upload, FileKind)], _ body: ([Stored]) async throws -> T) async throws -> T {
        let (stored, created) = try store(files)
        do { return try await body(stored) } catch {
            for url in created { try? FileManager.default.removeItem(at: url) }
            throw error
        }
    }

    public func read(_ storedPath: String) -> Data? {
        FileManager.default.contents(atPath: URL(fileURLWithPath: dataDir).appendingPathComponent(storedPath).path)
    }
}

extension FileStore {
    /// Records a stored file as an attachment of `ownerKind`/`ownerID`, served to users whose scope covers `orgID`
    /// (or, for case photos, who may see the case).
    static func attach(_ tx: any SQLDatabase, _ f: Stored, ownerKind: String, ownerID: Int64, orgID: Int64, phase: String, actor: Identity, now: Date) async throws {
        try await tx.raw("""
            INSERT INTO attachments (owner_kind, owner_id, org_id, filename, content_type, size, sha256, stored_path, uploaded_by, created_at, phase)
            VALUES (\(bind: ownerKind), \(bind: ownerID), \(bind: orgID), \(bind: String(f.upload.filename.prefix(200))), \(bind: f.kind.contentType),
                    \(bind: f.upload.bytes.count), \(bind: f.sha256), \(bind: f.path), \(bind: actor.userID), \(bind: now.epoch), \(bind: phase))
            """).run()
    }
}
