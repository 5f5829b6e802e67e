#!/usr/bin/env bash
# The project's benchmark suite: builds release, generates its own data, runs every benchmark with its
# baseline in the same session, and writes bench/results/<run>.json plus BENCHMARKS.md.
#
#   scripts/bench.sh           full run (under 20 minutes)
#   scripts/bench.sh --quick   smaller sizes (under 3 minutes)
#   scripts/bench.sh --smoke   tiny sizes into a temporary folder; checks the suite still runs (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=full
case "${1:-}" in
  --quick) MODE=quick ;;
  --smoke) MODE=smoke ;;
  "") ;;
  *) echo "usage: scripts/bench.sh [--quick|--smoke]" >&2; exit 2 ;;
esac

# Sizes per mode: model runs, decode runs, index images, no-change files, search sizes, wrk seconds, API products/requests.
case $MODE in
  full)  MODEL_RUNS=100; DECODE_RUNS=100; INDEX_IMAGES=1000; NO_CHANGE=100000; SEARCH_SIZES="3000 100000 1000000"; WRK_SECONDS=10; API_PRODUCTS=3000; API_REQUESTS=500 ;;
  quick) MODEL_RUNS=30;  DECODE_RUNS=30;  INDEX_IMAGES=200;  NO_CHANGE=20000;  SEARCH_SIZES="3000 100000";         WRK_SECONDS=4;  API_PRODUCTS=3000; API_REQUESTS=200 ;;
  smoke) MODEL_RUNS=3;   DECODE_RUNS=3;   INDEX_IMAGES=16;   NO_CHANGE=200;    SEARCH_SIZES="1000";               WRK_SECONDS=1;  API_PRODUCTS=40;   API_REQUESTS=20 ;;
esac

scripts/setup.sh wrk gnuplot-nox
SKIPPED=()
python3 -c "import onnxruntime, numpy" 2>/dev/null || pip install -q onnxruntime numpy >/dev/null 2>&1 || true
python3 -c "import PIL" 2>/dev/null || pip install -q pillow >/dev/null 2>&1 || true
swift build -c release --product similarity >/dev/null
BIN=.build/release/similarity

if [ "$MODE" = smoke ]; then WORK=$(mktemp -d /tmp/similarity-bench.XXXXXX); RESULTS=$WORK/results; REPORT=$WORK/BENCHMARKS.md
else WORK=bench/work; RESULTS=bench/results; REPORT=BENCHMARKS.md; fi
PARTS=$WORK/parts
rm -rf "$PARTS"; mkdir -p "$PARTS" "$RESULTS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
step() { echo "bench: $*" >&2; }
# attempt NAME OUTPUT COMMAND...: runs one benchmark into OUTPUT. A failure stops a smoke run (CI must
# notice a suite that rotted) and is recorded as skipped in a full or quick run, which goes on.
attempt() {
  local name=$1 output=$2; shift 2
  if "$@" > "$output" 2> "$WORK/$name.err"; then return 0; fi
  echo "bench: $name failed: $(tail -n 3 "$WORK/$name.err" | tr '\n' ' ')" >&2
  [ "$MODE" = smoke ] && exit 1
  SKIPPED+=("$name: failed ($(tail -n 1 "$WORK/$name.err"))"); rm -f "$output"
}

step "model (ours, then ONNX Runtime)"
attempt model "$PARTS/model.json" "$BIN" bench model --runs "$MODEL_RUNS" --json
if python3 -c "import onnxruntime" 2>/dev/null; then
  attempt onnxruntime "$PARTS/model_onnx.json" python3 scripts/bench_onnx.py --runs "$MODEL_RUNS" --json
else SKIPPED+=("ONNX Runtime baseline: onnxruntime could not be installed"); fi

