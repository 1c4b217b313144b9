"""course_utils.inspect_lstm: the recorded h, c and gates agree with torch.nn.LSTM itself."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.inspect_lstm import QUANTITIES, LSTMRecord, record_lstm
from course_utils.models import SequenceClassifier
from course_utils.tasks import TemporalOrder


def random_lstm(input_size=5, hidden_size=4, seed=0, bias=True, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed)
    lstm = nn.LSTM(input_size, hidden_size, batch_first=True, bias=bias, device="meta").to_empty(device="cpu")
    with torch.no_grad():
        for parameter in lstm.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))  # larger than the default: saturates
    return lstm.to(dtype)


def check_against_lstm(lstm, x):
    record = record_lstm(lstm, x)
    output, (h_n, c_n) = lstm(x)
    assert all(record.quantity(name).shape == (x.shape[0], x.shape[1], lstm.hidden_size) for name in QUANTITIES)
    torch.testing.assert_close(record.h, output.detach())
    torch.testing.assert_close(record.h[:, -1], h_n[0].detach())
    # The recomputed gates and cells reproduce nn.LSTM's hidden state at every step and its last cell state.
    torch.testing.assert_close(record.o * torch.tanh(record.c), output.detach())
    torch.testing.assert_close(record.c[:, -1], c_n[0].detach())
    return record


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 3), steps=st.integers(1, 12), hidden=st.integers(1, 6), seed=st.integers(0, 10**6),
       bias=st.booleans())
def test_record_reproduces_nn_lstm_at_every_step(batch, steps, hidden, seed, bias):
    lstm = random_lstm(hidden_size=hidden, seed=seed, bias=bias)
    x = torch.randn(batch, steps, 5, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    check_against_lstm(lstm, x)


def test_record_of_a_trained_classifier_on_padded_sequences_matches_packing():
    """float32, the classifier's own layer, a padded batch: the states at each true end equal packed h_n and c_n."""
    task = TemporalOrder("normal", batch_size=6, n_batches=1, seed=3)
    x, lengths, _ = task[0]
    model = SequenceClassifier(8, 7, 4, cell="lstm", forget_bias=4.0, input_bias=-2.0, seed=1)
    record = check_against_lstm(model.recurrent, x)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    _, (h_n, c_n) = model.recurrent(packed)
    rows, last = torch.arange(len(lengths)), lengths - 1
    torch.testing.assert_close(record.h[rows, last], h_n[0].detach())
    torch.testing.assert_close(record.c[rows, last], c_n[0].detach())
    torch.testing.assert_close(record.h, model.hidden_states(x).detach())


def test_gates_are_in_their_ranges_and_follow_pytorchs_block_order():
    lstm = random_lstm(hidden_size=3, seed=2)
    with torch.no_grad():  # one gate at a time: a huge bias pins it, the others stay free
        lstm.bias_ih_l0[0:3] = 50.0  # input gate open
        lstm.bias_ih_l0[3:6] = -50.0  # forget gate closed
        lstm.bias_ih_l0[9:12] = -50.0  # output gate closed
    x = torch.randn(2, 6, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    record = check_against_lstm(lstm, x)
    assert torch.allclose(record.i, torch.ones_like(record.i))
    assert torch.allclose(record.f, torch.zeros_like(record.f))
    assert torch.allclose(record.o, torch.zeros_like(record.o))
    torch.testing.assert_close(record.c, record.g)  # c_t = 0 * c_{t-1} + 1 * g_t
    assert record.g.abs().max() < 1


def test_record_leaves_no_graph_and_does_not_change_the_layer():
    model = SequenceClassifier(8, 4, 4, cell="lstm", seed=0)
    before = [p.clone() for p in model.parameters()]
    x, _, _ = TemporalOrder("easy", batch_size=3, n_batches=1, seed=0)[0]
    record = record_lstm(model.recurrent, x)
    assert all(not record.quantity(name).requires_grad for name in QUANTITIES)
    assert all(torch.equal(p, q) for p, q in zip(before, model.parameters()))


def test_bad_input_is_rejected():
    lstm = random_lstm(dtype=torch.float32)
    x = torch.zeros(2, 3, 5)
    with pytest.raises(TypeError, match="lstm must be a torch.nn.LSTM"):
        record_lstm(nn.GRU(5, 4, batch_first=True), x)
    for bad, needs in ((nn.LSTM(5, 4), "batch_first=True"), (nn.LSTM(5, 4, 2, batch_first=True), "num_layers=1"),
                       (nn.LSTM(5, 4, batch_first=True, bidirectional=True), "bidirectional=False"),
                       (nn.LSTM(5, 4, batch_first=True, proj_size=2), "proj_size=0")):
        with pytest.raises(ValueError, match=needs):
            record_lstm(bad, x)
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(batch, time, 5\)"):
        record_lstm(lstm, torch.zeros(3, 5))
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(batch, time, 5\)"):
        record_lstm(lstm, torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="x must be a tensor"):
        record_lstm(lstm, [[0.0] * 5])
    with pytest.raises(TypeError, match="dtype"):
        record_lstm(lstm, x.double())
    with pytest.raises(ValueError, match="at least one"):
        record_lstm(lstm, torch.zeros(2, 0, 5))
    record = record_lstm(lstm, x)
    with pytest.raises(ValueError, match="name must be one of"):
        record.quantity("z")
    with pytest.raises(ValueError, match="c must be a tensor of shape"):
        LSTMRecord(h=record.h, c=record.c[:, :2], i=record.i, f=record.f, g=record.g, o=record.o)
