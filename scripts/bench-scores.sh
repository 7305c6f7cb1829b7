#!/usr/bin/env bash
# Benchmarks of scores, rankings and the leaders' dashboard at scale (issue 6), on loopback, with wrk.
#
#   scripts/bench-scores.sh [sqlite|postgres|both]     (default: both)
#   env: CASES=1000000 VISITS=100000 DURATION=20 CONNS=16 REPEATS=5 REUSE=1 (keep the last generated database)
#
# For each engine: a release build, a fresh database with the demo city, `wenming generate` with $CASES
# cases and $VISITS inspection results (visits) over two years, then:
#   1. `wenming scores bench`: the city-wide recomputation of last month, last quarter and this year, $REPEATS
#      times each (every district, street, community, department and unit scored, ranked and stored);
#   2. against a running server (127.0.0.1 only, stopped afterwards), logged in as the city's office admin and
#      as a district's: GET /dashboard and GET /scores at $CONNS connections;
#   3. the server's peak resident memory (VmHWM).
# Results: scripts/out/scores-<engine>.md (copied by hand into docs/benchmarks.md).
set -euo pipefail
CASES=${CASES:-1000000}
VISITS=${VISITS:-100000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
REPEATS=${REPEATS:-5}
PORT=${BENCH_PORT:-18432}
. "$(dirname "$0")/bench/common.sh"
bench_start scores "$@"

echo "== $ENGINE: demo city, $CASES cases, $VISITS inspection results"
if [ "${REUSE:-0}" = 1 ] && [ -f "$OUT/generated" ]; then
  GEN_SECS=$(cat "$OUT/generated")
  echo "(reusing the database generated before, in $GEN_SECS s)"
else
  "$BIN" demo >/dev/null
  GEN_START=$(date +%s.%N)
  "$BIN" generate --cases "$CASES" --visits "$VISITS" | tail -2
  GEN_SECS=$(python3 -c "import time;print(round(time.time()-$GEN_START,1))")
  echo "$GEN_SECS" >"$OUT/generated"
fi

echo "== recomputation"
"$BIN" scores bench --repeats "$REPEATS" | tee "$OUT/compute.txt"

"$BIN" serve --host 127.0.0.1 --port "$PORT" >"$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
BASE=http://127.0.0.1:$PORT
RSS_AFTER_START=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
cookie() { # user → "wm_session=..." after logging in
  local jar=$OUT/jar-$1
  local pre
  pre=$(curl -sf -c "$jar" "$BASE/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -sf -b "$jar" -c "$jar" -o /dev/null -X POST "$BASE/login" --data-urlencode "_csrf=$pre" --data-urlencode "username=$1" --data-urlencode "password=Wenming2026" --data-urlencode "next=/"
  awk 'NF == 7 && $6 == "wm_session" {print $6"="$7}' "$jar"
}
CITY=$(cookie admin)
DIST=$(cookie mh_admin)
# The server's first sweep computes the running periods whose inputs differ from their last run; measure after
# it has finished (its log line), not while it competes for the two cores.
for _ in $(seq 1 300); do grep -q '已重算测评得分\|测评得分已是最新\|重算测评得分失败' "$OUT/server.log" && break; sleep 1; done
# Read the whole page first: `curl | grep -q` under pipefail fails when grep stops reading early (curl exits 23).
DASH=$(curl -sf -H "Cookie: $CITY" "$BASE/dashboard") && grep -q '计算于' <<<"$DASH" || { echo "the dashboard has no scores"; exit 1; }
run() { # name url cookie
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s -H "Cookie: $3" -s scripts/bench/report.lua "$2" >"$OUT/$1.txt"
  grep RESULT "$OUT/$1.txt" | sed 's/^RESULT //'
}
echo "== pages"
D_CITY=$(run dashboard-city "$BASE/dashboard" "$CITY"); echo "$D_CITY"
D_DIST=$(run dashboard-district "$BASE/dashboard" "$DIST"); echo "$D_DIST"
R_CITY=$(run ranking-city "$BASE/scores?level=district" "$CITY"); echo "$R_CITY"
PEAK=$(awk '/VmHWM/{print $2}' /proc/$PID/status)
kill $PID; wait $PID 2>/dev/null || true
trap - EXIT

python3 - "$ENGINE" "$CASES" "$VISITS" "$GEN_SECS" "$D_CITY" "$D_DIST" "$R_CITY" "$PEAK" "$RSS_AFTER_START" "$DURATION" "$CONNS" "$OUT/compute.txt" >"$ROOT/scripts/out/scores-$ENGINE.md" <<'PY'
import json, sys, os
eng, cases, visits, gen, dc, dd, rc, peak, rss0, dur, conns, comp = sys.argv[1:]
cpu = next((x.split(":",1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name")), "?")
mem = int(next(x.split()[1] for x in open("/proc/meminfo") if x.startswith("MemTotal"))) // 1024 // 1024
def ok(b): return "✅" if b else "❌"
print(f"### {eng} — {int(cases):,} cases, {int(visits):,} inspection results\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {mem} GiB; generated in {gen} s.\n")
print("Recomputation (city-wide: every territory and unit scored, ranked and stored):\n")
lines = open(comp, encoding="utf-8").read().splitlines()
print("\n".join(l for l in lines if l.startswith("|") or l.startswith("数据")))
print("\n| Page, {} connections, {} s | Result | Target |".format(conns, dur))
print("|---|---|---|")
for name, r, target in (("Dashboard, city office admin", json.loads(dc), 100), ("Dashboard, district office admin", json.loads(dd), 100), ("District ranking page, city admin", json.loads(rc), None)):
    t = f"p95 < {target} ms {ok(r['p95_ms'] < target and r['non2xx'] == 0)}" if target else "measured"
    print(f"| {name} | p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms ({r['requests']/r['seconds']:,.0f} req/s, {r['non2xx']} errors) | {t} |")
print(f"| Server peak memory (VmHWM) | {int(peak)/1024:,.0f} MiB (after start {int(rss0)/1024:,.0f} MiB) | measured |")
PY
cat "$ROOT/scripts/out/scores-$ENGINE.md"
