"""Benchmark: does attention pooling make a default-bias LSTM learn `hard`, or do notebook 08's settings alone?

Run by ``make bench`` (or ``python tests/benchmarks/bench_attention_control.py``).
Notebook 08 trains an LSTM with PyTorch's default gate biases and attention
pooling over its hidden states on ``TemporalOrder("hard")`` (16 units, batches of
32, 50 batches = 1,600 distinct sequences repeated for 10 epochs, Adam at
learning rate 0.01, no clipping, scored on 512 held-out sequences) and reaches
100 % within 8,000 sequences seen. Notebook 05 trains the same kind of LSTM on
the last state only (two sequences per update, Adam at 0.003, clipping at 1) and
it stays at chance. Those runs differ in two things at once: attention and the
training settings. This is the control: notebook 08's settings exactly, with and
without attention, over five seeds (the seed of the data and of the weights).

The attention classifier is notebook 08's (``AttentionPooling`` with its scoring
vector ``w`` starting at 0, the classifier's own linear head reading the pooled
state); it is written out again here because its one home is that notebook.
It runs with the notebooks' kernel environment, so that seed 0 gives notebook
08's own numbers. Prints, asserts nothing.
"""

from __future__ import annotations

import math
import time

import torch
from torch import nn

from course_utils.models import SequenceClassifier
from course_utils.nbtools import run_in_kernel_environment
from course_utils.tasks import TemporalOrder
from course_utils.training import fit

SEEDS = (0, 1, 2, 3, 4)
SETTINGS = {"hidden_size": 16, "batch_size": 32, "n_batches": 50, "epochs": 10, "lr": 0.01, "test sequences": 512}


class AttentionPooling(nn.Module):
    """Notebook 08's pooling: alpha_i = softmax_i(w . h_i) over each sequence's real steps."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(hidden_size))

    def forward(self, states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """states (batch, time, hidden), lengths (batch,) -> pooled (batch, hidden)."""
        padding = torch.arange(states.shape[1]) >= lengths[:, None]
        alpha = torch.softmax((states @ self.w).masked_fill(padding, -math.inf), dim=1)
        return (alpha[:, :, None] * states).sum(dim=1)


class AttentionClassifier(nn.Module):
    """Notebook 08's classifier: the head of a SequenceClassifier reads the attention-pooled states."""

    def __init__(self, classifier: SequenceClassifier) -> None:
        super().__init__()
        self.classifier = classifier
        self.pool = AttentionPooling(classifier.hidden_size)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (batch, num_classes)."""
        return self.classifier.head(self.pool(self.classifier.hidden_states(x), lengths))


def run(attention: bool, seed: int) -> tuple[list[int], list[float], float]:
    """Train one default-bias LSTM with notebook 08's settings; return sequences seen and held-out accuracy per epoch."""
    hard = TemporalOrder("hard", batch_size=SETTINGS["batch_size"], n_batches=SETTINGS["n_batches"], seed=seed)
    test = hard.test_set(SETTINGS["test sequences"])
    model: nn.Module = SequenceClassifier(8, SETTINGS["hidden_size"], 4, cell="lstm", seed=seed)
    if attention:
        model = AttentionClassifier(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=SETTINGS["lr"])
    start = time.perf_counter()
    history = fit(model, hard, optimizer, epochs=SETTINGS["epochs"], eval_data=test, print_every=0)
    return history.examples_seen, history.eval_accuracy, time.perf_counter() - start


def main() -> None:
    """Print held-out accuracy after 8,000 and 16,000 sequences, and when 100 % was first reached, per seed."""
    torch.set_num_threads(1)
    print("settings:", SETTINGS, "; LSTM with PyTorch's default gate biases; seeds", SEEDS)
    print(f"{'model':28} {'seed':>4} {'acc @ 8,000':>12} {'acc @ 16,000':>13} {'first 100 %':>12} {'seconds':>8}")
    for attention in (True, False):
        label = "LSTM + attention pooling" if attention else "LSTM, last state (control)"
        for seed in SEEDS:
            seen, accuracy, seconds = run(attention, seed)
            at = dict(zip(seen, accuracy))
            first = next((n for n, a in zip(seen, accuracy) if a == 1.0), None)
            first_text = f"{first:,}" if first is not None else "never"
            print(f"{label:28} {seed:>4} {at[8000]:>12.1%} {at[16000]:>13.1%} {first_text:>12} {seconds:>8.1f}",
                  flush=True)


if __name__ == "__main__":
    run_in_kernel_environment()
    main()
