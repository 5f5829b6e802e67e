#!/usr/bin/env python3
"""Turns one benchmark run (bench/results/<run>.json) into BENCHMARKS.md and its plots.

The results file holds `meta` (machine, versions, load) and `areas`: for each area a list of rows
  {"metric": str, "unit": str, "ours": number|null, "baseline": number|null,
   "baseline_name": str|null, "better": "lower"|"higher", "note": str (optional)}
and `series` for plots: {"name": {"x_label", "y_label", "log_x", "lines": {label: [[x, y], ...]}}}.
Plots are drawn with gnuplot when it is installed and left out (with a line saying so) when not.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def ratio_text(row):
    ours, base = row.get("ours"), row.get("baseline")
    if ours is None or base is None or ours == 0 or base == 0:
        return ""
    # Express every ratio as "how many times better we are", whatever the direction of the metric.
    factor = base / ours if row.get("better", "lower") == "lower" else ours / base
    return f"{factor:.2f}x"


def number_text(value):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def area_table(rows):
    lines = ["| metric | ours | baseline | baseline is | ours vs baseline |",
             "|---|---:|---:|---|---:|"]
    for row in rows:
        unit = row.get("unit", "")
        metric = row["metric"] + (f" ({unit})" if unit else "")
        note = f" — {row['note']}" if row.get("note") else ""
        lines.append(f"| {metric}{note} | {number_text(row.get('ours'))} | {number_text(row.get('baseline'))} "
                     f"| {row.get('baseline_name') or '—'} | {ratio_text(row)} |")
    return "\n".join(lines)


def draw(series_name, spec, out_dir):
    """Renders one series to PNG with gnuplot; returns the file name or None."""
    if not shutil.which("gnuplot"):
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"{series_name}.png"
    data_files = []
    for index, (label, points) in enumerate(spec["lines"].items()):
        path = out_dir / f"{series_name}.{index}.dat"
        path.write_text("\n".join(f"{x} {y}" for x, y in points) + "\n")
        data_files.append((label, path))
    plot = ", ".join(f"'{path}' using 1:2 with linespoints title '{label}'" for label, path in data_files)
    script = "\n".join([
        "set terminal pngcairo size 800,480 noenhanced" if "pngcairo" in terminals() else "set terminal png size 800,480",
        f"set output '{png}'",
        f"set xlabel '{spec['x_label']}'",
        f"set ylabel '{spec['y_label']}'",
        "set logscale x" if spec.get("log_x") else "",
        "set logscale y" if spec.get("log_y") else "",
        "set grid", "set key top left",
        f"plot {plot}",
    ])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    for _, path in data_files:
        path.unlink()
    return png.name


def terminals():
    result = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return result.stdout + result.stderr


def report(results, plot_dir, plot_prefix):
    meta = results["meta"]
    out = ["# Benchmarks", "",
           "Every figure here comes from one run of `scripts/bench.sh"
           + (" --quick" if meta.get("mode") == "quick" else "") + "` (release build); rerun it to",
           "regenerate this page and `bench/results/`. Medians unless said otherwise. Baselines ran in",
           "the same session on the same machine; the last column says how many times better we are.", "",
           "## Machine", "",
           f"- {meta.get('cpu_model', '?')}, {meta.get('cores', '?')} cores, "
           f"{meta.get('memory_gb', '?')} GB; CPU flags: {meta.get('cpu_flags', '?')}",
           f"- OpenBLAS kernels: {meta.get('openblas_core', '?')}; Swift {meta.get('swift', '?')}; "
           f"onnxruntime {meta.get('onnxruntime', 'not installed')}; numpy {meta.get('numpy', 'not installed')}",
           f"- run: {meta.get('date', '?')}, commit {meta.get('commit', '?')}, mode {meta.get('mode', '?')}, "
           f"load average before {meta.get('load_before', '?')}, after {meta.get('load_after', '?')}",
           ""]
    for area, rows in results["areas"].items():
        out += [f"## {area}", "", area_table(rows), ""]
    series = results.get("series", {})
    if series:
        out += ["## Plots", ""]
        for name, spec in series.items():
            image = draw(name, spec, plot_dir)
            out.append(f"![{spec.get('title', name)}]({plot_prefix}{image})" if image
                       else f"- {name}: not drawn (gnuplot is not installed)")
            out.append("")
    skipped = meta.get("skipped", [])
    if skipped:
        out += ["## Skipped", ""] + [f"- {line}" for line in skipped] + [""]
    return "\n".join(out)


README_START, README_END = "<!-- performance:start -->", "<!-- performance:end -->"


def readme_summary(results, report_name):
    """The README's performance table: every row that has a baseline, by area, from this run."""
    meta = results["meta"]
    lines = [README_START,
             f"Run {meta.get('date', '?')[:10]} on {meta.get('cpu_model', '?')}, {meta.get('cores', '?')} cores "
             f"(`scripts/bench.sh`, commit {meta.get('commit', '?')}); all rows and the machine are in "
             f"[{report_name}]({report_name}). The last column says how many times better we are.", "",
             "| area | metric | ours | baseline | baseline is | ours vs baseline |", "|---|---|---:|---:|---|---:|"]
    for area, rows in results["areas"].items():
        for row in rows:
            if row.get("baseline") is None:
                continue
            unit = f" ({row['unit']})" if row.get("unit") else ""
            lines.append(f"| {area.split(' (')[0]} | {row['metric']}{unit} | {number_text(row['ours'])} | "
                         f"{number_text(row['baseline'])} | {row['baseline_name']} | {ratio_text(row)} |")
    return "\n".join(lines + ["", README_END])


def update_readme(readme_path, results, report_name):
    text = readme_path.read_text()
    if README_START not in text or README_END not in text:
        sys.exit(f"bench_report.py: {readme_path} has no {README_START} ... {README_END} section")
    before, rest = text.split(README_START, 1)
    after = rest.split(README_END, 1)[1]
    readme_path.write_text(before + readme_summary(results, report_name) + after)
    print(f"bench: updated the performance section of {readme_path}")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: bench_report.py RESULTS.json OUT.md [README.md]")
    results_path, report_path = Path(sys.argv[1]), Path(sys.argv[2])
    results = json.loads(results_path.read_text())
    plot_dir = results_path.parent / "plots"
    prefix = os.path.relpath(plot_dir.resolve(), report_path.parent.resolve()) + "/"
    report_path.write_text(report(results, plot_dir, prefix))
    print(f"bench: wrote {report_path}")
    if len(sys.argv) == 4:
        update_readme(Path(sys.argv[3]), results, os.path.relpath(report_path, Path(sys.argv[3]).parent))


if __name__ == "__main__":
    main()
