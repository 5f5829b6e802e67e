#!/usr/bin/env python3
"""Pillow baseline for `similarity bench decode`: median ms of open + RGB + resize to 224 + numpy x/127.5-1
(wall clock, and the thread's CPU time, which stays meaningful on a shared machine).

Two variants per file: "pillow" as the original service did it (full decode, then resize), and
"pillow_draft" letting Pillow use JPEG DCT scaling first (draft mode), its fastest path.
Usage: bench_decode_pillow.py [--runs N] FILE...
Prints JSON {file: {"pillow": ms, "pillow_cpu": ms, "pillow_draft": ms, "pillow_draft_cpu": ms}}.
"""
import io
import json
import statistics
import sys
import time

import numpy as np
from PIL import Image


def prepare(data, draft):
    image = Image.open(io.BytesIO(data))
    if draft:
        image.draft("RGB", (224, 224))
    image = image.convert("RGB").resize((224, 224))
    return np.asarray(image, dtype=np.float32) / 127.5 - 1.0


def median_ms(data, draft, runs):
    for _ in range(3):
        prepare(data, draft)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        prepare(data, draft)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


args = sys.argv[1:]
runs = 50
if args[:1] == ["--runs"]:
    runs, args = int(args[1]), args[2:]
results = {}
for path in args:
    data = open(path, "rb").read()
    (full, full_cpu), (draft, draft_cpu) = median_ms(data, False, runs), median_ms(data, True, runs)
    results[path] = {"pillow": full, "pillow_cpu": full_cpu, "pillow_draft": draft, "pillow_draft_cpu": draft_cpu}
print(json.dumps(results, indent=2))
