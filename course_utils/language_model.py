"""Character-level language models: the model, sampling from it, and its held-out score.

A language model reads characters one at a time and predicts the next one at
every step (a synced many-to-many network while training), and generates text by
feeding each sampled character back in (one to many). The course's lectures take
this from A. Karpathy, "The unreasonable effectiveness of recurrent neural
networks" (2015) and the toy "hello" RNN of the UBC lecture on RNNs.

Any model with the interface ``logits, state = model(x, state)`` — ``x`` the
character indices ``(batch, time)`` int64, ``logits`` of shape
``(batch, time, vocab_size)``, ``state`` whatever the recurrent layer carries
(``h`` for an RNN or GRU, ``(h, c)`` for an LSTM, ``None`` to start from zeros) —
works with :func:`sample` and :func:`bits_per_character`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.batching import bptt_chunks
from course_utils.checks import check_bool, check_callable, check_class_targets, check_float, check_int, check_iterable, check_module, check_state
from course_utils.models import MAX_SIZE, State, init_default_, recurrent_and_head
from course_utils.progress import Progress

#: The most characters :func:`sample` generates in one call.
MAX_SAMPLE_LENGTH = 1_000_000
from course_utils.text import Vocabulary

__all__ = [
    "CharLanguageModel",
    "detach_state",
    "sample",
    "next_char_distribution",
    "bits_per_character",
    "kneser_ney_bits",
    "compressed_bits",
    "train_language_model",
]


class CharLanguageModel(nn.Module):
    """One-hot characters -> a recurrent layer ('rnn', 'lstm' or 'gru') -> logits over the vocabulary at every step."""

    def __init__(
        self, vocab_size: int, hidden_size: int, cell: str = "lstm", num_layers: int = 1, dropout: float = 0.0, seed: int = 0
    ) -> None:
        """Build the layers and draw the initial weights from `seed` (PyTorch's defaults); `dropout` acts before the output layer."""
        super().__init__()
        vocab_size = check_int(vocab_size, "vocab_size", 1, MAX_SIZE)  # recurrent_and_head checks the other sizes
        dropout = check_float(dropout, "dropout", 0, 1, high_open=True)
        self.vocab_size = vocab_size
        self.cell = cell
        self.recurrent, self.head = recurrent_and_head(cell, vocab_size, hidden_size, vocab_size, num_layers)
        init_default_(self.recurrent, self.head, seed)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """Logits (batch, time, vocab_size) for character indices x (batch, time), and the state after the last step."""
        if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.dtype != torch.int64:
            got = f"{tuple(x.shape)} {x.dtype}" if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be an int64 tensor of shape (batch, time), got {got}")
        if x.numel() and (int(x.min()) < 0 or int(x.max()) >= self.vocab_size):
            raise ValueError(f"x must hold indices in [0, {self.vocab_size}), got min {int(x.min())}, max {int(x.max())}")
        if x.numel() == 0:
            raise ValueError(f"x must hold at least one sequence of at least one step, got shape {tuple(x.shape)}")
        check_state(state, self.recurrent, x.shape[0])
        inputs = F.one_hot(x, self.vocab_size).to(self.head.weight.dtype)  # (batch, time, vocab_size)
        outputs, state = self.recurrent(inputs, state)  # (batch, time, hidden)
        return self.head(self.dropout(outputs)), state


def detach_state(state: State) -> State:
    """The same state cut from the graph that produced it (truncated BPTT): h, (h, c) or None."""
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    if isinstance(state, tuple) and all(isinstance(s, torch.Tensor) for s in state):
        return tuple(s.detach() for s in state)
    raise TypeError(f"state must be None, a tensor or a tuple of tensors, got {type(state).__name__}")


def _check_prompt(vocab: Vocabulary, prompt: str) -> str:
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a course_utils.text.Vocabulary, got {type(vocab).__name__}")
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
    if not prompt:
        if vocab.start is None:
            raise ValueError("prompt is empty and the vocabulary has no start symbol: give a prompt or build the vocabulary with start=...")
        return vocab.start
    missing = vocab.unseen(prompt)
    if missing:
        raise ValueError(f"prompt has characters the vocabulary does not know: {missing}")
    return prompt


@contextmanager
def _evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Inside the block ``model`` is in evaluation mode (no dropout); afterwards its mode is restored."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def _check_temperature(temperature: float) -> float:
    if (isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, (int, float, np.integer, np.floating))
            or not math.isfinite(temperature) or temperature <= 0):
        raise ValueError(f"temperature must be a finite number > 0 (greedy decoding is the limit temperature -> 0: use greedy=True), got {temperature!r}")
    return float(temperature)


