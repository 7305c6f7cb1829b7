import Foundation
import Testing
@testable import WenmingCore

/// Fixtures of the draw tests. The vectors are those of `python3 scripts/draw_reference.py --vectors`, an
/// independent implementation written from docs/design/draw-algorithm.md.
enum DrawFixtures {
    typealias Entry = DrawAlgorithm.Entry
    typealias Quota = DrawAlgorithm.Quota
    typealias Spec = DrawAlgorithm.Spec

    static func e(_ code: String, _ category: String, _ district: String) -> Entry {
        Entry(code: code, category: category, district: district)
    }

    // MARK: Small vector (docs/design/draw-algorithm.md §10)

    /// Twelve points over three categories and two districts, deliberately not in code order.
    static let smallEntries: [Entry] = [
        e("P012", "PC04", "D02"), e("P003", "PC02", "D01"), e("P007", "PC03", "D01"), e("P001", "PC02", "D01"),
        e("P010", "PC03", "D02"), e("P005", "PC02", "D02"), e("P002", "PC02", "D01"), e("P011", "PC04", "D01"),
        e("P009", "PC03", "D02"), e("P004", "PC02", "D02"), e("P008", "PC03", "D01"), e("P006", "PC02", "D02"),
    ]
    static let smallSpecText = "S\tPC02\t*\t3\nS\tPC03\tD01\t1\nS\tPC03\tD02\t1\nS\tPC04\tD02\t5\nV\tPC02\t2\nV\tPC03\t1\n"
    /// The same spec as `smallSpecText`, its quotas given out of order.
    static let smallSpec = Spec(
        strata: [Quota(category: "PC04", district: "D02", count: 5), Quota(category: "PC03", district: "D02", count: 1),
                 Quota(category: "PC02", count: 3), Quota(category: "PC03", district: "D01", count: 1)],
        randomViewing: [Quota(category: "PC03", count: 1), Quota(category: "PC02", count: 2)])
    static let smallSeed = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
    static let smallListDigest = "98575d4035b632e92d422efdb169e933715e3ea946ec75f2f327dec5bc5de0be"
    static let smallCommitment = "fee4349a190ef12863fc999eeb82d4eb21e3d19109d10fb2e574af61362a1c7f"
    static let smallResultDigest = "35f36e068e690e5fb2a48bb82868e6b2c41c731c0fc25dde3a86be1b12938501"
    /// kind, category, district, code of every pick, in draw order.
    static let smallPicks = [
        "stratum\tPC02\t*\tP002", "stratum\tPC02\t*\tP006", "stratum\tPC02\t*\tP003",
        "stratum\tPC03\tD01\tP007", "stratum\tPC03\tD02\tP010", "stratum\tPC04\tD02\tP012",
        "view\tPC02\tD02\tP004", "view\tPC02\tD02\tP005", "view\tPC03\tD01\tP008",
    ]

    // MARK: Large vector (§11)

    static let largeCategories = ["PC02", "PC03", "PC04", "PC05", "PC06", "PC07"]

    /// 500 entries, i = 0…499: code "P" + (i·7919 mod 100003) zero-padded to 6 digits, category
    /// largeCategories[(i² + i/3) mod 6], district "D0" + ((7i + i/11) mod 5 + 1).
    static func largeEntries() -> [Entry] {
        (0..<500).map { i in
            let n = String(i * 7919 % 100003)
            let code = "P" + String(repeating: "0", count: 6 - n.count) + n
            return e(code, largeCategories[(i * i + i / 3) % 6], "D0\((7 * i + i / 11) % 5 + 1)")
        }
    }
    static let largeSpecText = "S\tPC02\tD01\t5\nS\tPC02\tD02\t5\nS\tPC02\tD03\t5\nS\tPC02\tD04\t5\nS\tPC02\tD05\t5\n"
        + "S\tPC03\t*\t20\nS\tPC04\t*\t15\nS\tPC05\tD01\t3\nS\tPC05\tD03\t100\nS\tPC06\t*\t0\n"
        + "S\tPC07\t*\t10\nS\tPC99\t*\t4\n"
        + "V\tPC02\t10\nV\tPC03\t10\nV\tPC04\t5\nV\tPC06\t3\n"
    static let largeSeed = "c0ffee0ddba11fee5eed0123456789abcdef0123456789abcdef9876543210ff"
    static let largeListDigest = "2ee3954deace9ff3d24d4748ff743d368c3ffadf7f3a95c5e32c9b6d76851e54"
    static let largeCommitment = "41396355ec590744e3a98b3dbb0ae78d530bc25f48c887eea9e2855f80aa428d"
    static let largeResultDigest = "27e20ca7b7c0e9bb7701147c7f5403ea319d9199ad74ea63087e84f7158f77cd"

