#!/usr/bin/env bash
# Decode+resize+normalise benchmark: ours (`similarity bench decode`, release) against Pillow+numpy on the
# same files in the same run. Files: generated 640x480 and 3000x2000 JPEGs (baseline and progressive)
# plus a few real photos and queries from ../shared/bench/dev. Usage: scripts/bench_decode.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-100}
OUT=$(mktemp -d /tmp/similarity-bench-decode.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

python3 -c "import PIL, numpy" 2>/dev/null || pip install -q pillow numpy
swift build -c release --product similarity >/dev/null
python3 scripts/make_test_images.py "$OUT" >/dev/null
DEV=../shared/bench/dev
FILES=("$OUT"/photo_640x480.jpg "$OUT"/photo_3000x2000.jpg "$OUT"/photo_640x480_progressive.jpg
       "$OUT"/photo_3000x2000_progressive.jpg "$DEV"/catalog/p0006.jpg "$DEV"/catalog/p0015.jpg
       "$DEV"/queries/q0001.jpg "$DEV"/queries/q0004.png)

.build/release/similarity bench decode --runs "$RUNS" --json "${FILES[@]}" > "$OUT/ours.json"
python3 scripts/bench_decode_pillow.py --runs "$RUNS" "${FILES[@]}" > "$OUT/pillow.json"
python3 - "$OUT/ours.json" "$OUT/pillow.json" <<'PY'
import json, os, sys
from PIL import Image
ours, pillow = (json.load(open(p)) for p in sys.argv[1:3])
print(f"{'file':40} {'size':>10} {'KB':>6} {'ours ms':>8} {'pillow':>8} {'draft':>8} {'ours/pil':>8} {'ours/draft':>10}")
for path, ms in ours.items():
    o, p, d = ms["ms_median"], pillow[path]["pillow"], pillow[path]["pillow_draft"]
    w, h = Image.open(path).size
    print(f"{os.path.basename(path):40} {f'{w}x{h}':>10} {os.path.getsize(path)//1024:>6} {o:8.3f} {p:8.3f} {d:8.3f} {o/p:8.2f} {o/d:10.2f}")
PY
