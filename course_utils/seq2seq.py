"""Sequence-to-sequence data: symbols with start, end and padding; the sorting task; padded batches; the masked loss.

An encoder-decoder reads a source sequence and writes a target sequence of
another length (I. Sutskever, O. Vinyals and Q. V. Le, "Sequence to sequence
learning with neural networks", NeurIPS 2014; K. Cho et al., "Learning phrase
representations using RNN encoder-decoder for statistical machine translation",
EMNLP 2014). To do that with variable lengths, three symbols are added to the
task's own: the decoder's first input ``<s>`` (start), the symbol it writes when
it is done ``</s>`` (end), and ``<pad>``, which fills a batch's shorter sequences
up to the longest one. The loss averages over the real target positions only
(``F.cross_entropy(..., ignore_index=pad)``), so the padding never teaches the
model anything.

The task is generated from its own ``numpy.random.Generator``:
:func:`sorting_pairs` is the number sorter of the reference slides (digits in,
the same digits sorted out), :func:`reversing_pairs` a task of the same shape whose
output needs every input digit in its place (digits in, the same digits reversed out). :func:`make_batch` pads a list
of pairs into a :class:`Seq2SeqBatch`; :func:`teacher_forcing_step` is the step
function for :func:`course_utils.training.fit`. The models themselves (an
encoder-decoder with and without attention, greedy and beam-search decoding) are
what notebook 09 teaches, so they are written there.

Shapes are batch first: ``(batch, time)`` for symbol indices,
``(batch, time, n_symbols)`` for scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from course_utils.checks import check_int, check_module, check_seed, check_tensor
from course_utils.training import StepResult

__all__ = [
    "PAD",
    "START",
    "END",
    "Symbols",
    "DIGITS",
    "sorting_pairs",
    "reversing_pairs",
    "Seq2SeqBatch",
    "make_batch",
    "make_batches",
    "padding_mask",
    "sequence_loss",
    "teacher_forcing_step",
    "strip_end",
    "exact_match",
]

PAD, START, END = "<pad>", "<s>", "</s>"


class Symbols:
    """A task's symbols plus ``<pad>``, ``<s>`` and ``</s>``, with their indices (``pad``, ``start``, ``end``)."""

    def __init__(self, symbols: str | Sequence[str]):
        symbols = list(symbols)
        if not symbols or not all(isinstance(s, str) and s for s in symbols):
            raise ValueError(f"symbols must be a non-empty sequence of non-empty strings, got {symbols!r}")
        if len(set(symbols)) != len(symbols) or {PAD, START, END} & set(symbols):
            raise ValueError(f"symbols must be distinct and must not contain {PAD}, {START} or {END}, got {symbols!r}")
        self.tokens = symbols + [PAD, START, END]
        self.index = {token: i for i, token in enumerate(self.tokens)}
        self.pad, self.start, self.end = self.index[PAD], self.index[START], self.index[END]

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"Symbols({''.join(self.tokens[:-3])!r} + {PAD}, {START}, {END})"

    def encode(self, text: str | Sequence[str]) -> list[int]:
        """The indices of the symbols of ``text`` (a string of one-character symbols, or a list of symbols)."""
        if not isinstance(text, (str, Sequence)):
            raise TypeError(f"text must be a string or a sequence of symbols, got {type(text).__name__}")
        unknown = [s for s in text if s not in self.index]
        if unknown:
            raise ValueError(f"text holds symbols that are not in {self!r}: {sorted(set(unknown))}")
        return [self.index[s] for s in text]

    def decode(self, indices: Sequence[int] | torch.Tensor) -> str:
        """The symbols of ``indices`` joined into a string, stopping at the first ``</s>`` and skipping ``<pad>``."""
        if not isinstance(indices, (torch.Tensor, Sequence)) or isinstance(indices, str):
            raise TypeError(f"indices must be a sequence or a tensor of integers, got {type(indices).__name__}")
        indices = indices.tolist() if isinstance(indices, torch.Tensor) else list(indices)
        out = []
        for i in strip_end(indices, self.end):
            if not _is_index(i) or not 0 <= i < len(self.tokens):
                raise ValueError(f"indices must be integers in [0, {len(self.tokens)}), got {i!r}")
            if i != self.pad:
                out.append(self.tokens[i])
        return "".join(out)


