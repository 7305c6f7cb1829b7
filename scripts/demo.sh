#!/usr/bin/env bash
# Builds Wenming and starts it on the embedded SQLite database (./data) with the demo city loaded.
# Open http://127.0.0.1:8080 and log in as admin / Wenming2026 (other demo logins: README).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build --product wenming
export WENMING_DEMO_HINT=1
exec .build/debug/wenming serve --demo --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
