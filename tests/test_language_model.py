"""course_utils.language_model: the character model, sampling and bits per character."""

import math

import pytest
import torch

from course_utils.language_model import CharLanguageModel, bits_per_character, detach_state, next_char_distribution, sample
from course_utils.text import Vocabulary

VOCAB = Vocabulary("abcd ", start="^")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_model_shapes_and_state(cell):
    model = CharLanguageModel(len(VOCAB), hidden_size=8, cell=cell, seed=0)
    x = torch.randint(0, len(VOCAB), (3, 5), generator=torch.Generator().manual_seed(0))
    logits, state = model(x)
    assert logits.shape == (3, 5, len(VOCAB))
    # Carrying the state over two halves gives the same logits as one pass.
    first, state_half = model(x[:, :2])
    second, _ = model(x[:, 2:], state_half)
    torch.testing.assert_close(torch.cat([first, second], dim=1), logits)
    detached = detach_state(state)
    pieces = detached if isinstance(detached, tuple) else (detached,)
    assert all(not p.requires_grad for p in pieces)


def test_same_seed_same_weights_and_no_global_rng_use():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = CharLanguageModel(5, 4, seed=7)
    after = torch.rand(1)
    b = CharLanguageModel(5, 4, seed=7)
    assert torch.equal(before, after), "building a model must not draw from torch's global generator"
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


def test_sample_is_repeatable_and_greedy_is_the_cold_limit():
    model = CharLanguageModel(len(VOCAB), 16, seed=1)
    one = sample(model, VOCAB, "ab", 20, temperature=1.0, generator=torch.Generator().manual_seed(5))
    two = sample(model, VOCAB, "ab", 20, temperature=1.0, generator=torch.Generator().manual_seed(5))
    assert one == two and one.startswith("ab") and len(one) == 22
    greedy = sample(model, VOCAB, "ab", 20, greedy=True)
    cold = sample(model, VOCAB, "ab", 20, temperature=1e-4, generator=torch.Generator().manual_seed(9))
    assert greedy == cold
    assert len(sample(model, VOCAB, "", 4, generator=torch.Generator().manual_seed(0))) == 4  # from the start symbol
    assert model.training, "sample must restore the training mode"


def test_next_char_distribution_sums_to_one_and_sharpens_when_cold():
    model = CharLanguageModel(len(VOCAB), 16, seed=2)
    warm = next_char_distribution(model, VOCAB, "abc", 1.0)
    cold = next_char_distribution(model, VOCAB, "abc", 0.05)
    assert warm.shape == (len(VOCAB),) and math.isclose(float(warm.sum()), 1.0, rel_tol=1e-6)
    assert cold.max() > warm.max() and cold.argmax() == warm.argmax()


def test_bits_per_character_of_an_untrained_model_is_near_uniform():
    model = CharLanguageModel(len(VOCAB), 16, seed=3)
    data = torch.randint(0, len(VOCAB), (4, 41), generator=torch.Generator().manual_seed(0))
    chunks = [(data[:, i : i + 10], data[:, i + 1 : i + 11]) for i in range(0, 40, 10)]
    bits = bits_per_character(model, chunks)
    assert abs(bits - math.log2(len(VOCAB))) < 0.5


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"temperature": 0}, ValueError, "temperature must be"),
        ({"temperature": -1.0}, ValueError, "temperature must be"),
        ({"temperature": float("nan")}, ValueError, "temperature must be"),
        ({"prompt": "abz"}, ValueError, r"does not know: \['z'\]"),
        ({"length": -1}, ValueError, "length must be"),
        ({"generator": 3}, TypeError, "generator must be"),
    ],
)
def test_sample_rejects_bad_arguments(kwargs, error, match):
    model = CharLanguageModel(len(VOCAB), 4, seed=0)
    arguments = {"prompt": "ab", "length": 3, **kwargs}
    prompt, length = arguments.pop("prompt"), arguments.pop("length")
    with pytest.raises(error, match=match):
        sample(model, VOCAB, prompt, length, **arguments)


