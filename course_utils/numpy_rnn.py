"""A vanilla recurrent network in numpy: the forward pass and backpropagation through time by hand.

The notation is the lectures' (reference slides "RNN equations" and "BPTT"; the
UBC lecture 6 on RNNs; Goodfellow, Bengio and Courville, *Deep Learning*, 2016,
section 10.2.2)::

    a_t = W h_{t-1} + U x_t + b,   h_t = tanh(a_t),   o_t = V h_t + c,   y_hat_t = softmax(o_t)

with ``U`` (hidden, input), ``W`` (hidden, hidden), ``V`` (output, hidden) and the
biases ``b`` (hidden,) and ``c`` (output,). Names mirror PyTorch (``input_size``,
``hidden_size``, ``batch_first``, ``forward``, ``backward``, ``parameters()``), so
:class:`NumpyRNN` can be held beside ``torch.nn.RNN`` + ``torch.nn.Linear``;
:func:`to_torch` and :func:`from_torch` copy the weights across
(``weight_ih_l0`` is U, ``weight_hh_l0`` is W, ``bias_ih_l0 + bias_hh_l0`` is b).

Layout: time first, ``x`` of shape ``(seq_len, batch, input_size)``, because the
forward pass is a loop over time and ``x[t]`` is then the whole batch at step t
(PyTorch's default for the same reason); ``batch_first=True`` takes
``(batch, seq_len, input_size)`` as the rest of the course does. The batch is
vectorised (one matrix product per step); only time is a Python loop. A
hidden state is a row of a ``(batch, hidden_size)`` array, so ``W h`` is written
``h @ W.T``.

The loss of :func:`softmax_cross_entropy` is the cross-entropy summed over the
time steps (or taken at the last step only, for many-to-one tasks) and averaged
over the batch. ``backward(..., k=...)`` truncates BPTT: the hidden state is
detached every ``k`` steps, as ``h = h.detach()`` at the start of each chunk of
``k`` steps does in PyTorch (the lab notes on batchified language modelling).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import check_bool, check_float, check_int, check_parameter_count, check_seed

__all__ = [
    "PARAMETER_NAMES",
    "NumpyRNN",
    "softmax_cross_entropy",
    "clip_grad_norm",
    "numerical_grads",
    "max_relative_error",
    "to_torch",
    "from_torch",
    "autograd_loss_and_grads",
]

#: The parameters of :class:`NumpyRNN`, in the order of the equations.
PARAMETER_NAMES = ("U", "W", "V", "b", "c")
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


def _check_dtype(dtype: object) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _check_array(name: str, value: object, shape: tuple[str | int, ...], sizes: dict[str, int],
                 dtype: np.dtype | None) -> np.ndarray:
    """Check `value` against `shape` (named dims take their size from `sizes`, or fix it there) and `dtype`."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be an array, got a ragged or mixed {type(value).__name__}") from None
    expected = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    if array.ndim != len(shape):
        raise ValueError(f"{name} must have shape {expected}, got an array of shape {array.shape}")
    for dim, size in zip(shape, array.shape):
        wanted = dim if isinstance(dim, int) else sizes.setdefault(dim, size)
        if size != wanted:
            described = ", ".join(f"{d}={sizes[d]}" if isinstance(d, str) and d in sizes else str(d) for d in shape)
            raise ValueError(f"{name} must have shape {expected} with {described}, got {array.shape}")
    if dtype is not None:
        if array.dtype != dtype:
            raise ValueError(f"{name} must have dtype {dtype} (the model's), got {array.dtype}")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} must hold finite numbers only (no nan or inf)")
    return array


def _as_array(name: str, value: object, dtype: type | None = None) -> np.ndarray:
    """``np.asarray(value, dtype)``, with an error that names the argument when it is not an array of numbers."""
    try:
        return np.asarray(value, dtype=dtype)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}") from None


def _check_time_first(name: str, value: object, feature: str, sizes: dict[str, int], dtype: np.dtype | None,
                      batch_first: bool) -> np.ndarray:
    """Check a sequence array laid out (seq_len, batch, ...) or (batch, seq_len, ...) and return it time first."""
    shape = ("batch", "seq_len", feature) if batch_first else ("seq_len", "batch", feature)
    array = _check_array(name, value, shape, sizes, dtype)
    if sizes["seq_len"] < 1:
        raise ValueError(f"{name} must have seq_len >= 1, got shape {array.shape}")
    if sizes["batch"] < 1:
        raise ValueError(f"{name} must have batch >= 1, got shape {array.shape}")
    return array.swapaxes(0, 1) if batch_first else array


