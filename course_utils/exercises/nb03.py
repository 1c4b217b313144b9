"""Exercises of notebook 03 (BPTT): the gradient of W, the backward pass of a ReLU RNN, clipping by norm."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import Incorrect, call, compare, exercise
from course_utils.numpy_rnn import clip_grad_norm


def _forward(x, h0, U, W, b, activation):
    h, states = h0, []
    for x_t in x:
        h = activation(h @ W.T + x_t @ U.T + b)
        states.append(h)
    return np.stack(states)


def _backward(x, h0, hiddens, grad_h_direct, W, derivative, recurrent_W=None, time_sum=True, shift=1):
    """BPTT with the local derivative `derivative(h_t)`; the keyword arguments build the course's wrong variants."""
    recurrent_W = W if recurrent_W is None else recurrent_W
    grad_U = np.zeros((W.shape[0], x.shape[2]))
    grad_W, grad_b = np.zeros_like(W), np.zeros(W.shape[0])
    from_future = np.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        grad_h = grad_h_direct[t] + from_future
        grad_a = derivative(hiddens[t]) * grad_h
        h_prev = (hiddens[t - 1] if t > 0 else h0) if shift == 1 else hiddens[t]
        if time_sum or t == x.shape[0] - 1:
            grad_W += grad_a.T @ h_prev
            grad_U += grad_a.T @ x[t]
            grad_b += grad_a.sum(axis=0)
        from_future = grad_a @ recurrent_W
    return grad_U, grad_W, grad_b


def tanh_derivative(h):
    return 1.0 - h**2


def relu_derivative(h):
    return (h > 0).astype(h.dtype)


def bptt_grad_W(hiddens: np.ndarray, h0: np.ndarray, grad_h_direct: np.ndarray, W: np.ndarray,
                x: np.ndarray) -> np.ndarray:
    """dL/dW of a tanh RNN, from its states h_t (seq_len, batch, hidden), h0 (batch, hidden), the direct dL/dh_t (seq_len, batch, hidden), W and x."""
    return _backward(x, h0, hiddens, grad_h_direct, W, tanh_derivative)[1]


