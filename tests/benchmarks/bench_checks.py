"""What the argument checks of course_utils cost: training loops of the notebooks with and without them.

Each workload is run with the checks as they are and with every check function
replaced by a no-op (each module's ``check_*`` names, the language model's
temperature/overflow checks and fit's look at ``eval_data``); the runs alternate,
and the best of ``--repeats`` CPU times (``time.process_time``, steadier than the
wall clock on a shared machine) is kept for each. Workloads:

* ``fit temporal order``: notebook 05's hard task, an LSTM with 16 units on
  batches of 2 sequences (the smallest batches, so the largest share for the
  per-batch checks), held-out data measured at every report;
* ``fit echo``: notebook 06's stateful tagger, eight passes over a stream with the
  state carried from chunk to chunk (a state check per chunk);
* ``language model step``: notebook 04's training step on *Alice* (truncated
  BPTT, an LSTM with 128 units), then ``bits_per_character`` on held-out text.

    python tests/benchmarks/bench_checks.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

import course_utils
from course_utils.batching import batchify, bptt_chunks
from course_utils.language_model import CharLanguageModel, bits_per_character, detach_state
from course_utils.models import SequenceClassifier, SequenceTagger
from course_utils.tasks import EchoData, TemporalOrder
from course_utils.text import Vocabulary, load_text
from course_utils.training import binary_tagging_step, fit

MODULES = ["checks", "models", "training", "tasks", "language_model", "text", "batching", "numpy_rnn", "inspect_lstm",
           "plots", "diagrams", "reproducibility"]
EXTRA = {"language_model": ["_check_scaled"], "training": ["_check_eval_data"]}


def _no_op(value=None, *args, **kwargs):
    return value


@contextmanager
def checks_disabled():
    """Every check function of every module replaced by a no-op that returns its first argument."""
    saved = []
    for name in MODULES:
        module = importlib.import_module(f"course_utils.{name}")
        for attribute in [a for a in vars(module) if a.startswith("check_")] + EXTRA.get(name, []):
            if callable(getattr(module, attribute)):
                saved.append((module, attribute, getattr(module, attribute)))
                setattr(module, attribute, _no_op)
    try:
        yield
    finally:
        for module, attribute, original in saved:
            setattr(module, attribute, original)


def fit_temporal_order() -> None:
    data = TemporalOrder("hard", batch_size=2, n_batches=400, seed=1)
    test = data.test_set(640, batch_size=640)
    model = SequenceClassifier(8, 16, 4, cell="lstm", forget_bias=4.0, input_bias=-2.0, seed=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    fit(model, data, optimizer, eval_data=test, clip_grad_norm=1.0, report_every=200, print_every=0)


def fit_echo() -> None:
    data = EchoData(3, 20, batch_size=64, stream_length=1200, seed=0)
    model = SequenceTagger(1, 16, 1, cell="lstm", seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(8):
        fit(model, data, optimizer, step=binary_tagging_step, print_every=0)


ALICE = load_text("alice")
VOCAB = Vocabulary.from_text(ALICE)
IDS = VOCAB.encode(ALICE)
TRAIN_ROWS, HELDOUT_ROWS = batchify(IDS[: len(IDS) * 9 // 10], 32), batchify(IDS[len(IDS) * 9 // 10 :], 8)


def language_model_steps(steps: int = 60) -> None:
    model = CharLanguageModel(len(VOCAB), hidden_size=128, cell="lstm", dropout=0.3, seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    state = None
    for step, (x, y) in enumerate(bptt_chunks(TRAIN_ROWS, 32)):
        if step == steps:
            break
        state = detach_state(state)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, len(VOCAB)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
    bits_per_character(model, bptt_chunks(HELDOUT_ROWS[:, :2000], 100))


WORKLOADS: dict[str, Callable[[], None]] = {
    "fit temporal order": fit_temporal_order,
    "fit echo": fit_echo,
    "language model step": language_model_steps,
}


def per_batch_costs(n: int = 2000) -> None:
    """The checks one training batch runs, timed alone, against the time of that batch's training step (microseconds)."""
    from course_utils import checks

    def micro(f: Callable[[], object], count: int = n) -> float:
        start = time.process_time()
        for _ in range(count):
            f()
        return (time.process_time() - start) / count * 1e6

    x, lengths, y = TemporalOrder("hard", batch_size=2, n_batches=1, seed=0)[0]
    model = SequenceClassifier(8, 16, 4, cell="lstm", seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    rnn_checks = micro(lambda: (checks.check_module(model), checks.check_optimizer(optimizer, model), checks.check_float(1.0, "c", 0),
                                checks.check_sequences(x, 8, dtype=torch.float32), checks.check_lengths(lengths, x),
                                checks.check_class_targets(y, 4, 2), checks.check_int(2, "count", 0)))
    rnn_step = micro(lambda: train_on_batch_plain(model, optimizer, lambda: F.cross_entropy(model(x, lengths), y)), 200)
    ex, ey = EchoData(3, 20, batch_size=64, stream_length=1200, seed=0).chunks(0)[0]
    tagger = SequenceTagger(1, 16, 1, cell="lstm", seed=0)
    tagger_optimizer = torch.optim.Adam(tagger.parameters(), lr=0.01)
    state = (torch.zeros(1, 64, 16), torch.zeros(1, 64, 16))
    echo_checks = micro(lambda: (checks.check_module(tagger), checks.check_optimizer(tagger_optimizer, tagger),
                                 checks.check_sequences(ex, 1, dtype=torch.float32), checks.check_state(state, tagger.recurrent, 64),
                                 checks.check_binary_targets(ey, ey.shape, ey.dtype), checks.check_int(2, "count", 0)))
    echo_step = micro(lambda: train_on_batch_plain(
        tagger, tagger_optimizer, lambda: F.binary_cross_entropy_with_logits(tagger(ex, state)[0], ey)), 200)
    print(f"{'per batch':22} {'checks':>12} {'step':>10} {'share':>9}   (CPU microseconds, timed alone)")
    for name, cost, step in (("temporal order, b=2", rnn_checks, rnn_step), ("echo chunk, b=64", echo_checks, echo_step)):
        print(f"{name:22} {cost:12.1f} {step:10.1f} {cost / step:9.1%}", flush=True)


def train_on_batch_plain(model: nn.Module, optimizer: torch.optim.Optimizer, loss: Callable[[], torch.Tensor]) -> None:
    optimizer.zero_grad()
    value = loss()
    value.backward()
    optimizer.step()


def cpu_seconds(workload: Callable[[], None]) -> float:
    start = time.process_time()
    workload()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    course_utils.setup(seed=0)
    per_batch_costs()
    print(f"{'workload':22} {'with checks':>12} {'without':>10} {'overhead':>9}   (CPU seconds, best of {args.repeats})")
    for name, workload in WORKLOADS.items():
        workload()  # warm up
        with_checks, without = [], []
        for repeat in range(args.repeats):  # alternate, and swap the order every other time, against drifting load
            if repeat % 2:
                with_checks.append(cpu_seconds(workload))
            with checks_disabled():
                without.append(cpu_seconds(workload))
            if not repeat % 2:
                with_checks.append(cpu_seconds(workload))
        best_with, best_without = min(with_checks), min(without)
        print(f"{name:22} {best_with:12.3f} {best_without:10.3f} {(best_with / best_without - 1):9.1%}", flush=True)


if __name__ == "__main__":
    main()
