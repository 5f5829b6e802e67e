#!/usr/bin/env bash
# One command from a fresh machine to a running service: installs what is missing, fetches the model,
# builds release and starts `similarity serve` (port 8000 by default). Arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build -c release --product similarity
exec .build/release/similarity serve "$@"
