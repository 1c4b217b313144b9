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
