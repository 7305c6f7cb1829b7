# Shared start of the load benchmarks (bench-cases.sh, bench-scores.sh); sourced after the caller has set PORT
# and its own defaults. Sets ROOT, WHICH, ENGINE, BIN and OUT (scripts/out/$1-$ENGINE), installs wrk, builds the
# release binary, and for `both` or `postgres` re-runs the caller per engine (PostgreSQL through scripts/postgres.sh).
#   bench_start NAME "$@"
bench_start() {
  local name=$1; shift
  cd "$(dirname "$0")/.."
  ROOT=$(pwd)
  WHICH=${1:-both}
  command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
  export PATH=/opt/swift/usr/bin:$PATH
  swift build -c release --product wenming 2>&1 | tail -1
  BIN=$ROOT/.build/release/wenming
  mkdir -p scripts/out
  if [ "$WHICH" = both ]; then
    "$0" sqlite
    PG_FSYNC=on scripts/postgres.sh "$0" postgres
    exit 0
  fi
  if [ "$WHICH" = postgres ] && [ -z "${TEST_DATABASE_URL:-}" ]; then exec env PG_FSYNC=on scripts/postgres.sh "$0" postgres; fi
  ENGINE=$WHICH
  OUT=$ROOT/scripts/out/$name-$ENGINE
  # REUSE=1 keeps the previous run's generated database (scripts that support it skip generation).
  if [ "${REUSE:-0}" != 1 ]; then rm -rf "$OUT"; fi
  mkdir -p "$OUT"
  export WENMING_DATA_DIR=$OUT/data
  if [ "$ENGINE" = postgres ]; then export DATABASE_URL=$TEST_DATABASE_URL; else unset DATABASE_URL; fi
}
