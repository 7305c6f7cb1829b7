#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages if it is missing, starts a throw-away server on
# 127.0.0.1:${PGPORT:-54329} owned by the `postgres` user, runs the given command with
# TEST_DATABASE_URL pointing at it, and stops the server afterwards (also on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y postgresql >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y postgresql; }
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PORT=${PGPORT:-54329}
DIR=$(mktemp -d /tmp/wenming-pg.XXXXXX)
chown postgres:postgres "$DIR"
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
run_pg "$BIN/initdb -D $DIR/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
run_pg "$BIN/pg_ctl -D $DIR/data -o '-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=300 -c fsync=${PG_FSYNC:-off}' -l $DIR/log -w start >/dev/null"
cleanup() { run_pg "$BIN/pg_ctl -D $DIR/data -m fast -w stop >/dev/null" || true; rm -rf "$DIR"; }
trap cleanup EXIT
run_pg "$BIN/createdb -h 127.0.0.1 -p $PORT -U postgres wenming_test"
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/wenming_test"
echo "PostgreSQL $($BIN/postgres --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
