#!/usr/bin/env bash
# Installs what is missing, builds in release (numeric code is meaningless unoptimised) and runs the
# whole test suite, then a tiny smoke run of the benchmark suite so it cannot rot. Extra arguments go
# to `swift test` (e.g. --filter MobileNetTests) and skip the smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# Clients the end-to-end tests drive the server with; the tests skip cleanly when they are absent.
python3 -c "import requests, h5py" 2>/dev/null || pip install -q requests h5py >/dev/null 2>&1 || true

swift build -c release --build-tests
swift test -c release --skip-build "$@"
if [ $# -eq 0 ]; then
  scripts/bench.sh --smoke
fi