def _check_scaled(scores: torch.Tensor, temperature: float) -> torch.Tensor:
    """``scores`` = logits / temperature, refused if the division overflowed (a temperature too close to 0)."""
    if not bool(torch.isfinite(scores).all()):
        raise ValueError(f"temperature={temperature!r} is too small: logits / temperature overflow to inf and the "
                         f"probabilities would be nan (greedy decoding is the limit temperature -> 0: use greedy=True)")
    return scores


@torch.no_grad()
def next_char_distribution(model: nn.Module, vocab: Vocabulary, prompt: str, temperature: float = 1.0) -> torch.Tensor:
    """Probabilities (len(vocab),) of the character after `prompt`: softmax(logits / temperature)."""
    check_module(model)
    prompt = _check_prompt(vocab, prompt)
    temperature = _check_temperature(temperature)
    with _evaluating(model):
        logits, _ = model(vocab.encode(prompt)[None, :], None)
    return torch.softmax(_check_scaled(logits[0, -1] / temperature, temperature), dim=-1)


@torch.no_grad()
def sample(
    model: nn.Module,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
    greedy: bool = False,
) -> str:
    """`prompt` followed by `length` characters drawn one at a time from softmax(logits / temperature), each fed back in.

    With ``greedy=True`` every step takes the most likely character instead
    (the limit of sampling as the temperature goes to 0). Pass a seeded
    ``torch.Generator`` for repeatable samples.
    """
    check_module(model)
    prompt = _check_prompt(vocab, prompt)
    temperature = _check_temperature(temperature)
    length = check_int(length, "length", 0, MAX_SAMPLE_LENGTH)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    greedy = check_bool(greedy, "greedy")
    with _evaluating(model):
        logits, state = model(vocab.encode(prompt)[None, :], None)  # read the whole prompt
        generated = []
        for _ in range(length):
            scores = _check_scaled(logits[0, -1] / temperature, temperature)  # (vocab,)
            if greedy:
                index = int(scores.argmax())
            else:
                index = int(torch.multinomial(torch.softmax(scores, dim=-1), 1, generator=generator))
            generated.append(index)
            logits, state = model(torch.tensor([[index]]), state)  # feed the choice back in
    text = vocab.decode(generated)
    return (prompt if prompt != vocab.start else "") + text


