"""Exercises of notebook 07 (inside the LSTM): an LSTM step with coupled input and forget gates, and a GRU step."""

from __future__ import annotations

import torch
from torch import nn

from course_utils.exercises.core import Incorrect, call, compare, exercise


def coupled_lstm_step(x_t: torch.Tensor, h: torch.Tensor, c: torch.Tensor, U: torch.Tensor, W: torch.Tensor,
                      b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of an LSTM whose input gate is 1 - f: U (3 hidden, input), W (3 hidden, hidden), b (3 hidden,) stacked f, g, o."""
    a_f, a_g, a_o = (x_t @ U.T + h @ W.T + b).chunk(3, dim=1)  # (batch, hidden) each
    f, g, o = torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c + (1 - f) * g
    return o * torch.tanh(c), c


def gru_step(x_t: torch.Tensor, h: torch.Tensor, gru: nn.GRU) -> torch.Tensor:
    """One step of the one-layer nn.GRU `gru` from its weights: x_t (batch, input), h (batch, hidden) -> new h (batch, hidden)."""
    a_r, a_z, a_n = (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)  # PyTorch's order: r, z, n
    w_r, w_z, w_n = (h @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)
    r, z = torch.sigmoid(a_r + w_r), torch.sigmoid(a_z + w_z)
    n = torch.tanh(a_n + r * w_n)
    return (1 - z) * n + z * h


def _coupled_variant(x_t, h, c, U, W, b, order=(0, 1, 2), write=lambda f: 1 - f, squash=torch.tanh):
    blocks = (x_t @ U.T + h @ W.T + b).chunk(3, dim=1)
    a_f, a_g, a_o = (blocks[k] for k in order)
    f, g, o = torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c + write(f) * g
    return o * squash(c), c


@exercise("07.1", "an LSTM step with coupled gates", coupled_lstm_step)
def check_coupled_lstm_step(fn, rng):
    """Compare h and c with the reference on random float64 weights and states."""
    for _ in range(6):
        hidden, inputs, batch = int(rng.integers(2, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
        tensor = lambda *shape: torch.as_tensor(rng.normal(0, 0.8, shape))  # noqa: E731
        x_t, h, c = tensor(batch, inputs), tensor(batch, hidden), tensor(batch, hidden)
        U, W, b = tensor(3 * hidden, inputs), tensor(3 * hidden, hidden), tensor(3 * hidden)
        got = call(fn, x_t.clone(), h.clone(), c.clone(), U.clone(), W.clone(), b.clone())
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Incorrect("coupled_lstm_step should return the pair (h, c)")
        expected = coupled_lstm_step(x_t, h, c, U, W, b)
        args = (x_t, h, c, U, W, b)
        hints = {
            "the input gate is 1 - f, not f: the cell keeps f of its value and writes 1 - f of the candidate":
                _coupled_variant(*args, write=lambda f: f),
            "the input gate is missing: c_t = f * c_{t-1} + (1 - f) * g": _coupled_variant(*args, write=lambda f: 1),
            "the blocks are in another order: U, W and b stack f, g, o (in that order)":
                _coupled_variant(*args, order=(1, 0, 2)),
            "the blocks are in another order: U, W and b stack f, g, o": _coupled_variant(*args, order=(0, 2, 1)),
            "tanh of the cell is missing: h_t = o * tanh(c_t)": _coupled_variant(*args, squash=lambda c: c),
        }
        compare("c_t", got[1], expected[1], variants={k: v[1] for k, v in hints.items()}, axes="(batch, hidden)")
        compare("h_t", got[0], expected[0], variants={k: v[0] for k, v in hints.items()}, axes="(batch, hidden)")
    return "h and c on 6 random cases"


def _gru_variant(x_t, h, gru, order=(0, 1, 2), keep_new=False, reset_before=False, squash=torch.tanh):
    a = (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)
    w = (h @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)
    r, z = torch.sigmoid(a[order[0]] + w[order[0]]), torch.sigmoid(a[order[1]] + w[order[1]])
    if reset_before:
        W_n = gru.weight_hh_l0.chunk(3, dim=0)[2]
        b_n = gru.bias_hh_l0.chunk(3)[2]
        n = squash(a[2] + (r * h) @ W_n.T + b_n)
    else:
        n = squash(a[order[2]] + r * w[order[2]])
    return z * n + (1 - z) * h if keep_new else (1 - z) * n + z * h


@exercise("07.2", "a GRU step", gru_step)
def check_gru_step(fn, rng):
    """Compare with nn.GRU itself (float64) on random batches; name the usual slips."""
    for _ in range(6):
        hidden, inputs, batch = int(rng.integers(2, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
        gru = nn.GRU(inputs, hidden, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            for p in gru.parameters():
                p.copy_(torch.as_tensor(rng.normal(0, 0.7, tuple(p.shape))))
        x_t = torch.as_tensor(rng.normal(size=(batch, inputs)))
        h = torch.as_tensor(rng.normal(0, 0.7, (batch, hidden)))
        with torch.no_grad():
            got = call(fn, x_t.clone(), h.clone(), gru)
            expected = gru(x_t[:, None], h[None])[1][0]
            variants = {
                "z and 1 - z are swapped: h_t = (1 - z) * n + z * h_{t-1} (z = 1 keeps the old state)":
                    _gru_variant(x_t, h, gru, keep_new=True),
                "the blocks are in another order: PyTorch stacks r, z, n": _gru_variant(x_t, h, gru, order=(1, 0, 2)),
                "PyTorch's reset gate multiplies W_hn h + b_hn (after the product), not h before it":
                    _gru_variant(x_t, h, gru, reset_before=True),
                "tanh of the candidate is missing: n = tanh(...)": _gru_variant(x_t, h, gru, squash=lambda a: a),
            }
        if isinstance(got, torch.Tensor) and got.requires_grad:
            got = got.detach()
        compare("h_t", got, expected, variants=variants, axes="(batch, hidden)")
    return "the same h as nn.GRU on 6 random cases"
