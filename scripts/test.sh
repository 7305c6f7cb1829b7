#!/usr/bin/env bash
# Runs the whole test suite. With TEST_DATABASE_URL=postgres://… the app tests run against that
# PostgreSQL server (each test in its own schema); without it, against temporary SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build --build-tests
swift test --skip-build "$@"
