"""Exercises of notebook 08 (architectures): a bidirectional summary, mean pooling over the real steps, the spam classifier."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from course_utils.exercises.core import Incorrect, call, compare, exercise


def bidirectional_summary(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each sequence's summary from a bidirectional layer's output (batch, time, 2 hidden): [forward at its last real step, backward at t = 0]."""
    forward, backward = output.chunk(2, dim=-1)  # (batch, time, hidden) each
    return torch.cat([forward[torch.arange(len(lengths)), lengths - 1], backward[:, 0]], dim=-1)


def masked_mean_pool(states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The mean of each sequence's states over its real steps only: states (batch, time, hidden) -> (batch, hidden)."""
    real = (torch.arange(states.shape[1]) < lengths[:, None]).to(states.dtype)  # (batch, time): 1 before the end
    return (states * real[:, :, None]).sum(dim=1) / lengths[:, None].to(states.dtype)


class SpamClassifier(nn.Module):
    """Many-to-one classifier of messages: word ids x (batch, time) padded with 0, lengths (batch,) -> logits (batch, 2)."""

    def __init__(self, vocab_size: int, embedding_dim: int = 16, hidden_size: int = 16) -> None:
        """An embedding (index 0 is the padding), a GRU and a linear layer from each message's last state to 2 classes."""
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.rnn = nn.GRU(embedding_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 2)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (batch, 2) from the GRU state at each message's own end (packed, so padding never reaches it)."""
        packed = pack_padded_sequence(self.embedding(x), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)  # (1, batch, hidden)
        return self.head(h_n[-1])


def _padded(rng, batch, hidden, two_directions=False):
    seq_len = int(rng.integers(4, 9))
    lengths = torch.as_tensor(rng.integers(1, seq_len, batch))
    lengths[0] = seq_len - 1
    width = 2 * hidden if two_directions else hidden
    return torch.as_tensor(rng.normal(size=(batch, seq_len, width))), lengths


@exercise("08.1", "a bidirectional summary", bidirectional_summary)
def check_bidirectional_summary(fn, rng):
    """Compare with the reference on random padded outputs of a bidirectional layer."""
    for _ in range(6):
        batch, hidden = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        output, lengths = _padded(rng, batch, hidden, two_directions=True)
        got = call(fn, output.clone(), lengths.clone())
        expected = bidirectional_summary(output, lengths)
        forward, backward = output.chunk(2, dim=-1)
        index = torch.arange(batch)
        variants = {
            "output[:, -1] pairs the forward summary with a backward state that has read one step (and padding)":
                output[:, -1],
            "the forward half must be taken at each sequence's last real step, lengths - 1, not at the padded end":
                torch.cat([forward[:, -1], backward[:, 0]], -1),
            "the backward direction ends at t = 0: its summary is backward[:, 0], not at the last step":
                torch.cat([forward[index, lengths - 1], backward[index, lengths - 1]], -1),
            "the halves are swapped: output holds the forward states first, then the backward ones":
                torch.cat([backward[index, lengths - 1], forward[:, 0]], -1),
        }
        compare("the summary", got, expected, variants=variants, axes="(batch, 2 hidden)")
    return "6 random padded batches"


@exercise("08.2", "mean pooling over the real steps", masked_mean_pool)
def check_masked_mean_pool(fn, rng):
    """Compare with the reference on random padded states (the padding holds non-zero values)."""
    for _ in range(6):
        batch, hidden = int(rng.integers(2, 5)), int(rng.integers(2, 6))
        states, lengths = _padded(rng, batch, hidden)
        got = call(fn, states.clone(), lengths.clone())
        expected = masked_mean_pool(states, lengths)
        real = (torch.arange(states.shape[1]) < lengths[:, None]).double()[:, :, None]
        variants = {
            "the padding is averaged in: only the first lengths[i] steps of sequence i count": states.mean(dim=1),
            "divided by the padded length, not by each sequence's own length": (states * real).sum(1) / states.shape[1],
            "a sum, not a mean: divide by the length": (states * real).sum(1),
        }
        compare("the pooled states", got, expected, variants=variants, axes="(batch, hidden)")
    return "6 random padded batches"


@exercise("08.3", "the spam classifier", SpamClassifier, kind="class")
def check_spam_classifier(fn, rng):
    """Build the student's class; check the logits' shape, that padding does not change them, and that the first word matters."""
    vocab_size = 30
    model = call(fn, vocab_size, 8, 8, what="SpamClassifier(30, embedding_dim=8, hidden_size=8)")
    if not isinstance(model, nn.Module):
        raise Incorrect(f"SpamClassifier(...) should be an nn.Module, got {type(model).__name__}")
    if not any(isinstance(m, nn.Embedding) for m in model.modules()):
        raise Incorrect("the model has no nn.Embedding: it reads word ids", ["start with nn.Embedding(vocab_size, embedding_dim, padding_idx=0)"])
    batch, seq_len = 5, 9
    lengths = torch.as_tensor(rng.integers(2, seq_len + 1, batch))
    lengths[0] = seq_len
    x = torch.as_tensor(rng.integers(1, vocab_size, (batch, seq_len)))
    x[torch.arange(seq_len)[None, :] >= lengths[:, None]] = 0
    logits = call(model, x.clone(), lengths.clone(), what="model(x, lengths)")
    compare("the logits' shape", torch.zeros(logits.shape) if isinstance(logits, torch.Tensor) else logits,
            torch.zeros(batch, 2), axes="(batch, 2 classes)")
    if not torch.isfinite(logits).all():
        raise Incorrect("the logits are not finite")
    with torch.no_grad():
        alone = torch.stack([call(model, x[i : i + 1, : int(lengths[i])], lengths[i : i + 1].clone(),
                                  what="model(x, lengths) on one message")[0] for i in range(batch)])
    difference = (alone - logits.detach()).abs().max(dim=1).values
    worst = int(difference.argmax())
    if difference[worst] > 1e-4:
        raise Incorrect(f"message {worst} ({int(lengths[worst])} words) gets other logits padded in the batch than alone "
                        f"(largest difference {float(difference[worst]):.3g}): the padding reaches the state",
                        ["pack the batch (pack_padded_sequence(..., enforce_sorted=False)) and use h_n, "
                         "or take each message's state at lengths - 1"])
    changed = x.clone()
    changed[:, 0] = (changed[:, 0] % (vocab_size - 1)) + 1
    with torch.no_grad():
        moved = call(model, changed, lengths.clone(), what="model(x, lengths)")
    if torch.allclose(moved, logits.detach()):
        raise Incorrect("changing the first word of every message does not change the logits",
                        ["the classifier must read the whole message"])
    return "logits (batch, 2), the same padded or alone, and the first word reaches them"