def test_empty_prompt_without_start_symbol_is_rejected():
    vocab = Vocabulary("ab")
    model = CharLanguageModel(len(vocab), 4, seed=0)
    with pytest.raises(ValueError, match="no start symbol"):
        sample(model, vocab, "", 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"cell": "transformer"}, "cell must be"), ({"hidden_size": 0}, "hidden_size"), ({"dropout": 1.0}, "dropout")],
)
def test_model_rejects_bad_configuration(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CharLanguageModel(**{"vocab_size": 5, "hidden_size": 4, **kwargs})


def test_model_rejects_bad_inputs():
    model = CharLanguageModel(5, 4)
    with pytest.raises(ValueError, match="int64 tensor of shape"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"indices in \[0, 5\)"):
        model(torch.tensor([[0, 5]]))
    with pytest.raises(TypeError, match="state must be"):
        detach_state([torch.zeros(1)])


# --- classical baselines and the training loop ---

from course_utils.batching import batchify  # noqa: E402
from course_utils.language_model import compressed_bits, kneser_ney_bits, train_language_model  # noqa: E402

TRAIN = "the cat sat on the mat; the rat sat on the cat. " * 20


@pytest.mark.parametrize("n", [1, 2, 4])
def test_kneser_ney_is_a_distribution(n):
    # The probabilities of every possible next character, after the same history, add up to one.
    total = sum(2 ** -kneser_ney_bits(TRAIN, c, n) for c in set(TRAIN))
    assert total == pytest.approx(1.0, abs=1e-9)


def test_kneser_ney_uses_the_context():
    periodic = "abc" * 200
    assert kneser_ney_bits(periodic, "abc" * 10, 1) == pytest.approx(math.log2(3), abs=0.01)  # frequencies only
    assert kneser_ney_bits(periodic, "abc" * 10, 3) < 0.1  # one character of context decides
    assert kneser_ney_bits(TRAIN, "the cat sat on the mat", 5) < kneser_ney_bits(TRAIN, "the cat sat on the mat", 2)


def test_kneser_ney_gives_unseen_characters_a_probability():
    assert math.isfinite(kneser_ney_bits("aaaa", "b", 3))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"train_text": ""}, ValueError, "train_text must be a non-empty str"),
    ({"test_text": 3}, ValueError, "test_text must be a non-empty str"),
    ({"n": 0}, ValueError, "n must be"),
    ({"discount": 1.0}, ValueError, "discount must be a number in"),
])
def test_kneser_ney_rejects_bad_arguments(kwargs, error, match):
    arguments = {"train_text": TRAIN, "test_text": "the", "n": 3, **kwargs}
    with pytest.raises(error, match=match):
        kneser_ney_bits(**arguments)


def test_compressed_bits_is_the_extra_length():
    assert compressed_bits("abc", "defg", lambda b: b) == 8.0  # no compression: 8 bits per ASCII character
    import bz2

    assert compressed_bits(TRAIN, TRAIN[:200], bz2.compress) < 2  # text it has just read costs little
    with pytest.raises(TypeError, match="compress must be a function"):
        compressed_bits("abc", "d", "bz2")


def test_train_language_model_learns_a_periodic_text_and_logs_both_losses():
    vocab = Vocabulary("abc")
    rows = batchify(vocab.encode("abc" * 300), 4)
    model = CharLanguageModel(len(vocab), hidden_size=8, cell="lstm", seed=0)
    calls = []
    history = train_language_model(model, rows, rows[:, :200], steps=60, bptt=10, lr=0.05, eval_every=20,
                                   callback=lambda step, m: calls.append(step))
    assert [h[0] for h in history] == [0, 20, 40, 60] and calls == list(range(1, 61))
    assert math.isnan(history[0][1]) and history[0][2] > 1.0
    assert history[-1][2] < 0.2 and history[-1][1] < 0.5


@pytest.mark.parametrize("kwargs, error, match", [
    ({"model": "lstm"}, TypeError, "model must be a torch.nn.Module"),
    ({"steps": 0}, ValueError, "steps must be"),
    ({"schedule": "linear"}, ValueError, "schedule must be 'cosine' or 'constant'"),
    ({"lr": -1}, ValueError, "lr must be a positive finite number"),
    ({"lr": float("inf")}, ValueError, "lr must be a positive finite number"),
    ({"lr": float("nan")}, ValueError, "lr must be a positive finite number"),
    ({"lr": True}, ValueError, "lr must be a positive finite number"),
    ({"max_norm": 0.0}, ValueError, "max_norm must be a positive finite number"),
    ({"callback": 5}, TypeError, "callback must be callable"),
])
def test_train_language_model_rejects_bad_arguments(kwargs, error, match):
    vocab = Vocabulary("abc")
    rows = batchify(vocab.encode("abc" * 30), 2)
    arguments = {"model": CharLanguageModel(3, 4, seed=0), "train_rows": rows, "heldout_rows": rows, "steps": 2, **kwargs}
    with pytest.raises(error, match=match):
        train_language_model(**arguments)
