"""course_utils.models: the many-to-one sequence classifier and the many-to-many sequence tagger."""

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from course_utils.models import CELLS, LSTM_GATES, SequenceClassifier, SequenceTagger, count_parameters, lstm_gate_rows


def padded_batch(seed=0, batch=5, seq_len=9, input_size=8):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq_len, input_size, generator=generator)
    lengths = torch.tensor([9, 3, 7, 1, 5][:batch])
    x[torch.arange(seq_len)[None, :] >= lengths[:, None]] = 0.0
    return x, lengths


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("num_layers", [1, 2])
def test_logits_have_shape_batch_by_classes(cell, num_layers):
    model = SequenceClassifier(8, 6, 4, cell=cell, num_layers=num_layers)
    x, lengths = padded_batch()
    assert model(x, lengths).shape == (5, 4)
    assert model.hidden_states(x).shape == (5, 9, 6)
    assert model.last_hidden(x, lengths).shape == (5, 6)


@pytest.mark.parametrize("cell", list(CELLS))
def test_padding_does_not_change_the_result(cell):
    """The state at each true last step equals packing's h_n, and extra padding changes nothing."""
    model = SequenceClassifier(8, 6, 4, cell=cell, num_layers=2, seed=1)
    x, lengths = padded_batch()
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    _, state = model.recurrent(packed)
    h_n = state[0] if cell == "lstm" else state
    torch.testing.assert_close(model.last_hidden(x, lengths), h_n[-1])
    longer = torch.cat([x, torch.ones(5, 4, 8)], dim=1)  # garbage after every sequence's end
    torch.testing.assert_close(model(longer, lengths), model(x, lengths))
    alone = model(x[1:2, :3], lengths[1:2])
    torch.testing.assert_close(alone, model(x, lengths)[1:2])


def test_initialisation_is_owned_by_the_seed_and_leaves_the_global_generator_alone():
    torch.manual_seed(0)
    before = torch.get_rng_state().clone()
    a, b = SequenceClassifier(8, 5, 4, seed=3), SequenceClassifier(8, 5, 4, seed=3)
    assert torch.equal(torch.get_rng_state(), before)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    c = SequenceClassifier(8, 5, 4, seed=4)
    assert not torch.equal(a.head.weight, c.head.weight)


def test_initialisation_follows_pytorchs_default_ranges():
    model = SequenceClassifier(8, 16, 4, cell="lstm")
    for parameter in model.recurrent.parameters():
        assert parameter.abs().max() <= 1 / 16**0.5
    assert model.head.weight.abs().max() <= 1 / 16**0.5


def test_gate_biases_set_their_quarter_of_the_lstm_biases():
    model = SequenceClassifier(8, 4, 4, cell="lstm", num_layers=2, forget_bias=3.0, input_bias=-2.0)
    for layer in range(2):
        total = getattr(model.recurrent, f"bias_ih_l{layer}") + getattr(model.recurrent, f"bias_hh_l{layer}")
        assert torch.equal(total[0:4], torch.full((4,), -2.0))  # input gate
        assert torch.equal(total[4:8], torch.full((4,), 3.0))  # forget gate
        assert total[8:].abs().max() <= 1.0  # cell candidate and output gate: PyTorch's default range
    model.reset_parameters(seed=1)
    assert torch.equal((model.recurrent.bias_ih_l0 + model.recurrent.bias_hh_l0)[4:8], torch.full((4,), 3.0))
    model.set_gate_bias("output", 1.5)
    assert torch.equal(model.recurrent.bias_ih_l1[12:16], torch.full((4,), 1.5))


def test_gate_rows_follow_pytorchs_order():
    assert LSTM_GATES == ("input", "forget", "cell", "output")
    assert [lstm_gate_rows(g, 5) for g in LSTM_GATES] == [slice(0, 5), slice(5, 10), slice(10, 15), slice(15, 20)]
    with pytest.raises(ValueError, match="gate must be one of"):
        lstm_gate_rows("remember", 5)
    with pytest.raises(ValueError, match="hidden_size"):
        lstm_gate_rows("input", 0)


