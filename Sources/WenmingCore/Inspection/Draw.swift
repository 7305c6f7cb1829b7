import Crypto
import Foundation

/// The verifiable computer draw (电脑抽签), algorithm `wenming-draw-v1`.
///
/// Everything a second implementation needs is in `docs/design/draw-algorithm.md`; this file is that document
/// in Swift. In short:
/// 1. The frozen list is the entries sorted by the UTF-8 bytes of their point code; its canonical bytes are
///    `code TAB category TAB district LF` per entry, and its digest is SHA-256 of those bytes.
/// 2. The seed is 32 bytes; its commitment is SHA-256 of the seed. Both are written in lowercase hex.
/// 3. Random 64-bit numbers come from blocks `SHA-256(seed ‖ listDigest ‖ UInt64BE(k))`, k = 0, 1, …, each
///    cut into four big-endian UInt64s used in order.
/// 4. `uniform(n)`: take the next number x; if x < 2^64 mod n, discard it and take another; else x mod n.
/// 5. Strata are sampled in the byte order of (category, district); each by a partial Fisher–Yates shuffle of
///    its members in list order: for i in 0..<k, j = i + uniform(m − i), swap. The first k are drawn.
/// 6. Then the random-viewing (随机查看) quotas, in category byte order, from that category's entries not
///    already drawn, the same way.
public enum DrawAlgorithm {
    public static let version = "wenming-draw-v1"
    /// The district value of a quota that covers the whole category in every district.
    public static let anyDistrict = "*"

    public struct Entry: Sendable, Equatable, Hashable {
        public var code: String
        public var category: String
        public var district: String
        public init(code: String, category: String, district: String) {
            self.code = code; self.category = category; self.district = district
        }
    }

    /// A stratum's quota: how many points to draw from one category in one district (or in all, `*`).
    public struct Quota: Sendable, Equatable, Hashable {
        public var category: String
        public var district: String
        public var count: Int
        public init(category: String, district: String = DrawAlgorithm.anyDistrict, count: Int) {
            self.category = category; self.district = district; self.count = count
        }
    }

    public struct Spec: Sendable, Equatable {
        public var strata: [Quota]
        /// Random viewing (随机查看): per category, how many more points to look at.
        public var randomViewing: [Quota]
        public init(strata: [Quota], randomViewing: [Quota] = []) { self.strata = strata; self.randomViewing = randomViewing }

        /// The spec as stored and shown: one line per quota, `S TAB category TAB district TAB count` or
        /// `V TAB category TAB count`, in the order the draw uses them.
        public var canonical: String {
            DrawAlgorithm.ordered(strata).map { "S\t\($0.category)\t\($0.district)\t\($0.count)\n" }.joined()
                + DrawAlgorithm.ordered(randomViewing).map { "V\t\($0.category)\t\($0.count)\n" }.joined()
        }

        public init?(canonical: String) {
            var s: [Quota] = [], v: [Quota] = []
            for line in canonical.split(separator: "\n") {
                let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if f.count == 4, f[0] == "S", let n = Int(f[3]) { s.append(Quota(category: f[1], district: f[2], count: n)) }
                else if f.count == 3, f[0] == "V", let n = Int(f[2]) { v.append(Quota(category: f[1], count: n)) }
                else { return nil }
            }
            self.init(strata: s, randomViewing: v)
        }

        /// Problems with the spec, keyed for a form: negative counts, a category with both a city-wide and a
        /// per-district quota, a stratum named twice, nothing to draw.
        public func problems() -> [String: String] {
            var p: [String: String] = [:]
            if (strata + randomViewing).contains(where: { $0.count < 0 }) { p["quota"] = "抽取数量不能为负数" }
            if strata.isEmpty && randomViewing.isEmpty || (strata + randomViewing).allSatisfy({ $0.count == 0 }) {
                p["quota"] = "请至少为一个点位类型填写抽取数量"
            }
            var seen = Set<String>()
            var repeated = Set<String>()
            for q in DrawAlgorithm.ordered(strata) where !seen.insert(q.category + "\t" + q.district).inserted {
                repeated.insert(q.category)
                p["quota"] = "分层“\(q.category)\(q.district == DrawAlgorithm.anyDistrict ? "" : "（\(q.district)）")”重复"
            }
            let byCat = Dictionary(grouping: strata, by: \.category)
            for c in byCat.keys.sorted() where !repeated.contains(c) {
                let qs = byCat[c]!
                if qs.count > 1 && qs.contains(where: { $0.district == DrawAlgorithm.anyDistrict }) {
                    p["mix"] = "点位类型“\(c)”不能既按全市又按区县分层"
                }
            }
            if Set(randomViewing.map(\.category)).count != randomViewing.count { p["view"] = "随机查看的点位类型重复" }
            return p
        }
    }

