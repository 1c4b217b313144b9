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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import check_int
from course_utils.models import State, init_default_, recurrent_and_head
from course_utils.text import Vocabulary

__all__ = ["CharLanguageModel", "detach_state", "sample", "next_char_distribution", "bits_per_character"]


class CharLanguageModel(nn.Module):
    """One-hot characters -> a recurrent layer ('rnn', 'lstm' or 'gru') -> logits over the vocabulary at every step."""

    def __init__(
        self, vocab_size: int, hidden_size: int, cell: str = "lstm", num_layers: int = 1, dropout: float = 0.0, seed: int = 0
    ) -> None:
        """Build the layers and draw the initial weights from `seed` (PyTorch's defaults); `dropout` acts before the output layer."""
        super().__init__()
        vocab_size = check_int(vocab_size, "vocab_size")  # recurrent_and_head checks the other sizes
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
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
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a finite number > 0 (greedy decoding is the limit temperature -> 0: use greedy=True), got {temperature!r}")
    return float(temperature)


@torch.no_grad()
def next_char_distribution(model: nn.Module, vocab: Vocabulary, prompt: str, temperature: float = 1.0) -> torch.Tensor:
    """Probabilities (len(vocab),) of the character after `prompt`: softmax(logits / temperature)."""
    prompt = _check_prompt(vocab, prompt)
    temperature = _check_temperature(temperature)
    with _evaluating(model):
        logits, _ = model(vocab.encode(prompt)[None, :], None)
    return torch.softmax(logits[0, -1] / temperature, dim=-1)


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
    prompt = _check_prompt(vocab, prompt)
    temperature = _check_temperature(temperature)
    length = check_int(length, "length", low=0)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    with _evaluating(model):
        logits, state = model(vocab.encode(prompt)[None, :], None)  # read the whole prompt
        generated = []
        for _ in range(length):
            scores = logits[0, -1] / temperature  # (vocab,)
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
    total, count, state = 0.0, 0, None
    with _evaluating(model):
        for x, y in chunks:
            if x.shape != y.shape:
                raise ValueError(f"each chunk's x and y must have the same shape, got {tuple(x.shape)} and {tuple(y.shape)}")
            logits, state = model(x, state)
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"))
            count += y.numel()
    if count == 0:
        raise ValueError("chunks must hold at least one (x, y) pair")
    return total / count / math.log(2)
