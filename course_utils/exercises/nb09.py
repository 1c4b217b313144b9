"""Exercises of notebook 09 (encoder-decoder models and attention): the masked loss by hand, the weight on the written digit."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.exercises.core import Incorrect, call, compare, exercise


def masked_cross_entropy(scores: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The mean cross-entropy over the real positions t < lengths[b]: scores (batch, T, n_symbols), target (batch, T) -> a 0-d tensor."""
    log_p = scores.log_softmax(dim=-1).gather(2, target[:, :, None])[:, :, 0]  # (batch, T): log p of each target
    real = (torch.arange(target.shape[1]) < lengths[:, None]).to(scores.dtype)  # (batch, T): 1 at the real positions
    return -(log_p * real).sum() / real.sum()


def weight_on_digit(alpha: torch.Tensor, source: torch.Tensor, written: list[int]) -> list[float]:
    """For the digit d written at step t, the sum of alpha[t, i] over the input positions i with source[i] == d: one float per written digit."""
    return [float(alpha[t, : len(source)][source == d].sum()) for t, d in enumerate(written)]


def _padded_targets(rng: np.random.Generator):
    """Random scores (batch, T, n_symbols) float32, targets (batch, T) with the pad index after each row's length, lengths."""
    batch, steps = int(rng.integers(2, 6)), int(rng.integers(3, 9))
    n_symbols = int(rng.integers(5, 14))
    pad = n_symbols - 3  # as in course_utils.seq2seq.Symbols: the task's symbols, then <pad>, <s>, </s>
    lengths = torch.as_tensor(rng.integers(1, steps + 1, batch))
    lengths[0] = steps
    lengths[1] = int(rng.integers(1, steps))  # at least one row is padded
    target = torch.as_tensor(rng.choice([i for i in range(n_symbols) if i != pad], size=(batch, steps)))
    target[torch.arange(steps)[None, :] >= lengths[:, None]] = pad
    scores = torch.as_tensor(rng.normal(scale=2.0, size=(batch, steps, n_symbols)), dtype=torch.float32)
    return scores, target, lengths


@exercise("09.1", "the masked loss by hand", masked_cross_entropy)
def check_masked_cross_entropy(fn, rng):
    """Compare with the reference (and with F.cross_entropy's ignore_index) on random padded batches."""
    for _ in range(6):
        scores, target, lengths = _padded_targets(rng)
        got = call(fn, scores.clone(), target.clone(), lengths.clone())
        expected = masked_cross_entropy(scores, target, lengths)
        library = F.cross_entropy(scores.flatten(0, 1), target.flatten(), ignore_index=scores.shape[-1] - 3)  # the pad
        if not torch.allclose(expected, library, rtol=1e-5, atol=1e-6):
            raise AssertionError(f"the reference {float(expected)} differs from F.cross_entropy's {float(library)}")
        log_p = scores.log_softmax(dim=-1).gather(2, target[:, :, None])[:, :, 0]
        real = (torch.arange(target.shape[1]) < lengths[:, None]).float()
        variants = {
            "the padding is counted: only the positions t < lengths[b] of row b may enter the sum and the count":
                -log_p.mean(),
            "the sum covers the real positions only, but it is divided by every position, padding included":
                -(log_p * real).sum() / real.numel(),
            "each sequence's mean, then the mean over the batch, gives short sequences more weight: "
            "divide the sum over all real positions by their number": (-(log_p * real).sum(1) / real.sum(1)).mean(),
            "a sum, not a mean: divide by the number of real positions": -(log_p * real).sum(),
            "log_softmax over the wrong axis: the probabilities are over the symbols, the last axis (dim=-1)":
                -(scores.log_softmax(dim=1).gather(2, target[:, :, None])[:, :, 0] * real).sum() / real.sum(),
            "the cross-entropy takes the log of the softmax (log_softmax), not the softmax itself":
                -(scores.softmax(dim=-1).gather(2, target[:, :, None])[:, :, 0] * real).sum() / real.sum(),
            "the cross-entropy is minus the mean log-probability: the sign is flipped": (log_p * real).sum() / real.sum(),
        }
        compare("the loss", got, expected, rtol=1e-5, atol=1e-6, variants=variants, need_float64=False)
    return "6 random padded batches, the same as F.cross_entropy(..., ignore_index=pad)"


@exercise("09.2", "the weight on the written digit", weight_on_digit)
def check_weight_on_digit(fn, rng):
    """Compare with the reference on random attention weights of sequences with repeated digits."""
    for _ in range(6):
        length, steps = int(rng.integers(3, 10)), 0
        source = torch.as_tensor(rng.integers(0, 4, length))  # few digits, so most occur more than once
        written = sorted(rng.choice(source.numpy(), size=int(rng.integers(2, length + 1))).tolist())
        steps = len(written) + 1  # the last step writes </s>
        alpha = torch.as_tensor(rng.dirichlet(np.ones(length) * 0.5, size=steps), dtype=torch.float32)  # (steps, S)
        got = call(fn, alpha.clone(), source.clone(), list(written))
        if isinstance(got, torch.Tensor):
            got = got.detach().double().reshape(-1).tolist() if got.ndim <= 1 else got
        if not isinstance(got, (list, tuple)) or not all(isinstance(w, (int, float, np.number)) for w in got):
            raise Incorrect(f"weight_on_digit should return a list of numbers, one per written digit, got "
                            f"{type(got).__name__} {got!r:.60}")
        expected = np.asarray(weight_on_digit(alpha, source, written))
        on = [(source == d).float() for d in written]
        variants = {
            "the digit written at step t comes with the weights of that step, alpha[t], not alpha[t + 1]":
                [float(alpha[t + 1] @ m) for t, m in enumerate(on)],
            "the digit written at step t comes with the weights of that step, alpha[t], not alpha[t - 1]":
                [float(alpha[t - 1] @ m) if t else float(alpha[0] @ m) for t, m in enumerate(on)],
            "a sum over the positions holding the digit, not the largest weight there":
                [float((alpha[t] * m).max()) for t, m in enumerate(on)],
            "only row t of alpha counts: the sum is over input positions, not over every step too":
                [float((alpha[: len(written)] @ m).sum()) for m in on],
            "the weights of the positions that hold the written digit, not of the position t":
                [float(alpha[t, t]) for t in range(len(written))],
        }
        compare("the weights on the written digits", np.asarray(got, dtype=np.float64), expected, rtol=1e-5, atol=1e-6,
                variants={hint: np.asarray(value) for hint, value in variants.items()}, axes="(written digits,)")
    return "6 random alignments with repeated digits"
