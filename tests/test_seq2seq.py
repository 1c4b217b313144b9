"""Tests of course_utils.seq2seq: symbols, the generated tasks, padded batches, the masked loss and its step."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.seq2seq import (
    DIGITS,
    END,
    PAD,
    START,
    Seq2SeqBatch,
    Symbols,
    exact_match,
    make_batch,
    make_batches,
    padding_mask,
    sequence_loss,
    reversing_pairs,
    sorting_pairs,
    strip_end,
    teacher_forcing_step,
)
from course_utils.training import fit


def test_symbols_put_the_specials_after_the_task_symbols():
    assert DIGITS.tokens[:10] == list("0123456789")
    assert (DIGITS.pad, DIGITS.start, DIGITS.end) == (10, 11, 12)
    assert len(DIGITS) == 13 and len(Symbols("ab")) == 5
    assert DIGITS.tokens[DIGITS.end] == END and DIGITS.tokens[DIGITS.start] == START


def test_encode_decode_round_trip_stops_at_the_end_symbol():
    plus = Symbols("0123456789+")
    assert plus.encode("12+7") == [1, 2, 10, 7]
    assert plus.decode(plus.encode("12+7") + [plus.end, 3]) == "12+7"
    assert DIGITS.decode(torch.tensor([3, DIGITS.pad, 4])) == "34"


@pytest.mark.parametrize("bad", ["", "aa", ["a", PAD], [1, 2]])
def test_symbols_reject_bad_alphabets(bad):
    with pytest.raises(ValueError, match="symbols"):
        Symbols(bad)


def test_encode_and_decode_name_what_is_wrong():
    with pytest.raises(ValueError, match="not in"):
        DIGITS.encode("12a")
    with pytest.raises(ValueError, match="indices"):
        DIGITS.decode([1, 99])
    with pytest.raises(ValueError, match="indices"):
        DIGITS.decode([True, 2])  # a bool is not a symbol's index
    with pytest.raises(TypeError, match="indices"):
        DIGITS.decode(5)
    with pytest.raises(TypeError, match="text"):
        DIGITS.encode(5)


def test_sorting_pairs_are_sorted_of_the_right_lengths_and_reproducible():
    pairs = sorting_pairs(200, 2, 6, seed=3)
    assert len(pairs) == 200
    for source, target in pairs:
        assert 2 <= len(source) <= 6 and target == sorted(source)
        assert all(0 <= d <= 9 for d in source)
    assert {len(s) for s, _ in pairs} == {2, 3, 4, 5, 6}
    assert pairs == sorting_pairs(200, 2, 6, seed=3)
    assert pairs != sorting_pairs(200, 2, 6, seed=4)
    rng = np.random.default_rng(3)
    assert sorting_pairs(200, 2, 6, seed=rng) == pairs


def test_reversing_pairs_reverse_the_digits_sorting_pairs_draw():
    pairs = reversing_pairs(100, 1, 7, seed=5)
    assert [s for s, _ in pairs] == [s for s, _ in sorting_pairs(100, 1, 7, seed=5)]
    for source, target in pairs:
        assert target == source[::-1] and 1 <= len(source) <= 7
    assert pairs == reversing_pairs(100, 1, 7, seed=5)


@pytest.mark.parametrize("generator", [sorting_pairs, reversing_pairs])
@pytest.mark.parametrize(
    "kwargs, name",
    [({"n": 0}, "n"), ({"min_length": 0}, "min_length"), ({"max_length": 1, "min_length": 2}, "max_length"),
     ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed")],
)
def test_sorting_pairs_reject_bad_arguments(generator, kwargs, name):
    arguments = {"n": 5, "min_length": 1, "max_length": 4, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=name):
        generator(**arguments)


def test_make_batch_pads_and_adds_start_and_end():
    batch = make_batch([([3, 1, 2], [1, 2, 3]), ([5], [5])], DIGITS)
    pad, s, e = DIGITS.pad, DIGITS.start, DIGITS.end
    assert batch.source.tolist() == [[3, 1, 2], [5, pad, pad]]
    assert batch.source_lengths.tolist() == [3, 1]
    assert batch.decoder_input.tolist() == [[s, 1, 2, 3], [s, 5, pad, pad]]
    assert batch.target.tolist() == [[1, 2, 3, e], [5, e, pad, pad]]
    assert batch.target_lengths.tolist() == [4, 2]
    assert batch.pad == pad and len(batch) == 2


def test_make_batch_accepts_an_empty_target():
    batch = make_batch([([3], [])], DIGITS)
    assert batch.decoder_input.tolist() == [[DIGITS.start]] and batch.target.tolist() == [[DIGITS.end]]


def test_make_batch_and_make_batches_name_what_is_wrong():
    with pytest.raises(TypeError, match="symbols"):
        make_batch([([1], [1])], "0123456789")
    with pytest.raises(ValueError, match="pairs"):
        make_batch([], DIGITS)
    with pytest.raises(ValueError, match=r"pairs\[1\]"):
        make_batch([([1], [1]), ([1, 2], [12])], DIGITS)  # 12 is </s>, not a digit
    with pytest.raises(ValueError, match=r"pairs\[0\] has an empty source"):
        make_batch([([], [1])], DIGITS)
    with pytest.raises(ValueError, match=r"pairs\[0\] holds indices"):
        make_batch([([True, 2], [False])], DIGITS)
    with pytest.raises(ValueError, match="batch_size"):
        make_batches(sorting_pairs(4, 1, 3, seed=0), DIGITS, 0)


def test_make_batches_keeps_every_pair_in_order():
    pairs = sorting_pairs(10, 1, 5, seed=1)
    batches = make_batches(pairs, DIGITS, 4)
    assert [len(b) for b in batches] == [4, 4, 2]
    rebuilt = [DIGITS.decode(row[:n]) for b in batches for row, n in zip(b.source, b.source_lengths)]
    assert rebuilt == ["".join(map(str, s)) for s, _ in pairs]


def test_padding_mask():
    mask = padding_mask(torch.tensor([2, 0, 3]), 4)
    assert mask.tolist() == [[True, True, False, False], [False] * 4, [True, True, True, False]]
    assert padding_mask(torch.tensor([1, 2])).shape == (2, 2)
    with pytest.raises(ValueError, match="lengths"):
        padding_mask(torch.tensor([1.0]))
    with pytest.raises(ValueError, match="lengths"):
        padding_mask(torch.tensor([True, False]))
    with pytest.raises(ValueError, match="max_length"):
        padding_mask(torch.tensor([5]), 3)


def test_sequence_loss_is_the_mean_over_the_real_positions_only():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 13, generator=generator)
    target = torch.tensor([[1, 2, DIGITS.pad], [4, DIGITS.pad, DIGITS.pad]])
    real = target != DIGITS.pad
    by_hand = torch.stack([-logits[b, t].log_softmax(-1)[target[b, t]] for b, t in real.nonzero().tolist()]).mean()
    torch.testing.assert_close(sequence_loss(logits, target, DIGITS.pad), by_hand)
    changed = logits.clone()
    changed[~real] = 100.0  # whatever the model says at a padded position does not count
    torch.testing.assert_close(sequence_loss(changed, target, DIGITS.pad), by_hand)
    with pytest.raises(ValueError, match="target"):
        sequence_loss(logits, target[:, :2], DIGITS.pad)
    with pytest.raises(ValueError, match="logits"):
        sequence_loss(logits[0], target, DIGITS.pad)
    with pytest.raises(ValueError, match="logits must hold finite numbers"):
        sequence_loss(torch.full_like(logits, float("nan")), target, DIGITS.pad)
    with pytest.raises(ValueError, match="logits must be a floating-point tensor"):
        sequence_loss(logits.long(), target, DIGITS.pad)
    with pytest.raises(ValueError, match="target must have dtype torch.int64"):
        sequence_loss(logits, target.float(), DIGITS.pad)


class _Copy(nn.Module):
    """A tiny decoder that scores the target from the decoder input alone (enough to test the step)."""

    def __init__(self, n_symbols):
        super().__init__()
        self.table = nn.Embedding(n_symbols, n_symbols)
        self.first = nn.Embedding(n_symbols, n_symbols)

    def forward(self, source, source_lengths, decoder_input):
        return self.table(decoder_input) + self.first(source[:, :1])  # (batch, T, n_symbols)


def test_teacher_forcing_step_counts_only_real_positions_and_can_learn():
    batches = make_batches([([1, 2], [1, 2]), ([3], [3])] * 8, DIGITS, 4)
    torch.manual_seed(0)
    model = _Copy(len(DIGITS))
    result = teacher_forcing_step(model, batches[0])
    assert result.count == 3 + 2 + 3 + 2  # targets "1 2 </s>", "3 </s>", twice
    logits = model(batches[0].source, batches[0].source_lengths, batches[0].decoder_input)
    torch.testing.assert_close(result.loss, sequence_loss(logits, batches[0].target, DIGITS.pad))
    fit(model, batches, torch.optim.Adam(model.parameters(), lr=0.1), epochs=30, step=teacher_forcing_step, print_every=0)
    assert teacher_forcing_step(model, batches[0]).correct == result.count


def test_teacher_forcing_step_names_what_is_wrong():
    batch = make_batch([([1], [1])], DIGITS)
    with pytest.raises(TypeError, match="model"):
        teacher_forcing_step("model", batch)
    with pytest.raises(TypeError, match="batch"):
        teacher_forcing_step(_Copy(13), (batch.source, batch.target))

    class Wrong(nn.Module):
        def forward(self, source, source_lengths, decoder_input):
            return torch.zeros(1, 5, 13)

    with pytest.raises(ValueError, match="scores of shape"):
        teacher_forcing_step(Wrong(), batch)


def test_strip_end_and_exact_match():
    assert strip_end([1, 2, 12, 3], 12) == [1, 2] and strip_end([1, 2], 12) == [1, 2]
    assert exact_match([[1, 2], [3]], [[1, 2], [3, 3]]) == 0.5
    with pytest.raises(ValueError, match="predicted"):
        exact_match([[1]], [])
    with pytest.raises(TypeError, match="predicted"):
        exact_match(3, [[1]])
    with pytest.raises(TypeError, match="target"):
        exact_match([[1]], 4)
    assert isinstance(make_batch([([1], [1])], DIGITS), Seq2SeqBatch)
