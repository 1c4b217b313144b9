"""Benchmark: wall time of ``make slides`` and ``make site`` (budget: under 20 s each, issue 16).

Run by ``make bench`` (or ``python tests/benchmarks/bench_publish.py``). Each build
runs as the make target runs it, ``python -m course_utils.publish slides|site OUT``
in a fresh process (so Python's start-up and the imports count), into a temporary
folder: ``_build/`` is not touched. ``node_modules`` must exist (``make slides``
installs it). This script prints the figures, it asserts nothing.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    """Build the decks and the site once each and print the wall time and the size of the folder."""
    print(f"{'build':10} {'seconds':>8} {'MB':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for what in ("slides", "site"):
            out = Path(tmp) / what
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "course_utils.publish", what, str(out)],
                cwd=ROOT, check=True, capture_output=True,
            )
            seconds = time.perf_counter() - start
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
            print(f"{what:10} {seconds:8.1f} {size:6.1f}", flush=True)


if __name__ == "__main__":
    main()
