#!/usr/bin/env python3
"""Independent reference implementation of the verifiable computer draw (电脑抽签), `wenming-draw-v1`.

Written from docs/design/draw-algorithm.md only (standard library: hashlib), so that a recorded draw can be
checked without the Swift code, and so that the Swift tests (Tests/WenmingCoreTests/DrawTests.swift) can hold
vectors computed by a second, independent implementation.

    python3 scripts/draw_reference.py LIST.tsv SPEC.txt SEEDHEX     # run one draw
    python3 scripts/draw_reference.py LIST.tsv SPEC.txt SEEDHEX --trace   # ... and show every random number
    python3 scripts/draw_reference.py --vectors                      # the test vectors of DrawTests.swift

LIST.tsv: one entry per line, `code TAB category TAB district`, UTF-8, LF line ends, any order; empty lines are
skipped. SPEC.txt: the spec's canonical text (`S TAB category TAB district TAB count` and
`V TAB category TAB count` lines, any order; empty lines are skipped).

Output: `list_digest`, `seed_commitment`, `result_digest` and `picks` lines (each `name TAB value`), then one
`kind TAB code` line per pick, in draw order. Exit status 2 on bad input.
"""
import hashlib
import re
import sys

VERSION = "wenming-draw-v1"
ANY_DISTRICT = b"*"
TWO64 = 1 << 64


class DrawError(Exception):
    pass


def sha256(data):
    return hashlib.sha256(data).digest()


# --- §1 The frozen list -------------------------------------------------------------------------------------

def freeze(entries):
    """entries: list of (code, category, district) as bytes. Returns them sorted by code bytes."""
    for e in entries:
        for f in e:
            if not isinstance(f, bytes):
                raise TypeError("fields must be bytes")
            if f == b"" or b"\t" in f or b"\n" in f:
                raise DrawError("bad field %r" % f)
            f.decode("utf-8")  # must be valid UTF-8
    out = sorted(entries, key=lambda e: e[0])  # Python compares bytes lexicographically, unsigned
    for a, b in zip(out, out[1:]):
        if a[0] == b[0]:
            raise DrawError("duplicate code %r" % a[0])
    return out


def canonical_list(frozen):
    return b"".join(c + b"\t" + k + b"\t" + d + b"\n" for (c, k, d) in frozen)


def list_digest(frozen):
    return sha256(canonical_list(frozen))


# --- §2 The seed --------------------------------------------------------------------------------------------

def seed_bytes(seed_hex):
    if not re.fullmatch(r"[0-9a-fA-F]{64}", seed_hex):
        raise DrawError("the seed must be 64 hex digits (32 bytes)")
    return bytes.fromhex(seed_hex)


def commitment(seed):
    return sha256(seed)


# --- §3–4 The random stream and uniform(n) ------------------------------------------------------------------

class Stream:
    def __init__(self, seed, digest, trace=None):
        assert len(seed) == 32 and len(digest) == 32
        self.prefix = seed + digest
        self.k = 0          # the next block's counter
        self.words = []     # unread numbers of the current block
        self.trace = trace

    def next(self):
        if not self.words:
            block = sha256(self.prefix + self.k.to_bytes(8, "big"))
            if self.trace is not None:
                self.trace.append("block %d = %s" % (self.k, block.hex()))
            self.words = [int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8)]
            self.k += 1
        return self.words.pop(0)

    def uniform(self, n):
        assert 1 <= n < TWO64
        threshold = TWO64 % n
        while True:
            x = self.next()
            if x >= threshold:
                if self.trace is not None:
                    self.trace.append("  uniform(%d): x = %d -> %d" % (n, x, x % n))
                return x % n
            if self.trace is not None:
                self.trace.append("  uniform(%d): x = %d < %d, rejected" % (n, x, threshold))


# --- §5 The spec --------------------------------------------------------------------------------------------

COUNT = re.compile(rb"[+-]?[0-9]+\Z")


def parse_spec(text):
    """text: bytes. Returns (strata, views): strata as (category, district, count), views as (category, count)."""
    strata, views = [], []
    for line in text.split(b"\n"):
        if line == b"":
            continue
        f = line.split(b"\t")
        if len(f) == 4 and f[0] == b"S" and COUNT.match(f[3]):
            strata.append((f[1], f[2], int(f[3])))
        elif len(f) == 3 and f[0] == b"V" and COUNT.match(f[2]):
            views.append((f[1], int(f[2])))
        else:
            raise DrawError("bad spec line %r" % line)
    return strata, views


