import Foundation
import Hummingbird
import NIOCore
import WenmingCore

/// Who is making the request: resolved from the session cookie or the bearer token.
public struct Identity: Sendable {
    public var userID: Int64
    public var username: String
    public var displayName: String
    public var role: Role
    public var orgID: Int64
    public var orgName: String
    public var orgKind: OrgKind
    public var orgPath: OrgPath
    public var mustChangePassword: Bool
    /// The session's CSRF token (nil for API tokens, which are not sent by browsers on their own).
    public var csrf: String?
    public var sessionID: String?
    public var ip: String = ""

    /// How records name who acted: "显示名（用户名）".
    public var signature: String { "\(displayName)（\(username)）" }

    public func can(_ p: Permission) -> Bool { role.can(p) }

    public func require(_ p: Permission) throws {
        guard role.can(p) else { throw AppError.forbidden(Msg.forbidden) }
    }

    public func inScope(_ path: OrgPath) -> Bool { orgPath.contains(path) }

    public func requireScope(_ path: OrgPath) throws {
        guard inScope(path) else { throw AppError.forbidden(Msg.outOfScope) }
    }
}

public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    public var remoteIP: String
    /// Set when the request came through the JSON API; errors are then rendered as JSON.
    public var wantsJSON = false
    /// The parsed body of a form POST (set by the CSRF middleware, which must read it anyway).
    public var form = FormValues()
    /// Files of a multipart form POST.
    public var uploads: [WenmingCore.MultipartPart] = []

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress ?? ""
    }

    /// The client's address: the socket peer, or — behind a trusted reverse proxy (`WENMING_TRUST_PROXY=1`) —
    /// the first address of `X-Forwarded-For`.
    public func clientIP(_ request: Request) -> String {
        guard AppContext.trustProxy, let xff = request.headers[.init("X-Forwarded-For")!],
              let first = xff.split(separator: ",").first?.trimmed(), !first.isEmpty else { return remoteIP }
        return first
    }

    static let trustProxy = ProcessInfo.processInfo.environment["WENMING_TRUST_PROXY"] == "1"
    /// Adds `Secure` to cookies when the platform is served over HTTPS (`WENMING_SECURE_COOKIES=1`).
    static let secureCookies = ProcessInfo.processInfo.environment["WENMING_SECURE_COOKIES"] == "1"

    public var maxUploadSize: Int { 256 * 1024 * 1024 }

    public func requireIdentity() throws -> Identity {
        guard var id = identity else { throw AppError.unauthorized }
        id.ip = remoteIP
        return id
    }
}

/// Every error the application means to show. Anything else becomes a logged 500 with a plain message.
public enum AppError: Error, Sendable, Equatable {
    case badRequest(String)
    case validation([String: String])
    case unauthorized
    case forbidden(String)
    case notFound
    case conflict(String)
    case tooManyRequests(String)
    case payloadTooLarge(String)
    case importFailed([ImportIssue])

    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest, .validation, .importFailed: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .tooManyRequests: .tooManyRequests
        case .payloadTooLarge: .contentTooLarge
        }
    }

    public var message: String {
        switch self {
        case .badRequest(let m), .forbidden(let m), .conflict(let m), .tooManyRequests(let m), .payloadTooLarge(let m): m
        case .validation(let f): f.sorted { $0.key < $1.key }.map(\.value).joined(separator: "；")
        case .unauthorized: Msg.notLoggedIn
        case .notFound: Msg.notFound
        case .importFailed(let issues): "导入失败，共 \(issues.count) 处错误，没有写入任何数据"
        }
    }
}

/// The clock is injected so that rules and tests never read the wall clock themselves.
public protocol Clock: Sendable { func now() -> Date }
public struct SystemClock: Clock { public init() {}; public func now() -> Date { Date() } }
public final class TestClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    public init(_ d: Date) { current = d }
    public func now() -> Date { lock.lock(); defer { lock.unlock() }; return current }
    public func advance(_ s: TimeInterval) { lock.lock(); current += s; lock.unlock() }
}

extension Date {
    var epoch: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(epoch: Int64) { self.init(timeIntervalSince1970: TimeInterval(epoch)) }
}

/// Scope filter: rows whose path lies in the subtree of `path` (paths sort byte-wise, so it is one range scan).
func scopeRange(_ path: OrgPath) -> (lower: String, upper: String) {
    let p = path.description
    return (p, p + "~")
}
