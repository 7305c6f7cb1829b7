#!/usr/bin/env bash
# Benchmarks of the rectification loop at scale (issue 4), on loopback, with wrk.
#
#   scripts/bench-cases.sh [sqlite|postgres|both]     (default: both)
#   env: CASES=1000000 DURATION=20 CONNS=64 READ_CONNS=16
#
# For each engine: a release build, a fresh database with the demo city, `wenming generate` with
# $CASES cases over two years, then against a running server (127.0.0.1 only, stopped afterwards):
#   1. after the start-up score sweep: a unit's open-case list (GET /api/v1/units/{id}/open-cases), the ledger's filtered first page
#      (GET /api/v1/cases?territoryId=<district>&open=true) and the city-wide status counts
#      (GET /api/v1/cases/counts) at $READ_CONNS connections;
#   2. a ledger export of ~100,000 rows (GET /cases/export.csv with a date filter, logged-in session);
#   3. case intake through POST /api/v1/cases (token auth, validation, routing, numbering, event) at $CONNS
#      connections (last, so that the reads above see the generated city and not the benchmark's own cases);
#   4. the server's peak resident memory (VmHWM) over all of it.
# Results: scripts/out/bench-<engine>.md (copied by hand into docs/benchmarks.md).
set -euo pipefail
CASES=${CASES:-1000000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
READ_CONNS=${READ_CONNS:-16}
PORT=${BENCH_PORT:-18431}
. "$(dirname "$0")/bench/common.sh"
bench_start bench "$@"
sql() {
  if [ "$ENGINE" = postgres ]; then
    PGPASSWORD= $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql -qtA "$DATABASE_URL" -c "$1"
  else
    python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print("\n".join("|".join(map(str,x)) for x in r))' "$WENMING_DATA_DIR/wenming.sqlite" "$1"
  fi
}

echo "== $ENGINE: demo city and $CASES synthetic cases"
"$BIN" demo >/dev/null
GEN_START=$(date +%s.%N)
"$BIN" generate --cases "$CASES" | tail -1
GEN_SECS=$(python3 -c "import time;print(round(time.time()-$GEN_START,1))")
# Load tests need more than the default 600 API requests per minute per token.
sql "DELETE FROM settings WHERE key = 'apiRequestsPerMinute'" >/dev/null
sql "INSERT INTO settings (key, value, updated_at) VALUES ('apiRequestsPerMinute', '1000000', 0)" >/dev/null

"$BIN" serve --host 127.0.0.1 --port "$PORT" >"$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
# The server recomputes the running periods' scores once at start; reads are measured after that sweep, not
# while it competes for the cores (it logs one line either way).
for _ in $(seq 1 1500); do grep -qE '测评得分' "$OUT/server.log" && break; sleep 0.2; done
BASE=http://127.0.0.1:$PORT
token() { curl -sf -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Wenming2026\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])'; }
GRID=$(token grid01)
ADMIN=$(token admin)
UNIT=$(sql "SELECT unit_id FROM cases WHERE state IN ('dispatched','processing','rework','transfer_requested','deferred','fed_back') AND unit_id IS NOT NULL GROUP BY unit_id ORDER BY COUNT(*) DESC LIMIT 1")
DISTRICT=$(sql "SELECT id FROM orgs WHERE code = 'QC01'")
RSS_AFTER_START=$(awk '/VmRSS/{print $2}' /proc/$PID/status)

run() { # name url conns [INTAKE=1]
  local name=$1 url=$2 c=$3 intake=${4:-0} auth=$5
  INTAKE=$intake wrk -t2 -c"$c" -d"${DURATION}s" --timeout 10s -H "Authorization: Bearer $auth" -s scripts/bench/report.lua "$url" >"$OUT/$name.txt"
  grep RESULT "$OUT/$name.txt" | sed 's/^RESULT //'
}
echo "== reads"
UNITLIST=$(run unit-open "$BASE/api/v1/units/$UNIT/open-cases" "$READ_CONNS" 0 "$ADMIN"); echo "$UNITLIST"
LEDGER=$(run ledger "$BASE/api/v1/cases?territoryId=$DISTRICT&open=true" "$READ_CONNS" 0 "$ADMIN"); echo "$LEDGER"
COUNTS=$(run counts "$BASE/api/v1/cases/counts" "$READ_CONNS" 0 "$ADMIN"); echo "$COUNTS"

