#!/usr/bin/env bash
# Benchmark of the computer draw (issue 5): the algorithm over 100,000 points in 50 strata (release build, in
# process), then end to end on a database (SQLite by default; ENGINE=postgres uses scripts/postgres.sh) with
# 100,000 synthetic points: freezing and storing the list, and running the draw and storing its picks.
# Results: scripts/out/bench-draw.md. Usage: scripts/bench-draw.sh [sqlite|postgres|both]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
ENGINES="${1:-sqlite}"
[ "$ENGINES" = both ] && ENGINES="sqlite postgres"
swift build -c release --product wenming
BIN=.build/release/wenming
mkdir -p scripts/out
OUT=scripts/out/bench-draw.md
{
  echo "# Draw benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
  echo
  echo '```'
  "$BIN" draw bench --points 100000 --strata 50 --quota 10 --runs 30
  "$BIN" draw bench --points 100000 --strata 50 --quota 200 --runs 30
} > "$OUT"
for e in $ENGINES; do
  if [ "$e" = sqlite ]; then
    DIR=$(mktemp -d)
    WENMING_DATA_DIR="$DIR" "$BIN" draw bench --stored --points 100000 --quota 10 --runs 3 >> "$OUT"
    rm -rf "$DIR"
  else
    bash scripts/postgres.sh bash -c "DATABASE_URL=\$TEST_DATABASE_URL $BIN draw bench --stored --points 100000 --quota 10 --runs 3" >> "$OUT"
  fi
done
echo '```' >> "$OUT"
cat "$OUT"