    // MARK: Helpers

    static func frozen(_ entries: [Entry]) -> [Entry] { try! DrawAlgorithm.freeze(entries) }

    static func draw(_ entries: [Entry], _ spec: Spec, seed: String = smallSeed) throws -> [DrawAlgorithm.Pick] {
        try DrawAlgorithm.run(frozen: try DrawAlgorithm.freeze(entries), spec: spec, seedHex: seed)
    }

    static func lines(_ picks: [DrawAlgorithm.Pick]) -> [String] {
        picks.map { "\($0.kind.rawValue)\t\($0.category)\t\($0.district)\t\($0.code)" }
    }

    /// A fixed seed for test number `n`.
    static func seed(_ n: UInt64) -> String {
        var g = DrawTestRNG(state: n)
        return DrawAlgorithm.newSeed(using: &g)
    }
}

/// SplitMix64: a small deterministic generator for shuffles and seeds in tests.
struct DrawTestRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Cross-implementation vectors

@Suite struct DrawVectorTests {
    typealias F = DrawFixtures

    @Test func smallFrozenList() throws {
        let frozen = try DrawAlgorithm.freeze(F.smallEntries)
        let codes: [String] = ["P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "P009", "P010", "P011", "P012"]
        #expect(frozen.map(\.code) == codes)
        let bytes = DrawAlgorithm.canonicalBytes(frozen)
        #expect(bytes.count == 168)
        #expect(String(decoding: bytes.prefix(28), as: UTF8.self) == "P001\tPC02\tD01\nP002\tPC02\tD01\n")
        #expect(String(decoding: bytes.suffix(14), as: UTF8.self) == "P012\tPC04\tD02\n")
        #expect(DrawAlgorithm.listDigest(frozen) == F.smallListDigest)
        #expect(DrawAlgorithm.commitment(seedHex: F.smallSeed) == F.smallCommitment)
    }

    @Test func smallDraw() throws {
        #expect(F.smallSpec.canonical == F.smallSpecText)
        let picks = try F.draw(F.smallEntries, F.smallSpec, seed: F.smallSeed)
        #expect(F.lines(picks) == F.smallPicks)
        #expect(DrawAlgorithm.resultDigest(picks) == F.smallResultDigest)
        // The same spec read from its canonical text draws the same.
        let fromText = try #require(DrawAlgorithm.Spec(canonical: F.smallSpecText))
        #expect(try F.draw(F.smallEntries, fromText, seed: F.smallSeed) == picks)
    }

    @Test func smallStream() throws {
        let seed = try #require(DrawAlgorithm.unhex(F.smallSeed))
        let digest = try #require(DrawAlgorithm.unhex(F.smallListDigest))
        var s = DrawAlgorithm.Stream(seed: seed, listDigest: digest)
        let first: [UInt64] = [2901661612321159603, 15941710518196586119, 16309535553155886364,
                               6442377385547503554, 5215392262510152309, 14225517633374891338]
        #expect((0..<6).map { _ in s.next() } == first)
        #expect(s.counter == 2 && s.index == 2)

        // n = 2^63 + 1: threshold 2^63 − 1, so about half the numbers are rejected.
        var r = DrawAlgorithm.Stream(seed: seed, listDigest: digest)
        let n = (UInt64(1) << 63) + 1
        let expected: [UInt64] = [6718338481341810310, 7086163516301110555, 5002145596520115529, 4351982862246137202,
                                  2154267122722715641, 1730623120886950809, 4319098582811058389, 2912858015748718581]
        #expect((0..<8).map { _ in r.uniform(n) } == expected)
        // 14 numbers read: three whole blocks and two numbers of the fourth.
        #expect(r.counter == 4 && r.index == 2)
    }

    @Test func largeDraw() throws {
        let entries = F.largeEntries()
        #expect(Set(entries.map(\.code)).count == 500)
        let frozen = try DrawAlgorithm.freeze(entries)
        #expect(DrawAlgorithm.listDigest(frozen) == F.largeListDigest)
        #expect(DrawAlgorithm.commitment(seedHex: F.largeSeed) == F.largeCommitment)
        let spec = try #require(DrawAlgorithm.Spec(canonical: F.largeSpecText))
        #expect(spec.canonical == F.largeSpecText)
        let picks = try DrawAlgorithm.run(frozen: frozen, spec: spec, seedHex: F.largeSeed)
        #expect(picks.count == 112)
        #expect(picks.filter { $0.kind == .stratum }.count == 84)
        #expect(picks.filter { $0.kind == .randomViewing }.count == 28)
        #expect(picks.prefix(5).map(\.code) == ["P061116", "P066799", "P000000", "P027912", "P069333"])
        #expect(picks.suffix(5).map(\.code) == ["P039688", "P046396", "P000913", "P012484", "P029738"])
        #expect(DrawAlgorithm.resultDigest(picks) == F.largeResultDigest)
        // PC05 in D03 has 11 points, fewer than its quota of 100: all are drawn.
        let pc05d03 = frozen.filter { $0.category == "PC05" && $0.district == "D03" }.map(\.code)
        #expect(pc05d03.count == 11)
        #expect(Set(picks.filter { $0.category == "PC05" && $0.district == "D03" }.map(\.code)) == Set(pc05d03))
        #expect(!picks.contains { $0.category == "PC99" })
        #expect(picks.filter { $0.category == "PC06" }.allSatisfy { $0.kind == .randomViewing })
        #expect(Set(picks.map(\.code)).count == picks.count)
    }

    @Test func emptyResultDigest() {
        #expect(DrawAlgorithm.resultDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(DrawAlgorithm.listDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

// MARK: - Properties of the draw

@Suite struct DrawPropertyTests {
    typealias F = DrawFixtures
    typealias Quota = DrawAlgorithm.Quota
    typealias Spec = DrawAlgorithm.Spec

    @Test func deterministic() throws {
        let a = try F.draw(F.largeEntries(), Spec(canonical: F.largeSpecText)!, seed: F.largeSeed)
        let b = try F.draw(F.largeEntries(), Spec(canonical: F.largeSpecText)!, seed: F.largeSeed)
        #expect(a == b)
        #expect(!a.isEmpty)
    }

    @Test(arguments: [UInt64(1), 2, 3, 42, 2026])
    func inputOrderDoesNotMatter(shuffleSeed: UInt64) throws {
        var g = DrawTestRNG(state: shuffleSeed)
        let entries = F.largeEntries()
        let shuffled = entries.shuffled(using: &g)
        #expect(shuffled != entries)
        #expect(try DrawAlgorithm.freeze(shuffled) == DrawAlgorithm.freeze(entries))
        let spec = try #require(Spec(canonical: F.largeSpecText))
        #expect(try F.draw(shuffled, spec, seed: F.largeSeed) == F.draw(entries, spec, seed: F.largeSeed))
        #expect(try F.draw(F.smallEntries.reversed(), F.smallSpec) == F.draw(F.smallEntries, F.smallSpec))
    }

    @Test func frozenOrderIsByteOrder() throws {
        let frozen = try DrawAlgorithm.freeze([F.e("P9", "C", "D"), F.e("P10", "C", "D"), F.e("p1", "C", "D"),
                                               F.e("P1", "C", "D"), F.e("Z", "C", "D"), F.e("点位", "C", "D")])
        #expect(frozen.map(\.code) == ["P1", "P10", "P9", "Z", "p1", "点位"])
        #expect(DrawAlgorithm.bytesLess("P10", "P9"))
        #expect(DrawAlgorithm.bytesLess("P1", "P10"))
        #expect(DrawAlgorithm.bytesLess("Z", "a"))
        #expect(DrawAlgorithm.bytesLess("", "*"))
        #expect(!DrawAlgorithm.bytesLess("P1", "P1"))
        #expect(DrawAlgorithm.bytesLess("*", "D01"))
    }

    @Test func quotaLargerThanStratumTakesItAll() throws {
        let picks = try F.draw(F.smallEntries, Spec(strata: [Quota(category: "PC02", district: "D01", count: 99)]))
        #expect(picks.count == 3)
        #expect(Set(picks.map(\.code)) == ["P001", "P002", "P003"])
        #expect(picks.allSatisfy { $0.kind == .stratum && $0.category == "PC02" && $0.district == "D01" })

        let whole = try F.draw(F.smallEntries, Spec(strata: [Quota(category: "PC03", count: 4)]))
        #expect(Set(whole.map(\.code)) == ["P007", "P008", "P009", "P010"])
        #expect(whole.allSatisfy { $0.district == DrawAlgorithm.anyDistrict })
    }

    /// An empty stratum (unknown category, district without such points, quota 0) consumes no random
    /// numbers: the draw equals that of the spec without it.
    @Test(arguments: [
        DrawAlgorithm.Quota(category: "PC01", count: 4),                       // unknown category, sorts before everything
        DrawAlgorithm.Quota(category: "PC99", count: 4),                       // unknown category, sorts after everything
        DrawAlgorithm.Quota(category: "PC03", district: "D09", count: 2),      // unknown district, sorts between strata
        DrawAlgorithm.Quota(category: "PC03", district: "D015", count: 2),     // no such district either
        DrawAlgorithm.Quota(category: "PC04", district: "D01", count: 0),      // quota 0 of a non-empty stratum
    ])
    func emptyStratumShiftsNothing(extra: Quota) throws {
        let base = try F.draw(F.smallEntries, F.smallSpec)
        var spec = F.smallSpec
        spec.strata.append(extra)
        let with = try F.draw(F.smallEntries, spec)
        #expect(with == base)
        #expect(DrawAlgorithm.resultDigest(with) == F.smallResultDigest)
    }

    @Test func emptyRandomViewingShiftsNothing() throws {
        var spec = F.smallSpec
        spec.randomViewing += [Quota(category: "PC01", count: 3), Quota(category: "PC04", count: 0)]
        #expect(try F.draw(F.smallEntries, spec) == F.draw(F.smallEntries, F.smallSpec))
    }

    @Test func quotaZeroOrNegativeDrawsNothing() throws {
        #expect(try F.draw(F.smallEntries, Spec(strata: [Quota(category: "PC02", count: 0)])).isEmpty)
        #expect(try F.draw(F.smallEntries, Spec(strata: [Quota(category: "PC02", count: -2)])).isEmpty)
        #expect(try F.draw(F.smallEntries, Spec(strata: [], randomViewing: [Quota(category: "PC02", count: 0)])).isEmpty)
        #expect(try F.draw(F.smallEntries, Spec(strata: [])).isEmpty)
    }

    @Test(arguments: 0..<20)
    func randomViewingNeverRepeats(n: Int) throws {
        let seed = F.seed(UInt64(n))
        let spec = Spec(strata: [Quota(category: "PC02", count: 4), Quota(category: "PC03", district: "D01", count: 1)],
                        randomViewing: [Quota(category: "PC02", count: 1), Quota(category: "PC03", count: 2)])
        let picks = try F.draw(F.smallEntries, spec, seed: seed)
        #expect(picks.count == 8)
        #expect(Set(picks.map(\.code)).count == picks.count)
        let byCode = Dictionary(uniqueKeysWithValues: F.smallEntries.map { ($0.code, $0) })
        for p in picks where p.kind == .randomViewing {
            #expect(byCode[p.code]?.category == p.category)
            #expect(byCode[p.code]?.district == p.district)  // the entry's own district, not "*"
        }
        // Strata come first, then viewing in category order.
        #expect(picks.map(\.kind) == Array(repeating: .stratum, count: 5) + Array(repeating: .randomViewing, count: 3))
        #expect(picks.suffix(3).map(\.category) == ["PC02", "PC03", "PC03"])
    }

    @Test func randomViewingTakesWhatIsLeft() throws {
        let spec = Spec(strata: [Quota(category: "PC02", count: 4)], randomViewing: [Quota(category: "PC02", count: 10)])
        let picks = try F.draw(F.smallEntries, spec)
        #expect(picks.count == 6)
        #expect(Set(picks.map(\.code)) == ["P001", "P002", "P003", "P004", "P005", "P006"])
    }

    @Test func sampleTakesAFisherYatesPrefix() throws {
        var s = DrawAlgorithm.Stream(seed: DrawAlgorithm.unhex(F.smallSeed)!, listDigest: DrawAlgorithm.unhex(F.smallListDigest)!)
        // From the worked example: members 0…5, uniform(6) = 1, uniform(5) = 4, uniform(4) = 0.
        #expect(DrawAlgorithm.sample([0, 1, 2, 3, 4, 5], 3, &s) == [1, 5, 2])
        #expect(s.counter == 1 && s.index == 3)
        #expect(DrawAlgorithm.sample([], 3, &s).isEmpty)
        #expect(DrawAlgorithm.sample([7, 8], 0, &s).isEmpty)
        #expect(s.counter == 1 && s.index == 3)  // nothing consumed
        #expect(DrawAlgorithm.sample([9], 5, &s) == [9])
        #expect(s.index == 4)  // uniform(1) consumed one number
    }

    // MARK: Freezing

    @Test func duplicateCodesAreRefused() {
        #expect(throws: DrawAlgorithm.Problem.duplicateCode("P001")) {
            try DrawAlgorithm.freeze(F.smallEntries + [F.e("P001", "PC03", "D02")])
        }
        #expect(throws: DrawAlgorithm.Problem.duplicateCode("P012")) {
            try DrawAlgorithm.freeze([F.e("P012", "PC04", "D02")] + F.smallEntries)
        }
    }

    @Test(arguments: [
        (DrawFixtures.e("P\t1", "PC02", "D01"), "P\t1"),
        (DrawFixtures.e("P1", "PC\t02", "D01"), "PC\t02"),
        (DrawFixtures.e("P1", "PC02", "D\t01"), "D\t01"),
        (DrawFixtures.e("P1", "PC02", "D01\t"), "D01\t"),
        (DrawFixtures.e("P\n1", "PC02", "D01"), "P\n1"),
        (DrawFixtures.e("P1", "PC02\n", "D01"), "PC02\n"),
        (DrawFixtures.e("", "PC02", "D01"), ""),
        (DrawFixtures.e("P1", "", "D01"), ""),
        (DrawFixtures.e("P1", "PC02", ""), ""),
    ])
    func badFieldsAreRefused(entry: DrawAlgorithm.Entry, field: String) {
        #expect(throws: DrawAlgorithm.Problem.badField(field)) { try DrawAlgorithm.freeze(F.smallEntries + [entry]) }
    }

    @Test func anyChangeToTheListChangesItsDigest() throws {
        let base = DrawAlgorithm.listDigest(F.frozen(F.smallEntries))
        var changed: [[DrawAlgorithm.Entry]] = []
        for i in F.smallEntries.indices {
            var c = F.smallEntries; c[i].category = "PC05"; changed.append(c)
            var d = F.smallEntries; d[i].district = "D03"; changed.append(d)
            var k = F.smallEntries; k[i].code += "X"; changed.append(k)
            var r = F.smallEntries; r.remove(at: i); changed.append(r)
        }
        changed.append(F.smallEntries + [F.e("P013", "PC02", "D01")])
        let digests = changed.map { DrawAlgorithm.listDigest(F.frozen($0)) }
        #expect(!digests.contains(base))
        #expect(Set(digests).count == digests.count)
        // The stream depends on the list: a changed district elsewhere changes this draw.
        var other = F.smallEntries
        other[0].district = "D01"  // P012 moves to D01: not in any drawn stratum of PC04 D02 any more
        #expect(try F.draw(other, F.smallSpec) != F.draw(F.smallEntries, F.smallSpec))
    }

    // MARK: Seeds

    @Test func seedsAndCommitments() throws {
        let a = F.seed(1), b = F.seed(2)
        #expect(a.count == 64 && b.count == 64 && a != b)
        #expect(a.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(DrawAlgorithm.commitment(seedHex: a) != DrawAlgorithm.commitment(seedHex: b))
        // One changed bit of the seed changes the commitment.
        let flipped = "10" + F.smallSeed.dropFirst(2)
        #expect(DrawAlgorithm.commitment(seedHex: flipped) != F.smallCommitment)
        // The commitment hashes the bytes, not the text: upper-case hex commits to the same seed.
        #expect(DrawAlgorithm.commitment(seedHex: F.smallSeed.uppercased()) == F.smallCommitment)
        #expect(DrawAlgorithm.commitment(seedHex: "0011") == nil)
        #expect(DrawAlgorithm.commitment(seedHex: String(F.smallSeed.dropLast())) == nil)
        #expect(DrawAlgorithm.commitment(seedHex: "zz" + F.smallSeed.dropFirst(2)) == nil)
        #expect(DrawAlgorithm.commitment(seedHex: F.smallSeed + "00") == nil)
        #expect(throws: DrawAlgorithm.Problem.badSeed) { try F.draw(F.smallEntries, F.smallSpec, seed: "abcd") }
        // A different seed draws differently.
        #expect(try F.draw(F.largeEntries(), Spec(canonical: F.largeSpecText)!, seed: F.seed(7))
            != F.draw(F.largeEntries(), Spec(canonical: F.largeSpecText)!, seed: F.largeSeed))
    }

