"""Benchmark: how long each exercise check takes on the course's reference solution (the budget is under a second).

Run by ``make bench`` (or ``python tests/benchmarks/bench_exercises.py``). Each
check runs once to warm torch up, then a few times with fresh seeds, on one
thread as in a notebook; it prints the median and the worst time of each and
asserts nothing.
"""

import statistics
import time

import torch

from course_utils.exercises import exercises, passes, reference

REPEATS = 5


def main() -> None:
    torch.set_num_threads(1)
    print(f"{'exercise':9} {'median s':>9} {'worst s':>8}  title")
    for key, title in exercises().items():
        passes(key, reference(key), seed=0)
        times = []
        for seed in range(1, REPEATS + 1):
            start = time.perf_counter()
            assert passes(key, reference(key), seed=seed), key
            times.append(time.perf_counter() - start)
        print(f"{key:9} {statistics.median(times):9.3f} {max(times):8.3f}  {title}")


if __name__ == "__main__":
    main()
