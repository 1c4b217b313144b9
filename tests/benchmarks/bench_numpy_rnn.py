"""Benchmark: the numpy RNN's forward + BPTT against torch autograd on the same problem.

Run by ``make bench`` (or ``python tests/benchmarks/bench_numpy_rnn.py``). The
problem of the issue: T = 100 steps, batch 32, hidden 64, with a one-hot input
and an output over 64 classes (a character-level language model's sizes), the
cross-entropy summed over the steps and averaged over the batch, in float64 (the
numpy model's default, used in the notebooks) and in float32. Both sides run on
one thread, as the notebooks do. It prints the median of several repeats and the
ratio; it asserts nothing.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before numpy is imported: one BLAS thread

import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.numpy_rnn import NumpyRNN, to_torch

SEQ_LEN, BATCH, HIDDEN, VOCAB = 100, 32, 64, 64
REPEATS = 15


def median_seconds(function, repeats=REPEATS):
    """Median wall time of `function()` over `repeats` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(dtype):
    """Time both implementations on the problem in `dtype` and print the figures."""
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, VOCAB, size=(SEQ_LEN + 1, BATCH))
    x = np.eye(VOCAB, dtype=dtype)[tokens[:-1]]  # (seq_len, batch, input_size), one-hot
    targets = tokens[1:]  # (seq_len, batch)
    model = NumpyRNN(VOCAB, HIDDEN, VOCAB, dtype=dtype, seed=0)
    rnn, linear = to_torch(model)
    x_torch, targets_torch = torch.from_numpy(x), torch.from_numpy(targets).reshape(-1)

    def numpy_step():
        model.loss_and_grads(x, targets)

    def torch_step():
        rnn.zero_grad(set_to_none=True)
        linear.zero_grad(set_to_none=True)
        logits = linear(rnn(x_torch)[0])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets_torch, reduction="sum") / BATCH
        loss.backward()

    numpy_seconds = median_seconds(numpy_step)
    torch_seconds = median_seconds(torch_step)
    print(f"{np.dtype(dtype).name}:")
    print(f"  numpy NumpyRNN.loss_and_grads   {1e3 * numpy_seconds:8.2f} ms")
    print(f"  torch nn.RNN + Linear, autograd {1e3 * torch_seconds:8.2f} ms")
    print(f"  numpy / torch                   {numpy_seconds / torch_seconds:8.2f}x")


def main():
    """Both comparisons, one thread each."""
    torch.set_num_threads(1)
    print(f"forward + backward, T={SEQ_LEN}, batch {BATCH}, hidden {HIDDEN}, one-hot input and {VOCAB} classes, "
          f"one thread, median of {REPEATS} runs")
    for dtype in (np.float64, np.float32):
        compare(dtype)


if __name__ == "__main__":
    main()