step "decode (ours, then Pillow)"
mkdir -p "$WORK/images"
if python3 -c "import PIL" 2>/dev/null; then
  python3 scripts/make_test_images.py "$WORK/images" >/dev/null
  DECODE_FILES=("$WORK/images/photo_640x480.jpg" "$WORK/images/photo_3000x2000.jpg")
  attempt decode "$PARTS/decode.json" "$BIN" bench decode --runs "$DECODE_RUNS" --json "${DECODE_FILES[@]}"
  attempt pillow "$PARTS/decode_pillow.json" python3 scripts/bench_decode_pillow.py --runs "$DECODE_RUNS" "${DECODE_FILES[@]}"
else
  SKIPPED+=("decode: Pillow could not be installed to generate test photos and run the baseline")
fi

step "index ($INDEX_IMAGES images; no-change over $NO_CHANGE files)"
attempt index "$PARTS/index.json" "$BIN" bench index --images "$INDEX_IMAGES" --runs $([ "$MODE" = full ] && echo 3 || echo 1) \
  --no-change-files "$NO_CHANGE" --work "$WORK/index" --json

step "memory: peak RSS of a full indexing run over the same $INDEX_IMAGES images"
rm -rf "$WORK/memory"
attempt memory /dev/null /usr/bin/time -f '%M' -o "$PARTS/index_peak_rss_kb.txt" "$BIN" preprocess \
  --images "$WORK/index/images" --generated "$WORK/memory"

# HTTP and the API run before the large searches: freeing their gigabytes disturbs latency for a while.
step "http (wrk on /health, ${WRK_SECONDS}s)"
"$BIN" bench http --port 0 > "$WORK/http.out" 2>&1 &
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -qo '127.0.0.1:[0-9]*/health' "$WORK/http.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -o '127.0.0.1:[0-9]*/health' "$WORK/http.out" | head -n 1 | cut -d: -f2 | cut -d/ -f1)
attempt wrk "$PARTS/wrk.txt" wrk -t2 -c64 -d"${WRK_SECONDS}s" --latency "http://127.0.0.1:$PORT/health"
kill -INT $HTTP_PID; wait $HTTP_PID 2>/dev/null || true

step "api end to end ($API_PRODUCTS products)"
attempt api "$PARTS/api.json" "$BIN" bench api --products "$API_PRODUCTS" --requests "$API_REQUESTS" \
  --seconds "$WRK_SECONDS" --work-directory "$WORK/api" --json

# Search vectors follow the mean and covariance of real photo features (the dev corpus), so the compact
# index meets realistic data; the smoke run uses plain synthetic vectors.
PROFILE=()
if [ "$MODE" != smoke ] && [ -d ../shared/bench/dev ]; then
  step "search profile: features of the real photos in ../shared/bench/dev"
  attempt profile /dev/null "$BIN" preprocess --images ../shared/bench/dev --generated "$WORK/profile"
  [ -f "$WORK/profile/products_feature.h5" ] && PROFILE=(--profile "$WORK/profile/products_feature.h5")
fi
for products in $SEARCH_SIZES; do
  step "search ($products products, with numpy)"
  attempt "search_$products" "$PARTS/search_$products.json" \
    "$BIN" bench search --products "$products" --queries $([ "$MODE" = smoke ] && echo 5 || echo 50) "${PROFILE[@]+"${PROFILE[@]}"}" --json
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
RUN=$(date -u +%Y%m%dT%H%M%SZ)-$MODE
python3 scripts/bench_collect.py "$PARTS" "$MODE" "$LOAD_BEFORE" "$LOAD_AFTER" "$(printf '%s\n' "${SKIPPED[@]+"${SKIPPED[@]}"}")" \
  > "$RESULTS/$RUN.json"
if [ "$MODE" = smoke ]; then python3 scripts/bench_report.py "$RESULTS/$RUN.json" "$REPORT"
else python3 scripts/bench_report.py "$RESULTS/$RUN.json" "$REPORT" README.md; fi
echo "bench: results in $RESULTS/$RUN.json, report in $REPORT"
if [ "$MODE" = smoke ]; then rm -rf "$WORK"; fi
