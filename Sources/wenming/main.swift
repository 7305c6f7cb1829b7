import ArgumentParser
import Foundation
import Hummingbird
import Logging
import WenmingApp
import WenmingCore

@main
struct Wenming: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wenming",
        abstract: "文明创建管理平台 (Wenming)",
        subcommands: [Serve.self, Migrate.self, Demo.self, Bootstrap.self, Generate.self, DrawCommand.self, ScoresCommand.self],
        defaultSubcommand: Serve.self)
}

/// Opens the configured database and runs pending migrations.
/// Writes a line to standard output unbuffered, so that it reaches a log file or pipe at once.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func openServices(_ config: AppConfig) async throws -> Services {
    let db = try await Database.open(url: config.effectiveDatabaseURL)
    try await Migrations.run(on: db)
    return try await Services(config: config, db: db)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "启动平台（默认 SQLite，数据在 WENMING_DATA_DIR，默认 ./data）")
    @Option(help: "监听地址") var host: String?
    @Option(help: "端口") var port: Int?
    @Flag(help: "启动前载入演示城市（重复载入不会重复）") var demo = false

    func run() async throws {
        var config = AppConfig.fromEnvironment()
        if let host { config.host = host }
        if let port { config.port = port }
        let s = try await openServices(config)
        if demo {
            let r = try await DemoLoader.load(s)
            let samples = try await DemoLoader.loadCampaignSamples(s)
            let cases = try await SyntheticCases.loadDemoCases(s)
            let points = try await DemoPoints.load(s)
            _ = try await DemoPoints.loadRounds(s)
            if points > 0 { say("演示点位 \(points) 个，示例抽签和模拟测评已载入") }
            say("演示城市已载入：新增组织 \(r.orgs)，用户 \(r.users)\(samples ? "，示例测评体系、负面清单和创建周期" : "")\(cases > 0 ? "，示例问题案卷 \(cases) 件" : "")。演示账号见 README，密码 \(DemoCity.password)")
        }
        say("Wenming 正在 http://\(config.host):\(config.port) 上运行（数据库：\(s.db.engine.rawValue)）")
        // Overdue cases are escalated every few minutes (the interval is a setting).
        let sweeper = Task {
            while !Task.isCancelled {
                let minutes = (try? await s.settings.current().escalationSweepMinutes) ?? 5
                do {
                    let r = try await s.cases.escalate()
                    if r.notices > 0 || r.summonses > 0 { say("督办：新发督办单 \(r.notices) 张，约谈 \(r.summonses) 次") }
                } catch { say("督办检查失败：\(error)") }
                try? await Task.sleep(for: .seconds(60 * minutes))
            }
        }
        // Scheduled draws run at their time: checked every 20 seconds.
        let drawer = Task {
            while !Task.isCancelled {
                do {
                    for id in try await s.draws.runDue() { say("已按预定时间执行抽签 #\(id)") }
                } catch { say("定时抽签失败：\(error)") }
                try? await Task.sleep(for: .seconds(20))
            }
        }
        // Scores follow their inputs: the drafts of the running periods are recomputed when anything they read
        // changed (the interval is a setting).
        let scorer = Task {
            var first = true
            while !Task.isCancelled {
                let minutes = (try? await s.settings.current().scoreSweepMinutes) ?? 10
                do {
                    let done = try await s.scores.sweep()
                    if !done.isEmpty { say("已重算测评得分：\(done.map(\.label).joined(separator: "、"))") }
                    else if first { say("测评得分已是最新，无需重算") }
                    first = false
                } catch { say("重算测评得分失败：\(error)") }
                try? await Task.sleep(for: .seconds(60 * minutes))
            }
        }
        defer { sweeper.cancel(); drawer.cancel(); scorer.cancel() }
        try await buildApplication(s).runService()
        await s.db.close()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "只运行数据库迁移")
    func run() async throws {
        let config = AppConfig.fromEnvironment()
        let db = try await Database.open(url: config.effectiveDatabaseURL)
        let applied = try await Migrations.run(on: db)
        say(applied.isEmpty ? "数据库已是最新" : "已应用迁移：\(applied.joined(separator: ", "))")
        await db.close()
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "把演示城市载入当前数据库（重复载入不会重复）")
    func run() async throws {
        let s = try await openServices(AppConfig.fromEnvironment())
        let r = try await DemoLoader.load(s)
        let samples = try await DemoLoader.loadCampaignSamples(s)
        let cases = try await SyntheticCases.loadDemoCases(s)
        if cases > 0 { say("示例问题案卷 \(cases) 件") }
        let points = try await DemoPoints.load(s)
        _ = try await DemoPoints.loadRounds(s)
        if points > 0 { say("演示点位 \(points) 个，示例抽签和模拟测评已载入") }
        say("演示城市：新增组织 \(r.orgs)，用户 \(r.users)，工作组成员 \(r.memberships)，包保关系 \(r.adoptions)\(samples ? "；示例测评体系、负面清单、创建周期与责任分解已载入" : "")")
        await s.db.close()
    }
}

