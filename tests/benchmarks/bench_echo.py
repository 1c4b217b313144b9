"""Benchmark: how many steps back a small vanilla RNN and an LSTM learn to echo a random bit stream.

Run by ``make bench`` (or ``python tests/benchmarks/bench_echo.py [part ...]``
with parts ``budget``, ``long``, ``truncation``). The task is
``EchoData`` (notebook 06): the target is the input stream delayed by
``echo_step`` steps, trained chunk by chunk with the state carried and detached
(truncated BPTT). Every run trains a ``SequenceTagger`` (hidden size 16) with
Adam on a fresh stream at every pass, as the notebook's ``train_echo`` does,
stopping after the first pass without a training mistake or after
``max_passes``, then scores it on the held-out stream.

* ``budget``: the notebook's memory-capacity sweep (plus echo steps 14 and 18), on the notebook's budget,
  over three seeds (each with its own streams and initial weights), with the
  wall time of each run: is the notebook's single seed typical?
* ``long``: twenty times that budget (200 passes) for the longer echoes: where
  does each model stop because of its size rather than its training time?
* ``truncation``: a fixed echo of 12 steps against the chunk length (the
  truncation length of backpropagation), with up to 20 passes as in the
  notebook's section 7: no learning once the chunk is not longer than the echo.

Prints, asserts nothing. It runs with one torch thread and with the environment
of the notebooks' kernel (``course_utils.nbtools.KERNEL_ENV``: the same numeric
code paths), so that seed 0 gives the notebook's own numbers.
"""

from __future__ import annotations

import statistics
import sys
import time

import torch

from course_utils.models import SequenceTagger
from course_utils.nbtools import run_in_kernel_environment
from course_utils.tasks import EchoData
from course_utils.training import binary_tagging_step, fit, measure

#: The notebook's settings for the memory-capacity sweep (section 6).
SETTINGS = {"hidden_size": 16, "batch_size": 64, "chunk_length": 40, "stream_length": 1200, "max_passes": 10,
            "lr": 0.01, "held-out stream_length": 2400}
#: The notebook's three models: cell and forget-gate bias.
CONTENDERS = {"rnn": ("rnn", None), "lstm": ("lstm", None), "lstm b_f=1": ("lstm", 1.0)}
ECHO_STEPS = (1, 2, 4, 8, 10, 12, 14, 16, 18, 20, 24)
SEEDS = (0, 1, 2)
LONG_ECHO_STEPS = (12, 16, 20, 24, 28)
LONG_PASSES = 200
#: The passes of the notebook's truncation experiment (section 7: ``train_echo``'s default).
TRUNCATION_PASSES = 20
TRUNCATION_ECHO = 12
CHUNK_LENGTHS = (6, 10, 12, 15, 20, 30, 40)


def run(cell: str, echo_step: int, seed: int = 0, max_passes: int = SETTINGS["max_passes"],
        chunk_length: int = SETTINGS["chunk_length"], forget_bias: float | None = None) -> tuple[float, int, float]:
    """Train one model as the notebook does; return its held-out accuracy, the passes it took and the seconds."""
    data = EchoData(echo_step, chunk_length, SETTINGS["batch_size"], SETTINGS["stream_length"], seed=seed)
    model = SequenceTagger(1, SETTINGS["hidden_size"], 1, cell=cell, forget_bias=forget_bias, seed=seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=SETTINGS["lr"])
    start = time.perf_counter()
    for passes in range(1, max_passes + 1):
        if fit(model, data, optimizer, step=binary_tagging_step, print_every=0).train_accuracy[-1] == 1.0:
            break
    seconds = time.perf_counter() - start
    test = data.test_set(stream_length=SETTINGS["held-out stream_length"])
    return measure(model, test, step=binary_tagging_step)[1], passes, seconds


def budget() -> None:
    """The notebook's sweep over three seeds."""
    print(f"held-out accuracy, settings {SETTINGS}; seeds {SEEDS} | median")
    print(f"{'echo_step':>9}  " + "  ".join(f"{name:^28}" for name in CONTENDERS))
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for echo_step in ECHO_STEPS:
        columns = []
        for name, (cell, forget_bias) in CONTENDERS.items():
            accuracies = []
            for seed in SEEDS:
                accuracy, _, seconds = run(cell, echo_step, seed, forget_bias=forget_bias)
                accuracies.append(accuracy)
                times[name].append(seconds)
            columns.append(" ".join(f"{a:6.1%}" for a in accuracies) + f" |{statistics.median(accuracies):6.1%}")
        print(f"{echo_step:>9}  " + "  ".join(columns), flush=True)
    for name, seconds in times.items():
        print(f"{name}: {statistics.median(seconds):.2f} s per run (median), {sum(seconds) / len(SEEDS):.1f} s per sweep of"
              f" {len(ECHO_STEPS)} echo steps")


def long() -> None:
    """LONG_PASSES (twenty times the sweep's budget) for the longer echoes."""
    print(f"held-out accuracy (passes used) with up to {LONG_PASSES} passes, seed 0")
    print(f"{'echo_step':>9}  " + "  ".join(f"{name:>14}" for name in CONTENDERS))
    for echo_step in LONG_ECHO_STEPS:
        row = []
        for cell, forget_bias in CONTENDERS.values():
            accuracy, passes, _ = run(cell, echo_step, max_passes=LONG_PASSES, forget_bias=forget_bias)
            row.append(f"{accuracy:6.1%} ({passes:3d})")
        print(f"{echo_step:>9}  " + "  ".join(f"{cell:>14}" for cell in row), flush=True)


def truncation() -> None:
    """Echo TRUNCATION_ECHO steps with chunks (truncation lengths) shorter and longer than the echo."""
    print(f"echo_step {TRUNCATION_ECHO}, vanilla RNN, up to {TRUNCATION_PASSES} passes (seed 0), state carried")
    print(f"{'chunk_length':>12} {'accuracy':>9} {'passes':>7} {'seconds':>8}")
    for chunk_length in CHUNK_LENGTHS:
        accuracy, passes, seconds = run("rnn", TRUNCATION_ECHO, max_passes=TRUNCATION_PASSES, chunk_length=chunk_length)
        print(f"{chunk_length:>12} {accuracy:>9.1%} {passes:>7} {seconds:>8.1f}", flush=True)


PARTS = {"budget": budget, "long": long, "truncation": truncation}

if __name__ == "__main__":
    run_in_kernel_environment()
    torch.set_num_threads(1)
    for name in sys.argv[1:] or PARTS:
        print(f"-- {name}")
        PARTS[name]()
