"""course_utils.progress: a live bar in a notebook kernel, nothing elsewhere, and a stored output that never changes."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_utils import nbtools
from course_utils.progress import MARKER, Progress, progress


def test_outside_a_kernel_it_only_iterates(capsys):
    assert list(progress(range(5), "epochs")) == [0, 1, 2, 3, 4]
    bar = Progress(3)
    bar.update(2)
    bar.update(5)
    assert bar.done == 3
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("bad, error, name", [
    (dict(iterable=3), TypeError, "iterable"),
    (dict(iterable=iter([1, 2])), ValueError, "total"),
    (dict(iterable=[1], unit=""), TypeError, "unit"),
    (dict(iterable=[1], total=-1), ValueError, "total"),
    (dict(iterable=[1], total=True), ValueError, "total"),
])
def test_bad_arguments_are_named(bad, error, name):
    with pytest.raises(error, match=name):
        list(progress(**bad))


def test_a_bar_can_be_left_out_and_the_switch_must_be_a_bool():
    with pytest.raises(TypeError, match="shown"):
        Progress(3, shown=1)
    for bad in (float("nan"), -1.0, "x", True):
        with pytest.raises(ValueError, match="min_interval"):
            Progress(3, min_interval=bad)
    import torch

    from course_utils.training import fit

    model = torch.nn.Linear(2, 2)
    with pytest.raises(TypeError, match="progress"):
        fit(model, [(torch.zeros(1, 2), torch.zeros(1))], torch.optim.SGD(model.parameters(), 0.1), progress="no")


def test_in_a_kernel_the_stored_output_is_one_fixed_line(tmp_path):
    nb = new_notebook()
    nb.cells = [new_code_cell(
        "import torch\n"
        "from course_utils.training import fit\n"
        "model = torch.nn.Linear(2, 2)\n"
        "x, y = torch.zeros(4, 2), torch.zeros(4, dtype=torch.long)\n"
        "def step(model, batch, state):\n"
        "    from course_utils.training import StepResult\n"
        "    loss = torch.nn.functional.cross_entropy(model(batch[0]), batch[1])\n"
        "    return StepResult(loss, 0, len(batch[1]))\n"
        "history = fit(model, [(x, y)] * 3, torch.optim.SGD(model.parameters(), 0.1), epochs=2, step=step, print_every=0)\n"
        "quiet = fit(model, [(x, y)] * 3, torch.optim.SGD(model.parameters(), 0.1), step=step, print_every=0, progress=False)\n"
        "from course_utils.progress import progress\n"
        "total = sum(progress(range(4), 'epochs', 'warm-up'))"
    )]
    path = tmp_path / "bar.ipynb"
    nbformat.write(nb, path)
    stored = []
    for _ in range(2):
        nbtools.execute(path)
        stored.append(path.read_text())
    assert stored[0] == stored[1]
    outputs = nbformat.reads(stored[0], as_version=4).cells[0].outputs
    assert [o.data["text/plain"] for o in outputs] == ["training: 6 batches", "warm-up: 4 epochs"]
    assert all(o.metadata[MARKER] for o in outputs)
    assert all(list(o.data) == ["text/plain"] for o in outputs)  # the widget view is stripped
