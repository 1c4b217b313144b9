"""Exercises of notebook 05 (sequence classification): the state at each true last step, and a classifier of the temporal-order task."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_utils.exercises.core import Incorrect, call, compare, exercise


def last_states(output: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The state after each sequence's last real step: output (batch, time, hidden), lengths (batch,) -> (batch, hidden)."""
    return output[torch.arange(output.shape[0]), lengths - 1]


class OrderClassifier(nn.Module):
    """Many-to-one LSTM classifier of the temporal-order task: one-hot x (batch, time, 8), lengths (batch,) -> logits (batch, 4)."""

    def __init__(self, hidden_size: int = 16) -> None:
        """An nn.LSTM(8, hidden_size, batch_first=True) and a linear layer from its last real state to 4 classes."""
        super().__init__()
        self.lstm = nn.LSTM(8, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 4)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (batch, 4) from the state after each sequence's last real step."""
        output, _ = self.lstm(x)
        return self.head(last_states(output, lengths))


def _with_hint_on_index_error(fn, *args, hint):
    try:
        return call(fn, *args)
    except Incorrect as wrong:
        if "IndexError" in wrong.message:
            wrong.hints.append(hint)
        raise


@exercise("05.1", "the state at each true last step", last_states)
def check_last_states(fn, rng):
    """Compare with the reference on random padded batches (padding left in the outputs)."""
    for _ in range(6):
        batch, hidden = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        seq_len = int(rng.integers(4, 10))
        lengths = torch.as_tensor(rng.integers(1, seq_len, batch))  # shorter than seq_len: padding after every one
        lengths[0] = 1
        output = torch.as_tensor(rng.normal(size=(batch, seq_len, hidden)))
        got = _with_hint_on_index_error(fn, output.clone(), lengths.clone(),
                                        hint="off by one: a sequence of length L ends at index L - 1")
        expected = last_states(output, lengths)
        index = torch.arange(batch)
        variants = {
            "output[:, -1] is the last *padded* step; each sequence ends at its own length: output[range, lengths - 1]":
                output[:, -1],
            "off by one: a sequence of length L ends at index L - 1, not L": output[index, lengths],
            "this is the first step of every sequence": output[:, 0],
            "the batch and time axes are swapped: output is (batch, time, hidden)":
                output[(lengths - 1).clamp(max=batch - 1), index.clamp(max=seq_len - 1)] if batch <= seq_len else None,
        }
        compare("last_states", got, expected, variants={k: v for k, v in variants.items() if v is not None},
                axes="(batch, hidden)")
    return "6 random padded batches"


def _batch(rng, batch=5, seq_len=12):
    lengths = torch.as_tensor(rng.integers(3, seq_len + 1, batch))
    lengths[0] = seq_len
    symbols = torch.as_tensor(rng.integers(0, 8, (batch, seq_len)))
    x = nn.functional.one_hot(symbols, 8).float()
    x[torch.arange(seq_len)[None, :] >= lengths[:, None]] = 0.0
    return x, lengths


@exercise("05.2", "a classifier of the temporal-order task", OrderClassifier, kind="class")
def check_order_classifier(fn, rng):
    """Build the student's class; check the logits' shape, that padding does not change them, and that early symbols matter."""
    model = call(fn, 8, what="OrderClassifier(hidden_size=8)")
    if not isinstance(model, nn.Module):
        raise Incorrect(f"OrderClassifier(8) should be an nn.Module, got {type(model).__name__}")
    recurrent = [m for m in model.modules() if isinstance(m, nn.RNNBase)]
    if not recurrent:
        raise Incorrect("the model holds no recurrent layer", ["use nn.LSTM(8, hidden_size, batch_first=True)"])
    if not any(m.batch_first for m in recurrent):
        hint = ["nn.LSTM reads (time, batch, features) unless batch_first=True, and the batches are (batch, time, 8)"]
    else:
        hint = []
    x, lengths = _batch(rng)
    x.requires_grad_(True)
    logits = call(model, x, lengths.clone(), what="model(x, lengths)")
    compare("the logits' shape", torch.zeros(logits.shape) if isinstance(logits, torch.Tensor) else logits,
            torch.zeros(len(lengths), 4), axes="(batch, 4 classes)")
    if hint and not torch.isfinite(logits).all():
        raise Incorrect("the logits are not finite", hint)
    alone = []
    for i in range(len(lengths)):
        single = x.detach()[i : i + 1, : int(lengths[i])]
        alone.append(call(model, single, lengths[i : i + 1].clone(), what="model(x, lengths) on one sequence")[0])
    difference = (torch.stack(alone).detach() - logits.detach()).abs().max(dim=1).values
    worst = int(difference.argmax())
    if difference[worst] > 1e-4:
        raise Incorrect(f"sequence {worst} (length {int(lengths[worst])}) gets other logits in the padded batch than "
                        f"alone (largest difference {float(difference[worst]):.3g}): the padding reaches the answer",
                        hint + ["take the state at each sequence's last real step (lengths - 1), "
                                "or pack the batch with pack_padded_sequence"])
    logits[:, :].sum().backward()
    if x.grad is None or float(x.grad[:, 0].abs().sum()) == 0.0:
        raise Incorrect("the logits do not depend on the first symbols", ["the classifier must read the whole sequence"])
    return "logits (batch, 4), the same with or without padding, and the first symbols reach them"
