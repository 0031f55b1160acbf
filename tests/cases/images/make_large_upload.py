"""Generate large upload files AT TEST TIME (they are too big to keep as fixtures).

Usage: python make_large_upload.py OUT_DIR
Writes incompressible noise PNGs of roughly 0.9 MB, 1.5 MB, 12 MB and 210 MB,
used by test ST-04 (file_uploader limit behind a reverse proxy). Synthetic data only.
"""

import os
import sys

import numpy as np
from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(42)
for label, side in [("0p9MB", 550), ("1p5MB", 710), ("12MB", 2000), ("210MB", 8370)]:
    arr = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
    p = os.path.join(out, f"noise_{label}.png")
    Image.fromarray(arr).save(p, compress_level=0)
    print(p, os.path.getsize(p))