class NumpyRNN:
    """A one-layer tanh RNN with a linear output layer, in numpy: U, W, V, b, c; forward and BPTT backward."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *, batch_first: bool = False,
                 dtype: type | np.dtype = np.float64, seed: int | np.random.Generator = 0) -> None:
        self.input_size = check_int(input_size, "input_size", 1, 100_000)
        self.hidden_size = check_int(hidden_size, "hidden_size", 1, 100_000)
        self.output_size = check_int(output_size, "output_size", 1, 100_000)
        check_parameter_count(self.hidden_size * (self.input_size + self.hidden_size + self.output_size + 1)
                              + self.output_size, "input_size, hidden_size and output_size")
        self.batch_first = check_bool(batch_first, "batch_first")
        self.dtype = _check_dtype(dtype)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check_seed(seed))
        # PyTorch's initialisation of nn.RNN and of nn.Linear(hidden_size, ...): uniform in +-1/sqrt(hidden_size).
        bound = 1.0 / np.sqrt(self.hidden_size)
        shapes = self.parameter_shapes()
        for name in PARAMETER_NAMES:
            setattr(self, name, rng.uniform(-bound, bound, size=shapes[name]).astype(self.dtype))

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """The shape of every parameter, keyed U, W, V, b, c."""
        h, i, o = self.hidden_size, self.input_size, self.output_size
        return {"U": (h, i), "W": (h, h), "V": (o, h), "b": (h,), "c": (o,)}

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameter arrays themselves (not copies), keyed U, W, V, b, c: update them in place."""
        return {name: getattr(self, name) for name in PARAMETER_NAMES}

    def num_parameters(self) -> int:
        """How many numbers the parameters hold (independent of the sequence length)."""
        return sum(int(np.prod(shape)) for shape in self.parameter_shapes().values())

    def __repr__(self) -> str:
        return (f"NumpyRNN(input_size={self.input_size}, hidden_size={self.hidden_size}, "
                f"output_size={self.output_size}, batch_first={self.batch_first}, dtype={self.dtype})")

    def _initial_state(self, h0: object, sizes: dict[str, int]) -> np.ndarray:
        if h0 is None:
            return np.zeros((sizes["batch"], self.hidden_size), dtype=self.dtype)
        return _check_array("h0", h0, ("batch", "hidden_size"), {**sizes, "hidden_size": self.hidden_size}, self.dtype)

    def step(self, x_t: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One time step for a batch: x_t (batch, input_size), h_prev (batch, hidden_size) -> h_t, o_t."""
        sizes = {"input_size": self.input_size, "hidden_size": self.hidden_size}
        x_t = _check_array("x_t", x_t, ("batch", "input_size"), sizes, self.dtype)
        if sizes["batch"] < 1:
            raise ValueError(f"x_t must have batch >= 1, got shape {x_t.shape}")
        h_prev = _check_array("h_prev", h_prev, ("batch", "hidden_size"), sizes, self.dtype)
        return self._step(x_t, h_prev)

    def _step(self, x_t: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a_t = h_prev @ self.W.T + x_t @ self.U.T + self.b  # (batch, hidden): W h_{t-1} + U x_t + b, row by row
        h_t = np.tanh(a_t)                                  # (batch, hidden)
        o_t = h_t @ self.V.T + self.c                       # (batch, output): V h_t + c
        return h_t, o_t

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Run over x (seq_len, batch, input_size) from h0 (batch, hidden_size; zeros if None): every o_t and every h_t."""
        sizes = {"input_size": self.input_size}
        x = _check_time_first("x", x, "input_size", sizes, self.dtype, self.batch_first)
        h = self._initial_state(h0, sizes)
        seq_len, batch = x.shape[:2]
        outputs = np.empty((seq_len, batch, self.output_size), dtype=self.dtype)
        hiddens = np.empty((seq_len, batch, self.hidden_size), dtype=self.dtype)
        for t in range(seq_len):  # the loop over time; each step handles the whole batch at once
            h, outputs[t] = self._step(x[t], h)
            hiddens[t] = h
        if self.batch_first:
            return outputs.swapaxes(0, 1), hiddens.swapaxes(0, 1)
        return outputs, hiddens

    def backward(self, x: np.ndarray, hiddens: np.ndarray, grad_outputs: np.ndarray, h0: np.ndarray | None = None,
                 k: int | None = None) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """BPTT: from dL/do_t (seq_len, batch, output_size) to the parameter gradients and every dL/dh_t.

        `x`, `h0` are what :meth:`forward` was given and `hiddens` what it returned.
        With a truncation length `k`, the hidden state is detached every `k`
        steps (at steps k, 2k, ...): no gradient flows back across those edges.
        Returns the gradients keyed U, W, V, b, c and dL/dh_t with the layout of `hiddens`.
        """
        sizes = {"input_size": self.input_size, "hidden_size": self.hidden_size, "output_size": self.output_size}
        x = _check_time_first("x", x, "input_size", sizes, self.dtype, self.batch_first)
        h = _check_time_first("hiddens", hiddens, "hidden_size", sizes, self.dtype, self.batch_first)
        grad_o = _check_time_first("grad_outputs", grad_outputs, "output_size", sizes, self.dtype, self.batch_first)
        h0 = self._initial_state(h0, sizes)
        if k is not None:
            k = check_int(k, "k")
        grads = {name: np.zeros(shape, dtype=self.dtype) for name, shape in self.parameter_shapes().items()}
        grad_h = np.empty_like(h)
        from_future = np.zeros_like(h0)  # W^T dL/da_{t+1}: what h_t receives from step t+1
        for t in reversed(range(x.shape[0])):
            grad_h[t] = grad_o[t] @ self.V + from_future    # dL/dh_t = V^T dL/do_t + W^T dL/da_{t+1}
            grad_a = (1.0 - h[t] ** 2) * grad_h[t]          # dL/da_t = tanh'(a_t) * dL/dh_t, tanh' = 1 - h_t^2
            h_prev = h[t - 1] if t > 0 else h0
            grads["c"] += grad_o[t].sum(axis=0)             # sum over t (and the batch) of dL/do_t
            grads["V"] += grad_o[t].T @ h[t]                # dL/do_t h_t^T
            grads["b"] += grad_a.sum(axis=0)                # dL/da_t
            grads["W"] += grad_a.T @ h_prev                 # dL/da_t h_{t-1}^T
            grads["U"] += grad_a.T @ x[t]                   # dL/da_t x_t^T
            detached = k is not None and t % k == 0         # h_{t-1} entered step t detached
            from_future = np.zeros_like(h0) if detached else grad_a @ self.W
        return grads, (grad_h.swapaxes(0, 1) if self.batch_first else grad_h)

    def loss_and_grads(self, x: np.ndarray, targets: np.ndarray, h0: np.ndarray | None = None, *,
                       last_step_only: bool = False, k: int | None = None) -> tuple[float, dict[str, np.ndarray]]:
        """Forward, cross-entropy (summed over steps, or at the last step only) and BPTT: the loss and the gradients."""
        outputs, hiddens = self.forward(x, h0)
        loss, grad_outputs = softmax_cross_entropy(outputs, targets, last_step_only=last_step_only,
                                                   batch_first=self.batch_first)
        grads, _ = self.backward(x, hiddens, grad_outputs, h0, k)
        return loss, grads


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray, *, last_step_only: bool = False,
                          batch_first: bool = False) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(logits) against class indices, summed over time, averaged over the batch; and dL/dlogits.

    `logits` is (seq_len, batch, classes) (or batch first); `targets` holds
    integer class indices, (seq_len, batch) or, with `last_step_only`, (batch,)
    for the last step alone. The gradient is (y_hat_t - y_t) / batch at the
    steps that carry a loss and zero elsewhere.
    """
    last_step_only = check_bool(last_step_only, "last_step_only")
    batch_first = check_bool(batch_first, "batch_first")
    logits = _as_array("logits", logits)
    if logits.dtype not in _DTYPES:
        raise ValueError(f"logits must have dtype float32 or float64, got {logits.dtype}")
    sizes: dict[str, int] = {}
    logits = _check_time_first("logits", logits, "classes", sizes, logits.dtype, batch_first)
    targets = _as_array("targets", targets)
    if targets.dtype.kind not in "iu":
        raise ValueError(f"targets must hold integer class indices, got dtype {targets.dtype}")
    if last_step_only:
        targets = _check_array("targets", targets, ("batch",), sizes, None)[None]
        scored = logits[-1:]
    else:
        shape = ("batch", "seq_len") if batch_first else ("seq_len", "batch")
        targets = _check_array("targets", targets, shape, sizes, None)
        targets = targets.T if batch_first else targets
        scored = logits
    if targets.size and (targets.min() < 0 or targets.max() >= sizes["classes"]):
        raise ValueError(f"targets must be class indices in [0, {sizes['classes']}), "
                         f"got values from {targets.min()} to {targets.max()}")
    shifted = scored - scored.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)
    batch = sizes["batch"]
    loss = float(-picked.sum() / batch)
    grad_scored = np.exp(log_probs)
    np.put_along_axis(grad_scored, targets[..., None], np.take_along_axis(grad_scored, targets[..., None], -1) - 1, -1)
    grad = np.zeros_like(logits)
    grad[-scored.shape[0]:] = grad_scored / batch
    return loss, (grad.swapaxes(0, 1) if batch_first else grad)


def _check_grads(grads: object) -> dict[str, np.ndarray]:
    if not isinstance(grads, Mapping) or not grads:
        raise ValueError(f"grads must be a non-empty dict of arrays, got {type(grads).__name__}")
    arrays = {name: np.asarray(g) for name, g in grads.items()}
    for name, g in arrays.items():
        if g.dtype.kind != "f":
            raise ValueError(f"grads[{name!r}] must be a floating-point array, got dtype {g.dtype}")
    return arrays


def clip_grad_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients together so that their joint L2 norm is at most max_norm (inf: never); return them and the norm before."""
    arrays = _check_grads(grads)
    never = isinstance(max_norm, (float, np.floating)) and max_norm == np.inf  # (as torch's clip_grad_norm_ allows)
    max_norm = np.inf if never else check_float(max_norm, "max_norm", 0, low_open=True)
    total = float(np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in arrays.values())))
    if not np.isfinite(total):
        raise ValueError(f"grads must be finite to be clipped, their norm is {total}")
    scale = min(1.0, float(max_norm) / total) if total > 0 else 1.0
    return {name: (g * scale).astype(g.dtype) for name, g in arrays.items()}, total


