"""The figures in img/ are drawn by course_utils.diagrams, and redrawing them gives the same files."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
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


def test_a_style_set_before_does_not_change_the_drawings(tmp_path):
    """A notebook's (or an earlier test's) course_utils.setup() style must not leak into the figures."""
    import matplotlib

    import course_utils

    with matplotlib.rc_context():
        course_utils.setup(seed=0)
        for path in diagrams.write_figures(tmp_path, ["bptt_unrolled.png", "gate_product.png"]):
            assert path.read_bytes() == (IMG / path.name).read_bytes(), path.name


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
        with pytest.raises(ValueError, match=r"hidden_values must have shape \(3,\) or \(3, units\)"):
            diagrams.draw_unrolled(ax, 3, hidden_values=np.zeros((2, 4)))
        with pytest.raises(ValueError, match="hidden_values"):
            diagrams.draw_unrolled(ax, 3, hidden_values=np.zeros((3, 0)))
        for current in (3, -1, 1.0, True):
            with pytest.raises(ValueError, match="current"):
                diagrams.draw_unrolled(ax, 3, current=current)
    finally:
        plt.close(fig)


def test_unknown_names_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        diagrams.figure_architecture("one_to_one")
    with pytest.raises(ValueError, match="unknown"):
        diagrams.write_figures(tmp_path, ["nope.png"])
    with pytest.raises(ValueError, match="directory"):
        diagrams.write_figures(tmp_path / "missing")


def test_draw_unrolled_draws_vector_states_as_strips_and_greys_out_the_future():
    fig, ax = plt.subplots()
    try:
        values = np.array([[0.5, -0.5, 1.0], [0.1, 0.2, 0.3], [np.nan] * 3])
        diagrams.draw_unrolled(ax, 3, hidden_values=values, current=1)
        strips = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
        assert len(strips) == 6  # three cells for each of the two computed steps
        thick = [p for p in ax.patches if type(p).__name__ == "FancyBboxPatch" and p.get_linewidth() == 3.0]
        assert len(thick) == 1
    finally:
        plt.close(fig)


@pytest.mark.parametrize("n_steps", [1, 9, 2.0])
def test_figure_bptt_rejects_bad_lengths(n_steps):
    with pytest.raises(ValueError, match="n_steps"):
        diagrams.figure_bptt(n_steps)


@pytest.mark.parametrize(
    "draw, kwargs, match",
    [
        (diagrams.figure_stacked, {"num_layers": 0}, "num_layers"),
        (diagrams.figure_stacked, {"n_steps": 7}, "n_steps"),
        (diagrams.figure_bidirectional, {"n_steps": 1}, "n_steps"),
        (diagrams.figure_embedding_lookup, {"index": 6}, "index"),
        (diagrams.figure_embedding_lookup, {"vocab_size": True}, "vocab_size"),
        (diagrams.figure_encoder_decoder, {"source": "3a1"}, "source"),
        (diagrams.figure_encoder_decoder, {"source": "1"}, "source"),
    ],
)
def test_architecture_figures_reject_bad_sizes(draw, kwargs, match):
    with pytest.raises(ValueError, match=match):
        draw(**kwargs)


def test_encoder_decoder_figure_writes_the_sorted_digits():
    fig = diagrams.figure_encoder_decoder("312")
    try:
        texts = [t.get_text() for t in fig.axes[0].texts]
        # each digit once as encoder input and once as output; all but the largest once more as decoder input
        assert [texts.count(d) for d in "123"] == [3, 3, 2] and "<s>" in texts
    finally:
        plt.close(fig)


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("lstm_cell.png", ["$f_t$", "$i_t$", "$g_t$", "$o_t$", "$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$"]),
        ("gru_cell.png", ["$z_t$", "$r_t$", "$n_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "1−"]),
        ("gate_product.png", ["$v$", r"$\sigma(z)$", r"$\sigma(z) \odot v$"]),
    ],
)
def test_gated_cell_diagrams_name_their_parts(name, expected):
    fig = diagrams.FIGURES[name]()
    try:
        texts = _texts(fig)
        missing = [label for label in expected if label not in texts]
        assert not missing, f"{name} lacks {missing}"
    finally:
        plt.close(fig)


def test_the_gate_product_figure_shows_gates_in_0_1_and_their_products():
    fig = diagrams.figure_gate_product()
    try:
        v, z = diagrams._GATE_EXAMPLE
        gate = 1 / (1 + np.exp(-z))
        texts = _texts(fig)
        assert all(0 <= g <= 1 for g in gate)
        for value in gate * v:
            assert f"{value:+.2f}" in texts, f"the product {value:+.2f} is not written in its cell"
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", sorted(diagrams.FIGURES))
def test_every_diagram_text_is_at_least_12_px_as_saved(name):
    """img/ is saved at 110 dpi: a text of s points is s * 110 / 72 px high where the image is shown at its size."""
    fig = diagrams.FIGURES[name]()
    try:
        sizes = [t.get_fontsize() * 110 / 72 for ax in fig.axes for t in ax.texts if t.get_text().strip()]
        assert min(sizes) >= 12 - 1e-6, f"{name}: a text is {min(sizes):.1f} px high"
    finally:
        plt.close(fig)