#: The sorter's symbols: the digits 0-9 (index = digit), then <pad> = 10, <s> = 11, </s> = 12.
DIGITS = Symbols("0123456789")


def _is_index(i: object) -> bool:
    """True for a Python int that is not a bool (a bool is an int in Python, but never a symbol's index)."""
    return isinstance(i, int) and not isinstance(i, bool)


def _generator(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed))


def _digit_pairs(n, min_length, max_length, seed, transform) -> list[tuple[list[int], list[int]]]:
    n = check_int(n, "n")
    min_length = check_int(min_length, "min_length")
    max_length = check_int(max_length, "max_length", low=min_length)
    rng = _generator(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n)
    pairs = []
    for length in lengths:
        digits = rng.integers(0, 10, size=int(length))
        pairs.append((digits.tolist(), transform(digits).tolist()))
    return pairs


def sorting_pairs(n: int, min_length: int, max_length: int, seed: int | np.random.Generator) -> list[tuple[list[int], list[int]]]:
    """``n`` pairs (digits, the same digits sorted), each of a length drawn uniformly from [min_length, max_length]."""
    return _digit_pairs(n, min_length, max_length, seed, np.sort)


def reversing_pairs(n: int, min_length: int, max_length: int, seed: int | np.random.Generator) -> list[tuple[list[int], list[int]]]:
    """``n`` pairs (digits, the same digits in reverse order), each of a length drawn uniformly from [min_length, max_length].

    The digits are drawn exactly as :func:`sorting_pairs` draws them (the same
    seed gives the same sources); only the target differs.
    """
    return _digit_pairs(n, min_length, max_length, seed, lambda digits: digits[::-1])


@dataclass
class Seq2SeqBatch:
    """A padded batch: source (batch, S), source_lengths (batch,), decoder_input (batch, T) = <s> y, target (batch, T) = y </s>.

    ``target_lengths`` (batch,) counts each target's real positions, its </s>
    included; ``pad`` is the padding index of both source and target.
    """

    source: torch.Tensor
    source_lengths: torch.Tensor
    decoder_input: torch.Tensor
    target: torch.Tensor
    target_lengths: torch.Tensor
    pad: int

    def __len__(self) -> int:
        return len(self.source)


def make_batch(pairs: Sequence[tuple[Sequence[int], Sequence[int]]], symbols: Symbols) -> Seq2SeqBatch:
    """Pad ``pairs`` of (source, target) index lists into one batch, adding <s> before and </s> after each target."""
    if not isinstance(symbols, Symbols):
        raise TypeError(f"symbols must be a Symbols, got {type(symbols).__name__}")
    if not isinstance(pairs, Sequence) or len(pairs) == 0:
        raise ValueError("pairs must be a non-empty sequence of (source, target) pairs")
    sources, inputs, targets = [], [], []
    for k, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"pairs[{k}] must be a pair (source, target), got {pair!r}")
        source, target = (list(part) for part in pair)
        if not source:
            raise ValueError(f"pairs[{k}] has an empty source")
        for part in (source, target):
            if not all(_is_index(i) and 0 <= i < len(symbols) - 3 for i in part):
                raise ValueError(f"pairs[{k}] holds indices that are not task symbols of {symbols!r}: {part}")
        sources.append(torch.tensor(source))
        inputs.append(torch.tensor([symbols.start] + target))
        targets.append(torch.tensor(target + [symbols.end]))
    batch = Seq2SeqBatch(
        source=pad_sequence(sources, batch_first=True, padding_value=symbols.pad),
        source_lengths=torch.tensor([len(s) for s in sources]),
        decoder_input=pad_sequence(inputs, batch_first=True, padding_value=symbols.pad),
        target=pad_sequence(targets, batch_first=True, padding_value=symbols.pad),
        target_lengths=torch.tensor([len(t) for t in targets]),
        pad=symbols.pad,
    )
    return batch


