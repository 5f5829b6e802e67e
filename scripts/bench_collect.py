#!/usr/bin/env python3
"""Gathers the outputs of one scripts/bench.sh run into the results JSON that bench_report.py reads.

usage: bench_collect.py PARTS_DIR MODE LOAD_BEFORE LOAD_AFTER SKIPPED_LINES
Each benchmark left its raw output in PARTS_DIR; a missing or empty part becomes a "skipped" line,
never a made-up figure.
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys


def load(parts, name):
    path = os.path.join(parts, name)
    try:
        with open(path) as handle:
            text = handle.read().strip()
        # Commands may print progress before their JSON object: parse from the first brace.
        return json.loads(text[text.index("{"):]) if name.endswith(".json") else text
    except (OSError, ValueError):  # ValueError covers a missing brace and bad JSON
        return None


def row(metric, unit, ours, baseline=None, baseline_name=None, better="lower", note=None):
    entry = {"metric": metric, "unit": unit, "ours": ours, "baseline": baseline,
             "baseline_name": baseline_name if baseline is not None else None, "better": better}
    if note:
        entry["note"] = note
    return entry


def command_output(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine(mode, load_before, load_after, skipped, model):
    cpuinfo = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    model_name = re.search(r"model name\s*:\s*(.*)", cpuinfo)
    flags = set((re.search(r"flags\s*:\s*(.*)", cpuinfo) or re.match("", "")).group(0).split())
    interesting = [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16") if f in flags]
    memory_kb = int(re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read()).group(1))
    versions = {}
    for module in ("onnxruntime", "numpy", "PIL"):
        versions[module] = command_output("python3", "-c", f"import {module}; print({module}.__version__)") or "not installed"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mode": mode, "machine": platform.node(), "kernel": platform.release(),
        "cpu_model": model_name.group(1) if model_name else platform.processor(),
        "cpu_flags": " ".join(interesting), "cores": os.cpu_count(), "memory_gb": round(memory_kb / 2**20, 1),
        "openblas_core": (model or {}).get("blas_core", "?"),
        "swift": command_output("swift", "--version").split("\n")[0].replace("Swift version ", ""),
        "onnxruntime": versions["onnxruntime"], "numpy": versions["numpy"], "pillow": versions["PIL"],
        "commit": command_output("git", "rev-parse", "--short", "HEAD"),
        "load_before": load_before, "load_after": load_after, "skipped": skipped,
    }


def model_rows(ours, onnx):
    if not ours:
        return []
    onnx = onnx or {}
    name = "ONNX Runtime 2 threads"
    return [
        row("single image, median", "ms", ours["single_ms_median"], onnx.get("single_ms_median"), name),
        row("single image, p95", "ms", ours["single_ms_p95"], onnx.get("single_ms_p95"), name),
        row(f"batch {ours.get('batch', 32)} throughput", "images/s", ours["batch_images_per_s"],
            onnx.get("batch_images_per_s"), name, better="higher"),
    ]


def decode_rows(ours, pillow):
    rows = []
    for path, figures in (ours or {}).items():
        base = (pillow or {}).get(path, {})
        label = os.path.basename(path).replace("photo_", "JPEG ").replace(".jpg", "")
        rows.append(row(f"{label} decode+resize+normalise", "ms", figures["ms_median"], base.get("pillow"),
                        "Pillow + numpy (full decode)"))
        rows.append(row(f"{label}, against Pillow's draft mode", "ms", figures["ms_median"], base.get("pillow_draft"),
                        "Pillow draft (DCT-scaled)"))
    return rows


def index_rows(index):
    if not index:
        return []
    return [
        row(f"full indexing, {index['images']} 640x480 JPEGs", "images/s", index["full_images_per_s_median"],
            index.get("model_only_images_per_s"), "our model alone", better="higher"),
        row(f"no-change run, {index['images']} files (warm)", "ms", index["no_change_warm_ms_median"]),
        row(f"no-change run, {index['large_files']:,} files (warm)", "ms", index["large_no_change_warm_ms_median"]),
        row(f"no-change run, {index['large_files']:,} files (cold process)", "ms", index["large_no_change_cold_ms_median"]),
    ]


SEARCH_KINDS = (("unrelated", "an unrelated photo"), ("same_family", "a photo of the same kind"),
                ("near_duplicate", "a near-duplicate of a product"))


def search_rows(searches):
    """One row per catalog size and query kind: how far the exact search can prune depends on the query."""
    rows = []
    for products, result in sorted(searches.items()):
        vectors = "real-photo profile" if result.get("profile") != "synthetic" else "synthetic"
        for key, label in SEARCH_KINDS:
            if f"{key}_ms_median" not in result:
                continue
            rows.append(row(f"top-10 over {products:,} products, query {label}", "ms", result[f"{key}_ms_median"],
                            result.get("numpy_ms_median"), "numpy (BLAS) dot + argpartition",
                            note=f"vectors: {vectors}; answers differing from the float32 scan: "
                                 f"{result.get('mismatches', '?')}"))
    return rows


def wrk_rows(text):
    if not text:
        return []
    rate = re.search(r"Requests/sec:\s*([\d.]+)", text)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    to_ms = lambda m: float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else None
    # uvicorn + FastAPI figures measured on this machine class, as the HTTP issue records them.
    return [row("wrk -t2 -c64 on /health", "requests/s", float(rate.group(1)) if rate else None, 6100,
                "uvicorn + FastAPI (recorded, not rerun)", better="higher"),
            row("wrk latency p50", "ms", to_ms(p50)),
            row("wrk latency p99", "ms", to_ms(p99), 35, "uvicorn + FastAPI (recorded, not rerun)")]


def api_rows(api, index_peak_kb):
    if not api:
        return []
    original = "original Python service (recorded, not rerun)"
    rows = [
        row("find-similar sequential p50", "ms", api.get("sequential_p50_ms"), 91, original),
        row("find-similar sequential p95", "ms", api.get("sequential_p95_ms")),
        row("find-similar sequential p99", "ms", api.get("sequential_p99_ms"), 102, original),
        row(f"find-similar, {api.get('clients', 8)} concurrent clients", "requests/s", api.get("requests_per_second"),
            12.5, original, better="higher"),
        row(f"server RSS after the requests, {api.get('products', '?')} products indexed", "MB", api.get("rss_mb"), 580, original),
        row("server peak RSS during the benchmark", "MB", api.get("peak_rss_mb")),
        row("start to healthy", "s", api.get("healthy_seconds"), 2.2, original),
        row("failed requests", "count", api.get("failed_requests")),
    ]
    if index_peak_kb:
        rows.append(row("peak RSS of a full indexing run (similarity preprocess)", "MB", int(index_peak_kb) / 1024))
    return [r for r in rows if r["ours"] is not None]


def main():
    parts, mode, load_before, load_after, skipped_text = sys.argv[1:6]
    skipped = [line for line in skipped_text.split("\n") if line.strip()]
    model = load(parts, "model.json")
    searches = {}
    for name in os.listdir(parts):
        match = re.fullmatch(r"search_(\d+)\.json", name)
        if match and load(parts, name):
            searches[int(match.group(1))] = load(parts, name)
    areas = {
        "Model (MobileNet v1 forward pass)": model_rows(model, load(parts, "model_onnx.json")),
        "Decoding (JPEG to 224x224 model input)": decode_rows(load(parts, "decode.json"), load(parts, "decode_pillow.json")),
        "Indexing": index_rows(load(parts, "index.json")),
        "Search (exact top-10)": search_rows(searches),
        "HTTP server": wrk_rows(load(parts, "wrk.txt")),
        "API end to end (find-similar with a 640x480 JPEG)": api_rows(load(parts, "api.json"),
                                                                      load(parts, "index_peak_rss_kb.txt")),
    }
    for name, rows in list(areas.items()):
        if not rows:
            skipped.append(f"{name}: no result (the step failed or was skipped)")
            del areas[name]
    series = {}
    if len(searches) > 1:
        series["search_vs_catalog_size"] = {
            "title": "top-10 search time against catalog size", "x_label": "products", "y_label": "ms (median)",
            "log_x": True, "log_y": True,
            "lines": {**{f"ours, {label}": [[n, s[f"{key}_ms_median"]] for n, s in sorted(searches.items())]
                         for key, label in SEARCH_KINDS},
                      "numpy": [[n, s["numpy_ms_median"]] for n, s in sorted(searches.items()) if s.get("numpy_ms_median")]}}
    api = load(parts, "api.json")
    if api and api.get("sequential_p50_ms") is not None:
        series["find_similar_latency"] = {
            "title": "find-similar latency percentiles", "x_label": "percentile", "y_label": "ms",
            "lines": {"ours": [[50, api["sequential_p50_ms"]], [95, api["sequential_p95_ms"]], [99, api["sequential_p99_ms"]]]}}
    json.dump({"meta": machine(mode, load_before, load_after, skipped, model), "areas": areas, "series": series},
              sys.stdout, indent=1)


if __name__ == "__main__":
    main()
