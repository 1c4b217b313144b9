"""course_utils.interactive: a slider that redraws a figure into an image widget."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest

from course_utils.interactive import figure_png, interact_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_figure_is_drawn_at_once_and_redrawn_with_the_new_values():
    calls = []

    def draw(level, label):
        calls.append((level, label))
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, level])
        ax.set_title(label)
        return fig

    slider, dropdown = widgets.IntSlider(value=1, min=0, max=5), widgets.Dropdown(options=["a", "b"], value="a")
    box = interact_figure(draw, level=slider, label=dropdown)
    image = box.children[1]
    first = bytes(image.value)
    assert first.startswith(PNG_SIGNATURE) and calls == [(1, "a")]
    slider.value = 4
    dropdown.value = "b"
    assert calls == [(1, "a"), (4, "a"), (4, "b")]
    assert bytes(image.value).startswith(PNG_SIGNATURE) and bytes(image.value) != first
    assert plt.get_fignums() == []  # every drawn figure was closed


def test_bad_arguments_are_rejected():
    with pytest.raises(TypeError, match="draw must be a function"):
        interact_figure("not a function", t=widgets.IntSlider())
    with pytest.raises(ValueError, match="controls must name at least one widget"):
        interact_figure(lambda: plt.figure())
    with pytest.raises(TypeError, match="control 't' must be an ipywidgets value widget"):
        interact_figure(lambda t: plt.figure(), t=3)
    with pytest.raises(TypeError, match="draw must return a matplotlib Figure"):
        interact_figure(lambda t: None, t=widgets.IntSlider())
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        figure_png("figure")
    fig = plt.figure()
    try:
        with pytest.raises(ValueError, match="dpi"):
            figure_png(fig, dpi=0)
    finally:
        plt.close(fig)
