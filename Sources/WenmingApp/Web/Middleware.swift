import Foundation
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import WenmingCore

/// Turns every error into a page (or JSON under /api) with a Chinese message; never leaks internals.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let views: Views
    let auth: AuthService

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let api = request.uri.path.hasPrefix("/api/")
            let (status, message, issues): (HTTPResponse.Status, String, [ImportIssue])
            var error = error
            if let se = error as? ServerError {
                // Errors thrown inside generated API handlers arrive wrapped; malformed bodies become 400, not 500.
                if se.underlyingError is AppError { error = se.underlyingError } else if (400..<500).contains(se.httpStatus.code) {
                    // A body that does not decode is explained in Chinese; other request errors (a missing query parameter,
                    // a wrong content type) keep the runtime's own description, which names the parameter.
                    error = AppError.badRequest((se.underlyingError as? DecodingError).map(Msg.malformedRequest)
                                                ?? Msg.malformedRequest + "：" + se.causeDescription)
                } else { error = se.underlyingError }
            }
            switch error {
            case let e as AppError:
                if case .unauthorized = e, !api {
                    return Response.redirect(to: "/login?next=" + FormEncoding.escape(request.uri.path), type: .found)
                }
                if case .importFailed(let list) = e { issues = list } else { issues = [] }
                (status, message) = (e.status, e.message)
            case let e as HTTPError:
                issues = []
                switch e.status {
                case .notFound: (status, message) = (.notFound, "页面不存在")
                case .contentTooLarge: (status, message) = (.contentTooLarge, "提交的内容太大")
                case .methodNotAllowed: (status, message) = (.methodNotAllowed, "不支持的请求方式")
                default: (status, message) = (e.status.code >= 500 ? .internalServerError : .badRequest, e.body ?? Msg.malformedRequest)
                }
            case _ where isUniqueViolation(error):
                (status, message, issues) = (.conflict, Msg.duplicateData, [])
            default:
                context.logger.error("unhandled error: \(String(reflecting: error))")
                (status, message, issues) = (.internalServerError, "服务器内部错误，请稍后再试或联系管理员", [])
            }
            if api {
                return jsonError(status: status, message: message, issues: issues)
            }
            // This middleware runs before the identity is resolved; look it up again so the page keeps its menu.
            var me: Identity?
            if let c = request.cookies["wm_session"]?.value, !c.isEmpty { me = try? await auth.resolveSession(token: c) }
            let page = Page(title: "出错了", me: me.map(MeView.init), csrf: me?.csrf ?? "",
                            flash: nil, error: nil, errors: issues.map(\.description),
                            data: ErrorView(status: Int(status.code), message: message))
            return try views.response(page, "error", status: status)
        }
    }
}

struct ErrorView: Sendable { var status: Int; var message: String }

func jsonError(status: HTTPResponse.Status, message: String, issues: [ImportIssue] = []) -> Response {
    struct Body: Encodable { var error: String; var status: Int; var issues: [Issue]? }
    struct Issue: Encodable { var row: Int; var column: String; var message: String }
    let body = Body(error: message, status: Int(status.code),
                    issues: issues.isEmpty ? nil : issues.map { Issue(row: $0.row, column: $0.column, message: $0.message) })
    let data = (try? JSONEncoder().encode(body)) ?? Data("{}".utf8)
    var h = HTTPFields()
    h[.contentType] = "application/json; charset=utf-8"
    return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// Resolves who is calling: the session cookie for pages, a bearer token for /api.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let auth: AuthService
    let limiter: RateLimiter
    let settings: SettingsStore

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var context = context
        context.remoteIP = context.clientIP(request)
        if request.uri.path.hasPrefix("/api/") {
            context.wantsJSON = true
            if let h = request.headers[.authorization], h.lowercased().hasPrefix("bearer ") {
                let token = String(h.dropFirst(7)).trimmed()
                let perMinute = try await settings.current().apiRequestsPerMinute
                let hash = AuthService.sha256(token)
                guard limiter.allow(key: "t:" + hash, limit: perMinute, now: Date()) else {
                    throw AppError.tooManyRequests(Msg.tooManyRequests)
                }
                context.identity = try await auth.resolveToken(hash: hash)
                if context.identity == nil { throw AppError.unauthorized }
            }
        } else if let c = request.cookies["wm_session"]?.value, !c.isEmpty {
            context.identity = try await auth.resolveSession(token: c)
        }
        context.identity?.ip = context.remoteIP
        // A temporary password set by an administrator must be changed before anything else.
        if let me = context.identity, me.mustChangePassword {
            let path = request.uri.path
            let allowed = ["/account", "/account/password", "/logout", "/login"].contains(path) || path.hasPrefix("/static/")
            if !allowed {
                if context.wantsJSON { throw AppError.forbidden(Msg.mustChangePassword) }
                return Response.redirect(to: "/account?must=1", type: .found)
            }
        }
        if context.wantsJSON {
            // The generated API handlers see only their typed input: hand them the caller through task-locals.
            return try await APIIdentity.$current.withValue(context.identity) {
                try await APIIdentity.$remoteIP.withValue(context.remoteIP) { try await next(request, context) }
            }
        }
        return try await next(request, context)
    }
}