struct Bootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "初始化一个空数据库：建立市级根节点和第一个创文办管理员")
    @Option(help: "市的编码，例如 QC") var code: String
    @Option(help: "市的名称，例如 青川市") var name: String
    @Option(help: "管理员用户名") var admin = "admin"
    @Option(help: "管理员初始密码（首次登录须修改）") var password: String

    func run() async throws {
        let s = try await openServices(AppConfig.fromEnvironment())
        do {
            try await DemoLoader.bootstrap(s, cityCode: code, cityName: name, admin: admin, password: password)
            say("已初始化“\(name)”，管理员 \(admin)")
        } catch let e as AppError {
            await s.db.close()
            throw ValidationError(e.message)
        }
        await s.db.close()
    }
}

struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "生成合成城市：在演示城市上生成大量问题案卷（用于压力测试和基准测试）")
    @Option(help: "案卷数") var cases = 1_000_000
    @Option(help: "分布在过去多少天") var days = 730
    @Option(help: "随机种子（相同种子生成相同数据）") var seed: UInt64 = 2026
    @Option(help: "另外生成的检查结果（点位检查记录）条数，分布在每月的全市和各区检查中") var visits = 0

    func run() async throws {
        let s = try await openServices(AppConfig.fromEnvironment())
        _ = try await DemoLoader.load(s)
        let step = max(1, cases / 10)
        let r = try await SyntheticCases.generate(s, count: cases, days: days, seed: seed) { n in
            if n % step < 400 || n == cases { say("已生成 \(n) 件") }
        }
        say(String(format: "合成城市：新增案卷 %d 件、督办单 %d 张，用时 %.1f 秒", r.cases, r.notices, r.seconds))
        if visits > 0 {
            let v = try await SyntheticInspections.generate(s, count: visits, days: days, seed: seed &+ 1)
            say(String(format: "合成检查：检查 %d 轮、检查结果 %d 条（新增点位 %d 个），用时 %.1f 秒", v.rounds, v.visits, v.points, v.seconds))
        }
        await s.db.close()
    }
}

struct DrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "draw", abstract: "电脑抽签：复算核验、基准测试",
                                                    subcommands: [DrawVerify.self, DrawBench.self])
}

