"""Recurrent models built from PyTorch's layers, shared by the notebooks.

``SequenceClassifier`` is the many-to-one network ("acceptor") of the reference
lectures: a recurrent layer reads the whole sequence and a linear layer maps the
hidden state at the sequence's last step to class scores (logits),
``logits = V h_T + c``. It is deliberately two modules and nothing more, an
``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (``self.recurrent``) and an ``nn.Linear``
(``self.head``), so that a notebook can read the trained weights of the recurrent
layer directly (for instance to replay an LSTM step by step and record its gates).

``SequenceTagger`` is the synchronised many-to-many network ("tagger"): the same
two modules, with the linear read-out applied at every step,
``o_t = V h_t + c``. It takes the recurrent state to start from and returns the
state it ends with, ``logits, state = model(x, state)``, so that one long stream
can be fed chunk after chunk with the state carried in between (truncated
backpropagation through time).

Padding: a batch holds sequences of different lengths, zero-padded at the end.
The recurrent layer runs over the whole padded batch, and the classifier takes
the top layer's output at each sequence's own last step, ``lengths - 1``. A
one-directional network reads left to right, so the padding that follows a
sequence cannot change its earlier states: that output is exactly the state
after the last real symbol. The alternative, ``pack_padded_sequence``, stops each
sequence at its end and returns the same numbers, but on a CPU it was more than ten
times slower in one measurement (an LSTM of 16 units, forward and backward on
batches of two ``hard`` sequences, one thread), since it cannot use the fused
kernel. A *bidirectional* layer does need packing, because its backward direction
would otherwise start in the padding.

Initialisation follows PyTorch's defaults (every weight and bias of the recurrent
layer uniform in ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]``, the linear layer
uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``), but is drawn from a
``torch.Generator`` seeded by the model's own ``seed``, never from the global
generator. Two options change the LSTM's gate biases at the start:

* ``forget_bias``: a large forget-gate bias keeps the cell state from decaying,
  so that it and its gradient survive many steps (F. A. Gers, J. Schmidhuber and
  F. Cummins, "Learning to forget: continual prediction with LSTM", *Neural
  Computation* 12(10), 2000; R. Jozefowicz, W. Zaremba and I. Sutskever, "An
  empirical exploration of recurrent network architectures", ICML 2015);
* ``input_bias``: a negative input-gate bias keeps most of each new input out of
  the cell until the network has learnt what is worth writing. Together they are
  a fixed version of the "chrono" initialisation of C. Tallec and Y. Ollivier,
  "Can recurrent neural networks warp time?", ICLR 2018 (b_f large, b_i = -b_f).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from course_utils.checks import (
    check_choice,
    check_float,
    check_int,
    check_lengths,
    check_module,
    check_parameter_count,
    check_seed,
    check_sequences,
    check_state,
)

#: The largest size (input, hidden, output) and number of layers a model accepts.
MAX_SIZE, MAX_LAYERS = 100_000, 100
#: The largest gate bias in absolute value (a sigmoid is already saturated at 40; float32 overflows at 3e38).
MAX_GATE_BIAS = 1000.0

__all__ = [
    "State",
    "CELLS",
    "LSTM_GATES",
    "lstm_gate_rows",
    "recurrent_and_head",
    "init_default_",
    "SequenceClassifier",
    "SequenceTagger",
    "count_parameters",
]

#: What a recurrent layer carries between calls: h (RNN, GRU), (h, c) (LSTM), or None for zeros.
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None

#: Recurrent layers a model can be built from.
CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


#: The four blocks of an ``nn.LSTM``'s stacked weights and biases, in PyTorch's order:
#: input gate i, forget gate f, cell candidate g, output gate o.
LSTM_GATES: tuple[str, ...] = ("input", "forget", "cell", "output")


def lstm_gate_rows(gate: str, hidden_size: int) -> slice:
    """Rows of an ``nn.LSTM`` weight or bias (4 * hidden_size rows) that belong to ``gate``."""
    if not isinstance(gate, str) or gate not in LSTM_GATES:
        raise ValueError(f"gate must be one of {list(LSTM_GATES)}, got {gate!r}")
    hidden_size = check_int(hidden_size, "hidden_size", 1, MAX_SIZE)
    start = LSTM_GATES.index(gate) * hidden_size
    return slice(start, start + hidden_size)


def recurrent_and_head(cell: str, input_size: int, hidden_size: int, output_size: int,
                       num_layers: int = 1) -> tuple[nn.RNNBase, nn.Linear]:
    """A batch-first ``nn.RNN``/``nn.LSTM``/``nn.GRU`` and an ``nn.Linear(hidden_size, output_size)``, weights not drawn yet.

    The layers are built on the "meta" device, so they draw nothing from torch's
    global generator; fill them with :func:`init_default_`.
    """
    if not isinstance(cell, str) or cell not in CELLS:
        raise ValueError(f"cell must be one of {list(CELLS)}, got {cell!r}")
    input_size, hidden_size = check_int(input_size, "input_size", 1, MAX_SIZE), check_int(hidden_size, "hidden_size", 1, MAX_SIZE)
    output_size, num_layers = check_int(output_size, "output_size", 1, MAX_SIZE), check_int(num_layers, "num_layers", 1, MAX_LAYERS)
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    check_parameter_count(gates * hidden_size * (max(input_size, hidden_size) + hidden_size + 2) * num_layers
                          + output_size * (hidden_size + 1),  # an upper bound of the weights
                          "input_size, hidden_size, output_size and num_layers")
    recurrent = CELLS[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True, device="meta")
    head = nn.Linear(hidden_size, output_size, device="meta")
    return recurrent.to_empty(device="cpu"), head.to_empty(device="cpu")


@torch.no_grad()
def init_default_(recurrent: nn.RNNBase, head: nn.Linear, seed: int) -> None:
    """PyTorch's default initialisation of a recurrent layer and its linear head, drawn from a generator seeded by ``seed``."""
    if not isinstance(recurrent, nn.RNNBase):
        raise TypeError(f"recurrent must be a torch.nn.RNN, LSTM or GRU, got {type(recurrent).__name__}")
    if not isinstance(head, nn.Linear):
        raise TypeError(f"head must be a torch.nn.Linear, got {type(head).__name__}")
    generator = torch.Generator().manual_seed(check_seed(seed))
    bound = 1 / math.sqrt(recurrent.hidden_size)
    for parameter in recurrent.parameters():
        parameter.uniform_(-bound, bound, generator=generator)
    bound = 1 / math.sqrt(head.in_features)
    head.weight.uniform_(-bound, bound, generator=generator)
    head.bias.uniform_(-bound, bound, generator=generator)


