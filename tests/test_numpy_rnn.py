"""course_utils.numpy_rnn: the forward pass against torch.nn.RNN, BPTT against autograd and finite differences."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.numpy_rnn import (
    PARAMETER_NAMES,
    NumpyRNN,
    autograd_loss_and_grads,
    clip_grad_norm,
    from_torch,
    max_relative_error,
    numerical_grads,
    softmax_cross_entropy,
    to_torch,
)

# No example database: nothing is written into the repository, and every run draws afresh from the seed.
FAST = settings(max_examples=30, deadline=None, database=None)


@st.composite
def problems(draw, dtype=np.float64):
    """A random model, input, targets and h0 (shapes down to seq_len 1 and batch 1) and the loss options."""
    input_size, hidden_size, output_size = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(2, 4))
    seq_len, batch = draw(st.integers(1, 6)), draw(st.integers(1, 3))
    batch_first, last_step_only = draw(st.booleans()), draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    model = NumpyRNN(input_size, hidden_size, output_size, batch_first=batch_first, dtype=dtype, seed=rng)
    x = rng.normal(size=(seq_len, batch, input_size)).astype(dtype)
    h0 = rng.normal(scale=0.5, size=(batch, hidden_size)).astype(dtype) if draw(st.booleans()) else None
    targets = rng.integers(0, output_size, size=(batch,) if last_step_only else (seq_len, batch))
    if batch_first:
        x = x.swapaxes(0, 1).copy()
        targets = targets if last_step_only else targets.T.copy()
    return model, x, targets, h0, last_step_only


# -- forward ---------------------------------------------------------------------------------------------------


@FAST
@given(problems())
def test_forward_equals_torch_rnn_in_float64(problem):
    model, x, _, h0, _ = problem
    outputs, hiddens = model.forward(x, h0)
    rnn, linear = to_torch(model)
    with torch.no_grad():
        h0_torch = None if h0 is None else torch.from_numpy(h0)[None]
        expected, h_n = rnn(torch.from_numpy(x), h0_torch)
        expected_outputs = linear(expected)
    np.testing.assert_allclose(hiddens, expected.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(outputs, expected_outputs.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(hiddens.take(-1, axis=1 if model.batch_first else 0), h_n[0].numpy(), rtol=0, atol=1e-12)


@FAST
@given(problems(dtype=np.float32))
def test_forward_and_gradients_in_float32_agree_with_torch(problem):
    model, x, targets, h0, last_step_only = problem
    loss, grads = model.loss_and_grads(x, targets, h0, last_step_only=last_step_only)
    outputs, hiddens = model.forward(x, h0)
    assert outputs.dtype == hiddens.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    rnn, linear = to_torch(model)
    with torch.no_grad():
        expected_outputs = linear(rnn(torch.from_numpy(x), None if h0 is None else torch.from_numpy(h0)[None])[0])
    expected_loss, expected = autograd_loss_and_grads(model, x, targets, h0, last_step_only=last_step_only)
    np.testing.assert_allclose(outputs, expected_outputs.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-5)
    for name in PARAMETER_NAMES:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-4, atol=1e-5, err_msg=name)


def test_the_batch_is_vectorised_not_mixed():
    rng = np.random.default_rng(3)
    model = NumpyRNN(3, 4, 2, seed=1)
    x = rng.normal(size=(5, 3, 3))
    outputs, hiddens = model.forward(x)
    for i in range(3):
        alone_o, alone_h = model.forward(x[:, i : i + 1])
        np.testing.assert_allclose(alone_o[:, 0], outputs[:, i], rtol=0, atol=1e-14)
        np.testing.assert_allclose(alone_h[:, 0], hiddens[:, i], rtol=0, atol=1e-14)


def test_step_is_one_step_of_forward():
    rng = np.random.default_rng(4)
    model = NumpyRNN(2, 3, 2, seed=2)
    x, h0 = rng.normal(size=(4, 2, 2)), rng.normal(size=(2, 3))
    outputs, hiddens = model.forward(x, h0)
    h_1, o_1 = model.step(x[0], h0)
    np.testing.assert_array_equal(h_1, hiddens[0])
    np.testing.assert_array_equal(o_1, outputs[0])
    a_1 = model.W @ h0[0] + model.U @ x[0, 0] + model.b  # the lecture's column-vector form, first sequence
    np.testing.assert_allclose(h_1[0], np.tanh(a_1), rtol=0, atol=1e-15)


def test_batch_first_is_the_transpose_of_time_first():
    rng = np.random.default_rng(5)
    time_first = NumpyRNN(2, 3, 2, seed=7)
    batch_first = NumpyRNN(2, 3, 2, seed=7, batch_first=True)
    x = rng.normal(size=(4, 3, 2))
    for a, b in zip(time_first.forward(x), batch_first.forward(x.swapaxes(0, 1))):
        np.testing.assert_array_equal(a, b.swapaxes(0, 1))


# -- gradients -------------------------------------------------------------------------------------------------


@FAST
@given(problems())
def test_bptt_equals_autograd_in_float64(problem):
    model, x, targets, h0, last_step_only = problem
    loss, grads = model.loss_and_grads(x, targets, h0, last_step_only=last_step_only)
    expected_loss, expected = autograd_loss_and_grads(model, x, targets, h0, last_step_only=last_step_only)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
    assert sorted(grads) == sorted(PARAMETER_NAMES)
    for name in PARAMETER_NAMES:
        assert grads[name].shape == getattr(model, name).shape
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-10, atol=1e-12, err_msg=name)


@settings(max_examples=25, deadline=None, database=None)
@given(problems())
def test_bptt_equals_central_finite_differences(problem):
    model, x, targets, h0, last_step_only = problem
    _, grads = model.loss_and_grads(x, targets, h0, last_step_only=last_step_only)
    before = {name: p.copy() for name, p in model.parameters().items()}
    numerical = numerical_grads(model, x, targets, h0, last_step_only=last_step_only)
    for name in PARAMETER_NAMES:
        np.testing.assert_array_equal(getattr(model, name), before[name])  # the parameters are restored
        assert max_relative_error(grads[name], numerical[name]) < 1e-6, name


@FAST
@given(problems(), st.integers(1, 7))
def test_truncated_bptt_equals_autograd_with_the_state_detached_every_k_steps(problem, k):
    model, x, targets, h0, last_step_only = problem
    _, grads = model.loss_and_grads(x, targets, h0, last_step_only=last_step_only, k=k)
    _, expected = autograd_loss_and_grads(model, x, targets, h0, last_step_only=last_step_only, k=k)
    for name in PARAMETER_NAMES:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-10, atol=1e-12, err_msg=name)


def test_truncation_cuts_the_hidden_gradient_at_chunk_boundaries():
    rng = np.random.default_rng(6)
    model = NumpyRNN(2, 3, 2, seed=3)
    x = rng.normal(size=(7, 2, 2))
    outputs, hiddens = model.forward(x)
    _, grad_outputs = softmax_cross_entropy(outputs, rng.integers(0, 2, size=2), last_step_only=True)
    _, full = model.backward(x, hiddens, grad_outputs)
    _, truncated = model.backward(x, hiddens, grad_outputs, k=3)  # chunks: steps 0-2, 3-5, 6
    assert np.all(full[:6] != 0)
    np.testing.assert_array_equal(truncated[6], full[6])
    np.testing.assert_array_equal(truncated[:6], 0)
    _, at_length = model.backward(x, hiddens, grad_outputs, k=7)
    np.testing.assert_array_equal(at_length, full)


def test_softmax_cross_entropy_of_uniform_logits_is_log_classes_per_step():
    logits = np.zeros((3, 2, 4))
    loss, grad = softmax_cross_entropy(logits, np.zeros((3, 2), dtype=int))
    np.testing.assert_allclose(loss, 3 * np.log(4))
    np.testing.assert_allclose(grad[:, :, 0], (0.25 - 1) / 2)
    loss, grad = softmax_cross_entropy(logits, np.zeros(2, dtype=int), last_step_only=True)
    np.testing.assert_allclose(loss, np.log(4))
    np.testing.assert_array_equal(grad[:2], 0)


# -- clipping --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 100.0])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(8)
    grads = {name: rng.normal(size=shape) for name, shape in NumpyRNN(3, 4, 2).parameter_shapes().items()}
    clipped, norm = clip_grad_norm(grads, max_norm)
    tensors = [torch.tensor(g, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    expected_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    np.testing.assert_allclose(norm, expected_norm.item(), rtol=1e-12)
    for t, name in zip(tensors, grads):
        np.testing.assert_allclose(clipped[name], t.grad.numpy(), rtol=1e-5)  # torch adds 1e-6 to the norm
    new_norm = np.sqrt(sum((g**2).sum() for g in clipped.values()))
    assert new_norm <= max_norm * (1 + 1e-12) and (new_norm == pytest.approx(norm) or norm > max_norm)
    assert clipped["W"] is not grads["W"]


def test_clip_grad_norm_keeps_zero_gradients_and_dtypes():
    grads = {"W": np.zeros((2, 2), dtype=np.float32)}
    clipped, norm = clip_grad_norm(grads, 1.0)
    assert norm == 0.0 and clipped["W"].dtype == np.float32


# -- torch round trip and the model's own API -----------------------------------------------------------------


def test_to_torch_and_back_keeps_every_weight_and_does_not_touch_the_global_rng():
    model = NumpyRNN(3, 4, 5, seed=11, batch_first=True)
    state = torch.random.get_rng_state()
    rnn, linear = to_torch(model)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert rnn.batch_first and rnn.weight_ih_l0.dtype == torch.float64
    back = from_torch(rnn, linear)
    assert back.batch_first and back.dtype == np.float64
    for name in PARAMETER_NAMES:
        np.testing.assert_array_equal(getattr(back, name), getattr(model, name))


def test_from_torch_sums_the_two_biases():
    rnn, linear = nn.RNN(2, 3, dtype=torch.float64), nn.Linear(3, 2, dtype=torch.float64)
    model = from_torch(rnn, linear)
    np.testing.assert_allclose(model.b, (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy(), rtol=0, atol=0)
    x = torch.randn(4, 2, 2, dtype=torch.float64)
    with torch.no_grad():
        expected = linear(rnn(x)[0]).numpy()
    np.testing.assert_allclose(model.forward(x.numpy())[0], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "rnn, linear, match",
    [
        (nn.RNN(2, 3, num_layers=2), nn.Linear(3, 2), "one-layer"),
        (nn.RNN(2, 3, nonlinearity="relu"), nn.Linear(3, 2), "tanh"),
        (nn.RNN(2, 3, bidirectional=True), nn.Linear(3, 2), "one-directional"),
        (nn.RNN(2, 3, bias=False), nn.Linear(3, 2), "biases"),
        (nn.LSTM(2, 3), nn.Linear(3, 2), "rnn must be a torch.nn.RNN"),
        (nn.RNN(2, 3), nn.Linear(4, 2), "hidden_size=3"),
        (nn.RNN(2, 3), nn.Conv1d(3, 2, 1), "linear must be"),
        (nn.RNN(2, 3), nn.Linear(3, 2, dtype=torch.float64), "float32 or float64"),
        (nn.RNN(2, 3, dtype=torch.float16), nn.Linear(3, 2, dtype=torch.float16), "float32 or float64"),
    ],
)
def test_from_torch_rejects_what_it_cannot_copy(rnn, linear, match):
    with pytest.raises(ValueError, match=match):
        from_torch(rnn, linear)


def test_parameters_are_the_live_arrays_with_the_lecture_shapes():
    model = NumpyRNN(300, 100, 10_000)
    shapes = {name: p.shape for name, p in model.parameters().items()}
    assert shapes == {"U": (100, 300), "W": (100, 100), "V": (10_000, 100), "b": (100,), "c": (10_000,)}
    assert model.num_parameters() == 30_000 + 10_000 + 1_000_000 + 100 + 10_000
    model.parameters()["W"][0, 0] = 42.0
    assert model.W[0, 0] == 42.0


def test_initialisation_is_owned_by_the_seed():
    a, b, c = NumpyRNN(2, 3, 2, seed=5), NumpyRNN(2, 3, 2, seed=5), NumpyRNN(2, 3, 2, seed=6)
    d = NumpyRNN(2, 3, 2, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.W, d.W)
    assert not np.array_equal(a.W, c.W)
    assert np.abs(a.W).max() <= 1 / np.sqrt(3)
    assert NumpyRNN(2, 3, 2, dtype=np.float32).W.dtype == np.float32


# -- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"input_size": 0}, "input_size"),
        ({"hidden_size": 2.5}, "hidden_size"),
        ({"output_size": True}, "output_size"),
        ({"dtype": np.int64}, "dtype"),
        ({"dtype": "float16"}, "dtype"),
        ({"dtype": "nonsense"}, "dtype"),
        ({"batch_first": 1}, "batch_first"),
        ({"seed": -1}, "seed"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, match):
    arguments = {"input_size": 2, "hidden_size": 3, "output_size": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        NumpyRNN(**arguments)


def _bad_forward_cases():
    x = np.zeros((4, 2, 3))
    nan, inf = x.copy(), x.copy()
    nan[1, 0, 0], inf[2, 1, 2] = np.nan, np.inf
    return [
        (np.zeros((4, 3)), None, r"x must have shape \(seq_len, batch, input_size\)"),
        (np.zeros((4, 2, 5)), None, "input_size=3"),
        (np.zeros((0, 2, 3)), None, "seq_len >= 1"),
        (np.zeros((4, 0, 3)), None, "batch >= 1"),
        (x.astype(np.float32), None, "x must have dtype float64"),
        (x.astype(np.int64), None, "x must have dtype float64"),
        (nan, None, "x must hold finite numbers"),
        (inf, None, "x must hold finite numbers"),
        (x, np.zeros((3, 4)), r"h0 must have shape \(batch, hidden_size\) with batch=2, hidden_size=4"),
        (x, np.zeros((1, 2, 4)), "h0 must have shape"),
        (x, np.full((2, 4), np.nan), "h0 must hold finite"),
        (x, np.zeros((2, 4), dtype=np.float32), "h0 must have dtype float64"),
    ]


@pytest.mark.parametrize("x, h0, match", _bad_forward_cases())
def test_forward_rejects_bad_input(x, h0, match):
    model = NumpyRNN(3, 4, 2)
    with pytest.raises(ValueError, match=match):
        model.forward(x, h0)
    with pytest.raises(ValueError, match=match):
        model.loss_and_grads(x, np.zeros((4, 2), dtype=int), h0)


def test_batch_first_names_its_own_layout():
    with pytest.raises(ValueError, match=r"x must have shape \(batch, seq_len, input_size\)"):
        NumpyRNN(3, 4, 2, batch_first=True).forward(np.zeros((4, 3)))


def test_step_rejects_bad_input():
    model = NumpyRNN(3, 4, 2)
    with pytest.raises(ValueError, match="x_t"):
        model.step(np.zeros((2, 2)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="h_prev"):
        model.step(np.zeros((2, 3)), np.zeros((3, 4)))


def test_backward_rejects_bad_input():
    model = NumpyRNN(3, 4, 2)
    x = np.zeros((5, 2, 3))
    outputs, hiddens = model.forward(x)
    grad_outputs = np.zeros_like(outputs)
    with pytest.raises(ValueError, match="hiddens"):
        model.backward(x, hiddens[:4], grad_outputs)
    with pytest.raises(ValueError, match="grad_outputs"):
        model.backward(x, hiddens, grad_outputs[..., :1])
    with pytest.raises(ValueError, match="grad_outputs"):
        model.backward(x, hiddens, grad_outputs.astype(np.float32))
    for k in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            model.backward(x, hiddens, grad_outputs, k=k)


@pytest.mark.parametrize(
    "targets, last_step_only, match",
    [
        (np.zeros((5, 2)), False, "integer class indices"),
        (np.zeros((5, 3), dtype=int), False, r"targets must have shape \(seq_len, batch\)"),
        (np.zeros((5, 2), dtype=int), True, r"targets must have shape \(batch,\)"),
        (np.full((5, 2), 2), False, r"class indices in \[0, 2\)"),
        (np.full(2, -1), True, r"class indices in \[0, 2\)"),
        (np.zeros((5, 2), dtype=int), 1, "last_step_only"),
    ],
)
def test_loss_rejects_bad_targets(targets, last_step_only, match):
    model = NumpyRNN(3, 4, 2)
    with pytest.raises(ValueError, match=match):
        model.loss_and_grads(np.zeros((5, 2, 3)), targets, last_step_only=last_step_only)


def test_softmax_cross_entropy_rejects_integer_logits():
    with pytest.raises(ValueError, match="logits must have dtype"):
        softmax_cross_entropy(np.zeros((2, 1, 3), dtype=int), np.zeros((2, 1), dtype=int))


def test_helpers_reject_bad_input():
    model = NumpyRNN(2, 3, 2)
    x, targets = np.zeros((3, 1, 2)), np.zeros((3, 1), dtype=int)
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm({"W": np.ones(2)}, 0)
    with pytest.raises(ValueError, match="grads must be a non-empty dict"):
        clip_grad_norm([np.ones(2)], 1.0)
    with pytest.raises(ValueError, match=r"grads\['W'\] must be a floating-point array"):
        clip_grad_norm({"W": np.ones(2, dtype=int)}, 1.0)
    with pytest.raises(ValueError, match="grads must be finite"):
        clip_grad_norm({"W": np.array([np.inf])}, 1.0)
    with pytest.raises(ValueError, match="model must be float64"):
        numerical_grads(NumpyRNN(2, 3, 2, dtype=np.float32), x.astype(np.float32), targets)
    with pytest.raises(ValueError, match="model must be a NumpyRNN"):
        numerical_grads("model", x, targets)
    with pytest.raises(ValueError, match="eps"):
        numerical_grads(model, x, targets, eps=0)
    with pytest.raises(ValueError, match="same shape"):
        max_relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        max_relative_error(np.ones(2), np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="model must be a NumpyRNN"):
        to_torch(nn.RNN(2, 3))
    with pytest.raises(ValueError, match="x must have shape"):
        autograd_loss_and_grads(model, np.zeros((3, 2)), targets)
    with pytest.raises(ValueError, match="targets must have shape"):
        autograd_loss_and_grads(model, x, np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match="k must be a positive integer"):
        autograd_loss_and_grads(model, x, targets, k=0)
    with pytest.raises(ValueError, match="model must be a NumpyRNN"):
        autograd_loss_and_grads(nn.RNN(2, 3), x, targets)


def test_max_relative_error_is_scaled_by_the_largest_entry():
    assert max_relative_error(np.array([10.0, 0.0]), np.array([10.0, 1e-3])) == pytest.approx(1e-4)
    assert max_relative_error(np.zeros(3), np.zeros(3)) == 0.0
