"""Benchmark: accuracy against input length with and without attention, on reversing and on sorting digits, over seeds.

Run by ``make bench`` (or ``python tests/benchmarks/bench_seq2seq.py [n_seeds] [budget ...]``;
the default is 3 seeds and budgets of 400 and 1600 batches).
The models are notebook 09's own: this script runs the notebook's set-up cell
(which fixes the sizes: HIDDEN, EMBEDDING, MAX_LENGTH, N_BATCHES, BATCH_SIZE,
LR) and its code cells tagged ``model`` (the encoder, the encoder-decoder with
and without attention, greedy decoding), so that what is measured here is what
the notebook teaches, with no second copy of the code.

For each seed and task: the training pairs come from ``reversing_pairs`` or
``sorting_pairs(..., seed=100 + seed)``, 1 to MAX_LENGTH digits, the initial
weights from ``torch.manual_seed(seed)``; the attention model starts from the
plain model's initial weights (the two have exactly the same parameters) and
both get the same batches, in the same order, the notebook's optimiser (Adam,
LR, clipping at norm 1, teacher forcing) and the same number of steps. Every
batch is seen once, so the model measured after the first 400 batches of a
1,600-batch run is the one a 400-batch run (the notebook's budget) trains. The
test pairs (``seed=7_000 + length``, 500 per even length) are the same for every
seed and model. Printed: the fraction of test sequences written exactly right by
greedy decoding, per length, per seed, task, model and budget, then the mean
and the range over seeds, the parameter counts and the wall time of each
training. Asserts nothing.
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


def main(n_seeds: int = 3, budgets: tuple[int, ...] = (400, 1600)) -> None:
    nb = notebook_definitions()
    from course_utils.models import count_parameters
    from course_utils.seq2seq import DIGITS, exact_match, make_batch, make_batches, reversing_pairs, sorting_pairs
    from course_utils.seq2seq import teacher_forcing_step
    from course_utils.training import fit

    torch.set_num_threads(1)  # as course_utils.setup does in the notebook
    tasks = {"reversing": reversing_pairs, "sorting": sorting_pairs}
    lengths = list(range(2, nb["MAX_LENGTH"] + 1, 2))
    print(f"budgets {budgets} batches of {nb['BATCH_SIZE']} pairs of 1..{nb['MAX_LENGTH']} digits, Adam lr {nb['LR']}, "
          f"clipping 1.0, teacher forcing; hidden {nb['HIDDEN']}, embedding {nb['EMBEDDING']}; "
          f"{TEST_PER_LENGTH} test sequences per length; greedy decoding", flush=True)
    table: dict[tuple[str, str, int], list[list[float]]] = {}
    for task_name, task in tasks.items():
        tests = {n: task(TEST_PER_LENGTH, n, n, seed=7_000 + n) for n in lengths}
        for seed in range(n_seeds):
            batches = make_batches(task(nb["BATCH_SIZE"] * max(budgets), 1, nb["MAX_LENGTH"], seed=100 + seed),
                                   DIGITS, nb["BATCH_SIZE"])
            torch.manual_seed(seed)
            plain = nb["EncoderDecoder"](DIGITS)
            attentive = nb["AttentionEncoderDecoder"](DIGITS)
            attentive.load_state_dict(copy.deepcopy(plain.state_dict()))
            for name, model in (("no attention", plain), ("attention", attentive)):
                optimizer = torch.optim.Adam(model.parameters(), lr=nb["LR"])
                done, seconds = 0, 0.0
                for budget in sorted(budgets):
                    start = time.perf_counter()
                    fit(model, batches[done:budget], optimizer, step=teacher_forcing_step, clip_grad_norm=1.0,
                        print_every=0)
                    seconds += time.perf_counter() - start
                    done = budget
                    row = []
                    for n in lengths:
                        batch = make_batch(tests[n], DIGITS)
                        written, _ = nb["greedy_decode"](model, batch.source, batch.source_lengths, max_length=n + 5)
                        row.append(exact_match(written, [target for _, target in tests[n]]))
                    table.setdefault((task_name, name, budget), []).append(row)
                    print(f"{task_name:9}  seed {seed}  {name:12}  {budget:5,} batches  {count_parameters(model):,} "
                          f"parameters  trained {seconds:6.1f} s  " + " ".join(f"{a:4.0%}" for a in row), flush=True)
    print(f"\nfraction of test sequences written exactly right, by input length (mean over {n_seeds} seeds, "
          "lowest-highest)")
    print(f"{'':34}" + "".join(f"{n:>14d}" for n in lengths))
    for (task_name, name, budget), rows in sorted(table.items(), key=lambda item: (item[0][0], item[0][2], item[0][1])):
        values = torch.tensor(rows)  # (seeds, lengths)
        print(f"{task_name:9}  {name:12}  {budget:5,} b.  " + "".join(
            f"{m:5.0%} ({lo:3.0%}-{hi:3.0%})" for m, lo, hi in zip(values.mean(0), values.min(0).values, values.max(0).values)))


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    main(arguments[0] if arguments else 3, tuple(arguments[1:]) or (400, 1600))
