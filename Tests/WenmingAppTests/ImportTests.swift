import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import WenmingApp
import WenmingCore

@Suite("Org import and export")
struct ImportTests {
    func upload(_ client: any TestClientProtocol, _ s: Session, name: String, data: Data) async throws -> TestResponse {
        let boundary = "----wenmingtest"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(s.csrf)\r\n".utf8))
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var h = s.headers
        h[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await client.execute(uri: "/orgs/import", method: .post, headers: h, body: ByteBuffer(bytes: body))
    }

    static let header = "编码,名称,类型,上级编码,条管部门编码,地址,联系人,电话,启用\n"

    @Test func validCSVCreatesAndUpdatesInOneGo() async throws {
        try await withApp { env, client in
            let s = try await env.session("admin")
            // Children before parents in the file; one existing row renamed.
            let csv = Self.header + """
                QC01-02-01,新华社区,社区,QC01-02,,,,,是
                QC01-02,新华街道,街道,QC01,,,,,
                QC01-02-01-G1,新华社区第一网格,网格,QC01-02-01,,,,,1
                QC01-U01,明湖区实验小学（更名）,学校,QC01-01,QC-D02,人民路1号,王老师,0571-1,是
                """
            let r = try await upload(client, s, name: "orgs.csv", data: Data(csv.utf8))
            #expect(r.status == .found)
            #expect(try await env.org("QC01-02-01-G1").orgPath.ids.count == 5)
            #expect(try await env.org("QC01-U01").name == "明湖区实验小学（更名）")
            #expect(try await env.org("QC01-U01").address == "人民路1号")
        }
    }

    @Test(arguments: [
        ("bad columns", "编码,名字,类型\nX,Y,社区\n", ["名字"]),
        ("missing parent", header + "QC09-01,幽灵街道,街道,QC09,,,,,\n", ["第 3 行", "QC09"]),
        ("cycle", header + "QC01-05,甲街道,街道,QC01-06,,,,,\nQC01-06,乙街道,街道,QC01-05,,,,,\n", ["循环"]),
        ("duplicate codes", header + "QC01-05,甲街道,街道,QC01,,,,,\nQC01-05,乙街道,街道,QC01,,,,,\n", ["第 4 行", "第 3 行", "重复"]),
        ("bad kind", header + "QC01-05,甲街道,大队,QC01,,,,,\n", ["第 3 行", "类型", "大队"]),
        ("kind under wrong parent", header + "QC01-05,甲网格,网格,QC01,,,,,\n", ["第 3 行", "上级编码"]),
        ("existing node under its own descendant", header + "QC01-01,湖滨街道,街道,QC01-01-01,,,,,\n", ["第 3 行", "循环"]),
        ("not UTF-8", "\u{FF}\u{FE}garbage", ["UTF-8"]),
    ])
    func malformedFilesChangeNothing(_ c: (String, String, [String])) async throws {
        try await withApp { env, client in
            let s = try await env.session("admin")
            let before = try await env.orgCount()
            let paths = try await env.s.db.read { try await $0.raw("SELECT code, path FROM orgs ORDER BY code").all().map { try $0.decode(column: "path", as: String.self) } }
            var data = Data(c.1.utf8)
            if c.0 == "not UTF-8" { data = Data([0x80, 0x81, 0xFE, 0x2C, 0x41, 0x0A]) }
            // Plus one valid row in front (row 2), which must not be written either: the broken rows start at row 3.
            if c.0 != "bad columns" && c.0 != "not UTF-8" {
                data = Data((Self.header + "QC01-77,合法街道,街道,QC01,,,,,\n").utf8) + Data(c.1.utf8).dropFirst(Self.header.utf8.count)
            }
            let r = try await upload(client, s, name: "broken.csv", data: data)
            #expect(r.status == .badRequest, "\(c.0)")
            let html = String(buffer: r.body)
            for needle in c.2 { #expect(html.contains(needle), "\(c.0): missing \(needle)") }
            #expect(html.contains("没有写入任何数据") || c.0 == "not UTF-8" || c.0 == "bad columns")
            #expect(try await env.orgCount() == before)
            let after = try await env.s.db.read { try await $0.raw("SELECT code, path FROM orgs ORDER BY code").all().map { try $0.decode(column: "path", as: String.self) } }
            #expect(after == paths)
        }
    }

    @Test func importOutsideScopeIsRefused() async throws {
        try await withApp { env, client in
            let s = try await env.session("mh_admin")
            let before = try await env.orgCount()
            let r = try await upload(client, s, name: "x.csv", data: Data((Self.header + "QC02-09,越权街道,街道,QC02,,,,,\n").utf8))
            #expect(r.status == .badRequest)
            #expect(String(buffer: r.body).contains(Msg.outOfScope))
            #expect(try await env.orgCount() == before)
        }
    }

    @Test func xlsxExportReimportsUnchanged() async throws {
        try await withApp { env, client in
            let s = try await env.session("admin")
            let r = try await client.execute(uri: "/orgs/export.xlsx", method: .get, headers: s.headers)
            #expect(r.status == .ok)
            let data = Data(r.body.readableBytesView)
            let rows = try XLSX.read(data)
            #expect(rows.count == Fixture.orgs.count + 1)
            #expect(rows[0] == OrgImport.columns.map(\.header))
            let admin = try await env.identity("admin")
            let result = try await env.s.orgs.importTable(Table(rawRows: rows), actor: admin, maxRows: 1000)
            #expect(result.created == 0 && result.updated == 0 && result.unchanged == Fixture.orgs.count)
            let csv = try await client.execute(uri: "/orgs/export.csv", method: .get, headers: s.headers)
            let text = String(buffer: csv.body)
            #expect(text.hasPrefix("\u{FEFF}编码,名称"))
            #expect(try CSV.parse(text) == rows)
        }
    }

    @Test func exportIsScoped() async throws {
        try await withApp { env, client in
            let s = try await env.session("leader")
            let all = String(buffer: try await client.execute(uri: "/orgs/export.csv", method: .get, headers: s.headers).body)
            #expect(all.contains("东关社区"))
            let mhToken = try await env.token("mh_admin")
            let mh = String(buffer: try await client.execute(uri: "/api/v1/orgs/export", method: .get, headers: bearer(mhToken)).body)
            #expect(mh.contains("柳荫社区"))
            #expect(!mh.contains("东关社区"))
            let grid = try await env.session("grid01")
            #expect(try await client.execute(uri: "/orgs/export.csv", method: .get, headers: grid.headers).status == .forbidden)
        }
    }
}

@Suite("Org import details")
struct ImportDetailTests {
    @Test func absentOptionalColumnsKeepStoredValues() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let id = env.fx.ids["QC01-U01"]!
            var i = OrgInput(code: "QC01-U01", name: "明湖区实验小学", kind: "school", parentID: nil, sectorID: env.fx.ids["QC-D02"])
            i.address = "人民路1号"; i.phone = "0571-1"
            _ = try await env.s.orgs.update(id, i, actor: admin)
            let t = Table(rawRows: [["编码", "名称", "类型", "上级编码"], ["QC01-U01", "明湖区实验小学（本部）", "学校", "QC01-01"]])
            let r = try await env.s.orgs.importTable(t, actor: admin, maxRows: 100)
            #expect(r.updated == 1)
            let after = try await env.org("QC01-U01")
            #expect(after.name == "明湖区实验小学（本部）")
            #expect(after.address == "人民路1号" && after.phone == "0571-1" && after.sectorId == env.fx.ids["QC-D02"] && after.isActive)
        }
    }