    public enum Kind: String, Sendable { case stratum, randomViewing = "view" }

    public struct Pick: Sendable, Equatable {
        public var kind: Kind
        public var category: String
        public var district: String
        public var code: String
        public init(kind: Kind, category: String, district: String, code: String) {
            self.kind = kind; self.category = category; self.district = district; self.code = code
        }
    }

    public enum Problem: Error, Equatable { case duplicateCode(String), badField(String), badSeed }

    // MARK: - Bytes

    static func bytesLess(_ a: String, _ b: String) -> Bool { bytesLess(Array(a.utf8), Array(b.utf8)) }

    static func ordered(_ qs: [Quota]) -> [Quota] {
        qs.sorted { bytesLess($0.category, $1.category) || ($0.category == $1.category && bytesLess($0.district, $1.district)) }
    }

    /// The frozen list in its canonical order. Codes must be unique, and no field may hold a tab or line feed.
    public static func freeze(_ entries: [Entry]) throws -> [Entry] {
        func bad(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
            b.isEmpty || memchr(b.baseAddress!, 9, b.count) != nil || memchr(b.baseAddress!, 10, b.count) != nil
        }
        func check(_ f: String) throws {
            var field = f
            if field.withUTF8(bad) { throw Problem.badField(f) }
        }
        for e in entries { try check(e.category); try check(e.district) }
        if entries.isEmpty { return [] }
        // Sorted on the codes' UTF-8 bytes, copied once into one buffer and compared with memcmp: comparing
        // String.UTF8Views (or arrays, with their reference counting) in the sort costs several times more.
        var flat: [UInt8] = [], start: [Int] = [], length: [Int] = []
        start.reserveCapacity(entries.count); length.reserveCapacity(entries.count)
        flat.reserveCapacity(entries.count * 16)
        for e in entries {
            var code = e.code
            if code.withUTF8(bad) { throw Problem.badField(e.code) }
            start.append(flat.count)
            code.withUTF8 { flat.append(contentsOf: $0) }
            length.append(flat.count - start[start.count - 1])
        }
        // Each code's first 16 bytes as two big-endian integers (zero-padded) decide most comparisons; equal prefixes
        // fall back to the full byte comparison, so the order is exactly the bytes' order.
        struct Key { var hi: UInt64; var lo: UInt64; var index: Int }
        var duplicate: Int?
        let order: [Int] = flat.withUnsafeBufferPointer { fb in
            start.withUnsafeBufferPointer { sb in
                length.withUnsafeBufferPointer { lb in
                    let base = fb.baseAddress!
                    func word(_ i: Int, _ from: Int) -> UInt64 {
                        var w: UInt64 = 0
                        for k in from..<from + 8 { w = w << 8 | (k < lb[i] ? UInt64(base[sb[i] + k]) : 0) }
                        return w
                    }
                    func full(_ i: Int, _ j: Int) -> Int {
                        let c = memcmp(base + sb[i], base + sb[j], min(lb[i], lb[j]))
                        return c != 0 ? Int(c) : lb[i] - lb[j]
                    }
                    var keys = (0..<entries.count).map { Key(hi: word($0, 0), lo: word($0, 8), index: $0) }
                    keys.sort { x, y in
                        if x.hi != y.hi { return x.hi < y.hi }
                        if x.lo != y.lo { return x.lo < y.lo }
                        return full(x.index, y.index) < 0
                    }
                    duplicate = keys.indices.dropFirst().first { k in
                        keys[k].hi == keys[k - 1].hi && keys[k].lo == keys[k - 1].lo && full(keys[k].index, keys[k - 1].index) == 0
                    }.map { keys[$0].index }
                    return keys.map(\.index)
                }
            }
        }
        if let k = duplicate { throw Problem.duplicateCode(entries[k].code) }
        return order.map { entries[$0] }
    }