def _check_gate_biases(cell: str, **biases: float | None) -> None:
    for name, value in biases.items():
        if value is None:
            continue
        if cell != "lstm":
            raise ValueError(f"{name} only applies to cell='lstm', got cell={cell!r}")
        check_float(value, name, -MAX_GATE_BIAS, MAX_GATE_BIAS)


@torch.no_grad()
def _set_gate_bias(recurrent: nn.LSTM, gate: str, value: float) -> None:
    """Put ``value`` in b_ih and 0 in b_hh for one gate of every layer, so that their sum is ``value``."""
    rows = lstm_gate_rows(gate, recurrent.hidden_size)
    for layer in range(recurrent.num_layers):
        getattr(recurrent, f"bias_ih_l{layer}")[rows] = float(value)
        getattr(recurrent, f"bias_hh_l{layer}")[rows] = 0.0


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers (weights and biases) in ``model``."""
    return sum(p.numel() for p in check_module(model).parameters() if p.requires_grad)


class SequenceClassifier(nn.Module):
    """Many-to-one classifier: a recurrent layer (``cell`` = 'rnn', 'lstm' or 'gru') and a linear head on its last state."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        cell: str = "lstm",
        num_layers: int = 1,
        forget_bias: float | None = None,
        input_bias: float | None = None,
        seed: int = 0,
    ) -> None:
        """Build the layers, draw the initial weights from ``seed``; ``forget_bias``/``input_bias`` (LSTM only) set b_f/b_i."""
        super().__init__()
        num_classes = check_int(num_classes, "num_classes", 1, MAX_SIZE)
        # The layers draw no initial weights from the global generator; reset_parameters
        # draws every weight from this model's own one.
        self.recurrent, self.head = recurrent_and_head(cell, input_size, hidden_size, num_classes, num_layers)
        _check_gate_biases(cell, forget_bias=forget_bias, input_bias=input_bias)
        self.cell = cell
        self.forget_bias = forget_bias
        self.input_bias = input_bias
        self.reset_parameters(seed)

    @property
    def hidden_size(self) -> int:
        """Size of the hidden state h_t."""
        return self.recurrent.hidden_size

    @torch.no_grad()
    def reset_parameters(self, seed: int = 0) -> None:
        """Draw all weights again, PyTorch's default distributions from a generator seeded by ``seed``."""
        init_default_(self.recurrent, self.head, seed)
        if self.forget_bias is not None:
            self.set_gate_bias("forget", self.forget_bias)
        if self.input_bias is not None:
            self.set_gate_bias("input", self.input_bias)

    @torch.no_grad()
    def set_gate_bias(self, gate: str, value: float) -> None:
        """Make the bias of one LSTM gate (see :data:`LSTM_GATES`) equal ``value`` in every layer (b_ih + b_hh)."""
        if self.cell != "lstm":
            raise ValueError(f"set_gate_bias needs cell='lstm', this model has cell={self.cell!r}")
        check_choice(gate, "gate", LSTM_GATES)
        value = check_float(value, "value", -MAX_GATE_BIAS, MAX_GATE_BIAS)
        _set_gate_bias(self.recurrent, gate, value)

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """Top layer's hidden state at every step, shape (batch, seq_len, hidden_size) (steps after a sequence's end read padding)."""
        check_sequences(x, self.recurrent.input_size, time="seq_len", dtype=self.recurrent.weight_ih_l0.dtype)
        output, _ = self.recurrent(x)
        return output

    def last_hidden(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Top layer's hidden state after each sequence's last real step, shape (batch, hidden_size)."""
        states = self.hidden_states(x)  # (batch, seq_len, hidden); checks x
        check_lengths(lengths, x)
        return states[torch.arange(len(lengths)), lengths - 1]

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (batch, num_classes) for one-hot x (batch, seq_len, input_size) with true ``lengths`` (batch,)."""
        return self.head(self.last_hidden(x, lengths))


class SequenceTagger(nn.Module):
    """Many-to-many tagger: a recurrent layer (``cell`` = 'rnn', 'lstm' or 'gru') and a linear read-out at every step, state in and out."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int = 1,
        cell: str = "rnn",
        forget_bias: float | None = None,
        seed: int = 0,
    ) -> None:
        """Build the layers (batch first), draw the initial weights from ``seed``; ``forget_bias`` (LSTM only) sets b_f."""
        super().__init__()
        self.recurrent, self.head = recurrent_and_head(cell, input_size, hidden_size, output_size)
        _check_gate_biases(cell, forget_bias=forget_bias)
        self.cell = cell
        init_default_(self.recurrent, self.head, seed)
        if forget_bias is not None:
            _set_gate_bias(self.recurrent, "forget", forget_bias)

    def forward(self, x: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """Logits (batch, time, output_size) for x (batch, time, input_size) from ``state`` (None: zeros), and the final state."""
        check_sequences(x, self.recurrent.input_size, dtype=self.recurrent.weight_ih_l0.dtype)
        check_state(state, self.recurrent, x.shape[0])
        outputs, state = self.recurrent(x, state)  # (batch, time, hidden); h or (h, c): (num_layers, batch, hidden)
        return self.head(outputs), state