    @Test func hexRoundTrip() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xab, 0xff]
        #expect(DrawAlgorithm.hex(bytes) == "00017f80abff")
        #expect(DrawAlgorithm.unhex("00017f80abff") == bytes)
        #expect(DrawAlgorithm.unhex("00017F80ABFF") == bytes)
        #expect(DrawAlgorithm.unhex("") == [UInt8]())
        #expect(DrawAlgorithm.unhex("abc") == nil)
        #expect(DrawAlgorithm.unhex("0g") == nil)
    }

    // MARK: Stream

    @Test(arguments: [UInt64(1), 2, 3, 5, 6, 7, 10, 1000, 100_003, UInt64(1) << 32 + 1, (UInt64(1) << 63) + 1, UInt64.max])
    func uniformStaysBelowN(n: UInt64) {
        var s = DrawAlgorithm.Stream(seed: Array(repeating: 7, count: 32), listDigest: Array(repeating: 9, count: 32))
        for _ in 0..<300 { #expect(s.uniform(n) < n) }
    }

    @Test func uniformOfOneIsZeroAndConsumesOneNumber() {
        var s = DrawAlgorithm.Stream(seed: Array(repeating: 1, count: 32), listDigest: Array(repeating: 2, count: 32))
        for _ in 0..<5 { #expect(s.uniform(1) == 0) }
        #expect(s.counter == 2 && s.index == 1)  // 5 numbers: one whole block and one of the second
    }

    @Test func uniformCoversSmallRanges() {
        var s = DrawAlgorithm.Stream(seed: Array(repeating: 3, count: 32), listDigest: Array(repeating: 4, count: 32))
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<6000 { counts[Int(s.uniform(6))] += 1 }
        #expect(counts.allSatisfy { $0 > 850 && $0 < 1150 })
    }

    // MARK: Verification

    static func recorded() throws -> (entries: [DrawAlgorithm.Entry], digest: String, spec: Spec, seed: String,
                                     commitment: String, picks: [DrawAlgorithm.Pick]) {
        let entries = F.frozen(F.largeEntries())
        let spec = try #require(Spec(canonical: F.largeSpecText))
        let picks = try DrawAlgorithm.run(frozen: entries, spec: spec, seedHex: F.largeSeed)
        return (entries, DrawAlgorithm.listDigest(entries), spec, F.largeSeed, DrawAlgorithm.commitment(seedHex: F.largeSeed)!, picks)
    }

    @Test func verifyHonestDraw() throws {
        let r = try Self.recorded()
        let v = DrawAlgorithm.verify(entries: r.entries, recordedListDigest: r.digest, spec: r.spec, seedHex: r.seed,
                                     recordedCommitment: r.commitment, recordedPicks: r.picks)
        #expect(v.ok)
        #expect(v.listDigestMatches && v.commitmentMatches && v.sampleMatches)
        #expect(v.recomputed == r.picks)
        // The stored list may come back in any order.
        let v2 = DrawAlgorithm.verify(entries: r.entries.reversed(), recordedListDigest: r.digest, spec: r.spec, seedHex: r.seed,
                                      recordedCommitment: r.commitment, recordedPicks: r.picks)
        #expect(v2.ok)
    }

    @Test func verifyDetectsATamperedListEntry() throws {
        let r = try Self.recorded()
        var entries = r.entries
        entries[100].district = entries[100].district == "D01" ? "D02" : "D01"
        let v = DrawAlgorithm.verify(entries: entries, recordedListDigest: r.digest, spec: r.spec, seedHex: r.seed,
                                     recordedCommitment: r.commitment, recordedPicks: r.picks)
        #expect(!v.ok)
        #expect(!v.listDigestMatches)
        #expect(v.commitmentMatches)
        #expect(!v.sampleMatches)  // the stream depends on the list digest
        var removed = r.entries
        removed.remove(at: 0)
        #expect(!DrawAlgorithm.verify(entries: removed, recordedListDigest: r.digest, spec: r.spec, seedHex: r.seed,
                                      recordedCommitment: r.commitment, recordedPicks: r.picks).listDigestMatches)
    }

    @Test func verifyDetectsATamperedSeed() throws {
        let r = try Self.recorded()
        let v = DrawAlgorithm.verify(entries: r.entries, recordedListDigest: r.digest, spec: r.spec, seedHex: F.seed(99),
                                     recordedCommitment: r.commitment, recordedPicks: r.picks)
        #expect(!v.ok)
        #expect(v.listDigestMatches)
        #expect(!v.commitmentMatches)
        #expect(!v.sampleMatches)
        let bad = DrawAlgorithm.verify(entries: r.entries, recordedListDigest: r.digest, spec: r.spec, seedHex: "not a seed",
                                       recordedCommitment: r.commitment, recordedPicks: r.picks)
        #expect(!bad.ok && !bad.commitmentMatches && !bad.sampleMatches && bad.recomputed.isEmpty)
    }

    @Test func verifyDetectsATamperedPick() throws {
        let r = try Self.recorded()
        func check(_ picks: [DrawAlgorithm.Pick]) -> DrawAlgorithm.Verification {
            DrawAlgorithm.verify(entries: r.entries, recordedListDigest: r.digest, spec: r.spec, seedHex: r.seed,
                                 recordedCommitment: r.commitment, recordedPicks: picks)
        }
        let drawn = Set(r.picks.map(\.code))
        let undrawn = try #require(r.entries.first { !drawn.contains($0.code) && $0.category == r.picks[0].category })
        var replaced = r.picks; replaced[0].code = undrawn.code
        var swapped = r.picks; swapped.swapAt(0, 1)
        var dropped = r.picks; dropped.removeLast()
        var added = r.picks; added.append(DrawAlgorithm.Pick(kind: .randomViewing, category: undrawn.category, district: undrawn.district, code: undrawn.code))
        var rekinded = r.picks; rekinded[0].kind = .randomViewing
        for picks in [replaced, swapped, dropped, added, rekinded] {
            let v = check(picks)
            #expect(!v.ok)
            #expect(v.listDigestMatches && v.commitmentMatches)
            #expect(!v.sampleMatches)
            #expect(v.recomputed == r.picks)
        }
    }

    @Test func verifyWithADifferentSpecFails() throws {
        let r = try Self.recorded()
        var spec = r.spec
        spec.strata[0].count += 1
        let v = DrawAlgorithm.verify(entries: r.entries, recordedListDigest: r.digest, spec: spec, seedHex: r.seed,
                                     recordedCommitment: r.commitment, recordedPicks: r.picks)
        #expect(!v.ok && !v.sampleMatches)
    }
}

