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
import tempfile
from pathlib import Path

import nbformat

from course_utils.cpu import (  # noqa: F401  (the numeric paths live there: the kernel's launcher imports them without nbformat)
    CPU_PATH_VARIABLE,
    CPU_PATHS,
    CPU_VARIABLES,
    KERNEL_ENV,
    KERNEL_ENV_BASE,
    KERNEL_ENV_UNSET,
    cpu_path,
    kernel_environment,
)

__all__ = ["KERNEL_ENV", "CPU_PATHS", "cpu_path", "kernel_environment", "reference_path_problem", "normalise", "problems", "execute", "main"]

#: How the course's tools talk to their kernels: local sockets where the platform has them.
KERNEL_TRANSPORT = "tcp" if sys.platform == "win32" else "ipc"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
#: The kernel the notebooks' metadata select: installed by ``make lab`` (course_utils.lab), started by course_utils.kernel.
KERNELSPEC = {"display_name": "Python 3 (RNN course)", "language": "python", "name": "rnn-course"}


_PROBE = """
import json, platform
import numpy, torch
features = numpy._core._multiarray_umath.__cpu_features__
print(json.dumps({"machine": platform.machine(), "aten": torch.backends.cpu.get_cpu_capability(),
                  "numpy": [f for f in ("AVX2", "FMA3") if features.get(f)]}))
"""


def reference_path_problem(cpu: str | None = None) -> str | None:
    """Say why a kernel on numeric path ``cpu`` does not reproduce the stored outputs, or return None if it does."""
    import json
    import subprocess

    cpu = cpu_path(cpu)
    if cpu != "reference":
        return f"the {cpu!r} numeric path was asked for (${CPU_PATH_VARIABLE}={cpu})"
    found = subprocess.run([sys.executable, "-c", _PROBE], env=kernel_environment(cpu), capture_output=True,
                           text=True, timeout=300)
    if found.returncode != 0:
        return f"the numeric libraries could not be probed: {found.stderr.strip()[-300:]}"
    probe = json.loads(found.stdout.strip().splitlines()[-1])
    if probe["machine"].lower() not in ("x86_64", "amd64"):
        return f"this CPU is {probe['machine']}, and the stored outputs come from x86-64 AVX2 kernels"
    if probe["aten"] != "AVX2" or probe["numpy"] != ["AVX2", "FMA3"]:
        return (f"this CPU cannot run the reference AVX2/FMA kernels (torch runs {probe['aten']}, "
                f"numpy has {probe['numpy'] or 'neither'} of AVX2/FMA3)")
    return None


def run_in_kernel_environment() -> None:
    """Start this script again in the notebooks' reference environment, unless it runs in it already.

    A benchmark calls this first: torch reads these variables when it loads, so
    only a process that has them from its start computes what the notebooks do.
    """
    if any(os.environ.get(name) != value for name, value in KERNEL_ENV.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], kernel_environment())


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


def kernel_manager(folder: str | os.PathLike, kernel_name: str = "python3"):
    """Return a kernel manager whose kernel talks over IPC sockets in ``folder`` (TCP where the platform has no IPC)."""
    from jupyter_client.manager import KernelManager

    if KERNEL_TRANSPORT == "tcp":
        return KernelManager(kernel_name=kernel_name)
    return KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(Path(folder) / "kernel"))


def execute(path: str | os.PathLike, timeout: int = 600, output: str | os.PathLike | None = None,
            cpu: str | None = None) -> float:
    """Re-execute the notebook at ``path`` from a clean kernel on numeric path ``cpu``, store it normalised (in place, or at ``output``), return seconds."""
    import time

    from nbclient import NotebookClient

    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout must be a positive number of seconds (an int), got {timeout!r}")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    cpu = cpu_path(cpu)
    if cpu != "reference" and output is None:
        raise ValueError(f"output is required on the {cpu!r} numeric path: only a reference run may replace a course notebook")
    sockets = tempfile.TemporaryDirectory(prefix="course-kernel-")
    # The generic kernel of this environment (the course kernelspec would impose its own
    # numeric path), on local sockets of its own rather than unencrypted TCP ones.
    km = kernel_manager(sockets.name)
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,
        allow_errors=False,
        # nbclient needs the widget state while it runs (its Output-widget hook
        # fails without it); normalise() strips it before the notebook is saved.
        store_widget_state=True,
    )
    start = time.perf_counter()
    with sockets:
        try:
            client.execute(env=kernel_environment(cpu))  # the kernel's environment; this process keeps its own
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    seconds = time.perf_counter() - start
    nbformat.validate(nb)
    Path(output or path).write_text(_serialise(normalise(nb)), encoding="utf-8")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Command line: ``execute PATH...`` or ``check PATH...``."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.nbtools", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["execute", "check"])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--cpu", choices=sorted(CPU_PATHS), default=None,
                        help=f"numeric path of the kernel (default: ${CPU_PATH_VARIABLE}, else reference)")
    parser.add_argument("--out", type=Path, default=None, help="write the executed notebooks here instead of in place")
    args = parser.parse_args(argv)
    if args.command == "execute":
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
        for path in args.paths:
            print(f"executing {path} ...", end=" ", flush=True)
            target = None if args.out is None else args.out / path.name
            print(f"{execute(path, output=target, cpu=args.cpu):.1f} s", flush=True)
        return 0
    found = [p for path in args.paths for p in problems(path)]
    print("\n".join(found) if found else f"{len(args.paths)} notebook(s) in normal form")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