    @Test func districtAdminCanReimportOwnExport() async throws {
        try await withApp { env, client in
            let mh = try await env.identity("mh_admin")
            let rows = try await env.s.orgs.exportRows(actor: mh)
            #expect(rows[1][0] == "QC01")
            let r = try await env.s.orgs.importTable(Table(rawRows: rows), actor: mh, maxRows: 100)
            #expect(r.created == 0 && r.updated == 0)
        }
    }

    @Test func formulaGuardRoundTrips() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            var i = OrgInput(code: "QC01-U01", name: "明湖区实验小学", kind: "school", parentID: nil, sectorID: env.fx.ids["QC-D02"])
            i.phone = "+86 571 1234"
            _ = try await env.s.orgs.update(env.fx.ids["QC01-U01"]!, i, actor: admin)
            let csv = CSV.write(try await env.s.orgs.exportRows(actor: admin))
            #expect(csv.contains("'+86 571 1234"))
            let r = try await env.s.orgs.importTable(Table(rawRows: try CSV.parse(csv)), actor: admin, maxRows: 100)
            #expect(r.updated == 0)
            #expect(try await env.org("QC01-U01").phone == "+86 571 1234")
        }
    }

    @Test func importCannotLeaveActiveNodesUnderInactiveOnes() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let t = Table(rawRows: [["编码", "名称", "类型", "上级编码", "启用"], ["QC01-01-01", "柳荫社区", "社区", "QC01-01", "否"]])
            await #expect(throws: AppError.self) { _ = try await env.s.orgs.importTable(t, actor: admin, maxRows: 100) }
            #expect(try await env.org("QC01-01-01").isActive)
        }
    }
}