echo "== export"
JAR=$OUT/cookies
PRE=$(curl -sf -c "$JAR" "$BASE/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -sf -b "$JAR" -c "$JAR" -o /dev/null -X POST "$BASE/login" --data-urlencode "_csrf=$PRE" --data-urlencode "username=admin" --data-urlencode "password=Wenming2026" --data-urlencode "next=/"
FROM=$(python3 - "$CASES" <<'PY'
import sys, datetime
cases = int(sys.argv[1]); days = max(1, round(100000 * 730 / max(cases, 1)))
print((datetime.date.today() - datetime.timedelta(days=days - 1)).isoformat())
PY
)
EXPORT_SECS=$(curl -sf -b "$JAR" -o "$OUT/export.csv" -w '%{time_total}' "$BASE/cases/export.csv?from=$FROM")
EXPORT_ROWS=$(( $(python3 -c "import csv,sys;print(sum(1 for _ in csv.reader(open(sys.argv[1],encoding='utf-8-sig'))))" "$OUT/export.csv") - 1 ))
echo "export: $EXPORT_ROWS rows in $EXPORT_SECS s"
echo "== intake"
INTAKE=$(run intake "$BASE/api/v1/cases" "$CONNS" 1 "$GRID")
echo "$INTAKE"
PEAK=$(awk '/VmHWM/{print $2}' /proc/$PID/status)
kill $PID; wait $PID 2>/dev/null || true
trap - EXIT

python3 - "$ENGINE" "$CASES" "$GEN_SECS" "$INTAKE" "$UNITLIST" "$LEDGER" "$COUNTS" "$EXPORT_ROWS" "$EXPORT_SECS" "$PEAK" "$RSS_AFTER_START" "$DURATION" "$CONNS" "$READ_CONNS" >"$ROOT/scripts/out/bench-$ENGINE.md" <<'PY'
import json, sys, platform, os, subprocess
eng, cases, gen, intake, unit, ledger, counts, erows, esecs, peak, rss0, dur, conns, rconns = sys.argv[1:]
i, u, l, c = (json.loads(x) for x in (intake, unit, ledger, counts))
cpu = next((x.split(":",1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name")), "?")
mem = int(next(x.split()[1] for x in open("/proc/meminfo") if x.startswith("MemTotal"))) // 1024 // 1024
acc = (i["requests"] - i["non2xx"]) / i["seconds"]
def ok(b): return "✅" if b else "❌"
print(f"### {eng} — {int(cases):,} cases\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {mem} GiB; generated in {gen} s.\n")
print("| Measure | Result | Target |")
print("|---|---|---|")
print(f"| Intake, {conns} connections, {dur} s | {acc:,.0f} accepted cases/s ({i['non2xx']} refused, {i['socket_errors']} socket errors); p50 {i['p50_ms']:.1f} ms, p99 {i['p99_ms']:.1f} ms | ≥ 5,000/s, p99 < 50 ms {ok(acc>=5000 and i['p99_ms']<50)} |")
for name, r in (("Unit's open-case list", u), ("Ledger, filtered first page (one district, open)", l), ("City-wide status counts", c)):
    print(f"| {name}, {rconns} connections | p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms ({r['requests']/r['seconds']:,.0f} req/s, {r['non2xx']} errors) | p95 < 50 ms {ok(r['p95_ms']<50 and r['non2xx']==0)} |")
print(f"| Ledger export (CSV) | {int(erows):,} rows in {float(esecs):.2f} s | < 5 s {ok(float(esecs)<5)} |")
print(f"| Server peak memory (VmHWM) | {int(peak)/1024:,.0f} MiB (after start {int(rss0)/1024:,.0f} MiB) | measured |")
PY
cat "$ROOT/scripts/out/bench-$ENGINE.md"