struct DrawVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "按存档的冻结清单、抽签规则和公开种子复算抽签，核对是否与记录一致")
    @Argument(help: "抽签编号；不填则核验全部已执行的抽签") var id: Int64?

    func run() async throws {
        let config = AppConfig.fromEnvironment()
        let db = try await Database.open(url: config.effectiveDatabaseURL)
        defer { Task { await db.close() } }
        let ids: [Int64]
        if let id { ids = [id] } else {
            ids = try await db.read { try await $0.raw("SELECT id FROM draws WHERE status = 'done' ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) } }
        }
        var failed = 0
        for id in ids {
            let d: DrawRow, v: DrawAlgorithm.Verification?
            do { (d, v) = try await DrawService.verify(db, id: id) } catch { say("抽签 #\(id)：不存在"); failed += 1; continue }
            guard let v else { say("抽签 #\(id)“\(d.name)”：尚未执行（\(d.status)），无可核验的结果"); continue }
            func mark(_ ok: Bool) -> String { ok ? "一致" : "不一致" }
            say("抽签 #\(id)“\(d.name)”（\(d.algorithm)，清单 \(d.listSize) 个点位，抽中 \(d.pickCount ?? 0) 个）")
            say("  清单摘要 \(d.listDigest)：\(mark(v.listDigestMatches))")
            say("  种子 \(d.seed) 与承诺值 \(d.commitment)：\(mark(v.commitmentMatches))")
            say("  复算结果与记录：\(mark(v.sampleMatches))")
            say(v.ok ? "  核验通过" : "  核验未通过")
            if !v.ok { failed += 1 }
        }
        await db.close()
        if failed > 0 { throw ExitCode(1) }
    }
}

struct DrawBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "基准测试：在合成清单上计时抽签算法（冻结、摘要、分层抽取）")
    @Option(help: "点位数") var points = 100_000
    @Option(help: "分层数（点位类型 × 区县）") var strata = 50
    @Option(help: "每层抽取数") var quota = 10
    @Option(help: "重复次数") var runs = 20
    @Flag(help: "同时在数据库上端到端计时：补足合成点位后，冻结清单并存档、执行抽签并存档") var stored = false

    func run() async throws {
        if stored { try await storedBench(); return }
        let cats = max(1, strata / 5), districts = max(1, strata / cats)
        var g = SystemRandomNumberGenerator()
        let entries = (0..<points).map { i in
            DrawAlgorithm.Entry(code: String(format: "P%07d", (i &* 7919) % points), category: String(format: "PC%02d", i % cats), district: String(format: "D%02d", (i / cats) % districts))
        }.shuffled(using: &g)
        let spec = DrawAlgorithm.Spec(strata: (0..<cats).flatMap { c in (0..<districts).map { d in .init(category: String(format: "PC%02d", c), district: String(format: "D%02d", d), count: quota) } },
                                      randomViewing: (0..<min(6, cats)).map { .init(category: String(format: "PC%02d", $0), count: 2) })
        var times: [Double] = [], parts: [[Double]] = [[], [], []]
        var picks = 0
        func ms(_ a: UInt64, _ b: UInt64) -> Double { Double(b - a) / 1e6 }
        for _ in 0..<runs {
            let seed = DrawAlgorithm.newSeed(using: &g)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let frozen = try DrawAlgorithm.freeze(entries)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let digest = DrawAlgorithm.listDigest(frozen)
            let t2 = DispatchTime.now().uptimeNanoseconds
            picks = try DrawAlgorithm.run(frozen: frozen, spec: spec, seedHex: seed, listDigestHex: digest).count
            let t3 = DispatchTime.now().uptimeNanoseconds
            times.append(ms(t0, t3)); parts[0].append(ms(t0, t1)); parts[1].append(ms(t1, t2)); parts[2].append(ms(t2, t3))
        }
        func median(_ l: [Double]) -> Double { l.sorted()[l.count / 2] }
        times.sort()
        say(String(format: "抽签基准：%d 个点位，%d 层（%d 类 × %d 区县），每层 %d 个，抽中 %d 个；%d 次：中位数 %.1f ms，最慢 %.1f ms（冻结排序 %.1f，清单摘要 %.1f，分层抽取 %.1f）",
                   points, cats * districts, cats, districts, quota, picks, runs, times[times.count / 2], times.last!,
                   median(parts[0]), median(parts[1]), median(parts[2])))
    }
}