// MARK: - Spec

@Suite struct DrawSpecTests {
    typealias Quota = DrawAlgorithm.Quota
    typealias Spec = DrawAlgorithm.Spec

    @Test func canonicalRoundTrips() throws {
        let spec = Spec(strata: [Quota(category: "PC03", district: "D02", count: 2), Quota(category: "PC02", count: 5),
                                 Quota(category: "PC03", district: "D01", count: 1), Quota(category: "背街小巷", district: "D01", count: 3)],
                        randomViewing: [Quota(category: "PC07", count: 1), Quota(category: "PC02", count: 4)])
        let text = spec.canonical
        #expect(text == "S\tPC02\t*\t5\nS\tPC03\tD01\t1\nS\tPC03\tD02\t2\nS\t背街小巷\tD01\t3\nV\tPC02\t4\nV\tPC07\t1\n")
        let back = try #require(Spec(canonical: text))
        #expect(back.canonical == text)
        #expect(back.strata == DrawAlgorithm.ordered(spec.strata))
        #expect(back.randomViewing == DrawAlgorithm.ordered(spec.randomViewing))
    }

    @Test func canonicalIsOrderIndependent() throws {
        let q: [Quota] = [Quota(category: "PC04", count: 1), Quota(category: "PC02", district: "D02", count: 2),
                          Quota(category: "PC02", district: "D01", count: 3), Quota(category: "PC03", count: 0)]
        let v: [Quota] = [Quota(category: "PC06", count: 1), Quota(category: "PC05", count: 2)]
        let a = Spec(strata: q, randomViewing: v), b = Spec(strata: q.reversed(), randomViewing: v.reversed())
        #expect(a.canonical == b.canonical)
        #expect(a != b)  // the values differ, only their canonical text agrees
        let shuffledText = "V\tPC06\t1\nS\tPC03\t*\t0\n\nS\tPC02\tD02\t2\nV\tPC05\t2\nS\tPC04\t*\t1\nS\tPC02\tD01\t3\n"
        #expect(Spec(canonical: shuffledText)?.canonical == a.canonical)
        let entries = DrawFixtures.smallEntries
        #expect(try DrawFixtures.draw(entries, a) == DrawFixtures.draw(entries, b))
    }

