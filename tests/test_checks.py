"""course_utils.checks: the argument checks every module shares, and their messages."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.checks import check_int, check_lengths, check_module, check_seed, check_sequences


def test_check_int_accepts_python_and_numpy_integers_and_returns_an_int():
    assert check_int(3, "n") == 3
    value = check_int(np.int64(3), "n")
    assert value == 3 and type(value) is int
    assert check_int(0, "n", low=0) == 0
    assert check_int(8, "n", 2, 8) == 8


@pytest.mark.parametrize(
    ("value", "low", "high", "message"),
    [
        (0, 1, None, "n must be a positive integer, got 0"),
        (True, 1, None, "n must be a positive integer, got True"),
        (2.0, 1, None, "n must be a positive integer, got 2.0"),
        ("3", 1, None, "n must be a positive integer, got '3'"),
        (-1, 0, None, "n must be a non-negative integer, got -1"),
        (9, 2, 8, "n must be an integer from 2 to 8, got 9"),
        (1, 2, 8, "n must be an integer from 2 to 8, got 1"),
        (2, 3, None, "n must be an integer >= 3, got 2"),
    ],
)
def test_check_int_names_the_argument_and_the_range(value, low, high, message):
    with pytest.raises(ValueError) as error:
        check_int(value, "n", low, high)
    assert str(error.value) == message


def test_check_seed_bounds():
    assert check_seed(np.uint32(2**32 - 1)) == 2**32 - 1
    for bad, message in ((-1, r"in \[0, 2\*\*32\)"), (2**32, r"in \[0, 2\*\*32\)"), (1.0, "non-negative integer")):
        with pytest.raises(ValueError, match=message):
            check_seed(bad)


def test_check_module():
    layer = nn.Linear(2, 2)
    assert check_module(layer) is layer
    with pytest.raises(TypeError, match="net must be a torch.nn.Module, got str"):
        check_module("linear", name="net")


def test_check_sequences_and_lengths():
    x = torch.zeros(3, 5, 4)
    assert check_sequences(x, 4) is x
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(batch, seq_len, 4\), got \(3, 5\)"):
        check_sequences(x[..., 0], 4, time="seq_len")
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(batch, time, 2\), got list"):
        check_sequences([1, 2], 2)
    lengths = torch.tensor([5, 1, 3])
    assert check_lengths(lengths, x) is lengths
    for bad in (lengths.float(), lengths[:2], [5, 1, 3]):
        with pytest.raises(ValueError, match=r"lengths must be an integer tensor of shape \(3,\)"):
            check_lengths(bad, x)
    for bad in (torch.tensor([6, 1, 3]), torch.tensor([5, 0, 3])):
        with pytest.raises(ValueError, match=r"lengths must lie in \[1, seq_len=5\]"):
            check_lengths(bad, x)


def test_check_float_takes_numpy_scalars_and_refuses_bools_and_non_finite_numbers():
    from course_utils.checks import check_float

    for good in (0.5, 1, np.float32(0.5), np.float64(0.5), np.int64(1)):
        value = check_float(good, "p")
        assert type(value) is float and value == float(good)
    for bad in (True, np.bool_(True), float("nan"), float("inf"), -float("inf"), "0.5", None, 1j, [0.5]):
        with pytest.raises(ValueError, match="p must be a finite number"):
            check_float(bad, "p")
    with pytest.raises(ValueError, match=r"p must be a finite number in \[0, 1\), got 1"):
        check_float(1, "p", 0, 1, high_open=True)
    with pytest.raises(ValueError, match="p must be a positive finite number, got 0"):
        check_float(0, "p", 0, low_open=True)
    assert check_float(0.0, "p", 0) == 0.0


def test_check_bool_refuses_what_is_merely_truthy():
    from course_utils.checks import check_bool

    assert check_bool(np.bool_(True), "flag") is True and check_bool(False, "flag") is False
    for bad in ("no", 1, 0, None, 1.0):
        with pytest.raises(ValueError, match="flag must be True or False"):
            check_bool(bad, "flag")


def test_check_int_refuses_numpy_bools_and_bounds_from_above():
    with pytest.raises(ValueError, match="n must be a positive integer up to 8, got 9"):
        check_int(9, "n", 1, 8)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        check_int(np.bool_(True), "n")


def test_check_choice_and_check_str():
    from course_utils.checks import check_choice, check_str

    assert check_choice("lstm", "cell", ("rnn", "lstm")) == "lstm"
    for bad in ("gru", ["lstm"], None, 5):
        with pytest.raises(ValueError, match=r"cell must be one of \['rnn', 'lstm'\]"):
            check_choice(bad, "cell", ("rnn", "lstm"))
    assert check_str(None, "title", optional=True) is None
    with pytest.raises(TypeError, match="title must be a str"):
        check_str(5, "title")
    with pytest.raises(ValueError, match="title must be a non-empty string"):
        check_str("", "title", nonempty=True)


def test_check_tensor_dtype_rank_shape_emptiness_and_finiteness():
    from course_utils.checks import check_tensor

    x = torch.zeros(2, 3)
    assert check_tensor(x, "x", shape=(2, None), dtype="float") is x
    cases = [
        ([0.0], TypeError, "x must be a torch.Tensor"),
        (x[0], ValueError, r"x must have shape \(2, None\)"),
        (torch.zeros(3, 3), ValueError, r"x must have shape \(2, None\), got \(3, 3\)"),
        (x.long(), ValueError, "x must be a floating-point tensor"),
        (x[:, :0], ValueError, "x must not be empty"),
        (x + float("nan"), ValueError, "x must hold finite numbers only"),
    ]
    for bad, error, message in cases:
        with pytest.raises(error, match=message):
            check_tensor(bad, "x", shape=(2, None), dtype="float")
    with pytest.raises(ValueError, match="x must have dtype torch.int64"):
        check_tensor(x, "x", dtype=torch.int64)


def test_check_sequences_dtype_emptiness_and_finiteness():
    x = torch.zeros(3, 5, 4)
    for bad, message in ((x.double(), "dtype torch.float32"), (x.bool(), "dtype"), (x[:, :0], "at least one sequence"),
                         (x[:0], "at least one sequence"), (x + float("inf"), "finite")):
        with pytest.raises(ValueError, match=message):
            check_sequences(bad, 4, dtype=torch.float32)
    for bad in (torch.tensor([5, 1, 3], dtype=torch.uint8), torch.tensor([True, True, True])):
        with pytest.raises(ValueError, match="lengths must be an integer tensor"):
            check_lengths(bad, x)


def test_check_state_for_rnn_and_lstm():
    from course_utils.checks import check_state

    rnn, lstm = nn.GRU(2, 3, num_layers=2, batch_first=True), nn.LSTM(2, 3, batch_first=True)
    h = torch.zeros(2, 4, 3)
    assert check_state(None, rnn, 4) is None and check_state(h, rnn, 4) is h
    state = (h[:1], h[:1])
    assert check_state(state, lstm, 4) is state
    cases = [
        ((h, h), rnn, TypeError, "state of an GRU must be None or a tensor h"),
        (h[:, :1], rnn, ValueError, r"state must have shape \(2, 4, 3\), got \(2, 1, 3\)"),
        (h.double(), rnn, ValueError, "state must have dtype torch.float32"),
        (h + float("nan"), rnn, ValueError, "state must hold finite numbers"),
        (h[:1], lstm, TypeError, r"state of an LSTM must be None or a tuple \(h, c\)"),
        ([h[:1], h[:1]], lstm, TypeError, r"tuple \(h, c\)"),
        ((h[:1], None), lstm, TypeError, r"state\[1\] \(c\) must be a torch.Tensor"),
        ((h[:1], h[:1, :2]), lstm, ValueError, r"state\[1\] \(c\) must have shape \(1, 4, 3\)"),
    ]
    for bad, layer, error, message in cases:
        with pytest.raises(error, match=message):
            check_state(bad, layer, 4)


def test_check_targets():
    from course_utils.checks import check_binary_targets, check_class_targets

    y = torch.tensor([0, 3, 1])
    assert check_class_targets(y, 4, 3) is y
    for bad, message in ((torch.tensor([0, -100, 1]), r"class indices in \[0, 4\), got values from -100"),
                         (torch.tensor([0, 4, 1]), r"in \[0, 4\)"), (y.float(), "dtype torch.int64"),
                         (y.bool(), "dtype torch.int64"), (y[:2], r"shape \(3,\)"), (y[None], r"shape \(3,\)")):
        with pytest.raises(ValueError, match=message):
            check_class_targets(bad, 4, 3)
    t = torch.tensor([[0.0, 1.0]])
    assert check_binary_targets(t, (1, 2), torch.float32) is t
    for bad in (t * 2, t - 0.5, t.double(), t.bool(), t[0]):
        with pytest.raises(ValueError, match="y must"):
            check_binary_targets(bad, (1, 2), torch.float32)


def test_check_optimizer_axes_callable_iterable():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils.checks import check_axes, check_callable, check_iterable, check_optimizer

    model, other = nn.Linear(2, 2), nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    assert check_optimizer(optimizer, model) is optimizer
    with pytest.raises(ValueError, match="optimizer must update the parameters of model, but 2 of its 2"):
        check_optimizer(torch.optim.SGD(other.parameters(), lr=0.1), model)
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer"):
        check_optimizer("adam", model)
    fig, ax = plt.subplots()
    assert check_axes(ax) is ax and check_axes(None, optional=True) is None
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes, got Figure"):
        check_axes(fig)
    plt.close(fig)
    with pytest.raises(TypeError, match="step must be callable"):
        check_callable(3, "step")
    assert check_iterable([1], "data", reiterable=True) == [1]
    for bad in (5, "abc", None):
        with pytest.raises(TypeError, match="data must be an iterable of batches"):
            check_iterable(bad, "data")
    with pytest.raises(TypeError, match="data must be readable more than once"):
        check_iterable(iter([1]), "data", reiterable=True)
    assert check_iterable(iter([1]), "data") is not None
