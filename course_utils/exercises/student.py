"""The student edition: the course with every solution cell replaced by a stub.

``python -m course_utils.exercises.student OUTDIR`` (``make student``) writes
``OUTDIR/notebooks`` and ``OUTDIR/img``. In each notebook, every code cell
tagged ``solution`` becomes a stub: each function and class keeps its
signature and docstring, and its body becomes ``raise NotImplementedError``
(imports in the cell stay). The stub is shown (not folded), its tag becomes
``exercise``, and its outputs are cleared, as are those of the check cells
(``check("NN.k", ...)``), whose stored "correct" would not be true yet. Every
other cell, self-check answers included, is copied unchanged.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat

__all__ = ["SOLUTION_TAG", "STUB_TAG", "stub_source", "student_notebook", "build", "main"]

ROOT = Path(__file__).resolve().parents[2]
SOLUTION_TAG = "solution"
STUB_TAG = "exercise"
CHECK_CALL = re.compile(r"^\s*check\(\s*[\"']\d\d\.\d+[\"']", re.M)
STUB_BODY = 'raise NotImplementedError("write this, then run the check below")'


def _stub_of(node: ast.stmt, lines: list[str]) -> list[str]:
    """The stub lines of a function or class definition: header, docstring, a raise (methods stubbed one by one)."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    body = node.body
    has_doc = bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(
        body[0].value.value, str)
    header_end = body[0].lineno - 1  # lines before the first statement of the body
    out = lines[first - 1 : header_end]
    if has_doc:
        out += lines[body[0].lineno - 1 : body[0].end_lineno]
    indent = " " * body[0].col_offset
    if isinstance(node, ast.ClassDef):
        methods = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for method in methods:
            out.append("")
            out += _stub_of(method, lines)
        if not methods:
            out.append(f"{indent}pass")
    else:
        out.append(f"{indent}{STUB_BODY}")
    return out


def stub_source(source: str) -> str:
    """The stub of a solution cell's source: its imports, and each definition's signature, docstring and a NotImplementedError."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    tree = ast.parse(source)
    lines = source.splitlines()
    parts: list[list[str]] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            parts.append(lines[node.lineno - 1 : node.end_lineno])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            parts.append(_stub_of(node, lines))
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in tree.body):
        raise ValueError("a solution cell must define at least one function or class")
    return "\n\n\n".join("\n".join(part) for part in parts)


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with every solution cell a stub (shown, outputs cleared) and the check cells' outputs cleared."""
    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"nb must be an nbformat.NotebookNode, got {type(nb).__name__}")
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if SOLUTION_TAG in tags:
            cell.source = stub_source(cell.source)
            cell.metadata["tags"] = [STUB_TAG if t == SOLUTION_TAG else t for t in tags]
            jupyter = cell.metadata.get("jupyter", {})
            jupyter.pop("source_hidden", None)
            if jupyter:
                cell.metadata["jupyter"] = jupyter
            else:
                cell.metadata.pop("jupyter", None)
            cell.outputs, cell.execution_count = [], None
        elif CHECK_CALL.search(cell.source):
            cell.outputs, cell.execution_count = [], None
    return nb


def build(out: str | Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Write the student edition of ``notebooks`` (default: all of notebooks/) and img/ into ``out``; return the notebooks written."""
    out = Path(out)
    if notebooks is None:
        notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    if (ROOT / "img").is_dir():
        shutil.copytree(ROOT / "img", out / "img", dirs_exist_ok=True)
    written = []
    for path in notebooks:
        path = Path(path)
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebooks must be existing .ipynb files, got {str(path)!r}")
        nb = student_notebook(nbformat.read(path, as_version=4))
        target = out / "notebooks" / path.name
        target.write_text(nbformat.writes(nb, version=4) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m course_utils.exercises.student OUTDIR [NOTEBOOK ...]``."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.exercises.student", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    written = build(args.out, args.notebooks or None)
    print(f"student edition: {len(written)} notebook(s) in {args.out / 'notebooks'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