    @Test(arguments: [
        "X\tPC02\t*\t1\n",          // unknown kind
        "S\tPC02\t3\n",             // stratum without district
        "V\tPC02\t*\t3\n",          // viewing with a district
        "S\tPC02\t*\tthree\n",      // not a number
        "S\tPC02\t*\t\n",           // no count
        "V\tPC02\t1.5\n",
        "S PC02 * 1\n",             // spaces, not tabs
    ])
    func malformedCanonicalIsRefused(text: String) {
        #expect(Spec(canonical: text) == nil)
    }

    @Test func emptyCanonicalIsAnEmptySpec() throws {
        let s = try #require(Spec(canonical: ""))
        #expect(s.strata.isEmpty && s.randomViewing.isEmpty)
        #expect(Spec(canonical: "\n\n")?.strata.isEmpty == true)
    }

    @Test func specProblems() {
        #expect(Spec(strata: [Quota(category: "PC02", count: 3)], randomViewing: [Quota(category: "PC03", count: 1)]).problems().isEmpty)
        #expect(Spec(strata: [Quota(category: "PC02", district: "D01", count: 3), Quota(category: "PC02", district: "D02", count: 0)]).problems().isEmpty)

        #expect(Spec(strata: [Quota(category: "PC02", count: -1)]).problems()["quota"] == "抽取数量不能为负数")
        #expect(Spec(strata: [Quota(category: "PC02", count: 2)], randomViewing: [Quota(category: "PC03", count: -3)]).problems()["quota"]
            == "抽取数量不能为负数")

