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
