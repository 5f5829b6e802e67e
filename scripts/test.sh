#!/usr/bin/env bash
# Installs what is missing, builds in release (numeric code is meaningless unoptimised) and runs the
# whole test suite. Extra arguments go to `swift test` (e.g. --filter MobileNetTests).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# Clients the end-to-end tests drive the server with; skipped cleanly by the tests when absent.
python3 -c "import requests, h5py" 2>/dev/null || pip install -q requests h5py 2>/dev/null || true

swift build -c release --build-tests
swift test -c release --skip-build "$@"