    /// Unsigned byte order; a proper prefix sorts first.
    static func bytesLess(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) } }
            if c != 0 { return c < 0 }
        }
        return a.count < b.count
    }

    public static func canonicalBytes(_ frozen: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frozen.reduce(0) { $0 + $1.code.utf8.count + $1.category.utf8.count + $1.district.utf8.count + 3 })
        for e in frozen {
            out += e.code.utf8; out.append(9); out += e.category.utf8; out.append(9); out += e.district.utf8; out.append(10)
        }
        return out
    }

    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 { Hex.encode(bytes) }

    public static func unhex(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c { case 48...57: c - 48; case 97...102: c - 87; case 65...70: c - 55; default: nil }
        }
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            guard let a = v(u[i]), let b = v(u[i + 1]) else { return nil }
            out.append(a << 4 | b); i += 2
        }
        return out
    }

    /// Lowercase hex SHA-256 of the frozen list's canonical bytes.
    public static func listDigest(_ frozen: [Entry]) -> String { hex(SHA256.hash(data: canonicalBytes(frozen))) }

    /// Lowercase hex SHA-256 of the seed's 32 bytes.
    public static func commitment(seedHex: String) -> String? {
        guard let seed = unhex(seedHex), seed.count == 32 else { return nil }
        return hex(SHA256.hash(data: seed))
    }

    /// A new seed from the given randomness (the app passes the system's; tests pass a fixed one).
    public static func newSeed<R: RandomNumberGenerator>(using rng: inout R) -> String {
        hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// The stream of random numbers of step 3.
    public struct Stream {
        let prefix: [UInt8]
        var block: [UInt64] = []
        var counter: UInt64 = 0
        var index = 4

        public init(seed: [UInt8], listDigest: [UInt8]) { prefix = seed + listDigest }

        public mutating func next() -> UInt64 {
            if index == 4 {
                var input = prefix
                for s in stride(from: 56, through: 0, by: -8) { input.append(UInt8(truncatingIfNeeded: counter >> UInt64(s))) }
                let d = Array(SHA256.hash(data: input))
                block = (0..<4).map { w in (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(d[w * 8 + $1]) } }
                counter += 1; index = 0
            }
            defer { index += 1 }
            return block[index]
        }

        /// Step 4: a uniform integer in 0..<n by rejection (n ≥ 1).
        public mutating func uniform(_ n: UInt64) -> UInt64 {
            precondition(n > 0)
            let threshold = (0 &- n) % n      // 2^64 mod n
            while true {
                let x = next()
                if x >= threshold { return x % n }
            }
        }
    }

    /// Step 5: the first `k` of a partial Fisher–Yates shuffle of `members` (k is capped at the count).
    static func sample(_ members: [Int], _ k: Int, _ stream: inout Stream) -> [Int] {
        var a = members
        let take = min(max(k, 0), a.count)
        for i in 0..<take {
            let j = i + Int(stream.uniform(UInt64(a.count - i)))
            a.swapAt(i, j)
        }
        return Array(a[0..<take])
    }

    /// Runs the draw over an already frozen list (see `freeze`).
    /// `listDigestHex`: the list's digest when the caller has just computed it (`listDigest(frozen)`); it is not
    /// checked here, so pass only a digest of this very list.
    public static func run(frozen: [Entry], spec: Spec, seedHex: String, listDigestHex: String? = nil) throws -> [Pick] {
        guard let seed = unhex(seedHex), seed.count == 32 else { throw Problem.badSeed }
        let digest = listDigestHex.flatMap(unhex) ?? Array(SHA256.hash(data: canonicalBytes(frozen)))
        var stream = Stream(seed: seed, listDigest: digest)
        // Members in list order, by category and by (category, district); names are interned to small numbers
        // once so the grouping hashes integers.
        var catID: [String: Int] = [:], distID: [String: Int] = [:]
        var byCategory: [[Int]] = [], byStratum: [Int: [Int]] = [:]
        var last = (category: "", c: -1, district: "", d: -1)     // neighbours often share both: skip the hashing
        for (i, e) in frozen.enumerated() {
            let c: Int
            if e.category == last.category && last.c >= 0 { c = last.c }
            else if let x = catID[e.category] { c = x } else { c = byCategory.count; catID[e.category] = c; byCategory.append([]) }
            let d: Int
            if e.district == last.district && last.d >= 0 { d = last.d }
            else if let x = distID[e.district] { d = x } else { d = distID.count; distID[e.district] = d }
            last = (e.category, c, e.district, d)
            byCategory[c].append(i)
            byStratum[c << 32 | d, default: []].append(i)
        }
        func members(_ category: String) -> [Int] { catID[category].map { byCategory[$0] } ?? [] }
        var picks: [Pick] = []
        var taken = Set<Int>()
        for q in ordered(spec.strata) {
            let members = q.district == anyDistrict ? members(q.category)
                : catID[q.category].flatMap { c in distID[q.district].flatMap { byStratum[c << 32 | $0] } } ?? []
            for i in sample(members, q.count, &stream) {
                taken.insert(i)
                picks.append(Pick(kind: .stratum, category: q.category, district: q.district, code: frozen[i].code))
            }
        }
        for q in ordered(spec.randomViewing) {
            let members = members(q.category).filter { !taken.contains($0) }
            for i in sample(members, q.count, &stream) {
                taken.insert(i)
                picks.append(Pick(kind: .randomViewing, category: q.category, district: frozen[i].district, code: frozen[i].code))
            }
        }
        return picks
    }

    /// The result's digest, recorded with the draw: SHA-256 of `kind TAB code LF` per pick, in draw order.
    public static func resultDigest(_ picks: [Pick]) -> String {
        var b: [UInt8] = []
        for p in picks { b += p.kind.rawValue.utf8; b.append(9); b += p.code.utf8; b.append(10) }
        return hex(SHA256.hash(data: b))
    }

    /// What `wenming draw verify` reports.
    public struct Verification: Sendable, Equatable {
        public var listDigestMatches: Bool
        public var commitmentMatches: Bool
        public var sampleMatches: Bool
        public var recomputed: [Pick]
        public var ok: Bool { listDigestMatches && commitmentMatches && sampleMatches }
        public init(listDigestMatches: Bool, commitmentMatches: Bool, sampleMatches: Bool, recomputed: [Pick]) {
            self.listDigestMatches = listDigestMatches; self.commitmentMatches = commitmentMatches
            self.sampleMatches = sampleMatches; self.recomputed = recomputed
        }
    }

    /// Recomputes a recorded draw from its stored list, spec and seed, and compares with what was recorded.
    public static func verify(entries: [Entry], recordedListDigest: String, spec: Spec, seedHex: String,
                              recordedCommitment: String, recordedPicks: [Pick]) -> Verification {
        // A list that cannot be frozen (duplicate codes, stray tabs) was not the list the draw committed to.
        guard let frozen = try? freeze(entries) else {
            return Verification(listDigestMatches: false, commitmentMatches: commitment(seedHex: seedHex) == recordedCommitment,
                                sampleMatches: false, recomputed: [])
        }
        let recomputed = (try? run(frozen: frozen, spec: spec, seedHex: seedHex)) ?? []
        return Verification(
            listDigestMatches: listDigest(frozen) == recordedListDigest,
            commitmentMatches: commitment(seedHex: seedHex) == recordedCommitment,
            // Every field of every pick: kind, stratum (category, district) and code, in order.
            sampleMatches: recomputed == recordedPicks,
            recomputed: recomputed)
    }

    /// The six street-level categories evaluators look at at random (DOMAIN.md §5).
    public static let randomViewingCategories = ["背街小巷", "公厕", "小型餐馆", "娱乐场所", "网吧", "营业厅"]
}
