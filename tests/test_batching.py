"""course_utils.batching: one long sequence into (batch, time) blocks and BPTT chunks."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.batching import batchify, bptt_chunks

LETTERS = np.array(list("abcdefghijklmnopqrstuvwx"))


def test_the_lab_notes_example_a_to_x():
    batched = batchify(LETTERS, 4)
    assert ["".join(row) for row in batched] == ["abcdef", "ghijkl", "mnopqr", "stuvwx"]
    chunks = list(bptt_chunks(batched, 3))
    x, y = chunks[0]
    # The lab notes write x[1:T] and y[1:T] with time running down: the transpose of ours.
    assert ["".join(step) for step in x.T] == ["agms", "bhnt", "ciou"]
    assert ["".join(step) for step in y.T] == ["bhnt", "ciou", "djpv"]
    assert [(x.shape, y.shape) for x, y in chunks] == [((4, 3), (4, 3)), ((4, 2), (4, 2))]


@settings(max_examples=50, deadline=None, database=None)
@given(st.integers(2, 200), st.integers(1, 12), st.integers(1, 20), st.booleans())
def test_chunks_cover_every_row_once_with_targets_one_step_ahead(length, batch_size, bptt, as_torch):
    if length < 2 * batch_size:
        return
    data = torch.arange(length) if as_torch else np.arange(length)
    batched = batchify(data, batch_size)
    steps = length // batch_size
    assert tuple(batched.shape) == (batch_size, steps) and type(batched) is type(data)
    assert batched[-1, -1] == batch_size * steps - 1  # only the tail is dropped
    chunks = list(bptt_chunks(batched, bptt))
    xs = np.concatenate([np.asarray(x) for x, _ in chunks], axis=1)
    ys = np.concatenate([np.asarray(y) for _, y in chunks], axis=1)
    np.testing.assert_array_equal(xs, np.asarray(batched)[:, :-1])
    np.testing.assert_array_equal(ys, np.asarray(batched)[:, 1:])
    assert all(x.shape[1] == bptt for x, _ in chunks[:-1]) and 1 <= chunks[-1][0].shape[1] <= bptt
    assert all(type(x) is type(data) and type(y) is type(data) for x, y in chunks)


def test_batchify_returns_a_view():
    data = np.arange(12)
    batchify(data, 3)[0, 0] = 99
    assert data[0] == 99


@pytest.mark.parametrize(
    "data, batch_size, error, match",
    [
        ([1, 2, 3, 4], 2, TypeError, "data must be a numpy array or a torch tensor"),
        ("abcd", 2, TypeError, "data must be"),
        (np.zeros((4, 2)), 2, ValueError, r"data must be one-dimensional, shape \(length,\)"),
        (np.arange(10), 0, ValueError, "batch_size must be a positive integer"),
        (np.arange(10), 2.0, ValueError, "batch_size"),
        (np.arange(10), True, ValueError, "batch_size"),
        (np.arange(7), 4, ValueError, r"at least 2 \* batch_size = 8"),
        (torch.arange(3), 2, ValueError, "at least"),
    ],
)
def test_batchify_rejects_bad_input(data, batch_size, error, match):
    with pytest.raises(error, match=match):
        batchify(data, batch_size)


@pytest.mark.parametrize(
    "batched, bptt, error, match",
    [
        (np.arange(10), 3, ValueError, r"batched must be two-dimensional, shape \(batch, steps\)"),
        ([[1, 2], [3, 4]], 3, TypeError, "batched must be a numpy array or a torch tensor"),
        (np.zeros((3, 4)), 0, ValueError, "bptt must be a positive integer"),
        (np.zeros((3, 4)), None, ValueError, "bptt"),
        (np.zeros((3, 1)), 2, ValueError, "at least 2 steps"),
    ],
)
def test_bptt_chunks_rejects_bad_input_at_the_call(batched, bptt, error, match):
    with pytest.raises(error, match=match):
        bptt_chunks(batched, bptt)  # no next(): the check happens when the chunks are asked for
