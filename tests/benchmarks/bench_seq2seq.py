"""Benchmark: the number sorter's accuracy against the input length, with and without attention, over seeds.

Run by ``make bench`` (or ``python tests/benchmarks/bench_seq2seq.py [n_seeds]``).
The models are notebook 09's own: this script runs the notebook's set-up cell
(which fixes the sizes: HIDDEN, EMBEDDING, MAX_LENGTH, N_BATCHES, BATCH_SIZE,
LR) and its code cells tagged ``model`` (the encoder, the encoder-decoder with
and without attention, greedy decoding), so that what is measured here is what
the notebook teaches, with no second copy of the code.

For each seed: the training pairs come from ``sorting_pairs(..., seed=100 + seed)``,
the initial weights from ``torch.manual_seed(seed)``; the attention model
starts from the plain model's initial weights (the two have exactly the same
parameters) and both get the same batches, optimiser and number of steps as in
the notebook. The test pairs (``seed=7_000 + length``, 500 per length) are the
same for every seed and model. Printed: the fraction of test sequences sorted
exactly right by greedy decoding, per length, per seed and model, then the mean
and the range over seeds, the parameter counts and the training budget, and the
wall time of each training. Asserts nothing.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "09_encoder_decoder_attention.ipynb"
TEST_PER_LENGTH = 500


def notebook_definitions() -> dict:
    """The namespace after the notebook's set-up cell and its cells tagged `model`."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    namespace: dict = {"__name__": "bench_seq2seq_notebook"}
    for cell in [code[0]] + [c for c in code if "model" in c["metadata"].get("tags", [])]:
        exec(compile("".join(cell["source"]), str(NOTEBOOK), "exec"), namespace)
    return namespace


def main(n_seeds: int = 5) -> None:
    nb = notebook_definitions()
    from course_utils.models import count_parameters
    from course_utils.seq2seq import DIGITS, exact_match, make_batch, make_batches, sorting_pairs, teacher_forcing_step
    from course_utils.training import fit

    lengths = list(range(2, nb["MAX_LENGTH"] + 1, 2))
    tests = {n: sorting_pairs(TEST_PER_LENGTH, n, n, seed=7_000 + n) for n in lengths}
    print(f"budget: {nb['N_BATCHES']:,} batches of {nb['BATCH_SIZE']} pairs of 1..{nb['MAX_LENGTH']} digits, Adam lr "
          f"{nb['LR']}, clipping 1.0, teacher forcing; hidden {nb['HIDDEN']}, embedding {nb['EMBEDDING']}; "
          f"{TEST_PER_LENGTH} test sequences per length; greedy decoding")
    table: dict[str, list[list[float]]] = {"no attention": [], "attention": []}
    for seed in range(n_seeds):
        batches = make_batches(sorting_pairs(nb["BATCH_SIZE"] * nb["N_BATCHES"], 1, nb["MAX_LENGTH"], seed=100 + seed),
                               DIGITS, nb["BATCH_SIZE"])
        torch.manual_seed(seed)
        plain = nb["EncoderDecoder"](DIGITS)
        attentive = nb["AttentionEncoderDecoder"](DIGITS)
        attentive.load_state_dict(copy.deepcopy(plain.state_dict()))
        for name, model in (("no attention", plain), ("attention", attentive)):
            start = time.perf_counter()
            fit(model, batches, torch.optim.Adam(model.parameters(), lr=nb["LR"]), step=teacher_forcing_step,
                clip_grad_norm=1.0, print_every=0)
            seconds = time.perf_counter() - start
            row = []
            for n in lengths:
                batch = make_batch(tests[n], DIGITS)
                written, _ = nb["greedy_decode"](model, batch.source, batch.source_lengths, max_length=n + 5)
                row.append(exact_match(written, [target for _, target in tests[n]]))
            table[name].append(row)
            print(f"seed {seed}  {name:12}  {count_parameters(model):,} parameters  trained in {seconds:5.1f} s  "
                  + " ".join(f"{a:4.0%}" for a in row), flush=True)
    print("\nfraction of test sequences sorted exactly right, by input length (mean over "
          f"{n_seeds} seeds, lowest-highest)")
    print("length        " + "".join(f"{n:>14d}" for n in lengths))
    for name, rows in table.items():
        values = torch.tensor(rows)  # (seeds, lengths)
        print(f"{name:12}  " + "".join(
            f"{m:5.0%} ({lo:3.0%}-{hi:3.0%})" for m, lo, hi in zip(values.mean(0), values.min(0).values, values.max(0).values)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