        #expect(Spec(strata: [Quota(category: "PC02", count: 2), Quota(category: "PC02", district: "D01", count: 1)]).problems()["mix"]
            == "点位类型“PC02”不能既按全市又按区县分层")

        #expect(Spec(strata: []).problems()["quota"] == "请至少为一个点位类型填写抽取数量")
        #expect(Spec(strata: [Quota(category: "PC02", count: 0)], randomViewing: [Quota(category: "PC03", count: 0)]).problems()["quota"]
            == "请至少为一个点位类型填写抽取数量")

        #expect(Spec(strata: [Quota(category: "PC02", district: "D01", count: 1), Quota(category: "PC02", district: "D01", count: 2)])
            .problems()["quota"] == "分层“PC02（D01）”重复")
        // A city-wide stratum named twice is a repeat, not a mix of city-wide and per-district.
        #expect(Spec(strata: [Quota(category: "PC02", count: 1), Quota(category: "PC02", count: 2)]).problems() == ["quota": "分层“PC02”重复"])
        #expect(Spec(strata: [Quota(category: "PC02", count: 1)], randomViewing: [Quota(category: "PC03", count: 1), Quota(category: "PC03", count: 2)])
            .problems() == ["view": "随机查看的点位类型重复"])
        // Random viewing alone is a valid spec.
        #expect(Spec(strata: [], randomViewing: [Quota(category: "PC03", count: 1)]).problems().isEmpty)
    }

    @Test func orderedSortsByCategoryThenDistrictBytes() {
        let q = [Quota(category: "PC10", district: "D01", count: 1), Quota(category: "PC02", district: "D10", count: 1),
                 Quota(category: "PC02", district: "D02", count: 1), Quota(category: "PC02", count: 1), Quota(category: "PC1", count: 1)]
        #expect(DrawAlgorithm.ordered(q).map { "\($0.category)/\($0.district)" } == ["PC02/*", "PC02/D02", "PC02/D10", "PC1/*", "PC10/D01"])
    }
}