def canonical_spec(strata, views):
    s = sorted(strata, key=lambda q: (q[0], q[1]))
    v = sorted(views, key=lambda q: q[0])
    return (b"".join(b"S\t%s\t%s\t%d\n" % q for q in s) + b"".join(b"V\t%s\t%d\n" % q for q in v))


# --- §6–7 The draw ------------------------------------------------------------------------------------------

def sample(members, k, stream, trace=None, name=str):
    """The first min(k, m) elements of a partial Fisher–Yates shuffle of `members` (m = len(members))."""
    a = list(members)
    take = min(max(k, 0), len(a))
    for i in range(take):
        j = i + stream.uniform(len(a) - i)
        a[i], a[j] = a[j], a[i]
        if trace is not None:
            trace.append("  i = %d, j = %d -> [%s]" % (i, j, " ".join(name(x) for x in a)))
    return a[:take]


def run(frozen, strata, views, seed, trace=None):
    """Returns the picks as (kind, category, district, code), kind b"stratum" or b"view"."""
    stream = Stream(seed, list_digest(frozen), trace)
    name = lambda i: frozen[i][0].decode()
    picks, taken = [], set()
    for (cat, dist, count) in sorted(strata, key=lambda q: (q[0], q[1])):
        members = [i for i, e in enumerate(frozen) if e[1] == cat and (dist == ANY_DISTRICT or e[2] == dist)]
        if trace is not None:
            trace.append("S %s %s %d: members %s" % (cat.decode(), dist.decode(), count, [frozen[i][0].decode() for i in members]))
        for i in sample(members, count, stream, trace, name):
            taken.add(i)
            picks.append((b"stratum", cat, dist, frozen[i][0]))
    for (cat, count) in sorted(views, key=lambda q: q[0]):
        members = [i for i, e in enumerate(frozen) if e[1] == cat and i not in taken]
        if trace is not None:
            trace.append("V %s %d: members %s" % (cat.decode(), count, [frozen[i][0].decode() for i in members]))
        for i in sample(members, count, stream, trace, name):
            taken.add(i)
            picks.append((b"view", cat, frozen[i][2], frozen[i][0]))
    return picks


def result_digest(picks):
    return sha256(b"".join(p[0] + b"\t" + p[3] + b"\n" for p in picks))


def draw(entries, spec_text, seed_hex, trace=None):
    frozen = freeze(entries)
    strata, views = parse_spec(spec_text)
    seed = seed_bytes(seed_hex)
    picks = run(frozen, strata, views, seed, trace)
    return {
        "frozen": frozen,
        "list_digest": list_digest(frozen).hex(),
        "seed_commitment": commitment(seed).hex(),
        "result_digest": result_digest(picks).hex(),
        "picks": picks,
        "spec_canonical": canonical_spec(strata, views),
    }


def report(r):
    print("list_digest\t" + r["list_digest"])
    print("seed_commitment\t" + r["seed_commitment"])
    print("result_digest\t" + r["result_digest"])
    print("picks\t%d" % len(r["picks"]))
    for p in r["picks"]:
        print(p[0].decode() + "\t" + p[3].decode())


# --- Test vectors (mirrored in Tests/WenmingCoreTests/DrawTests.swift) --------------------------------------

SMALL_ENTRIES = [  # deliberately not in code order
    ("P012", "PC04", "D02"), ("P003", "PC02", "D01"), ("P007", "PC03", "D01"), ("P001", "PC02", "D01"),
    ("P010", "PC03", "D02"), ("P005", "PC02", "D02"), ("P002", "PC02", "D01"), ("P011", "PC04", "D01"),
    ("P009", "PC03", "D02"), ("P004", "PC02", "D02"), ("P008", "PC03", "D01"), ("P006", "PC02", "D02"),
]
SMALL_SPEC = "S\tPC02\t*\t3\nS\tPC03\tD01\t1\nS\tPC03\tD02\t1\nS\tPC04\tD02\t5\nV\tPC02\t2\nV\tPC03\t1\n"
SMALL_SEED = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"

LARGE_CATEGORIES = ["PC02", "PC03", "PC04", "PC05", "PC06", "PC07"]


