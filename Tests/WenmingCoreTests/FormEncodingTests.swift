import Testing
@testable import WenmingCore

@Suite struct FormEncodingTests {
    @Test(arguments: [
        ("", [:]),
        ("a=1", ["a": ["1"]]),
        ("a=1&b=2", ["a": ["1"], "b": ["2"]]),
        ("q=hello+world", ["q": ["hello world"]]),
        ("q=a%2Bb", ["q": ["a+b"]]),
        ("q=a+%2B+b", ["q": ["a + b"]]),
        ("q=%20x%20", ["q": [" x "]]),
        ("q=%E4%B8%AD%E6%96%87", ["q": ["中文"]]),
        ("q=%e4%b8%ad", ["q": ["中"]]),                                     // lower-case hex
        ("%E5%90%8D%E7%A7%B0=%E6%96%87%E6%98%8E%E5%8A%9E", ["名称": ["文明办"]]),
        ("名称=文明办", ["名称": ["文明办"]]),                                 // raw UTF-8 is kept
        ("b=%E4%B8%AD&b=2&b=", ["b": ["中", "2", ""]]),                      // repeated keys keep every value in order
        ("a=1&b=x&a=2&a=3", ["a": ["1", "2", "3"], "b": ["x"]]),
        ("a=&b=", ["a": [""], "b": [""]]),
        ("flag", ["flag": [""]]),                                           // no '='
        ("flag&x=1", ["flag": [""], "x": ["1"]]),
        ("a=b=c", ["a": ["b=c"]]),                                          // only the first '=' splits
        ("a==", ["a": ["="]]),
        ("=v", [:]),                                                        // empty key dropped
        ("=", [:]),
        ("&&a=1&&", ["a": ["1"]]),
        ("k+1=v+1", ["k 1": ["v 1"]]),
        ("a%3Db=c%26d", ["a=b": ["c&d"]]),                                  // escaped separators
        ("next=%2Forgs%3Fid%3D1", ["next": ["/orgs?id=1"]]),
        ("_csrf=abc123&name=%E5%BC%A0%E4%B8%89&role=grid_worker",
         ["_csrf": ["abc123"], "name": ["张三"], "role": ["grid_worker"]]),
    ] as [(String, [String: [String]])])
    func decodes(input: String, expected: [String: [String]]) {
        #expect(FormEncoding.decode(input) == expected)
    }

    /// Malformed escapes must not crash; the value is kept as sent (with '+' still read as a space).
    @Test(arguments: [
        ("a=%", ["a": ["%"]]),
        ("a=%zz", ["a": ["%zz"]]),
        ("a=100%", ["a": ["100%"]]),
        ("a=%2", ["a": ["%2"]]),
        ("a=%E4%B8", ["a": ["%E4%B8"]]),       // truncated UTF-8 sequence
        ("a=%FF", ["a": ["%FF"]]),             // not UTF-8 at all
        ("a=%C0%AF", ["a": ["%C0%AF"]]),       // overlong encoding
        ("a=x+%zz", ["a": ["x %zz"]]),
        ("%zz=1", ["%zz": ["1"]]),
        ("%=%", ["%": ["%"]]),
        ("a=%E4%B8&b=%E4%B8%AD", ["a": ["%E4%B8"], "b": ["中"]]),  // one bad pair does not spoil the rest
    ] as [(String, [String: [String]])])
    func malformedPercentSequences(input: String, expected: [String: [String]]) {
        #expect(FormEncoding.decode(input) == expected)
    }

    @Test(arguments: [
        ("abc", "abc"),
        ("ABC-xyz_0.9~", "ABC-xyz_0.9~"),
        ("a b", "a%20b"),
        ("a+b", "a%2Bb"),
        ("a&b=c", "a%26b%3Dc"),
        ("/?#%", "%2F%3F%23%25"),
        ("中", "%E4%B8%AD"),
        ("文明办", "%E6%96%87%E6%98%8E%E5%8A%9E"),
        ("é", "%C3%A9"),
        ("１", "%EF%BC%91"),   // full-width digit: not unreserved
        ("\n", "%0A"),
        ("", ""),
    ] as [(String, String)])
    func escapes(raw: String, expected: String) {
        #expect(FormEncoding.escape(raw) == expected)
    }

    @Test(arguments: ["中文", "第 1 行", "a+b&c=d%e", "/orgs?id=1&x=y#top", "😀 emoji", "  spaced  ", "\"quoted\"", "=&+%", "领导小组/创文办"])
    func escapeIsASCIIAndRoundTrips(raw: String) {
        let e = FormEncoding.escape(raw)
        #expect(e.unicodeScalars.allSatisfy { $0.isASCII && $0 != " " && $0 != "&" && $0 != "=" && $0 != "+" })
        #expect(FormEncoding.decode("k=" + e) == ["k": [raw]])
        #expect(FormEncoding.decode(e + "=v") == [raw: ["v"]])
    }

    @Test func encodeKeepsOrderAndRepeats() {
        #expect(FormEncoding.encode([("a", "1"), ("b", "2"), ("a", "3")]) == "a=1&b=2&a=3")
        #expect(FormEncoding.encode([]) == "")
        #expect(FormEncoding.encode([("名称", "文明 办")]) == "%E5%90%8D%E7%A7%B0=%E6%96%87%E6%98%8E%20%E5%8A%9E")
    }

    @Test func encodeDecodeRoundTrip() {
        let pairs: [(String, String)] = [
            ("名称", "文明办 第1号"), ("q", "a+b&c=d%e"), ("next", "/orgs?id=1&x=y"), ("empty", ""),
            ("名称", "second"), ("k=k", "v&v"), ("plus+", "+"),
        ]
        let decoded = FormEncoding.decode(FormEncoding.encode(pairs))
        #expect(decoded == [
            "名称": ["文明办 第1号", "second"], "q": ["a+b&c=d%e"], "next": ["/orgs?id=1&x=y"], "empty": [""],
            "k=k": ["v&v"], "plus+": ["+"],
        ])
    }
}

@Suite struct FormValuesTests {
    static let form = FormValues(FormEncoding.decode("name=+%E5%BC%A0%E4%B8%89+&id=+42+&neg=-7&bad=4x2&empty=&flag&tag=a&tag=b&big=9223372036854775808"))

    @Test func subscriptGivesFirstValueOrEmpty() {
        #expect(Self.form["name"] == " 张三 ")
        #expect(Self.form["tag"] == "a")
        #expect(Self.form["empty"] == "")
        #expect(Self.form["missing"] == "")
    }

    @Test func trimmed() {
        #expect(Self.form.trimmed("name") == "张三")
        #expect(Self.form.trimmed("id") == "42")
        #expect(Self.form.trimmed("missing") == "")
        #expect(FormValues(["x": ["\n\t a b \u{3000}"]]).trimmed("x") == "a b")
    }

    @Test(arguments: [
        ("id", 42 as Int64?), ("neg", -7), ("bad", nil), ("empty", nil), ("flag", nil), ("missing", nil), ("big", nil),
        ("name", nil),
    ] as [(String, Int64?)])
    func int64(key: String, expected: Int64?) {
        #expect(Self.form.int64(key) == expected)
    }

    @Test func allAndHas() {
        #expect(Self.form.all("tag") == ["a", "b"])
        #expect(Self.form.all("missing") == [])
        #expect(Self.form.all("empty") == [""])
        #expect(Self.form.has("empty"))
        #expect(Self.form.has("flag"))
        #expect(!Self.form.has("missing"))
        #expect(!FormValues().has("x"))
        #expect(FormValues()["x"] == "")
    }
}
