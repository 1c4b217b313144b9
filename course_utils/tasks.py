"""Synthetic sequence tasks for the course, generated on the fly with owned randomness.

Two tasks live here: ``TemporalOrder`` (many-to-one classification) and
``EchoData`` (synchronised many-to-many, one long stream cut into chunks).

``TemporalOrder`` is the temporal-order problem of S. Hochreiter and
J. Schmidhuber, "Long short-term memory", *Neural Computation* 9(8), 1997,
experiment 6a ("two relevant, widely separated symbols"), as used in the NYU
deep-learning lab on recurrent networks (reference lecture
``002_e6a91ca0d0943e3a.txt``). A sequence starts with ``B``, ends with the trigger
symbol ``E``, and is otherwise made of random symbols from ``{a, b, c, d}``,
except at two positions ``t1 < t2`` which hold ``X`` or ``Y``. The class is the
order of the two: ``X, X -> Q``; ``X, Y -> R``; ``Y, X -> S``; ``Y, Y -> U``.

In the paper's own description of the experiment the roles of ``B`` and ``E`` are
swapped (the text says a sequence starts with ``E`` and ends with ``B``, the
"trigger symbol"); this module follows the lab and the rest of the literature:
``B`` begins, ``E`` ends.

Positions count from 0, so position 0 always holds ``B`` and position
``length - 1`` holds ``E``. The ranges of each difficulty level (all inclusive)
are in :data:`DIFFICULTIES`; ``hard`` is the paper's setting (length 100..110,
``t1`` in 10..20, ``t2`` in 50..60).

Randomness is owned: each batch is drawn from its own ``numpy.random.Generator``
seeded by ``SeedSequence(seed, spawn_key=(stream, batch_index))``. The training
batches use one stream and :meth:`TemporalOrder.test_set` another, so held-out
data never comes from the training stream, and batch ``i`` is the same whatever
the number of batches asked for. Nothing here touches numpy's or torch's global
random state.

``EchoData`` is the signal-echo task of the same lab notes: the input is a
stream of random bits and the target is the same stream delayed by
``echo_step`` steps, ``y_t = x_{t - echo_step}`` (0 before the first echo). A
network needs a working memory of ``echo_step`` bits to solve it. The stream is
far longer than what backpropagation should run through, so it is cut into
chunks of ``chunk_length`` steps, and the hidden state is carried (detached)
from one chunk to the next: truncated backpropagation through time (R. J.
Williams and J. Peng, "An efficient gradient-based algorithm for on-line
training of recurrent network trajectories", *Neural Computation* 2(4), 1990).
Each pass over the training data draws a new stream from
``SeedSequence(seed, spawn_key=(0, epoch))``; the held-out stream comes from
``spawn_key=(1, 0)``, a key no training pass uses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.checks import check_int, check_lengths, check_seed, check_sequences

__all__ = ["Difficulty", "DIFFICULTIES", "TemporalOrder", "EchoData"]

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]

_TRAIN_STREAM, _TEST_STREAM = 0, 1

#: Bounds that keep one batch, one stream and one data set within a laptop's memory.
MAX_LENGTH, MAX_BATCH_SIZE, MAX_BATCHES, MAX_STREAM_NUMBERS = 100_000, 100_000, 10**9, 10**8


@dataclass(frozen=True)
class Difficulty:
    """Inclusive ranges of a temporal-order level: sequence length and the positions t1, t2 of X/Y."""

    length: tuple[int, int]
    t1: tuple[int, int]
    t2: tuple[int, int]

    def __post_init__(self) -> None:
        for name in ("length", "t1", "t2"):
            value = getattr(self, name)
            if (
                not isinstance(value, tuple)
                or len(value) != 2
                or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in value)
            ):
                raise ValueError(f"{name} must be a pair of integers (low, high), got {value!r}")
            if value[0] > value[1]:
                raise ValueError(f"{name} range is inverted: low {value[0]} > high {value[1]}")
            if value[1] > MAX_LENGTH:
                raise ValueError(f"{name} must stay at most {MAX_LENGTH:,} steps, got {value!r}")
        if self.t1[0] < 1:
            raise ValueError(f"t1 must start at position 1 or later (position 0 holds B), got t1={self.t1}")
        if self.t1[1] >= self.t2[0]:
            raise ValueError(f"t1={self.t1} and t2={self.t2} overlap: every t1 must come before every t2")
        if self.t2[1] > self.length[0] - 2:
            raise ValueError(
                f"t2={self.t2} reaches beyond the shortest length {self.length[0]}: "
                f"t2 must be at most length - 2 = {self.length[0] - 2} (the last position holds E)"
            )


#: The difficulty levels, written down once. ``hard`` is the paper's experiment 6a.
DIFFICULTIES: dict[str, Difficulty] = {
    "easy": Difficulty(length=(7, 8), t1=(1, 2), t2=(4, 5)),
    "normal": Difficulty(length=(30, 40), t1=(2, 5), t2=(20, 27)),
    "moderate": Difficulty(length=(60, 80), t1=(10, 20), t2=(45, 54)),
    "hard": Difficulty(length=(100, 110), t1=(10, 20), t2=(50, 60)),
    "nightmare": Difficulty(length=(300, 500), t1=(10, 80), t2=(250, 290)),
}


def _entropy_of(seed: int | np.random.Generator) -> int:
    """The integer that seeds every stream of a task: ``seed`` itself, or one draw from a generator."""
    if isinstance(seed, np.random.Generator):
        # Draw the entropy once; from here on the generator is not used again.
        return int(seed.integers(2**63))
    return check_seed(seed)


class TemporalOrder:
    """Batches ``(x, lengths, y)`` of the X/Y temporal-order task (Hochreiter & Schmidhuber 1997, exp. 6a).

    ``x`` is one-hot, shape ``(batch, seq_len, 8)`` float32, zero-padded after
    each sequence's end up to the longest sequence of the batch; ``lengths`` has
    shape ``(batch,)`` int64; ``y`` has shape ``(batch,)`` int64 with classes
    0..3 meaning ``Q, R, S, U`` (see :attr:`classes`).
    """

    #: The input alphabet: column ``k`` of the one-hot vector stands for ``symbols[k]``.
    symbols: str = "BEXYabcd"
    #: Class letters in label order: ``classes[y]`` is the letter of label ``y``.
    classes: str = "QRSU"
    #: Symbols that fill the positions other than 0, t1, t2 and the last.
    fillers: str = "abcd"

    def __init__(
        self,
        difficulty: str | Difficulty = "hard",
        batch_size: int = 32,
        n_batches: int = 100,
        seed: int | np.random.Generator = 0,
    ) -> None:
        """Set up ``n_batches`` batches of ``batch_size`` sequences; ``difficulty`` is a name or custom ranges."""
        if isinstance(difficulty, Difficulty):
            self.difficulty = difficulty
            self.name = "custom"
        elif isinstance(difficulty, str) and difficulty in DIFFICULTIES:
            self.difficulty = DIFFICULTIES[difficulty]
            self.name = difficulty
        else:
            raise ValueError(f"difficulty must be one of {list(DIFFICULTIES)} or a Difficulty, got {difficulty!r}")
        self.batch_size = check_int(batch_size, "batch_size", 1, MAX_BATCH_SIZE)
        self.n_batches = check_int(n_batches, "n_batches", 1, MAX_BATCHES)
        self._entropy = _entropy_of(seed)
        self._stream = _TRAIN_STREAM
        self._n_sequences = self.batch_size * self.n_batches

    # -- the data ---------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of batches."""
        return self.n_batches

    def __getitem__(self, index: int) -> Batch:
        """Batch number ``index`` (negative indices count from the end), always the same for the same seed."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be an integer, got {type(index).__name__}")
        if index < 0:
            index += self.n_batches
        if not 0 <= index < self.n_batches:
            raise IndexError(f"index must be in [-{self.n_batches}, {self.n_batches}), got {index}")
        size = min(self.batch_size, self._n_sequences - index * self.batch_size)
        return self._make_batch(int(index), size)

    def __iter__(self) -> Iterator[Batch]:
        """Iterate over the batches in order."""
        for index in range(self.n_batches):
            yield self[index]

    @property
    def n_sequences(self) -> int:
        """Total number of sequences over all batches."""
        return self._n_sequences

    def test_set(self, n_sequences: int = 2560, batch_size: int | None = None) -> TemporalOrder:
        """Held-out sequences of the same difficulty, drawn from a stream the training batches never use."""
        n_sequences = check_int(n_sequences, "n_sequences", 1, MAX_BATCHES)
        batch_size = self.batch_size if batch_size is None else check_int(batch_size, "batch_size", 1, MAX_BATCH_SIZE)
        held_out = TemporalOrder.__new__(TemporalOrder)
        held_out.difficulty, held_out.name = self.difficulty, self.name
        held_out.batch_size = min(batch_size, n_sequences)
        held_out.n_batches = -(-n_sequences // held_out.batch_size)
        held_out._entropy = self._entropy
        held_out._stream = _TEST_STREAM
        held_out._n_sequences = n_sequences
        return held_out

    @property
    def is_test_set(self) -> bool:
        """True for the object returned by :meth:`test_set`."""
        return self._stream == _TEST_STREAM

    def _make_batch(self, index: int, size: int) -> Batch:
        rng = np.random.default_rng(np.random.SeedSequence(self._entropy, spawn_key=(self._stream, index)))
        levels = self.difficulty
        lengths = rng.integers(levels.length[0], levels.length[1], endpoint=True, size=size)
        t1 = rng.integers(levels.t1[0], levels.t1[1], endpoint=True, size=size)
        t2 = rng.integers(levels.t2[0], levels.t2[1], endpoint=True, size=size)
        first_is_y = rng.integers(0, 2, size=size)
        second_is_y = rng.integers(0, 2, size=size)
        seq_len = int(lengths.max())
        first_filler = self.symbols.index(self.fillers[0])
        codes = first_filler + rng.integers(0, len(self.fillers), size=(size, seq_len))
        rows = np.arange(size)
        x_code = self.symbols.index("X")
        codes[:, 0] = self.symbols.index("B")
        codes[rows, t1] = x_code + first_is_y
        codes[rows, t2] = x_code + second_is_y
        codes[rows, lengths - 1] = self.symbols.index("E")
        padding = np.arange(seq_len)[None, :] >= lengths[:, None]
        codes[padding] = -1
        labels = 2 * first_is_y + second_is_y  # XX -> Q, XY -> R, YX -> S, YY -> U
        return self._one_hot(codes), torch.from_numpy(lengths.astype(np.int64)), torch.from_numpy(labels.astype(np.int64))

    def _one_hot(self, codes: np.ndarray) -> torch.Tensor:
        """Codes (batch, seq_len) with -1 for padding -> one-hot float32 (batch, seq_len, n_symbols)."""
        codes = torch.from_numpy(codes.astype(np.int64))
        x = F.one_hot(codes.clamp(min=0), len(self.symbols)).to(torch.float32)
        return x * (codes >= 0).unsqueeze(-1)

    # -- between strings and tensors --------------------------------------------------------

    def decode(self, x: torch.Tensor, lengths: torch.Tensor) -> list[str]:
        """The sequences of a batch as strings such as ``BbXcYdE`` (padding dropped)."""
        check_lengths(lengths, check_sequences(x, len(self.symbols), time="seq_len"))
        codes = x.argmax(dim=-1).tolist()
        return ["".join(self.symbols[c] for c in row[:n]) for row, n in zip(codes, lengths.tolist())]

    def encode(self, strings: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """One-hot ``x`` (batch, seq_len, 8) and ``lengths`` (batch,) for strings over :attr:`symbols`."""
        if isinstance(strings, str) or not isinstance(strings, Sequence) or not strings:
            raise ValueError(f"strings must be a non-empty list of strings, got {strings!r}")
        for s in strings:
            if not isinstance(s, str) or not s or set(s) - set(self.symbols):
                raise ValueError(f"strings must be non-empty and use only the symbols {self.symbols!r}, got {s!r}")
        seq_len = max(len(s) for s in strings)
        codes = np.full((len(strings), seq_len), -1, dtype=np.int64)
        for row, s in enumerate(strings):
            codes[row, : len(s)] = [self.symbols.index(c) for c in s]
        return self._one_hot(codes), torch.tensor([len(s) for s in strings], dtype=torch.int64)

    def label_of(self, sequence: str) -> str:
        """The class letter of a sequence string, from the order of its X and Y."""
        marks = [c for c in sequence if c in "XY"] if isinstance(sequence, str) else None
        if marks is None or len(marks) != 2:
            raise ValueError(f"sequence must be a string with exactly two of X/Y, got {sequence!r}")
        return self.classes[2 * (marks[0] == "Y") + (marks[1] == "Y")]

    def __repr__(self) -> str:
        kind = "test set" if self.is_test_set else "training batches"
        level = self.difficulty
        return (
            f"TemporalOrder({self.name!r}, {kind}: {self.n_sequences:,} sequences in {self.n_batches:,} batches"
            f" of {self.batch_size}; length {level.length[0]}..{level.length[1]},"
            f" t1 {level.t1[0]}..{level.t1[1]}, t2 {level.t2[0]}..{level.t2[1]})"
        )


Chunk = tuple[torch.Tensor, torch.Tensor]


class EchoData:
    """Chunks ``(x, y)`` of the signal-echo task, each of shape ``(batch, chunk_length, 1)`` float32, in stream order.

    Each of the ``batch_size`` rows is its own stream of ``stream_length``
    random bits ``x`` (0 or 1, equally likely); the target is the same stream
    delayed by ``echo_step`` steps, ``y[:, t] = x[:, t - echo_step]`` for
    ``t >= echo_step`` and 0 before. Iterating yields the stream cut into
    ``stream_length // chunk_length`` consecutive chunks, in order: row ``r`` of
    chunk ``i + 1`` continues row ``r`` of chunk ``i``. The chunks of one pass
    are therefore **not** independent examples: a model must carry its hidden
    state from each chunk to the next (detached, for truncated BPTT) and start
    from a zero state at the first chunk, and the chunks must never be shuffled.

    Every pass (every ``for`` loop, that is every epoch of training) over a
    training ``EchoData`` draws a fresh stream; :attr:`passes` counts them.
    :meth:`test_set` returns a held-out stream, the same at every pass, from a
    seed key that no training pass uses.
    """

    def __init__(
        self,
        echo_step: int = 3,
        chunk_length: int = 20,
        batch_size: int = 32,
        stream_length: int = 2000,
        seed: int | np.random.Generator = 0,
    ) -> None:
        """Streams of ``stream_length`` bits in ``batch_size`` rows, echoed ``echo_step`` steps later, cut into chunks."""
        self.echo_step = check_int(echo_step, "echo_step", 1, MAX_LENGTH)
        self.chunk_length = check_int(chunk_length, "chunk_length", 1, MAX_LENGTH)
        self.batch_size = check_int(batch_size, "batch_size", 1, MAX_BATCH_SIZE)
        self.stream_length = check_int(stream_length, "stream_length", 1, MAX_STREAM_NUMBERS)
        if self.batch_size * self.stream_length > MAX_STREAM_NUMBERS:
            raise ValueError(f"batch_size * stream_length must stay at most {MAX_STREAM_NUMBERS:,} bits, got "
                             f"{self.batch_size} * {self.stream_length}")
        if self.stream_length % self.chunk_length:
            raise ValueError(
                f"stream_length must be a multiple of chunk_length={self.chunk_length}, got {self.stream_length} "
                f"(for example {self.chunk_length * max(1, round(self.stream_length / self.chunk_length))})"
            )
        if self.echo_step >= self.stream_length:
            raise ValueError(f"echo_step must be smaller than stream_length={self.stream_length}, got {self.echo_step}")
        self._entropy = _entropy_of(seed)
        self._stream = _TRAIN_STREAM
        self._passes = 0

    @property
    def n_chunks(self) -> int:
        """Number of chunks in one pass over the stream."""
        return self.stream_length // self.chunk_length

    def __len__(self) -> int:
        """Number of chunks in one pass."""
        return self.n_chunks

    @property
    def passes(self) -> int:
        """How many passes (epochs) have started so far; the next training pass uses stream number ``passes``."""
        return self._passes

    @property
    def is_test_set(self) -> bool:
        """True for the object returned by :meth:`test_set`."""
        return self._stream == _TEST_STREAM

    def stream(self, epoch: int = 0) -> Chunk:
        """The whole stream of pass ``epoch``: ``x`` and ``y`` of shape ``(batch, stream_length, 1)`` float32."""
        epoch = check_int(epoch, "epoch", 0, 2**63 - 1)
        if self.is_test_set and epoch != 0:
            raise ValueError(f"a test set holds one stream, epoch 0, got epoch={epoch}")
        rng = np.random.default_rng(np.random.SeedSequence(self._entropy, spawn_key=(self._stream, epoch)))
        bits = rng.integers(0, 2, size=(self.batch_size, self.stream_length))
        echo = np.zeros_like(bits)
        echo[:, self.echo_step :] = bits[:, : -self.echo_step]  # y_t = x_{t - echo_step}, 0 before
        x, y = (torch.from_numpy(a.astype(np.float32)).unsqueeze(-1) for a in (bits, echo))
        return x, y  # (batch, stream_length, 1) each

    def chunks(self, epoch: int = 0) -> list[Chunk]:
        """The chunks of pass ``epoch`` in stream order, each ``(x, y)`` of shape ``(batch, chunk_length, 1)``."""
        x, y = self.stream(epoch)
        return list(zip(x.split(self.chunk_length, dim=1), y.split(self.chunk_length, dim=1)))

    def __iter__(self) -> Iterator[Chunk]:
        """The chunks of the next pass in stream order: a fresh stream each time for training data, the same for a test set."""
        epoch = 0 if self.is_test_set else self._passes
        self._passes += 1
        return iter(self.chunks(epoch))

    def test_set(self, batch_size: int | None = None, stream_length: int | None = None) -> EchoData:
        """A held-out stream with the same echo and chunks, drawn from a key no training pass uses, the same at every pass."""
        held_out = EchoData(
            self.echo_step,
            self.chunk_length,
            self.batch_size if batch_size is None else batch_size,
            self.stream_length if stream_length is None else stream_length,
            seed=0,
        )
        held_out._entropy = self._entropy
        held_out._stream = _TEST_STREAM
        return held_out

    def __repr__(self) -> str:
        kind = "test set" if self.is_test_set else "training streams"
        return (
            f"EchoData(echo_step={self.echo_step}, {kind}: {self.batch_size} rows of {self.stream_length:,} bits,"
            f" {self.n_chunks} chunks of {self.chunk_length})"
        )