def numerical_grads(model: NumpyRNN, x: np.ndarray, targets: np.ndarray, h0: np.ndarray | None = None, *,
                    last_step_only: bool = False, eps: float = 1e-5) -> dict[str, np.ndarray]:
    """Central finite differences (L(p + eps) - L(p - eps)) / (2 eps) of the loss, one parameter entry at a time."""
    if not isinstance(model, NumpyRNN):
        raise ValueError(f"model must be a NumpyRNN, got {type(model).__name__}")
    if model.dtype != np.float64:
        raise ValueError(f"model must be float64 for finite differences to be meaningful, got {model.dtype}")
    eps = check_float(eps, "eps", 0, 1, low_open=True, high_open=True)

    def loss() -> float:
        outputs, _ = model.forward(x, h0)
        return softmax_cross_entropy(outputs, targets, last_step_only=last_step_only, batch_first=model.batch_first)[0]

    loss()  # checks the inputs once, before the parameters are touched
    grads = {}
    for name, param in model.parameters().items():
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            plus = loss()
            param[index] = saved - eps
            minus = loss()
            param[index] = saved
            grad[index] = (plus - minus) / (2 * eps)
        grads[name] = grad
    return grads


def max_relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| divided by the largest |entry| of a and b (0 when both are zero): one number per array."""
    a, b = _as_array("a", a, np.float64), _as_array("b", b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("a and b must hold finite numbers only")
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return float(np.abs(a - b).max(initial=0.0) / scale) if scale > 0 else 0.0


def to_torch(model: NumpyRNN) -> tuple[nn.RNN, nn.Linear]:
    """A torch.nn.RNN and nn.Linear holding copies of model's weights (all of b in bias_ih_l0, zeros in bias_hh_l0)."""
    if not isinstance(model, NumpyRNN):
        raise ValueError(f"model must be a NumpyRNN, got {type(model).__name__}")
    dtype = _TORCH_DTYPES[model.dtype]
    with torch.random.fork_rng(devices=[]):  # the modules' own random initialisation must not move the global RNG
        rnn = nn.RNN(model.input_size, model.hidden_size, batch_first=model.batch_first, dtype=dtype)
        linear = nn.Linear(model.hidden_size, model.output_size, dtype=dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(model.U))
        rnn.weight_hh_l0.copy_(torch.from_numpy(model.W))
        rnn.bias_ih_l0.copy_(torch.from_numpy(model.b))
        rnn.bias_hh_l0.zero_()
        linear.weight.copy_(torch.from_numpy(model.V))
        linear.bias.copy_(torch.from_numpy(model.c))
    return rnn, linear