/// Every state-changing form request must carry the session's CSRF token (or, for the login form,
/// the pre-login token of its cookie). The body is parsed here once and handed on in the context.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let settings: SettingsStore

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard request.method == .post, !request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        var context = context
        var request = request
        let limit = try await settings.current().uploadMaxMB * 1024 * 1024
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit + 64 * 1024) } catch {
            throw AppError.payloadTooLarge(Msg.uploadTooLarge(limit / 1024 / 1024))
        }
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Multipart.boundary(fromContentType: contentType) else { throw AppError.badRequest(Msg.malformedRequest) }
            let parts: [WenmingCore.MultipartPart]
            do { parts = try Multipart.parse(body: Array(buffer.readableBytesView), boundary: boundary) } catch {
                throw AppError.badRequest(Msg.malformedRequest)
            }
            var values: [String: [String]] = [:]
            for p in parts where p.filename == nil { values[p.name, default: []].append(String(decoding: p.body, as: UTF8.self)) }
            context.form = FormValues(values)
            context.uploads = parts.filter { $0.filename != nil }
        } else {
            context.form = FormValues(FormEncoding.decode(String(buffer: buffer)))
        }
        let sent = context.form["_csrf"].isEmpty ? (request.headers[.init("X-CSRF-Token")!] ?? "") : context.form["_csrf"]
        // The login form always carries the pre-login token of its own cookie, even for a user already logged in.
        let expected: String? = if request.uri.path == "/login" { request.cookies["wm_pre"]?.value } else { context.identity?.csrf }
        guard let expected, !expected.isEmpty, constantTimeEqual(sent, expected) else {
            throw AppError.forbidden(Msg.csrfFailed)
        }
        return try await next(request, context)
    }
}

/// A race between two writers that both passed the "already exists?" check ends at the UNIQUE constraint.
func isUniqueViolation(_ error: any Error) -> Bool {
    let d = String(reflecting: error)
    return d.contains("UNIQUE constraint failed") || d.contains("23505") || d.contains("duplicate key value")
}

func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}

/// Headers that keep pages out of frames and scripts to our own origin.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppContext
    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var r = try await next(request, context)
        r.headers[.init("X-Frame-Options")!] = "DENY"
        r.headers[.init("X-Content-Type-Options")!] = "nosniff"
        r.headers[.init("Referrer-Policy")!] = "same-origin"
        r.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"
        return r
    }
}

/// A fixed-window counter per key (per token for the API). Per instance; good enough to stop runaway scripts.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var windows: [String: (start: Int64, count: Int)] = [:]

    func allow(key: String, limit: Int, now: Date) -> Bool {
        let minute = Int64(now.timeIntervalSince1970) / 60
        lock.lock(); defer { lock.unlock() }
        if windows.count > 100_000 { windows = windows.filter { $0.value.start == minute } }
        var w = windows[key] ?? (minute, 0)
        if w.start != minute { w = (minute, 0) }
        w.count += 1
        windows[key] = w
        return w.count <= limit
    }
}