@torch.no_grad()
def bits_per_character(model: nn.Module, chunks: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Mean cross-entropy in bits per predicted character over (x, y) chunks (batch, time), carrying the state along."""
    check_module(model)
    check_iterable(chunks, "chunks")
    total, count, state = 0.0, 0, None
    with _evaluating(model):
        for chunk in chunks:
            if not isinstance(chunk, (tuple, list)) or len(chunk) != 2:
                raise ValueError(f"each of chunks must be a pair (x, y), got {type(chunk).__name__}")
            x, y = chunk
            if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor) or x.shape != y.shape:
                shapes = [tuple(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__ for v in (x, y)]
                raise ValueError(f"each chunk's x and y must be tensors of the same shape, got {shapes[0]} and {shapes[1]}")
            logits, state = model(x, state)
            check_class_targets(y.reshape(-1), logits.shape[-1], y.numel(), name="y of each chunk")
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"))
            count += y.numel()
    if count == 0:
        raise ValueError("chunks must hold at least one (x, y) pair")
    return total / count / math.log(2)


# --- classical baselines and the training loop (notebook 04, section 4; tests/benchmarks/bench_language_model.py) ---


def _check_texts(train_text: str, test_text: str) -> None:
    for name, text in (("train_text", train_text), ("test_text", test_text)):
        if not isinstance(text, str) or not text:
            raise ValueError(f"{name} must be a non-empty str, got {type(text).__name__} {text!r:.20}")


def kneser_ney_bits(train_text: str, test_text: str, n: int, discount: float = 0.75) -> float:
    """Bits per character of `test_text` under an interpolated Kneser-Ney character n-gram counted on `train_text`.

    The highest order uses counts, the lower orders continuation counts (in how
    many contexts a string follows), each interpolated down to the uniform
    distribution over the characters of both texts; the test text is read
    right after the training text, so its first characters have a context.
    """
    _check_texts(train_text, test_text)
    n = check_int(n, "n")
    if isinstance(discount, bool) or not isinstance(discount, (int, float)) or not 0 < discount < 1:
        raise ValueError(f"discount must be a number in (0, 1), got {discount!r}")
    counts = Counter(train_text[t - k : t + 1] for k in range(n) for t in range(k, len(train_text)))
    continuation = Counter(gram[1:] for gram in counts if len(gram) >= 2)
    table = {g: c for g, c in counts.items() if len(g) == n} | {g: c for g, c in continuation.items() if len(g) < n}
    total, types = Counter(), Counter()  # per context: the sum of its counts, how many distinct next characters
    for gram, c in table.items():
        total[gram[:-1]] += c
        types[gram[:-1]] += 1
    text, start, bits = train_text + test_text, len(train_text), 0.0
    uniform = 1 / len(set(text))
    for t in range(start, len(text)):
        p = uniform
        for k in range(n):  # from the empty context up to the last n - 1 characters
            context = text[t - k : t]
            if total[context] == 0:
                break
            p = (max(table.get(context + text[t], 0) - discount, 0) + discount * types[context] * p) / total[context]
        bits -= math.log2(p)
    return bits / len(test_text)


def compressed_bits(train_text: str, test_text: str, compress: Callable[[bytes], bytes]) -> float:
    """Bits per character of `test_text` for a compressor used as a coder that has read `train_text` first.

    That is ``8 * (len(compress(train + test)) - len(compress(train))) / len(test)``
    with both texts in UTF-8: what the test text costs on top of the training text.
    """
    _check_texts(train_text, test_text)
    if not callable(compress):
        raise TypeError(f"compress must be a function bytes -> bytes (such as bz2.compress), got {type(compress).__name__}")
    both, train = compress((train_text + test_text).encode("utf-8")), compress(train_text.encode("utf-8"))
    return 8 * (len(both) - len(train)) / len(test_text)


def train_language_model(
    model: nn.Module,
    train_rows: torch.Tensor,
    heldout_rows: torch.Tensor,
    steps: int,
    bptt: int = 32,
    lr: float = 0.01,
    eval_every: int = 100,
    max_norm: float = 1.0,
    schedule: str = "cosine",
    callback: Callable[[int, nn.Module], None] | None = None,
) -> list[tuple[int, float, float]]:
    """Adam on train_rows (batch, steps) with truncated BPTT; returns [(step, training bits/char, held-out bits/char)].

    Each pass over the text starts from a zero state, which is carried from chunk
    to chunk and detached; the gradient norm is clipped at `max_norm`; the
    learning rate is constant or follows a cosine from `lr` down to 0 over
    `steps` (``schedule``). The first entry is ``(0, nan, held-out bits)``, the
    untrained model (no training loss yet); then every `eval_every` steps, and
    after the last, the held-out bits per character measured on heldout_rows
    (batch, steps), read in chunks of 100 steps whatever `bptt`, beside the mean
    training loss of the steps since the last measurement (dropout on, in bits).
    ``callback(step, model)``, if given, runs after every step.
    """
    model = check_module(model)
    steps = check_int(steps, "steps")
    bptt = check_int(bptt, "bptt")
    eval_every = check_int(eval_every, "eval_every")
    if schedule not in ("cosine", "constant"):
        raise ValueError(f"schedule must be 'cosine' or 'constant', got {schedule!r}")
    lr = check_float(lr, "lr", 0, low_open=True)
    max_norm = check_float(max_norm, "max_norm", 0, low_open=True)
    if callback is not None:
        check_callable(callback, "callback")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    if schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * min(s / steps, 1))))
    history = [(0, float("nan"), bits_per_character(model, bptt_chunks(heldout_rows, 100)))]
    step, recent = 0, []
    bar = Progress(steps, "steps", "language model")  # a live bar in a notebook, nothing elsewhere
    model.train()
    while step < steps:
        state = None  # each pass over the text starts from a zero state
        for x, y in bptt_chunks(train_rows, bptt):
            state = detach_state(state)  # keep the values, cut the graph
            logits, state = model(x, state)  # (batch, bptt, vocab)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
            if schedule == "cosine":
                scheduler.step()
            step += 1
            bar.update()
            recent.append(loss.item() / math.log(2))
            if step % eval_every == 0 or step == steps:
                history.append((step, sum(recent) / len(recent), bits_per_character(model, bptt_chunks(heldout_rows, 100))))
                recent = []
            if callback is not None:
                callback(step, model)
            if step == steps:
                break
    return history
