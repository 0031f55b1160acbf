"""The home page's cold render time, for ``lienzo bench``.

Cold means a fresh interpreter: imports, plugin discovery, catalogues and the first
script run, which is what a learner waits for when a teacher's server starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

APP = Path(__file__).parent / "app.py"

_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    started = time.perf_counter()
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file({app!r}, default_timeout=120)
    at.run()
    rendered = time.perf_counter() - started
    heavy = [m for m in ("torch", "diffusers", "transformers", "onnxruntime") if m in sys.modules]
    print(json.dumps({{"seconds": rendered, "errors": len(at.exception), "heavy": heavy}}))
    """
)


def measure_home_cold_render() -> dict[str, object]:
    """Seconds from a fresh interpreter to a rendered home page (and process start included)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(app=str(APP))],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    total = time.perf_counter() - started
    inside = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "home page cold render, script (s)": inside["seconds"],
        "home page cold render, with interpreter start (s)": total,
        "home page heavy imports": ", ".join(inside["heavy"]) or "none",
    }