def make_batches(pairs: Sequence[tuple[Sequence[int], Sequence[int]]], symbols: Symbols, batch_size: int) -> list[Seq2SeqBatch]:
    """Consecutive padded batches of ``batch_size`` pairs (the last may be smaller)."""
    batch_size = check_int(batch_size, "batch_size")
    if not isinstance(pairs, Sequence) or len(pairs) == 0:
        raise ValueError("pairs must be a non-empty sequence of (source, target) pairs")
    return [make_batch(pairs[i : i + batch_size], symbols) for i in range(0, len(pairs), batch_size)]


def padding_mask(lengths: torch.Tensor, max_length: int | None = None) -> torch.Tensor:
    """True at the real positions: (batch, max_length) booleans, position t real when t < lengths[b]."""
    if (not isinstance(lengths, torch.Tensor) or lengths.ndim != 1 or lengths.is_floating_point() or lengths.is_complex()
            or lengths.dtype == torch.bool):
        raise ValueError(f"lengths must be a 1-d integer tensor, got {lengths!r}")
    if len(lengths) and int(lengths.min()) < 0:
        raise ValueError(f"lengths must be non-negative, got {lengths.tolist()}")
    longest = int(lengths.max()) if len(lengths) else 0
    max_length = longest if max_length is None else check_int(max_length, "max_length", low=longest)
    return torch.arange(max_length) < lengths[:, None]


def sequence_loss(logits: torch.Tensor, target: torch.Tensor, pad: int) -> torch.Tensor:
    """Mean cross-entropy over the target positions that are not ``pad``: logits (batch, T, n_symbols), target (batch, T)."""
    if not isinstance(logits, torch.Tensor) or logits.ndim != 3:
        raise ValueError(f"logits must be a tensor (batch, time, n_symbols), got {getattr(logits, 'shape', logits)!r}")
    check_tensor(logits, "logits", dtype="float")  # finite too: a nan would make the loss nan
    if not isinstance(target, torch.Tensor) or target.shape != logits.shape[:2]:
        raise ValueError(f"target must be a tensor of shape {tuple(logits.shape[:2])}, got {getattr(target, 'shape', target)!r}")
    check_tensor(target, "target", dtype=torch.int64)
    pad = check_int(pad, "pad", low=0)
    return F.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=pad)


def teacher_forcing_step(model: nn.Module, batch: Seq2SeqBatch, state: object = None) -> StepResult:
    """A step for ``fit``: the masked loss of ``model(source, source_lengths, decoder_input)`` and the right real positions.

    The model reads the true previous symbols (teacher forcing) and returns
    scores (batch, T, n_symbols) for the targets; padding positions are neither
    in the loss nor counted.
    """
    check_module(model)
    if not isinstance(batch, Seq2SeqBatch):
        raise TypeError(f"batch must be a Seq2SeqBatch, got {type(batch).__name__}")
    logits = model(batch.source, batch.source_lengths, batch.decoder_input)
    if logits.ndim != 3 or logits.shape[:2] != batch.target.shape:
        raise ValueError(f"the model must return scores of shape {tuple(batch.target.shape)} + (n_symbols,), got {tuple(logits.shape)}")
    real = batch.target != batch.pad  # (batch, T): the mask of real target positions
    loss = F.cross_entropy(logits[real], batch.target[real])
    correct = int((logits.argmax(dim=-1)[real] == batch.target[real]).sum())
    return StepResult(loss, correct, int(real.sum()))


def strip_end(indices: Sequence[int], end: int) -> list[int]:
    """The indices before the first ``end`` (all of them if there is none)."""
    indices = list(indices)
    return indices[: indices.index(end)] if end in indices else indices


def exact_match(predicted: Sequence[Sequence[int]], target: Sequence[Sequence[int]]) -> float:
    """The fraction of sequences written exactly right (same symbols, same length)."""
    for name, value in (("predicted", predicted), ("target", target)):
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise TypeError(f"{name} must be a sequence of index sequences, got {type(value).__name__}")
    if len(predicted) != len(target) or len(target) == 0:
        raise ValueError(f"predicted and target must be non-empty and of equal length, got {len(predicted)} and {len(target)}")
    return sum(list(p) == list(t) for p, t in zip(predicted, target)) / len(target)
