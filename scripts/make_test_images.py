#!/usr/bin/env python3
"""Writes benchmark JPEGs (640x480 and 3000x2000, baseline and progressive, quality 90) into a folder.

Both are mosaics of real photos from ../shared/bench/dev/catalog at about their native resolution, so
they carry camera-like detail (a smooth upscale would compress far better than a real photo and decode
faster). Needs Pillow. Usage: make_test_images.py [OUT_DIR]
"""
import sys
from pathlib import Path

from PIL import Image

root = Path(__file__).resolve().parent.parent
catalog = root.parent / "shared/bench/dev/catalog"
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/similarity-bench-images")
out.mkdir(parents=True, exist_ok=True)
large = [Image.open(p).convert("RGB") for p in sorted(catalog.glob("*.jpg"))]
large = [image for image in large if min(image.size) >= 600]


def mosaic(width, height, columns, rows):
    canvas = Image.new("RGB", (width, height))
    cell_w, cell_h = width // columns, height // rows
    for index in range(columns * rows):
        tile = large[index % len(large)].resize((cell_w, cell_h), Image.LANCZOS)
        canvas.paste(tile, ((index % columns) * cell_w, (index // columns) * cell_h))
    return canvas


for (width, height, columns, rows) in [(640, 480, 1, 1), (3000, 2000, 3, 2)]:
    image = mosaic(width, height, columns, rows)
    image.save(out / f"photo_{width}x{height}.jpg", quality=90)
    image.save(out / f"photo_{width}x{height}_progressive.jpg", quality=90, progressive=True)
for path in sorted(out.glob("photo_*.jpg")):
    print(path)
