"""The figures in img/ are drawn by course_utils.diagrams, and redrawing them gives the same files."""

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from course_utils import diagrams

IMG = Path(__file__).resolve().parents[1] / "img"


def test_every_figure_in_img_is_drawn_by_code_and_redraws_identically(tmp_path):
    written = diagrams.write_figures(tmp_path)
    for path in written:
        committed = IMG / path.name
        assert committed.is_file(), f"{committed} is missing: run make figures"
        assert path.read_bytes() == committed.read_bytes(), f"{path.name} differs from a fresh drawing: run make figures"
    drawn = {p.name for p in written}
    stray = sorted(p.name for p in IMG.iterdir() if p.suffix in {".png", ".svg"} and p.name not in drawn)
    assert not stray, f"img/ holds figures no code draws: {stray}"


def test_draw_unrolled_rejects_bad_input():
    fig, ax = plt.subplots()
    try:
        with pytest.raises(ValueError, match="n_steps"):
            diagrams.draw_unrolled(ax, 0)
        with pytest.raises(ValueError, match="inputs"):
            diagrams.draw_unrolled(ax, 3, inputs=[3])
        with pytest.raises(ValueError, match="hidden_values"):
            diagrams.draw_unrolled(ax, 3, hidden_values=[0.1, 0.2])
        with pytest.raises(ValueError, match="step_labels"):
            diagrams.draw_unrolled(ax, 3, step_labels=["a"])
    finally:
        plt.close(fig)


def test_unknown_names_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        diagrams.figure_architecture("one_to_one")
    with pytest.raises(ValueError, match="unknown"):
        diagrams.write_figures(tmp_path, ["nope.png"])
    with pytest.raises(ValueError, match="directory"):
        diagrams.write_figures(tmp_path / "missing")