extension DrawBench {
    /// End to end on the configured database: the demo city plus synthetic points up to `points`, then a draw over
    /// 10 categories × 5 districts (50 strata), timing `create` (freeze, digest, store the list) and `run` (read the
    /// list, draw, store the picks) separately.
    func storedBench() async throws {
        let s = try await openServices(AppConfig.fromEnvironment())
        _ = try await DemoLoader.load(s)
        let added = try await DemoPoints.synthesize(s, count: points)
        if added > 0 { say("已补足合成点位 \(added) 个") }
        let cats = try await s.points.categories().prefix(10).map(\.code)
        let districts = try await s.db.read { try await $0.raw("SELECT code FROM orgs WHERE kind IN ('district', 'county') ORDER BY code").all().map { try $0.decode(column: "code", as: String.self) } }.prefix(5)
        let spec = DrawAlgorithm.Spec(strata: cats.flatMap { c in districts.map { .init(category: c, district: $0, count: quota) } })
        guard let me = try await DemoPoints.account(s, "admin") else { throw ValidationError("没有演示城市的管理员 admin") }
        var creates: [Double] = [], runsMs: [Double] = []
        var size = 0, picked = 0
        for i in 0..<max(1, min(runs, 5)) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let d = try await s.draws.create(.init(name: "基准测试抽签 \(i + 1)", scopeID: nil, spec: spec, at: Date().addingTimeInterval(2)), actor: me)
            let t1 = DispatchTime.now().uptimeNanoseconds
            // Scheduled two seconds ahead so that creating does not run it; run it once it is due.
            try await Task.sleep(for: .milliseconds(2100))
            let t1b = DispatchTime.now().uptimeNanoseconds
            let done = try await s.draws.run(d.id, actor: nil)
            let t2 = DispatchTime.now().uptimeNanoseconds
            creates.append(Double(t1 - t0) / 1e6); runsMs.append(Double(t2 - t1b) / 1e6)
            size = done.listSize; picked = done.pickCount ?? 0
        }
        creates.sort(); runsMs.sort()
        say(String(format: "端到端（%@）：清单 %d 个点位，%d 层，抽中 %d 个；冻结并存档 中位数 %.0f ms；执行抽签并存档 中位数 %.0f ms（%d 次）",
                   s.db.engine.rawValue, size, spec.strata.count, picked, creates[creates.count / 2], runsMs[runsMs.count / 2], creates.count))
        await s.db.close()
    }
}

struct ScoresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scores", abstract: "测评得分：重算、基准测试",
                                                    subcommands: [ScoresCompute.self, ScoresBench.self])
}

struct ScoresCompute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compute", abstract: "按当前数据重算一个期间的得分草稿（不发布）")
    @Argument(help: "期间：2026-11、2026-Q4 或 2026") var period: String

    func run() async throws {
        guard let p = Period(period) else { throw ValidationError("期间写成 2026-11、2026-Q4 或 2026") }
        let s = try await openServices(AppConfig.fromEnvironment())
        let r = try await s.scores.compute(p)
        say("\(p.label)得分已重算：草稿 #\(r.id)，用时 \(r.tookMs) 毫秒")
        await s.db.close()
    }
}

struct ScoresBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "基准测试：重复计算全市的月度、季度、年度得分并计时")
    @Option(help: "每个期间计算几次") var repeats = 5
    @Option(help: "期间（逗号分隔）；默认为上个月、上个季度和今年") var periods = ""

    func run() async throws {
        let s = try await openServices(AppConfig.fromEnvironment())
        let now = s.clock.now()
        let list = periods.isEmpty
            ? [Period.containing(now, kind: .month, in: s.scores.zone).previous, Period.containing(now, kind: .quarter, in: s.scores.zone).previous,
               Period.containing(now, kind: .year, in: s.scores.zone)]
            : periods.split(separator: ",").compactMap { Period(String($0)) }
        let counts = try await s.db.read { db in
            (try await db.raw("SELECT COUNT(*) AS n FROM cases").first()!.decode(column: "n", as: Int.self),
             try await db.raw("SELECT COUNT(*) AS n FROM visits").first()!.decode(column: "n", as: Int.self),
             try await db.raw("SELECT COUNT(*) AS n FROM orgs").first()!.decode(column: "n", as: Int.self))
        }
        say("数据：案卷 \(counts.0) 件，检查结果 \(counts.1) 条，组织 \(counts.2) 个；数据库 \(s.db.engine.rawValue)")
        print("| period | scored orgs | median ms | slowest ms |")
        print("|---|---|---|---|")
        for p in list {
            var times: [Double] = []
            var run: ScoreRunRow?
            for _ in 0..<max(1, repeats) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                run = try await s.scores.compute(p)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            let runID = run!.id
            let rows = try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM scores WHERE run_id = \(bind: runID)").first()!.decode(column: "n", as: Int.self) }
            times.sort()
            print(String(format: "| %@ | %d | %.0f | %.0f |", p.description, rows, times[times.count / 2], times.last!))
        }
        await s.db.close()
    }
}
