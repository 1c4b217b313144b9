"""Benchmark: the character language models of notebook 04 against the classical baselines, over seeds.

Run by ``make bench`` (or ``python tests/benchmarks/bench_language_model.py [part ...]``
with parts ``baselines``, ``networks``, ``long``). The data are notebook 04's:
chapters I to V of *Alice's Adventures in Wonderland* (``course_utils.text``), the
first 90 % of its characters to train on, the last 10 % held out.

* ``baselines``: held-out bits per character of the interpolated Kneser-Ney
  character n-gram for n = 2..8, of three compressors used as coders that have
  read the training text first (bz2, lzma, zlib), of the character frequencies
  and of a uniform guess; with the seconds each takes.
* ``networks``: the notebook's LSTM and its vanilla RNN of (about) the same
  parameter count, on the notebook's budget (``SETTINGS``), for seeds 0, 1, 2
  (initial weights and dropout masks), with the wall and CPU seconds of the
  training (one torch thread), and the LSTM's margin over the best baseline.
* ``long``: the LSTM of seed 0 with four times the steps: where the budget, not
  the model, is the limit (not part of the default run).

Prints, asserts nothing. It runs with one torch thread and with the environment
of the notebooks' kernel (``course_utils.nbtools.KERNEL_ENV``). Seed 0 has the
notebook's initial weights, but not its dropout masks (the notebook draws other
random numbers before it trains), so its numbers are close to the notebook's,
not equal.
"""

from __future__ import annotations

import bz2
import lzma
import math
import sys
import time
import zlib

import torch

from course_utils.batching import batchify
from course_utils.language_model import CharLanguageModel, compressed_bits, kneser_ney_bits, train_language_model
from course_utils.models import count_parameters
from course_utils.nbtools import run_in_kernel_environment
from course_utils.text import Vocabulary, load_text

#: Notebook 04's settings (section 4).
SETTINGS = {"lstm_hidden": 128, "rnn_hidden": 271, "dropout": 0.2, "batch_size": 16, "bptt": 32, "steps": 1500,
            "lr": 0.01, "schedule": "cosine", "max_norm": 1.0}
SEEDS = (0, 1, 2)
NGRAM_ORDERS = range(2, 9)
COMPRESSORS = {"bz2": lambda b: bz2.compress(b, 9), "lzma": lambda b: lzma.compress(b, preset=9 | lzma.PRESET_EXTREME),
               "zlib": lambda b: zlib.compress(b, 9)}


def split() -> tuple[str, str]:
    """The notebook's split of the book: the first 90 % of the characters, the last 10 %."""
    book = load_text("alice")
    cut = int(0.9 * len(book))
    return book[:cut], book[cut:]


def baselines() -> dict[str, float]:
    """Print and return the held-out bits per character of every classical baseline."""
    train, heldout = split()
    scores: dict[str, float] = {}
    print(f"train {len(train):,} characters, held out {len(heldout):,}")
    print(f"{'baseline':>22} {'bits/char':>9} {'seconds':>8}")
    vocab = Vocabulary.from_text(train + heldout)
    counts = torch.bincount(vocab.encode(train), minlength=len(vocab)).double()
    scores["uniform guess"] = math.log2(len(vocab))
    scores["character frequencies"] = -(counts / counts.sum())[vocab.encode(heldout)].log2().mean().item()
    for name in scores:
        print(f"{name:>22} {scores[name]:9.3f} {0:8.1f}")
    for n in NGRAM_ORDERS:
        start = time.perf_counter()
        scores[f"Kneser-Ney {n}-gram"] = kneser_ney_bits(train, heldout, n)
        print(f"{f'Kneser-Ney {n}-gram':>22} {scores[f'Kneser-Ney {n}-gram']:9.3f} {time.perf_counter() - start:8.1f}", flush=True)
    for name, compress in COMPRESSORS.items():
        start = time.perf_counter()
        scores[name] = compressed_bits(train, heldout, compress)
        print(f"{name + ' as a coder':>22} {scores[name]:9.3f} {time.perf_counter() - start:8.1f}", flush=True)
    best = min(scores, key=scores.get)
    print(f"best classical baseline: {best}, {scores[best]:.3f} bits per character")
    return scores


def run(cell: str, seed: int, steps: int = SETTINGS["steps"]) -> tuple[float, float, int, float, float]:
    """Train one network as the notebook does; return held-out bits/char, training bits/char (mean of the last 100
    steps, dropout on), parameters, wall and CPU seconds."""
    train, heldout = split()
    vocab = Vocabulary.from_text(train + heldout)
    train_rows = batchify(vocab.encode(train), SETTINGS["batch_size"])
    heldout_rows = batchify(vocab.encode(heldout), 8)
    hidden = SETTINGS["lstm_hidden"] if cell == "lstm" else SETTINGS["rnn_hidden"]
    model = CharLanguageModel(len(vocab), hidden, cell=cell, dropout=SETTINGS["dropout"], seed=seed)
    torch.manual_seed(seed)  # the dropout masks (a benchmark script owns its process, as setup() does in a notebook)
    wall, cpu = time.perf_counter(), time.process_time()
    history = train_language_model(model, train_rows, heldout_rows, steps, bptt=SETTINGS["bptt"], lr=SETTINGS["lr"],
                                   eval_every=100, max_norm=SETTINGS["max_norm"], schedule=SETTINGS["schedule"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return history[-1][2], history[-1][1], count_parameters(model), wall, cpu


def networks(best: float | None = None) -> None:
    """The notebook's two networks over SEEDS, beside the best baseline."""
    if best is None:
        best = min(baselines().values())
    print(f"settings {SETTINGS}")
    print(f"{'network':>12} {'seed':>4} {'parameters':>10} {'held-out':>8} {'train':>6} {'vs best baseline':>16} {'wall s':>7} {'CPU s':>6}")
    for cell in ("lstm", "rnn"):
        for seed in SEEDS:
            heldout, train, parameters, wall, cpu = run(cell, seed)
            print(f"{cell:>12} {seed:>4} {parameters:>10,} {heldout:8.3f} {train:6.3f} {heldout - best:+16.3f} {wall:7.1f} {cpu:6.1f}",
                  flush=True)


def long() -> None:
    """Seed 0's LSTM with four times the steps."""
    heldout, train, parameters, wall, cpu = run("lstm", 0, steps=4 * SETTINGS["steps"])
    print(f"lstm, {4 * SETTINGS['steps']} steps: held-out {heldout:.3f}, train {train:.3f} bits/char, {wall:.1f} s wall, {cpu:.1f} s CPU")


if __name__ == "__main__":
    run_in_kernel_environment()
    torch.set_num_threads(1)
    parts = sys.argv[1:] or ["baselines", "networks"]
    best = None
    for name in parts:
        print(f"-- {name}")
        if name == "baselines":
            best = min(baselines().values())
        elif name == "networks":
            networks(best)
        elif name == "long":
            long()
        else:
            raise SystemExit(f"unknown part {name!r}: choose from baselines, networks, long")
