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

# File by file, ours then Pillow back to back, so both see the same load on a shared machine.
for f in "${FILES[@]}"; do
  .build/release/similarity bench decode --runs "$RUNS" --json "$f" > "$OUT/ours_$(basename "$f").json"
  python3 scripts/bench_decode_pillow.py --runs "$RUNS" "$f" > "$OUT/pillow_$(basename "$f").json"
done
python3 - "$OUT" <<'PY'
import glob, json, os, sys
from PIL import Image
folder = sys.argv[1]
print("ms medians; wall clock, then thread CPU time in brackets; ratio = ours / Pillow")
print(f"{'file':32} {'size':>10} {'KB':>5} {'ours':>15} {'pillow':>17} {'pillow draft':>17} {'vs pillow':>11} {'vs draft':>11}")
for ours_file in sorted(glob.glob(os.path.join(folder, "ours_*.json"))):
    name = os.path.basename(ours_file)[5:-5]
    (path, o), = json.load(open(ours_file)).items()
    p = json.load(open(os.path.join(folder, f"pillow_{name}.json")))[path]
    w, h = Image.open(path).size
    pair = lambda a, b: f"{a:7.3f} ({b:6.3f})"
    ratio = lambda a, b, c, d: f"{a/b:4.2f} ({c/d:4.2f})"
    print(f"{name:32} {f'{w}x{h}':>10} {os.path.getsize(path)//1024:>5} {pair(o['ms_median'], o['cpu_ms_median']):>15} "
          f"{pair(p['pillow'], p['pillow_cpu']):>17} {pair(p['pillow_draft'], p['pillow_draft_cpu']):>17} "
          f"{ratio(o['ms_median'], p['pillow'], o['cpu_ms_median'], p['pillow_cpu']):>11} "
          f"{ratio(o['ms_median'], p['pillow_draft'], o['cpu_ms_median'], p['pillow_draft_cpu']):>11}")
PY