def relu_rnn_backward(x: np.ndarray, h0: np.ndarray, hiddens: np.ndarray, grad_h_direct: np.ndarray, U: np.ndarray,
                      W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BPTT of h_t = relu(W h_{t-1} + U x_t + b): (dL/dU, dL/dW, dL/db) from the direct dL/dh_t (seq_len, batch, hidden)."""
    return _backward(x, h0, hiddens, grad_h_direct, W, relu_derivative)


def clip_by_norm(grads: dict[str, np.ndarray], max_norm: float) -> dict[str, np.ndarray]:
    """Scale all gradients by one factor so that their joint L2 norm is at most max_norm (new arrays, inputs unchanged)."""
    return clip_grad_norm(grads, max_norm)[0]


def _case(rng, activation):
    hidden = int(rng.integers(2, 6))
    inputs = int(rng.choice([n for n in range(1, 7) if n != hidden]))
    seq_len, batch = int(rng.integers(2, 7)), int(rng.integers(1, 4))
    U, W = rng.normal(0, 0.7, (hidden, inputs)), rng.normal(0, 0.7, (hidden, hidden))
    b = rng.normal(0, 0.3, hidden)
    x = rng.normal(size=(seq_len, batch, inputs))
    h0 = rng.normal(0, 0.5, (batch, hidden))
    hiddens = _forward(x, h0, U, W, b, activation)
    grad_h_direct = rng.normal(size=hiddens.shape)
    return x, h0, U, W, b, hiddens, grad_h_direct


def _variants(x, h0, hiddens, g, W, derivative, wrong_derivative, index):
    ones = lambda h: np.ones_like(h)  # noqa: E731
    parts = {
        "the local derivative is missing: dL/da_t = f'(a_t) * dL/dh_t before the products": (ones,),
        "W is transposed in the step back in time: what h_{t-1} receives is dL/da_t @ W (W^T dL/da_t)": (derivative, W.T),
        "the sum over time is forgotten: every step adds dL/da_t h_{t-1}^T (and dL/da_t x_t^T) to the gradient":
            (derivative, None, False),
        "off by one in time: the product for step t must use h_{t-1} (h0 at the first step), not h_t": (derivative, None, True, 0),
        "the path back in time is missing: dL/dh_t also gets W^T dL/da_{t+1} from the next step":
            (derivative, np.zeros_like(W)),
    }
    if wrong_derivative is not None:
        parts[wrong_derivative[0]] = (wrong_derivative[1],)
    return {hint: _backward(x, h0, hiddens, g, W, *args)[index] for hint, args in parts.items()}


@exercise("03.1", "BPTT for W", bptt_grad_W)
def check_bptt_grad_W(fn, rng):
    """Compare dL/dW with the reference on random tanh RNNs."""
    for _ in range(6):
        x, h0, U, W, b, hiddens, g = _case(rng, np.tanh)
        got = call(fn, hiddens.copy(), h0.copy(), g.copy(), W.copy(), x.copy())
        expected = bptt_grad_W(hiddens, h0, g, W, x)
        variants = _variants(x, h0, hiddens, g, W, tanh_derivative,
                             ("tanh' is 1 - h_t**2, written with the state h_t = tanh(a_t), not 1 - a_t**2 or 1 - tanh(h_t)**2",
                              lambda h: 1 - np.tanh(h) ** 2), 1)
        variants["the product is transposed: dL/dW = sum_t dL/da_t^T @ h_{t-1}, (hidden, hidden) rows = units that receive"] = expected.T
        compare("dL/dW", got, expected, variants=variants, axes="(hidden, hidden)")
    return "6 random sequences"


@exercise("03.2", "the backward pass of a ReLU RNN", relu_rnn_backward)
def check_relu_rnn_backward(fn, rng):
    """Compare dL/dU, dL/dW, dL/db with the reference on random ReLU RNNs."""
    relu = lambda a: np.maximum(a, 0.0)  # noqa: E731
    for _ in range(6):
        x, h0, U, W, b, hiddens, g = _case(rng, relu)
        got = call(fn, x.copy(), h0.copy(), hiddens.copy(), g.copy(), U.copy(), W.copy())
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise Incorrect("relu_rnn_backward should return three arrays (dU, dW, db), got "
                            + (f"{type(got).__name__} of length {len(got)}" if isinstance(got, (tuple, list)) else type(got).__name__))
        expected = relu_rnn_backward(x, h0, hiddens, g, U, W)
        wrong = ("this is tanh' (1 - h**2); the ReLU's derivative is 1 where h_t > 0 and 0 elsewhere", tanh_derivative)
        for index, (name, axes) in enumerate([("dL/dU", "(hidden, input)"), ("dL/dW", "(hidden, hidden)"),
                                              ("dL/db", "(hidden,)")]):
            compare(name, got[index], expected[index], variants=_variants(x, h0, hiddens, g, W, relu_derivative, wrong, index),
                    axes=axes)
    return "dU, dW, db on 6 random sequences"


@exercise("03.3", "clipping by norm", clip_by_norm)
def check_clip_by_norm(fn, rng):
    """Compare with the reference on gradients above and below the threshold; the inputs must not change."""
    for case in range(8):
        grads = {name: rng.normal(0, rng.uniform(0.1, 3), size) for name, size in
                 [("U", (3, 2)), ("W", (3, 3)), ("b", (3,))][: int(rng.integers(2, 4))]}
        norm = float(np.sqrt(sum((g**2).sum() for g in grads.values())))
        max_norm = norm * (0.3 if case % 2 == 0 else 1.7)  # clipped, then not clipped
        originals = {k: v.copy() for k, v in grads.items()}
        got = call(fn, grads, max_norm)
        for name in grads:
            if not np.array_equal(grads[name], originals[name]):
                raise Incorrect(f"clip_by_norm changed its input grads[{name!r}] in place; return new arrays instead",
                                ["g *= scale changes the caller's array: write g * scale"])
        if not isinstance(got, dict) or set(got) != set(grads):
            raise Incorrect(f"clip_by_norm should return a dict with the keys {sorted(grads)}, got "
                            + (f"the keys {sorted(got)}" if isinstance(got, dict) else type(got).__name__))
        expected = clip_by_norm(originals, max_norm)
        for name in grads:
            g = originals[name]
            variants = {
                "each gradient is clipped by its own norm: the norm is the joint norm of all of them together":
                    g * min(1.0, max_norm / np.linalg.norm(g)),
                "this clips every entry to [-max_norm, max_norm]; clipping by norm scales the whole gradient":
                    np.clip(g, -max_norm, max_norm),
                "the gradients are scaled even when their norm is below max_norm: the factor is min(1, max_norm / norm)":
                    g * max_norm / norm,
                "the norm is the square root of the sum of squares (you used the sum of squares)":
                    g * min(1.0, max_norm / norm**2),
            }
            compare(f"grads[{name!r}] ({'clipped' if case % 2 == 0 else 'below the threshold'})", got[name],
                    expected[name], variants=variants)
    return "8 random sets of gradients, above and below the threshold"
