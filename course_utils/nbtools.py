"""Re-execute the course notebooks from a clean kernel and store them in a normal form.

``make execute`` runs ``python -m course_utils.nbtools execute notebooks/*.ipynb``.
Each notebook is run top to bottom in a fresh kernel (the same way nbval runs it
in CI), then normalised: widget state, widget views and timing metadata are
stripped, consecutive pieces of printed text are joined (the kernel splits them
by timing), execution counts are 1..n, and the JSON layout is nbformat's. Running
it twice gives byte-identical files, so the committed notebook is exactly what
CI reproduces. ``python -m course_utils.nbtools check ...`` reports notebooks
that are not in that form (tests/test_notebooks.py uses :func:`problems`).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

import nbformat

__all__ = ["KERNEL_ENV", "normalise", "problems", "execute", "main"]

#: Environment the notebook kernel runs with, here and under nbval (conftest.py):
#: no inherited MPLBACKEND (it would swallow the inline figures), a fixed hash
#: seed (so nothing that prints a set or a dict of strings can change order), and
#: the numeric libraries held to their AVX2 code paths, so that a CI machine with
#: AVX-512 and one without round floats the same way and print the same digits.
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
KERNEL_ENV_UNSET = ("MPLBACKEND",)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def kernel_environment() -> dict[str, str]:
    """Return a copy of ``os.environ`` adjusted as :data:`KERNEL_ENV` says."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV_UNSET}
    env.update(KERNEL_ENV)
    return env


def _normal_output(output: dict) -> dict:
    output = copy.deepcopy(output)
    data = output.get("data")
    if data is not None and WIDGET_VIEW in data:
        # Without the stripped widget state a view cannot render anyway; the
        # text/plain fallback stays. Model ids are random, so keeping them
        # would make every run differ.
        del data[WIDGET_VIEW]
        output.get("metadata", {}).pop(WIDGET_VIEW, None)
    return output


def _merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name: how the kernel splits printed text into messages depends on timing."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` in the course's normal form (see the module docstring)."""
    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"nb must be an nbformat.NotebookNode, got {type(nb).__name__}")
    nb = copy.deepcopy(nb)
    for key in ("widgets", "jupytext"):
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    count = 0
    seen_ids: set[str] = set()
    for index, cell in enumerate(nb.cells):
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if not cell.get("id") or cell.id in seen_ids:
            cell["id"] = f"cell-{index:03d}"
        seen_ids.add(cell.id)
        if cell.cell_type == "code":
            if cell.get("execution_count") is not None or cell.outputs:
                count += 1
                cell.execution_count = count
                for output in cell.outputs:
                    if "execution_count" in output:
                        output["execution_count"] = count
            cell.outputs = _merge_streams([nbformat.from_dict(_normal_output(o)) for o in cell.outputs])
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return nb


def _serialise(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb, version=4) + "\n"


def problems(path: str | os.PathLike) -> list[str]:
    """Return what keeps the notebook at ``path`` from being a clean, normalised run (empty if nothing)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    found = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    if counts != list(range(1, len(code) + 1)):
        found.append(f"{path.name}: execution counts are {counts}, not 1..{len(code)}: not a clean top-to-bottom run")
    if "widgets" in nb.metadata:
        found.append(f"{path.name}: widget state stored in the notebook metadata")
    if text != _serialise(normalise(nb)):
        found.append(f"{path.name}: not in normal form (run: make execute NB={path})")
    return found


def execute(path: str | os.PathLike, timeout: int = 600, output: str | os.PathLike | None = None) -> float:
    """Re-execute the notebook at ``path`` from a clean kernel, store it normalised (in place, or at ``output``), return seconds taken."""
    import time

    from nbclient import NotebookClient

    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,
        allow_errors=False,
        # nbclient needs the widget state while it runs (its Output-widget hook
        # fails without it); normalise() strips it before the notebook is saved.
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute(env=kernel_environment())  # the kernel's environment; this process keeps its own
    seconds = time.perf_counter() - start
    nbformat.validate(nb)
    Path(output or path).write_text(_serialise(normalise(nb)), encoding="utf-8")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Command line: ``execute PATH...`` or ``check PATH...``."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.nbtools", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["execute", "check"])
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "execute":
        for path in args.paths:
            print(f"executing {path} ...", end=" ", flush=True)
            print(f"{execute(path):.1f} s", flush=True)
        return 0
    found = [p for path in args.paths for p in problems(path)]
    print("\n".join(found) if found else f"{len(args.paths)} notebook(s) in normal form")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
