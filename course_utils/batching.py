"""Cutting one long sequence into batches for truncated backpropagation through time.

A language model is trained on one long stream of tokens (a book, as character
ids). Following the lab notes on batchified language modelling (NYU Deep
Learning, lab on RNNs: the stream a, b, ..., x cut into 4 columns, BPTT period
T = 3), :func:`batchify` cuts the stream into ``batch_size`` equal pieces laid
side by side, and :func:`bptt_chunks` walks along them ``bptt`` steps at a time,
the target being the input shifted by one step::

    batchify(a..x, 4)          bptt_chunks(..., bptt=3), first chunk
    [[a b c d e f]             x = [[a b c]    y = [[b c d]
     [g h i j k l]                  [g h i]         [h i j]
     [m n o p q r]                  [m n o]         [n o p]
     [s t u v w x]]                 [s t u]]        [t u v]]

Shapes follow the course's ``batch_first`` convention, ``(batch, time)``; the
lab notes draw the same blocks transposed, time running down. Row ``r`` of
chunk ``i + 1`` continues row ``r`` of chunk ``i``, so the hidden state a model
ends chunk ``i`` with is the right initial state for chunk ``i + 1``; detach it
(``h = h.detach()``) so that gradients stop at the chunk boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import numpy as np
import torch

from course_utils.checks import check_int

__all__ = ["batchify", "bptt_chunks"]

Sequence = TypeVar("Sequence", np.ndarray, torch.Tensor)


def _check_array(name: str, value: object, ndim: int, what: str) -> None:
    if not isinstance(value, (np.ndarray, torch.Tensor)):
        raise TypeError(f"{name} must be a numpy array or a torch tensor, got {type(value).__name__}")
    if value.ndim != ndim:
        raise ValueError(f"{name} must be {what}, got shape {tuple(value.shape)}")


def batchify(data: Sequence, batch_size: int) -> Sequence:
    """Cut a 1-D sequence (length,) into batch_size contiguous rows: (batch_size, length // batch_size).

    The last ``length % batch_size`` items are dropped so that the rows have
    equal length. Returns a view of the same type as `data` (numpy array or
    torch tensor), typically token ids.
    """
    _check_array("data", data, 1, "one-dimensional, shape (length,)")
    batch_size = check_int(batch_size, "batch_size")
    steps = data.shape[0] // batch_size
    if steps < 2:
        raise ValueError(f"data must hold at least 2 * batch_size = {2 * batch_size} items (an input and its next "
                         f"item per row), got {data.shape[0]}")
    return data[: batch_size * steps].reshape(batch_size, steps)


def bptt_chunks(batched: Sequence, bptt: int) -> Iterator[tuple[Sequence, Sequence]]:
    """Yield (x, y) chunks of batched (batch, steps) in order: x (batch, bptt), y = the next item of each x.

    Chunk ``i`` covers steps ``i * bptt`` to ``(i + 1) * bptt - 1`` of every
    row, and ``y`` is ``x`` shifted one step ahead. The last chunk is shorter
    when ``steps - 1`` is not a multiple of `bptt`. The chunks are views.
    """
    _check_array("batched", batched, 2, "two-dimensional, shape (batch, steps), as batchify returns")
    bptt = check_int(bptt, "bptt")
    if batched.shape[0] < 1:
        raise ValueError(f"batched must have at least one row, got shape {tuple(batched.shape)}")
    steps = batched.shape[1]
    if steps < 2:
        raise ValueError(f"batched must have at least 2 steps per row, got shape {tuple(batched.shape)}")
    return _chunks(batched, bptt)  # checked now, not at the first next()


def _chunks(batched: Sequence, bptt: int) -> Iterator[tuple[Sequence, Sequence]]:
    steps = batched.shape[1]
    for start in range(0, steps - 1, bptt):
        length = min(bptt, steps - 1 - start)
        yield batched[:, start : start + length], batched[:, start + 1 : start + 1 + length]
