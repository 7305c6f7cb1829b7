import Foundation
import Hummingbird
import Mustache
import WenmingCore

/// Renders Mustache templates from Resources/Templates. View-models carry preformatted strings:
/// all formatting happens in Swift, the templates only place values.
public struct Views: Sendable {
    let library: MustacheLibrary

    public init(directory: String) async throws {
        library = try await MustacheLibrary(directory: directory)
    }

    public func render(_ object: Any, _ template: String) throws -> String {
        guard let html = library.render(Self.prepare(object), withTemplate: template) else {
            throw AppError.badRequest("模板 \(template) 不存在")
        }
        return html
    }

    /// The view-model reflected once into a tree Mustache reads without reflection. Mustache looks every `{{name}}`
    /// up with a fresh `Mirror` of each object on its context stack, filtering all of its fields; on a page with a
    /// few hundred values that was a third of the request (the dashboard on PostgreSQL, docs/benchmarks.md). Here each
    /// struct is reflected once into a `Fields` box. Lookups behave as before: a nil optional is absent, so the
    /// lookup climbs the context stack as Mustache's own does; arrays of plain values, dictionaries, enums and
    /// everything Mustache treats specially are passed through unchanged.
    static func prepare(_ v: Any) -> Any {
        switch v {
        case is String, is Int, is Int64, is Bool, is Double, is Substring, is MustacheParent, is MustacheLambda, is MustacheCustomRepresentation:
            return v
        default: break
        }
        let m = Mirror(reflecting: v)
        switch m.displayStyle {
        case .optional:
            guard let wrapped = m.children.first else { return v }
            return prepare(wrapped.value)
        case .struct, .class:
            var fields: [String: Any] = [:]
            fields.reserveCapacity(Int(m.children.count))
            for c in m.children {
                guard let label = c.label else { continue }
                let cm = Mirror(reflecting: c.value)
                if cm.displayStyle == .optional {
                    guard let wrapped = cm.children.first else { continue }
                    fields[label] = prepare(wrapped.value)
                } else {
                    fields[label] = prepare(c.value)
                }
            }
            return Fields(fields)
        case .collection:
            var changed = false
            let items = m.children.map { c -> Any in
                let p = prepare(c.value)
                if p is Fields { changed = true }
                return p
            }
            return changed ? items : v
        default:
            return v
        }
    }

    /// One reflected struct: its stored properties by name.
    final class Fields: MustacheParent, @unchecked Sendable {
        let fields: [String: Any]
        init(_ fields: [String: Any]) { self.fields = fields }
        func child(named name: String) -> Any? { fields[name] }
    }

    public func response(_ object: Any, _ template: String, status: HTTPResponse.Status = .ok) throws -> Response {
        let html = try render(object, template)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Finds Resources/Templates: `WENMING_RESOURCES`, else walking up from the working directory and the executable.
    public static func locateResources() -> String {
        if let r = ProcessInfo.processInfo.environment["WENMING_RESOURCES"], !r.isEmpty { return r }
        var candidates = [FileManager.default.currentDirectoryPath]
        candidates.append((CommandLine.arguments.first.map { ($0 as NSString).deletingLastPathComponent }) ?? ".")
        for start in candidates {
            var dir = URL(fileURLWithPath: start).standardizedFileURL
            for _ in 0..<8 {
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Resources/Templates").path) { return dir.path }
                dir.deleteLastPathComponent()
            }
        }
        return FileManager.default.currentDirectoryPath
    }
}

/// The frame every page shares: who is logged in, the menu, messages.
public struct Page<Content>: Sendable where Content: Sendable {
    public var title: String
    public var me: MeView?
    public var csrf: String
    public var flash: String?
    public var error: String?
    public var errors: [String]
    public var data: Content
}

public struct MeView: Sendable {
    public var displayName: String
    public var username: String
    public var roleLabel: String
    public var orgName: String
    public var orgID: Int64
    public var canOrgs: Bool
    public var canUsers: Bool
    public var canGroups: Bool
    public var canAudit: Bool
    public var canSettings: Bool
    public var canIndex: Bool
    public var canTasks: Bool
    public var canCases: Bool
    public var canViewCases: Bool
    public var canPoints: Bool
    public var canScores: Bool
    public var canRounds: Bool
    public var mustChangePassword: Bool

    init(_ i: Identity) {
        displayName = i.displayName
        username = i.username
        roleLabel = i.role.label
        orgName = i.orgName
        orgID = i.orgID
        canOrgs = i.can(.viewOrgs)
        canUsers = i.can(.viewUsers)
        canGroups = i.can(.viewGroups)
        canAudit = i.can(.viewAudit)
        canSettings = i.can(.manageOrgs) && i.orgPath.ids.count == 1
        canIndex = i.can(.viewIndex)
        canTasks = i.can(.viewTasks)
        canCases = i.can(.reportCases) || i.can(.viewCases)
        canViewCases = i.can(.viewCases)
        canPoints = i.can(.viewPoints)
        canScores = i.can(.viewScores)
        canRounds = i.can(.inspect) || i.can(.manageRounds) || i.can(.viewPoints)
        mustChangePassword = i.mustChangePassword
    }
}

enum Fmt {
    static let zone = TimeZone(identifier: ProcessInfo.processInfo.environment["WENMING_TIMEZONE"] ?? "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
    static let calendar: Calendar = {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal
    }()

    /// "YYYY-MM-DD HH:MM" in the platform's zone, by arithmetic (`CivilText`): a ledger export writes 600,000.
    static func dateTime(_ epoch: Int64?) -> String {
        guard let epoch else { return "" }
        return CivilText.minute(localSeconds: local(epoch))
    }
    /// "YYYY-MM-DD": the day of an instant in the platform's zone.
    static func date(_ epoch: Int64) -> String { CivilText.day(localSeconds: local(epoch)) }
    /// Seconds since 1970-01-01 00:00 in the platform's zone.
    static func local(_ epoch: Int64) -> Int64 { epoch + Int64(zone.secondsFromGMT(for: Date(epoch: epoch))) }
    /// Parses `YYYY-MM-DD` in the platform's time zone.
    /// Midnight (in the platform's zone) of a valid yyyy-MM-dd day; nil for anything else (2026-13-01, 2026-02-30).
    static func day(_ s: String) -> Date? {
        guard CivilDate.isValid(s) else { return nil }
        let p = s.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3 else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))
    }
}

/// Pagination links for list pages.
public struct Pager: Sendable {
    public var page: Int
    public var pages: Int
    public var total: Int
    public var prevURL: String?
    public var nextURL: String?
    init(page: Int, pageSize: Int, total: Int, base: String, query: [(String, String)]) {
        self.page = page
        self.total = total
        pages = max(1, (total + pageSize - 1) / pageSize)
        func url(_ p: Int) -> String { base + "?" + FormEncoding.encode(query.filter { !$0.1.isEmpty } + [("page", String(p))]) }
        prevURL = page > 1 ? url(page - 1) : nil
        nextURL = page < pages ? url(page + 1) : nil
    }
}
