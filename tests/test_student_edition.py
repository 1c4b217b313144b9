"""The student edition (``make student``): solution cells become stubs, nothing else changes, and it runs top to bottom.

Why one notebook's student edition is executed here and not all nine: the
tests below show that a student edition differs from its notebook only in its
solution cells (now stubs) and their checks' outputs, that a solution cell only
defines (imports, functions, classes), that no cell but its check reads what it
defines, and that each stub's check says "not done yet" without raising. So
every other cell of a student edition runs exactly as in the full notebook,
which ``make test`` executes on the reference path (nbval) and the foreign one (the JupyterLab walk). The one execution
(:data:`EXECUTED`, the notebook with the most exercises among the fast ones)
checks the build and the run end to end: every cell runs, each check reports
"not done yet", and no check passes or fails.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from torch import nn

from course_utils import nbtools
from course_utils.exercises import SOLUTION_TAG, passes
from course_utils.exercises.core import NOT_DONE
from course_utils.exercises.student import CHECK_CALL, STUB_TAG, build, student_notebook, stub_source

ROOT = Path(__file__).resolve().parents[1]
#: Notebooks whose exercises are not (yet) checked through course_utils.exercises, and why.
NOT_YET: dict[str, str] = {}
NOTEBOOKS = [p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) if p.name not in NOT_YET]


def solution_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and SOLUTION_TAG in c.metadata.get("tags", [])]


def check_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and CHECK_CALL.search(c.source)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_exercise_has_a_folded_solution_then_a_check(path):
    nb = nbformat.read(path, as_version=4)
    solutions = solution_cells(nb)
    assert 2 <= len(solutions) <= 4, f"{path.name}: {len(solutions)} exercises, expected 2 to 4"
    for cell in solutions:
        index = nb.cells.index(cell)
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"solution {cell.id} is not folded"
        task, following = nb.cells[index - 1], nb.cells[index + 1]
        assert task.cell_type == "markdown" and re.match(r"### Exercise \d\d\.\d+: ", task.source), task.source[:60]
        exercise_id = task.source.split()[2].rstrip(":")
        assert re.search(rf"check\(\"{re.escape(exercise_id)}\", \w+\)", following.source), following.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_only_solution_cells_and_check_outputs_change(path):
    nb = nbformat.read(path, as_version=4)
    student = student_notebook(nb)
    assert [c.id for c in student.cells] == [c.id for c in nb.cells]
    checks = {c.id for c in check_cells(nb)}
    for before, after in zip(nb.cells, student.cells):
        if before.cell_type == "code" and SOLUTION_TAG in before.metadata.get("tags", []):
            assert after.outputs == [] and STUB_TAG in after.metadata.tags and SOLUTION_TAG not in after.metadata.tags
            assert "source_hidden" not in after.metadata.get("jupyter", {}), "a stub must be shown to the student"
            assert after.metadata.slideshow == before.metadata.slideshow
            assert "raise NotImplementedError" in after.source
        elif before.id in checks:
            assert after.source == before.source and after.outputs == []
        else:
            assert after == before, f"cell {before.id} changed"
    answers = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    assert answers.count("<details>") == "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").count(
        "<details>")


def test_a_stub_keeps_imports_signatures_and_docstrings_only():
    source = '''import numpy as np


def f(a, b=2):
    """Doc of f."""
    total = a + b
    return np.sqrt(total)


class M:
    """Doc of M."""

    size = 3

    def __init__(self, n):
        """Doc of init."""
        self.n = n

    def forward(
        self, x
    ):
        return x * self.n
'''
    stub = stub_source(source)
    tree = ast.parse(stub)
    assert isinstance(tree.body[0], ast.Import)
    assert "total" not in stub and "self.n = n" not in stub and "size = 3" not in stub
    assert '"""Doc of f."""' in stub and '"""Doc of init."""' in stub and "def forward(\n        self, x\n    ):" in stub
    assert stub.count("raise NotImplementedError") == 3
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)
    with pytest.raises(ValueError):
        stub_source("x = 1\n")


def test_a_stub_of_each_solution_is_not_done_yet(capsys):
    """The stub of every solution, defined from source, makes its check say 'not done yet'."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for solution, checker in zip(solution_cells(nb), [c for c in check_cells(nb)]):
            namespace = {"nn": nn}  # what the notebooks' set-up cells import
            exec(stub_source(solution.source), namespace)
            exercise_id, name = re.search(r"check\(\"(\d\d\.\d+)\", (\w+)\)", checker.source).groups()
            assert not passes(exercise_id, namespace[name], quiet=False)
            assert NOT_DONE in capsys.readouterr().out


def _defined_names(cell) -> set[str]:
    """Names of the functions and classes a cell defines at its top level."""
    return {node.name for node in ast.parse(cell.source).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def _names(cell, context: type) -> set[str]:
    """Names a cell reads (``ast.Load``) or assigns (``ast.Store``) anywhere."""
    return {node.id for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.Name) and isinstance(node.ctx, context)}


def _is_check_call(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "check"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_nothing_but_its_check_reads_what_a_solution_defines(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for solution in solution_cells(nb):
        kinds = {type(node).__name__ for node in ast.parse(solution.source).body}
        assert kinds <= {"Import", "ImportFrom", "FunctionDef", "ClassDef"}, f"solution {solution.id} does more than define: {kinds}"
        check = code[code.index(solution) + 1]
        assert all(isinstance(node, (ast.Import, ast.ImportFrom)) or _is_check_call(node) for node in ast.parse(check.source).body), \
            f"check cell {check.id} does more than check(...)"
        live = _defined_names(solution)  # until a later cell defines the name again
        for cell in code[code.index(solution) + 2:]:
            if SOLUTION_TAG in cell.metadata.get("tags", []):
                continue  # another solution: in the student edition its stub reads nothing
            read = _names(cell, ast.Load) & live
            assert not read, f"cell {cell.id} reads {read}, defined by solution {solution.id}"
            live -= _names(cell, ast.Store) | _defined_names(cell)


def test_a_cell_that_reads_a_solution_is_caught(tmp_path):
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    solution = solution_cells(nb)[0]
    name = sorted(_defined_names(solution))[0]
    nb.cells.append(nbformat.v4.new_code_cell(f"print({name})"))
    broken = tmp_path / NOTEBOOKS[0].name
    nbformat.write(nb, broken)
    with pytest.raises(AssertionError, match=f"reads {{'{name}'}}"):
        test_nothing_but_its_check_reads_what_a_solution_defines(broken)


#: The student edition executed here (see the module's docstring): three exercises, about ten seconds.
EXECUTED = ROOT / "notebooks" / "03_bptt.ipynb"


def test_the_student_edition_runs_top_to_bottom(tmp_path):
    assert EXECUTED in NOTEBOOKS
    (written,) = build(tmp_path, [EXECUTED])
    assert (tmp_path / "img").is_dir()
    executed = tmp_path / "executed" / EXECUTED.name
    executed.parent.mkdir()
    # the copy runs in tmp_path/notebooks, so its ../img links resolve to the copied figures
    nbtools.execute(written, output=executed, cpu="reference")
    nb = nbformat.read(executed, as_version=4)
    checks = check_cells(nb)
    assert len(checks) == len(solution_cells(nbformat.read(EXECUTED, as_version=4))) >= 2
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert NOT_DONE in text and "✓" not in text and "✗" not in text, f"cell {cell.id}: {text!r}"
    errors = [c.id for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"cells {errors} raised"
