"""course_utils.plots: the heatmap of a per-step quantity, its layout and its checks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils.plots import HEATMAP_CMAP, plot_heatmap


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def values(steps=9, units=4, scale=1.0):
    return scale * torch.linspace(-1, 1, steps * units).reshape(steps, units)  # (time, units)


def test_rows_are_units_columns_are_steps_and_ticks_are_the_symbols():
    ax = plot_heatmap(values(), "BaXbcYdaE", title="h")
    image = ax.images[0]
    assert image.get_array().shape == (4, 9)  # (units, time)
    np.testing.assert_allclose(image.get_array(), values().numpy().T)
    assert [t.get_text() for t in ax.get_xticklabels()] == list("BaXbcYdaE")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2", "3"]
    assert ax.get_title() == "h"


def test_colours_are_diverging_centred_at_zero_on_a_fixed_range_with_a_colour_bar():
    ax = plot_heatmap(values(scale=0.1), list("BaXbcYdaE"), limit=2.5, label="cell")
    image = ax.images[0]
    assert image.get_clim() == (-2.5, 2.5)  # fixed, not fitted to the data
    assert image.get_cmap().name == HEATMAP_CMAP
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_ylabel() == "cell"
    assert plot_heatmap(values(), "BaXbcYdaE", colorbar=False).figure.axes[-1].get_ylabel() != "cell"


def test_vmin_and_cmap_give_a_sequential_range_for_gates():
    ax = plot_heatmap(values(scale=0.1).abs(), "BaXbcYdaE", vmin=0.0, cmap="viridis")
    image = ax.images[0]
    assert image.get_clim() == (0.0, 1.0)
    assert image.get_cmap().name == "viridis"
    with pytest.raises(ValueError, match="vmin must be a finite number below limit"):
        plot_heatmap(values(), "BaXbcYdaE", vmin=1.0)


def test_marks_are_dashed_lines_at_their_steps_with_bold_labels():
    ax = plot_heatmap(values(), "BaXbcYdaE")
    assert sorted(line.get_xdata()[0] for line in ax.lines) == [2, 5]
    bold = [t.get_text() for t in ax.get_xticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["X", "Y"]
    assert not plot_heatmap(values(), "BaXbcYdaE", marks="").lines


def test_units_pick_and_order_the_rows():
    ax = plot_heatmap(values().numpy(), "BaXbcYdaE", units=[3, 0])
    np.testing.assert_allclose(ax.images[0].get_array(), values().numpy()[:, [3, 0]].T)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "0"]
    ax = plot_heatmap(values(), "BaXbcYdaE", units=torch.tensor([1]))
    assert ax.images[0].get_array().shape == (1, 9)


def test_values_beyond_the_range_put_arrows_on_the_colour_bar():
    fig, axes = plt.subplots(1, 2)
    plot_heatmap(values(scale=3.0), "BaXbcYdaE", axes[0], limit=1.0)
    plot_heatmap(values(scale=0.5), "BaXbcYdaE", axes[1], limit=1.0)
    assert [colorbar_ax._colorbar.extend for colorbar_ax in fig.axes[2:]] == ["both", "neither"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"symbols": "BaXbE"}, ValueError, "values has 9 steps, symbols has 5"),
        ({"symbols": list("BaXbcYdaEE")}, ValueError, "one label per time step"),
        ({"symbols": 42}, TypeError, "symbols must be a string"),
        ({"values": torch.zeros(9)}, ValueError, r"shape \(time, units\)"),
        ({"values": torch.zeros(2, 9, 4)}, ValueError, r"shape \(time, units\)"),
        ({"values": torch.zeros(9, 0)}, ValueError, r"shape \(time, units\)"),
        ({"values": [[0.0] * 4] * 9}, TypeError, "values must be a torch.Tensor or a numpy array"),
        ({"values": torch.full((9, 4), float("nan"))}, ValueError, "finite"),
        ({"values": np.zeros((9, 4), dtype=complex)}, TypeError, "real numbers"),
        ({"limit": 0}, ValueError, "limit must be a positive"),
        ({"limit": float("inf")}, ValueError, "limit must be a positive"),
        ({"marks": None}, TypeError, "marks must be a string"),
        ({"units": []}, ValueError, "units must be a non-empty"),
        ({"units": [4]}, ValueError, r"units must be integers in \[0, 4\)"),
        ({"units": [0.5]}, ValueError, "units must be integers"),
    ],
)
def test_bad_input_is_rejected(kwargs, error, message):
    arguments = {"values": values(), "symbols": "BaXbcYdaE"} | kwargs
    with pytest.raises(error, match=message):
        plot_heatmap(**arguments)


# ---------------------------------------------------------------- readable, described figures (issue 16)

from course_utils import plots  # noqa: E402


def test_heatmap_labels_are_at_least_12_px_at_deck_size_even_for_long_sequences():
    for steps in (9, 60, 150):
        ax = plot_heatmap(values(steps=steps, units=16), "BX" + "a" * (steps - 4) + "YE")
        ax.figure.canvas.draw()
        assert plots.smallest_text_px(ax.figure) >= plots.MIN_TEXT_PX - 1e-6, steps
        shown = [t for t in ax.get_xticklabels() if t.get_visible()]
        assert {"X", "Y"} <= {t.get_text() for t in shown}, "the marks must stay labelled"


def test_make_readable_enlarges_small_text_only():
    fig, ax = plt.subplots(figsize=(13, 3), dpi=100)
    ax.plot([0, 1], label="loss")
    ax.set_title("big", fontsize=30)
    ax.legend(fontsize=6)
    assert plots.smallest_text_px(fig) < plots.MIN_TEXT_PX
    assert plots.make_readable(fig) > 0
    assert plots.smallest_text_px(fig) >= plots.MIN_TEXT_PX - 1e-6
    assert ax.title.get_fontsize() == 30
    with pytest.raises(TypeError, match="fig"):
        plots.make_readable(ax)
    with pytest.raises(ValueError, match="min_px"):
        plots.make_readable(fig, 0)
    with pytest.raises(ValueError, match="min_px"):
        plots.make_readable(fig, float("inf"))
    for measure in (plots.display_scale, plots.smallest_text_px):
        with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
            measure(None)
        with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
            measure(ax)


def test_describe_figure_reads_titles_axes_legends_and_colour_bars():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1], label="RNN")
    left.plot([1, 0], label="LSTM")
    left.set(title="$h_t$ over time", xlabel="step", ylabel="accuracy")
    left.legend()
    image = right.imshow(np.zeros((2, 2)), vmin=-1, vmax=1)
    fig.colorbar(image, ax=right, label="unit value")
    fig.suptitle("Two panels")
    text = plots.describe_figure(fig)
    assert text.startswith("Two panels. Figure of 2 panels.")
    for part in ["line plot 'h_t over time'", "accuracy against step", "legend: RNN, LSTM", "heatmap",
                 "colour unit value from -1 to 1"]:
        assert part in text, (part, text)


def test_an_explicit_caption_wins():
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    assert plots.caption(ax, "  A rising   line. ") is fig
    assert plots.describe_figure(fig) == "A rising line."
    with pytest.raises(ValueError, match="text"):
        plots.caption(fig, " ")
    with pytest.raises(TypeError, match="fig"):
        plots.caption("fig", "x")


def test_the_formatter_adds_alt_text_and_keeps_the_png():
    from matplotlib.figure import Figure

    class Formatter:
        def __init__(self):
            self.printers = {Figure: lambda fig: b"PNG"}

        def lookup_by_type(self, kind):
            return self.printers[kind]

        def for_type(self, kind, function):
            self.printers[kind] = function

    class Shell:
        display_formatter = type("D", (), {"formatters": {"image/png": Formatter()}})()

    shell = Shell()
    assert plots.install_figure_formatter(shell) and plots.install_figure_formatter(shell)  # twice: wrapped once
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    plots.caption(fig, "A line.")
    data, metadata = shell.display_formatter.formatters["image/png"].printers[Figure](fig)
    assert data == b"PNG" and metadata == {"alt": "A line."}
    assert plots.install_figure_formatter(object()) is False
