"""course_utils.nbtools: the normal form that `make execute` stores and CI reproduces."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils import nbtools

WIDGET = "application/vnd.jupyter.widget-view+json"


def executed_notebook():
    nb = new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells = [
        new_markdown_cell("# Title"),
        new_code_cell("1 + 1", execution_count=7, outputs=[new_output("execute_result", {"text/plain": "2"}, execution_count=7)]),
        new_code_cell(
            "interact(f, x=1)",
            execution_count=9,
            outputs=[new_output("display_data", {"text/plain": "interactive(...)", WIDGET: {"model_id": "a1b2", "version_major": 2}})],
        ),
    ]
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    return nb


def test_normalise_strips_widget_state_views_and_timings_and_renumbers():
    nb = nbtools.normalise(executed_notebook())
    assert "widgets" not in nb.metadata
    assert "execution" not in nb.cells[1].metadata
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2]
    assert nb.cells[1].outputs[0].execution_count == 1
    assert WIDGET not in nb.cells[2].outputs[0].data
    assert nb.cells[2].outputs[0].data["text/plain"] == "interactive(...)"
    nbformat.validate(nb)


def test_normalise_is_idempotent_and_leaves_its_input_alone():
    original = executed_notebook()
    once = nbtools.normalise(original)
    assert nbtools.normalise(once) == once
    assert "widgets" in original.metadata


def test_problems_reports_a_notebook_that_is_not_a_clean_run(tmp_path):
    path = tmp_path / "dirty.ipynb"
    nbformat.write(executed_notebook(), path)
    found = nbtools.problems(path)
    assert any("execution counts" in p for p in found)
    assert any("widget state" in p for p in found)
    assert any("normal form" in p for p in found)
    path.write_text(nbformat.writes(nbtools.normalise(executed_notebook())) + "\n")
    assert nbtools.problems(path) == []


def test_a_never_executed_cell_is_a_problem(tmp_path):
    nb = new_notebook()
    nb.cells = [new_code_cell("x = 1")]
    path = tmp_path / "unrun.ipynb"
    path.write_text(nbformat.writes(nbtools.normalise(nb)) + "\n")
    assert any("execution counts" in p for p in nbtools.problems(path))


def test_bad_input_is_rejected(tmp_path):
    with pytest.raises(TypeError, match="nb must be"):
        nbtools.normalise({"cells": []})
    with pytest.raises(ValueError, match="path must be"):
        nbtools.problems(tmp_path / "missing.ipynb")
    with pytest.raises(ValueError, match="path must be"):
        nbtools.execute(tmp_path / "missing.ipynb")
    shipped = Path(__file__).resolve().parents[1] / "notebooks" / "01_motivation.ipynb"
    for bad in (0, -5, 2.5, True, "600"):
        with pytest.raises(ValueError, match="timeout must be"):
            nbtools.execute(shipped, timeout=bad, output=tmp_path / "out.ipynb")


def test_normalise_joins_printed_text_that_the_kernel_split_by_timing():
    nb = new_notebook()
    nb.cells = [
        new_code_cell(
            "for i in range(3): print(i)",
            execution_count=1,
            outputs=[
                new_output("stream", name="stdout", text="0\n"),
                new_output("stream", name="stdout", text="1\n"),
                new_output("display_data", {"text/plain": "<Figure>"}),
                new_output("stream", name="stdout", text="2\n"),
                new_output("stream", name="stderr", text="warning\n"),
            ],
        )
    ]
    outputs = nbtools.normalise(nb).cells[0].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "0\n1\n"),
        ("display_data", None, None),
        ("stream", "stdout", "2\n"),
        ("stream", "stderr", "warning\n"),
    ]