def from_torch(rnn: nn.RNN, linear: nn.Linear) -> NumpyRNN:
    """A NumpyRNN holding copies of the weights of a one-layer tanh torch.nn.RNN and the nn.Linear on top of it."""
    if not isinstance(rnn, nn.RNN):
        raise ValueError(f"rnn must be a torch.nn.RNN, got {type(rnn).__name__}")
    if not isinstance(linear, nn.Linear):
        raise ValueError(f"linear must be a torch.nn.Linear, got {type(linear).__name__}")
    if rnn.num_layers != 1 or rnn.bidirectional or rnn.nonlinearity != "tanh" or not rnn.bias or rnn.proj_size:
        raise ValueError("rnn must be a one-layer, one-directional tanh nn.RNN with biases, got " + repr(rnn))
    if linear.in_features != rnn.hidden_size or linear.bias is None:
        raise ValueError(f"linear must map hidden_size={rnn.hidden_size} features with a bias, got {linear!r}")
    dtype = {v: k for k, v in _TORCH_DTYPES.items()}.get(rnn.weight_ih_l0.dtype)
    if dtype is None or linear.weight.dtype != rnn.weight_ih_l0.dtype:
        raise ValueError(f"rnn and linear must both be float32 or float64, got {rnn.weight_ih_l0.dtype} "
                         f"and {linear.weight.dtype}")
    model = NumpyRNN(rnn.input_size, rnn.hidden_size, linear.out_features, batch_first=rnn.batch_first, dtype=dtype)
    with torch.no_grad():
        model.U = rnn.weight_ih_l0.cpu().numpy().copy()
        model.W = rnn.weight_hh_l0.cpu().numpy().copy()
        model.b = (rnn.bias_ih_l0 + rnn.bias_hh_l0).cpu().numpy().copy()
        model.V = linear.weight.cpu().numpy().copy()
        model.c = linear.bias.cpu().numpy().copy()
    return model


