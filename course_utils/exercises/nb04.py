"""Exercises of notebook 04 (text generation): sampling with a temperature, and a character bigram baseline."""

from __future__ import annotations

import math

import numpy as np
import torch

from course_utils.exercises.core import Incorrect, call, compare, exercise


def sample_with_temperature(logits: torch.Tensor, temperature: float, generator: torch.Generator) -> int:
    """Draw one index from softmax(logits / temperature), logits (vocab,), with the random numbers of `generator`."""
    probabilities = torch.softmax(logits / temperature, dim=-1)
    return int(torch.multinomial(probabilities, 1, generator=generator))


def bigram_bits_per_char(train_ids: torch.Tensor, heldout_ids: torch.Tensor, vocab_size: int,
                         alpha: float = 1.0) -> float:
    """Bits per character of a character bigram model (counts + alpha, from train_ids) on heldout_ids: mean -log2 P(next | previous)."""
    counts = torch.full((vocab_size, vocab_size), float(alpha), dtype=torch.float64)
    counts.index_put_((train_ids[:-1], train_ids[1:]), torch.ones(len(train_ids) - 1, dtype=torch.float64),
                      accumulate=True)
    p = counts / counts.sum(dim=1, keepdim=True)  # row: previous character, column: next
    return float(-p[heldout_ids[:-1], heldout_ids[1:]].log2().mean())


def _frequencies(fn, logits, temperature, n, seed):
    generator = torch.Generator().manual_seed(seed)
    draws = []
    for _ in range(n):
        value = call(fn, logits.clone(), temperature, generator, what="sample_with_temperature")
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise Incorrect(f"sample_with_temperature should return one index (an int), got {type(value).__name__} "
                            f"{value!r:.40}", ["int(torch.multinomial(p, 1, generator=generator)) is one index"])
        if not 0 <= value < len(logits):
            raise Incorrect(f"sample_with_temperature returned {value}, outside the vocabulary 0..{len(logits) - 1}")
        draws.append(int(value))
    return np.bincount(draws, minlength=len(logits)) / n, draws


@exercise("04.1", "sampling with a temperature", sample_with_temperature)
def check_sample_with_temperature(fn, rng):
    """Compare the frequencies of 600 draws with softmax(logits / T) and with the usual wrong distributions."""
    n = 600
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0], dtype=torch.float64)[torch.as_tensor(rng.permutation(4))]
    for temperature in (0.5, 2.0):
        frequencies, draws = _frequencies(fn, logits, temperature, n, int(rng.integers(2**31)))
        candidates = {
            None: torch.softmax(logits / temperature, -1),
            "the logits are multiplied by T; the temperature divides them: softmax(logits / T)":
                torch.softmax(logits * temperature, -1),
            "the temperature is not used: T < 1 should sharpen the distribution, T > 1 flatten it":
                torch.softmax(logits, -1),
            "this is greedy decoding (always the most likely index); sampling draws from the distribution":
                torch.nn.functional.one_hot(logits.argmax(), 4).double(),
            "the logits are used as probabilities: apply the softmax (after dividing by T)":
                logits.clamp(min=0) / logits.clamp(min=0).sum(),
        }
        distances = {hint: float(np.abs(frequencies - p.numpy()).max()) for hint, p in candidates.items()}
        nearest = min(distances, key=distances.get)
        expected = candidates[None].numpy()
        if nearest is not None or distances[None] > 0.09:
            worst = int(np.argmax(np.abs(frequencies - expected)))
            raise Incorrect(f"at T = {temperature}, index {worst} came up in {frequencies[worst]:.1%} of {n} draws, "
                            f"expected about {expected[worst]:.1%} (softmax(logits / T) = {np.round(expected, 3).tolist()})",
                            [nearest] if nearest else [])
        again = _frequencies(fn, logits, temperature, 30, 7)[1]
        if again != _frequencies(fn, logits, temperature, 30, 7)[1]:
            raise Incorrect("two runs with generators of the same seed drew different indices",
                            ["the generator is not used: pass generator=generator to torch.multinomial, "
                             "so that a seed reproduces the text"])
    return f"the frequencies of {n} draws at T = 0.5 and 2 match softmax(logits / T), and the generator is used"


@exercise("04.2", "a character bigram baseline", bigram_bits_per_char)
def check_bigram_bits_per_char(fn, rng):
    """Compare with the reference on random id streams, including pairs never seen in training."""
    for _ in range(6):
        vocab_size = int(rng.integers(3, 9))
        train = torch.as_tensor(rng.integers(0, vocab_size - 1, int(rng.integers(20, 200))))  # no id vocab_size - 1
        train[:2] = torch.tensor([0, 1])
        heldout = torch.as_tensor(rng.integers(0, vocab_size, int(rng.integers(10, 60))))
        heldout[:2] = torch.tensor([vocab_size - 1, vocab_size - 1])  # a character never seen in training
        alpha = float(rng.choice([0.5, 1.0, 2.0]))
        got = call(fn, train.clone(), heldout.clone(), vocab_size, alpha)
        expected = bigram_bits_per_char(train, heldout, vocab_size, alpha)
        counts = torch.full((vocab_size, vocab_size), alpha, dtype=torch.float64)
        counts.index_put_((train[:-1], train[1:]), torch.ones(len(train) - 1, dtype=torch.float64), accumulate=True)
        rows = counts / counts.sum(1, keepdim=True)
        columns = counts / counts.sum(0, keepdim=True)
        pairs = (heldout[:-1], heldout[1:])
        variants = {
            "these are nats (natural log); bits use log2 (divide by ln 2)": -rows[pairs].log().mean(),
            "the model predicts the previous character from the next one: counts[previous, next], rows normalised":
                -(counts.T / counts.T.sum(1, keepdim=True))[pairs].log2().mean(),
            "the counts are normalised over the wrong axis: each row (a previous character) must sum to 1":
                -columns[pairs].log2().mean(),
            "a sum over the held-out pairs, not a mean (bits *per character*)": -rows[pairs].log2().sum(),
            "this is the unigram model (character frequencies only), not P(next | previous)":
                -(torch.bincount(train, minlength=vocab_size).double() + alpha).div(len(train) + alpha * vocab_size)[
                    heldout[1:]].log2().mean(),
        }
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, (float, np.floating)) and not math.isfinite(got):
            raise Incorrect(f"bits per character is {got}: a held-out pair never seen in training got probability 0 "
                            "(or 0 / 0 for a character never seen)",
                            ["add alpha to every count (add-alpha smoothing) before normalising"])
        compare(f"bits per character (vocab {vocab_size}, alpha {alpha})", got, np.float64(expected),
                variants={k: float(v) for k, v in variants.items()}, need_float64=False)
    return "6 random streams with unseen pairs"
