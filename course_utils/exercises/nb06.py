"""Exercises of notebook 06 (signal echo): one pass of stateful training with the state detached, and batches that continue."""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.batching import batchify
from course_utils.exercises.core import Incorrect, call, compare, exercise
from course_utils.language_model import detach_state
from course_utils.models import SequenceTagger


def stateful_pass(model: torch.nn.Module, chunks: list, optimizer: torch.optim.Optimizer) -> list[float]:
    """One update per chunk (x, y) in order, the state carried from chunk to chunk and detached; return each chunk's loss."""
    state, losses = None, []
    for x, y in chunks:
        logits, state = model(x, state)  # (batch, time, 1), and h or (h, c)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state = detach_state(state)
        losses.append(loss.item())
    return losses


def batchify_stream(stream: np.ndarray, batch_size: int) -> np.ndarray:
    """Cut a stream (length,) into batch_size contiguous rows (batch_size, length // batch_size), dropping the remainder."""
    return batchify(stream, batch_size)


def _variant(model, chunks, carry=True, zero_grad=True):
    state, losses = None, []
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for x, y in chunks:
        logits, state = model(x, state if carry else None)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state = detach_state(state)
        losses.append(loss.item())
    return losses, model


@exercise("06.1", "stateful training with the state detached", stateful_pass)
def check_stateful_pass(fn, rng):
    """Run the student's pass and the reference on copies of one small RNN and one LSTM; compare losses and weights."""
    for cell in ("rnn", "lstm"):
        seed = int(rng.integers(2**31))
        generator = torch.Generator().manual_seed(seed)
        bits = (torch.rand(3, 16, 1, generator=generator) > 0.5).float()
        target = torch.roll(bits, 2, dims=1)
        target[:, :2] = 0.0
        chunks = [(bits[:, i : i + 4], target[:, i : i + 4]) for i in range(0, 16, 4)]
        base = SequenceTagger(1, 5, 1, cell=cell, seed=seed % 1000)
        student = copy.deepcopy(base)
        optimizer = torch.optim.SGD(student.parameters(), lr=0.5)
        got = call(fn, student, [(x.clone(), y.clone()) for x, y in chunks], optimizer, what=f"stateful_pass ({cell})")
        expected, reference = _variant(copy.deepcopy(base), chunks)
        reset, reset_model = _variant(copy.deepcopy(base), chunks, carry=False)
        accumulated, accumulated_model = _variant(copy.deepcopy(base), chunks, zero_grad=False)
        if not isinstance(got, (list, tuple)) or len(got) != len(chunks):
            raise Incorrect(f"stateful_pass should return one loss per chunk ({len(chunks)} numbers), got "
                            + (f"{len(got)}" if isinstance(got, (list, tuple)) else type(got).__name__))
        values = [v.item() if isinstance(v, torch.Tensor) and v.numel() == 1 else v for v in got]
        if not all(isinstance(v, (float, int, np.floating)) for v in values):
            raise Incorrect("stateful_pass should return the losses as numbers (float(loss)), not tensors with a graph")
        variants = {"the state is not carried: each chunk must start from the (detached) state the previous one ended in":
                    reset,
                    "optimizer.zero_grad() is missing: the gradients of earlier chunks pile up": accumulated}
        compare(f"the losses of the {len(chunks)} chunks ({cell.upper()})", np.array(values, dtype=float),
                np.array(expected), variants=variants, rtol=1e-5, atol=1e-7)
        for (name, p), q, r, a in zip(student.named_parameters(), reference.parameters(), reset_model.parameters(),
                                      accumulated_model.parameters()):
            compare(f"{name} after the pass ({cell.upper()})", p.detach(), q.detach(), rtol=1e-5, atol=1e-7,
                    variants={"the state is not carried from chunk to chunk": r.detach(),
                              "optimizer.zero_grad() is missing": a.detach()})
    return "losses and weights after a pass, for an RNN and an LSTM (its state a pair (h, c))"


@exercise("06.2", "batches whose rows continue", batchify_stream)
def check_batchify_stream(fn, rng):
    """Compare with the reference on random streams; name the interleaving slip of section 4."""
    for _ in range(6):
        batch_size = int(rng.integers(2, 6))
        length = batch_size * int(rng.integers(2, 8)) + int(rng.integers(0, batch_size))
        stream = np.arange(length) * 10
        got = call(fn, stream.copy(), batch_size)
        steps = length // batch_size
        kept = stream[: batch_size * steps]
        variants = {
            "the rows interleave (row 0 holds items 0, B, 2B, ...): each row must be one contiguous piece, "
            "kept.reshape(batch_size, steps)": kept.reshape(steps, batch_size).T,
        }
        compare(f"batchify_stream(stream of {length}, batch_size={batch_size})", got, batchify(stream, batch_size),
                variants=variants, axes="(batch, steps)", need_float64=False)
    return "6 random streams"
