"""Exercises of notebook 01 (why recurrent networks?): a bag of bigrams, and next-word probabilities from counts."""

from __future__ import annotations

from collections import Counter

import numpy as np

from course_utils.exercises.core import Incorrect, call, compare, exercise

WORDS = ["the", "plot", "was", "not", "good", "bad", "acting", "and", "a", "cat"]


def bag_of_bigrams(words: list[str], bigrams: list[tuple[str, str]]) -> np.ndarray:
    """Counts of each bigram of `bigrams` (pairs of words) among the consecutive pairs of `words`: (len(bigrams),) ints."""
    counts = Counter(zip(words[:-1], words[1:]))
    return np.array([counts[gram] for gram in bigrams], dtype=np.int64)


def next_word_probabilities(words: list[str], context: tuple[str, ...]) -> dict[str, float]:
    """P(next word | context) estimated by counting what follows `context` in `words`: a dict word -> probability."""
    n = len(context)
    following = Counter(words[i + n] for i in range(len(words) - n) if tuple(words[i : i + n]) == tuple(context))
    total = sum(following.values())
    return {word: count / total for word, count in following.items()}


def _random_words(rng: np.random.Generator, low: int = 6, high: int = 30) -> list[str]:
    vocabulary = WORDS[: int(rng.integers(3, len(WORDS) + 1))]
    return [str(w) for w in rng.choice(vocabulary, size=int(rng.integers(low, high)))]


@exercise("01.1", "a bag of bigrams", bag_of_bigrams)
def check_bag_of_bigrams(fn, rng):
    """Compare with the reference on random word lists and bigram vocabularies (including unseen bigrams)."""
    for _ in range(20):
        words = _random_words(rng)
        pairs = sorted(set(zip(words[:-1], words[1:])))
        extra = [("cat", "zebra"), (words[0], words[0])]
        chosen = [pairs[i] for i in rng.permutation(len(pairs))[: max(1, len(pairs) // 2)]]
        bigrams = chosen + extra + [(words[-2], words[-1])]
        got = call(fn, list(words), list(bigrams))
        expected = bag_of_bigrams(words, bigrams)
        counts = Counter(zip(words[:-1], words[1:]))
        variants = {
            "each pair counted once (presence, 0/1) instead of how often it occurs":
                np.array([int(counts[g] > 0) for g in bigrams]),
            "the last pair of words is missing: the pairs are words[i], words[i + 1] for i up to len(words) - 2":
                np.array([Counter(zip(words[:-2], words[1:-1]))[g] for g in bigrams]),
            "the pair is read backwards: (words[i + 1], words[i]) instead of (words[i], words[i + 1])":
                np.array([counts[(g[1], g[0])] for g in bigrams]),
            "this counts single words, not pairs": np.array([Counter(words)[g[0]] for g in bigrams]),
        }
        compare(f"bag_of_bigrams({' '.join(words[:4])} ..., {len(bigrams)} bigrams)", got, expected,
                variants=variants, need_float64=False, axes="(bigram,)")
    a = "the plot was not good the acting was bad".split()
    b = "the plot was not bad the acting was good".split()
    grams = sorted(set(zip(a[:-1], a[1:])) | set(zip(b[:-1], b[1:])))
    if np.array_equal(np.asarray(call(fn, a, grams)), np.asarray(call(fn, b, grams))):
        raise Incorrect("the two reviews of section 1 get the same bag of bigrams, but 'not good' occurs in only one")
    return "20 random texts, and the two reviews now differ"


@exercise("01.2", "next-word probabilities from counts", next_word_probabilities)
def check_next_word_probabilities(fn, rng):
    """Compare the returned dict with the reference for contexts of length 1 and 2, seen and unseen."""
    for _ in range(20):
        words = _random_words(rng, 10, 40)
        n = int(rng.integers(1, 3))
        start = int(rng.integers(0, len(words) - n))
        context = tuple(words[start : start + n])
        got = call(fn, list(words), context)
        expected = next_word_probabilities(words, context)
        name = f"next_word_probabilities(..., {context})"
        if not isinstance(got, dict):
            raise Incorrect(f"{name} should return a dict word -> probability, got {type(got).__name__}")
        if set(got) != set(expected):
            missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
            hints = []
            shifted = {words[i + n - 1] for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == context}
            if set(got) == shifted or set(got) <= set(context):
                hints.append("off by one: the next word is words[i + n], after the n words of the context")
            raise Incorrect(f"{name} has the words {sorted(got)}, expected {sorted(expected)}"
                            + (f" (missing {missing})" if missing else "") + (f" (unexpected {extra})" if extra else ""),
                            hints)
        keys = sorted(expected)
        values = np.array([got[k] for k in keys], dtype=float) if all(
            isinstance(got[k], (int, float, np.number)) for k in keys) else None
        if values is None:
            raise Incorrect(f"{name} should map each word to a number (a probability)")
        counts = Counter(words[i + n] for i in range(len(words) - n) if tuple(words[i : i + n]) == context)
        compare(name, values, np.array([expected[k] for k in keys]),
                variants={"these are counts, not probabilities: divide by how often the context was followed by a word":
                          np.array([counts[k] for k in keys], dtype=float),
                          "divided by the number of words in the text, not by how often the context occurs":
                          np.array([counts[k] / len(words) for k in keys])},
                axes=f"(over the words {keys})")
    never = call(fn, ["a", "b", "a", "c"], ("zebra",))
    if never != {}:
        raise Incorrect(f"for a context that never occurs the answer should be an empty dict, got {never!r}")
    return "20 random texts and contexts"