def autograd_loss_and_grads(model: NumpyRNN, x: np.ndarray, targets: np.ndarray, h0: np.ndarray | None = None, *,
                            last_step_only: bool = False, k: int | None = None) -> tuple[float, dict[str, np.ndarray]]:
    """The oracle for :meth:`NumpyRNN.loss_and_grads`: the same loss and gradients from torch autograd.

    The weights are copied into ``torch.nn.RNN`` + ``nn.Linear`` (:func:`to_torch`);
    with a truncation length `k` the sequence is run in chunks of `k` steps and the
    hidden state is detached at the start of every chunk, PyTorch's idiom for
    truncated BPTT. The bias gradient is that of ``bias_ih_l0`` (``bias_hh_l0``
    gets the same).
    """
    if not isinstance(model, NumpyRNN):
        raise ValueError(f"model must be a NumpyRNN, got {type(model).__name__}")
    outputs, _ = model.forward(x, h0)  # checks x and h0
    softmax_cross_entropy(outputs, targets, last_step_only=last_step_only, batch_first=model.batch_first)
    if k is not None:
        k = check_int(k, "k")
    rnn, linear = to_torch(model)
    time = 1 if model.batch_first else 0
    x, targets = torch.from_numpy(np.asarray(x)), torch.from_numpy(np.asarray(targets))
    seq_len, batch = x.shape[time], x.shape[1 - time]
    h = None if h0 is None else torch.from_numpy(np.asarray(h0))[None]  # (num_layers, batch, hidden)
    chunk = k or seq_len
    logits = []
    for start in range(0, seq_len, chunk):
        h = None if h is None else h.detach()  # keep the value, cut the graph: no gradient into earlier chunks
        output, h = rnn(x.narrow(time, start, min(chunk, seq_len - start)), h)
        logits.append(linear(output))
    logits = torch.cat(logits, dim=time)  # like `outputs`
    if last_step_only:
        loss = F.cross_entropy(logits.select(time, seq_len - 1), targets, reduction="sum") / batch
    else:
        loss = F.cross_entropy(logits.reshape(-1, model.output_size), targets.reshape(-1), reduction="sum") / batch
    loss.backward()
    grads = {"U": rnn.weight_ih_l0.grad, "W": rnn.weight_hh_l0.grad, "V": linear.weight.grad,
             "b": rnn.bias_ih_l0.grad, "c": linear.bias.grad}
    return loss.item(), {name: grad.numpy() for name, grad in grads.items()}
