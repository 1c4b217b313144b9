"""Benchmark: wall time of each notebook, executed top to bottom from a clean kernel.

Run by ``make bench`` (or ``python tests/benchmarks/bench_notebooks.py [NOTEBOOK...]``).
Each notebook runs in its own folder, exactly as ``make execute`` runs it, but
the executed copy goes to a temporary file: the committed notebook is not
touched. The budget of each notebook is in the issue that introduced it; this
script prints the figures, it asserts nothing.
"""

import sys
import tempfile
from pathlib import Path

from course_utils.nbtools import execute

ROOT = Path(__file__).resolve().parents[2]


def main(paths: list[str]) -> None:
    """Execute each notebook (default: all of notebooks/) and print its wall time."""
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    total = 0.0
    print(f"{'notebook':40} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in notebooks:
            seconds = execute(path, output=Path(tmp) / path.name)
            total += seconds
            print(f"{path.name:40} {seconds:8.1f}", flush=True)
    print(f"{'total':40} {total:8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
