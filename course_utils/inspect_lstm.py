"""Look inside a trained LSTM: its hidden state, cell state and gates at every step.

``torch.nn.LSTM`` returns the hidden state h_t of every step, but it keeps the
cell state c_t (all but the last one) and the four gate activations to itself.
:func:`record_lstm` recovers them from the layer's own weights without running a
second copy of the model. It takes each h_{t-1} from ``nn.LSTM``'s own output,
computes the pre-activations of all steps at once,

    (a_i, a_f, a_g, a_o) = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh,

split into PyTorch's four blocks in the order of
:data:`course_utils.models.LSTM_GATES` (input, forget, cell candidate, output),
then applies the gate functions

    i_t = sigmoid(a_i),  f_t = sigmoid(a_f),  g_t = tanh(a_g),  o_t = sigmoid(a_o),

and runs the one recurrence ``nn.LSTM`` does not expose, the cell update
``c_t = f_t * c_{t-1} + i_t * g_t`` (from ``c_0 = 0``). The hidden state in the
record is ``nn.LSTM``'s own output; the tests check that the recorded gates and
cells reproduce it, ``h_t = o_t * tanh(c_t)`` at every step, and that the last
recorded c_t is ``nn.LSTM``'s ``c_n``.

Sources: S. Hochreiter and J. Schmidhuber, "Long short-term memory", *Neural
Computation* 9(8), 1997 (the cell, input and output gates); F. A. Gers,
J. Schmidhuber and F. Cummins, "Learning to forget: continual prediction with
LSTM", *Neural Computation* 12(10), 2000 (the forget gate); the documentation of
``torch.nn.LSTM`` (the equations and the gate order of ``weight_ih_l0``). The
NYU deep-learning lab (reference lecture ``002_e6a91ca0d0943e3a.txt``) draws the
gates as open and closed "mouths" and the trained states as heatmaps; notebook 07
does both with this record.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import check_sequences
from course_utils.models import LSTM_GATES, lstm_gate_rows

__all__ = ["QUANTITIES", "LSTMRecord", "record_lstm"]

#: The per-step quantities of an LSTM that a record holds, by their letter in the equations.
QUANTITIES: dict[str, str] = {
    "h": "hidden state $h_t$",
    "c": "cell state $c_t$",
    "i": "input gate $i_t$",
    "f": "forget gate $f_t$",
    "g": "cell candidate $g_t$",
    "o": "output gate $o_t$",
}

#: The letter in the equations of each block of :data:`course_utils.models.LSTM_GATES`.
_LETTERS = {"input": "i", "forget": "f", "cell": "g", "output": "o"}


@dataclass(frozen=True)
class LSTMRecord:
    """Per-step h, c and gate activations i, f, g, o of a one-layer LSTM, each of shape (batch, time, hidden)."""

    h: torch.Tensor
    c: torch.Tensor
    i: torch.Tensor
    f: torch.Tensor
    g: torch.Tensor
    o: torch.Tensor

    def __post_init__(self) -> None:
        shape = self.h.shape if isinstance(self.h, torch.Tensor) else None
        for name in QUANTITIES:
            value = getattr(self, name)
            if not isinstance(value, torch.Tensor) or value.ndim != 3 or value.shape != shape:
                got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
                raise ValueError(f"{name} must be a tensor of shape (batch, time, hidden) like h {tuple(shape or ())}, "
                                 f"got {got}")

    def quantity(self, name: str) -> torch.Tensor:
        """The tensor of one quantity by its letter ('h', 'c', 'i', 'f', 'g' or 'o'), shape (batch, time, hidden)."""
        if not isinstance(name, str) or name not in QUANTITIES:
            raise ValueError(f"name must be one of {list(QUANTITIES)}, got {name!r}")
        return getattr(self, name)


def _check_lstm(lstm: object) -> nn.LSTM:
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"lstm must be a torch.nn.LSTM, got {type(lstm).__name__}")
    for problem, wrong in (("num_layers=1", lstm.num_layers != 1), ("bidirectional=False", lstm.bidirectional),
                           ("proj_size=0", lstm.proj_size != 0), ("batch_first=True", not lstm.batch_first)):
        if wrong:
            raise ValueError(f"lstm must be a one-layer, one-directional, batch-first nn.LSTM without projection; "
                             f"it needs {problem}")
    return lstm


@torch.no_grad()
def record_lstm(lstm: nn.LSTM, x: torch.Tensor) -> LSTMRecord:
    """h, c and the gates i, f, g, o of ``lstm`` (one layer, batch first) at every step of ``x`` (batch, time, input), from a zero state.

    The hidden states are ``lstm``'s own output; the gates and cells are
    recomputed from its weights (see the module docstring). In a zero-padded
    batch the steps after a sequence's end read the padding, as ``nn.LSTM`` does.
    """
    lstm = _check_lstm(lstm)
    check_sequences(x, lstm.input_size)
    if x.dtype != lstm.weight_ih_l0.dtype:
        raise TypeError(f"x must have the LSTM's dtype {lstm.weight_ih_l0.dtype}, got {x.dtype}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must hold at least one sequence of at least one step, got shape {tuple(x.shape)}")
    h, _ = lstm(x)  # (batch, time, hidden): the model's own hidden states
    h_previous = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], dim=1)  # h_{t-1}, with h_0 = 0
    bias_ih, bias_hh = (lstm.bias_ih_l0, lstm.bias_hh_l0) if lstm.bias else (None, None)
    # (batch, time, 4 * hidden): all steps at once, since every h_{t-1} is known
    pre = F.linear(x, lstm.weight_ih_l0, bias_ih) + F.linear(h_previous, lstm.weight_hh_l0, bias_hh)
    gates = {}
    for name in LSTM_GATES:  # PyTorch's order: input, forget, cell candidate, output
        block = pre[..., lstm_gate_rows(name, lstm.hidden_size)]  # (batch, time, hidden)
        gates[_LETTERS[name]] = torch.tanh(block) if name == "cell" else torch.sigmoid(block)
    cell = torch.zeros_like(h[:, 0])  # c_0 = 0, (batch, hidden)
    cells = []
    for t in range(x.shape[1]):
        cell = gates["f"][:, t] * cell + gates["i"][:, t] * gates["g"][:, t]
        cells.append(cell)
    return LSTMRecord(h=h, c=torch.stack(cells, dim=1), **gates)