def large_entries():
    """500 entries, i = 0…499: code "P" + (i * 7919 mod 100003) zero-padded to 6 digits (unique: 100003 is
    prime), category LARGE_CATEGORIES[(i*i + i div 3) mod 6], district "D0" + ((7i + i div 11) mod 5 + 1)."""
    out = []
    for i in range(500):
        out.append(("P%06d" % (i * 7919 % 100003), LARGE_CATEGORIES[(i * i + i // 3) % 6], "D0%d" % ((7 * i + i // 11) % 5 + 1)))
    return out


LARGE_SPEC = ("S\tPC02\tD01\t5\nS\tPC02\tD02\t5\nS\tPC02\tD03\t5\nS\tPC02\tD04\t5\nS\tPC02\tD05\t5\n"
              "S\tPC03\t*\t20\nS\tPC04\t*\t15\nS\tPC05\tD01\t3\nS\tPC05\tD03\t100\nS\tPC06\t*\t0\n"
              "S\tPC07\t*\t10\nS\tPC99\t*\t4\n"
              "V\tPC02\t10\nV\tPC03\t10\nV\tPC04\t5\nV\tPC06\t3\n")
LARGE_SEED = "c0ffee0ddba11fee5eed0123456789abcdef0123456789abcdef9876543210ff"


def enc(entries):
    return [tuple(f.encode("utf-8") for f in e) for e in entries]


def vectors():
    small = draw(enc(SMALL_ENTRIES), SMALL_SPEC.encode(), SMALL_SEED)
    print("== small (12 entries)")
    print("frozen canonical bytes:")
    sys.stdout.write(canonical_list(small["frozen"]).decode())
    report(small)
    print("picks with category and district:")
    for p in small["picks"]:
        print("  " + "\t".join(x.decode() for x in p))

    print("\n== stream (seed = small seed, list digest = small list digest)")
    s = Stream(seed_bytes(SMALL_SEED), bytes.fromhex(small["list_digest"]))
    print("next() x6: " + ", ".join(str(s.next()) for _ in range(6)))
    s = Stream(seed_bytes(SMALL_SEED), bytes.fromhex(small["list_digest"]))
    n = (1 << 63) + 1
    print("uniform(2^63 + 1) x8: " + ", ".join(str(s.uniform(n)) for _ in range(8)))
    print("  numbers consumed: %d (blocks computed: %d)" % (4 * s.k - len(s.words), s.k))

    large = draw(enc(large_entries()), LARGE_SPEC.encode(), LARGE_SEED)
    print("\n== large (500 entries)")
    print("list_digest\t" + large["list_digest"])
    print("seed_commitment\t" + large["seed_commitment"])
    print("result_digest\t" + large["result_digest"])
    picks = large["picks"]
    print("picks\t%d (stratum %d, view %d)" % (len(picks), sum(p[0] == b"stratum" for p in picks), sum(p[0] == b"view" for p in picks)))
    print("first 5: " + ", ".join(p[3].decode() for p in picks[:5]))
    print("last 5: " + ", ".join(p[3].decode() for p in picks[-5:]))
    cats = {}
    for e in large["frozen"]:
        cats[(e[1], e[2])] = cats.get((e[1], e[2]), 0) + 1
    print("stratum sizes: " + ", ".join("%s/%s=%d" % (k[0].decode(), k[1].decode(), v) for k, v in sorted(cats.items())))

    # The small draw with an extra empty stratum (unknown category) and an extra quota-0 stratum: same picks.
    extra = draw(enc(SMALL_ENTRIES), (SMALL_SPEC + "S\tPC01\t*\t4\nS\tPC03\tD09\t2\n").encode(), SMALL_SEED)
    print("\n== small + empty strata: result_digest\t" + extra["result_digest"]
          + (" (same)" if extra["result_digest"] == small["result_digest"] else " (DIFFERENT)"))


def main(argv):
    if argv[1:] == ["--vectors"]:
        vectors()
        return 0
    args = [a for a in argv[1:] if a != "--trace"]
    if len(args) != 3:
        sys.stderr.write(__doc__)
        return 2
    trace = [] if "--trace" in argv else None
    try:
        with open(args[0], "rb") as f:
            lines = [l for l in f.read().split(b"\n") if l != b""]
        entries = []
        for n, l in enumerate(lines, 1):
            fields = l.split(b"\t")
            if len(fields) != 3:
                raise DrawError("%s line %d: expected code TAB category TAB district" % (args[0], n))
            entries.append(tuple(fields))
        with open(args[1], "rb") as f:
            spec = f.read()
        r = draw(entries, spec, args[2], trace)
    except (DrawError, UnicodeDecodeError, OSError) as e:
        sys.stderr.write("error: %s\n" % e)
        return 2
    report(r)
    if trace is not None:
        print("-- trace")
        for t in trace:
            print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
