#!/usr/bin/env python3
"""Baseline for `similarity bench model`: the same MobileNet v1 network in ONNX Runtime.

Prints single-image latency (median, p95, ms) and batch throughput (images/s), with the same JSON keys
as the Swift benchmark so the two can be compared side by side. Needs `pip install onnxruntime numpy`.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import onnxruntime as ort

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODEL = os.path.join(PACKAGE_ROOT, "..", "shared", "models", "mobilenet_v1.onnx")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    rng = np.random.default_rng(0)
    single = rng.uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
    batch = rng.uniform(-1, 1, (args.batch, 224, 224, 3)).astype(np.float32)

    for _ in range(5):
        session.run(None, {input_name: single})
    timings = []
    cpu_start = time.process_time()
    for _ in range(args.runs):
        start = time.perf_counter()
        session.run(None, {input_name: single})
        timings.append((time.perf_counter() - start) * 1000)

    single_cpu = (time.process_time() - cpu_start) * 1000 / args.runs

    session.run(None, {input_name: batch})
    batch_runs = max(3, args.runs // 10)
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(batch_runs):
        session.run(None, {input_name: batch})
    rate = args.batch * batch_runs / (time.perf_counter() - start)
    batch_cpu = (time.process_time() - cpu_start) * 1000 / (batch_runs * args.batch)

    result = {
        "engine": f"onnxruntime {ort.__version__}",
        "threads": args.threads,
        "single_ms_median": statistics.median(timings),
        "single_ms_p95": percentile(timings, 0.95),
        "batch": args.batch,
        "batch_images_per_s": rate,
        "single_cpu_ms": single_cpu,
        "batch_cpu_ms_per_image": batch_cpu,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['engine']}, {args.threads} threads")
        print(f"single image: median {result['single_ms_median']:.2f} ms, p95 {result['single_ms_p95']:.2f} ms, CPU {single_cpu:.2f} ms")
        print(f"batch {args.batch}: {rate:.1f} images/s, CPU {batch_cpu:.2f} ms per image")


if __name__ == "__main__":
    main()