def test_parameter_counts_match_the_formulas():
    # RNN: H(I + H + 2) for U, W and two biases; LSTM: four times that; head: H*C + C.
    assert count_parameters(SequenceClassifier(8, 10, 4, cell="rnn")) == 10 * (8 + 10 + 2) + 10 * 4 + 4
    assert count_parameters(SequenceClassifier(8, 10, 4, cell="lstm")) == 4 * 10 * (8 + 10 + 2) + 10 * 4 + 4
    assert count_parameters(SequenceClassifier(8, 10, 4, cell="gru")) == 3 * 10 * (8 + 10 + 2) + 10 * 4 + 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cell": "transformer"}, "cell must be one of"),
        ({"hidden_size": 0}, "hidden_size must be a positive integer"),
        ({"input_size": 2.5}, "input_size must be a positive integer"),
        ({"num_classes": -1}, "num_classes must be a positive integer"),
        ({"num_layers": 0}, "num_layers must be a positive integer"),
        ({"cell": "rnn", "forget_bias": 1.0}, "forget_bias only applies"),
        ({"forget_bias": float("nan")}, "forget_bias must be a finite number"),
        ({"cell": "gru", "input_bias": -1.0}, "input_bias only applies"),
        ({"input_bias": "low"}, "input_bias must be a finite number"),
        ({"seed": -3}, "seed"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, message):
    arguments = {"input_size": 8, "hidden_size": 4, "num_classes": 4} | kwargs
    with pytest.raises(ValueError, match=message):
        SequenceClassifier(**arguments)


def test_bad_inputs_are_rejected():
    model = SequenceClassifier(8, 4, 4, cell="gru")
    x, lengths = padded_batch()
    with pytest.raises(ValueError, match="x must be a tensor of shape"):
        model(x[..., :3], lengths)
    with pytest.raises(ValueError, match="x must be a tensor of shape"):
        model(x[0], lengths)
    with pytest.raises(ValueError, match="lengths must be an integer tensor"):
        model(x, lengths.float())
    with pytest.raises(ValueError, match="lengths must be an integer tensor"):
        model(x, lengths[:2])
    with pytest.raises(ValueError, match="lengths must lie"):
        model(x, lengths * 0)
    with pytest.raises(ValueError, match="set_gate_bias needs"):
        model.set_gate_bias("forget", 1.0)
    with pytest.raises(ValueError, match="gate must be one of"):
        SequenceClassifier(8, 4, 4).set_gate_bias("memory", 1.0)
    with pytest.raises(TypeError, match="model must be"):
        count_parameters("not a model")


# -- SequenceTagger: a read-out at every step, state in and out -------------------------------


@pytest.mark.parametrize("cell", list(CELLS))
def test_the_tagger_reads_out_every_step_and_chunks_with_a_carried_state_equal_one_go(cell):
    model = SequenceTagger(2, 5, 3, cell=cell, seed=0)
    x = torch.randn(4, 12, 2, generator=torch.Generator().manual_seed(0))
    whole, state = model(x)
    assert whole.shape == (4, 12, 3)
    h = state[0] if cell == "lstm" else state
    assert h.shape == (1, 4, 5)
    first, carried = model(x[:, :7])
    second, last = model(x[:, 7:], carried)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole)
    torch.testing.assert_close(last, state)
    fresh, _ = model(x[:, 7:])  # from zeros instead: different
    assert not torch.allclose(fresh, whole[:, 7:])


def test_the_tagger_owns_its_initialisation_and_sets_the_forget_bias():
    torch.manual_seed(0)
    before = torch.get_rng_state().clone()
    a, b = SequenceTagger(1, 6, cell="lstm", seed=2), SequenceTagger(1, 6, cell="lstm", seed=2)
    assert torch.equal(torch.get_rng_state(), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    opened = SequenceTagger(1, 6, cell="lstm", forget_bias=1.0, seed=2)
    total = opened.recurrent.bias_ih_l0 + opened.recurrent.bias_hh_l0
    assert torch.equal(total[lstm_gate_rows("forget", 6)], torch.ones(6))
    assert torch.equal(opened.recurrent.bias_ih_l0[:6], a.recurrent.bias_ih_l0[:6])  # the other gates as drawn
    assert count_parameters(SequenceTagger(1, 16, 1, cell="rnn")) == 16 * (1 + 16 + 2) + 16 + 1


def test_the_tagger_rejects_bad_arguments():
    with pytest.raises(ValueError, match="cell must be one of"):
        SequenceTagger(1, 4, cell="tcn")
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        SequenceTagger(1, 0)
    with pytest.raises(ValueError, match="forget_bias only applies"):
        SequenceTagger(1, 4, cell="rnn", forget_bias=1.0)
    with pytest.raises(ValueError, match="x must be a tensor of shape"):
        SequenceTagger(1, 4)(torch.zeros(2, 5, 3))
    with pytest.raises(ValueError, match="x must be a tensor of shape"):
        SequenceTagger(1, 4)(torch.zeros(5, 1))
