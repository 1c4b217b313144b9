"""Every public function and method of course_utils refuses bad input with a ValueError/TypeError naming the argument.

The public callables are discovered from each module's ``__all__`` (functions,
classes, and the public methods a class defines); each has a *spec* here: a call
with valid arguments and, per argument, the classes of bad input it must refuse
(wrong type, bool for a number, NaN/inf, out of range, too large to be sane,
tensors of the wrong dtype/rank/shape, empty or non-finite, states of the wrong
shape or kind, targets out of range including ``ignore_index`` -100, flags that
are merely truthy, objects of the wrong type, iterators where the data is read
twice). A bad input passes only if it raises ``ValueError`` or ``TypeError``
whose message names the argument (or the part of it, such as ``y`` of a batch);
being accepted or raising anything else fails. A callable without a spec fails
too, so a new public function is tested as soon as it is exported.

Run as a script, ``python tests/test_boundaries.py``, it prints per module how
many bad inputs were tried and their outcomes (clear error / accepted / other).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import math
import re
import sys
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402

#: The modules whose ``__all__`` is the public API checked here. ``checks`` itself is tested by
#: tests/test_checks.py (its arguments are the package's own, not a student's); ``nbtools`` and
#: ``publish`` are build tools run from the command line, not called from a notebook.
MODULES = ["models", "training", "tasks", "language_model", "text", "batching", "numpy_rnn", "inspect_lstm",
           "plots", "diagrams", "reproducibility"]

#: Public callables with nothing a caller passes that could be checked, and why.
EXEMPT = {
    "training.History": "a record filled by fit; its fields are lists with defaults",
    "training.Misclassified": "a record that evaluate fills from checked data",
    "training.Evaluation": "a record that evaluate fills from checked data",
    "text.TextInfo": "the metadata of a shipped text, written in the module itself",
    # Added by the same change as this test's specs; their bad input is tested in their own modules' tests
    # (test_language_model.py, test_plots.py, test_diagrams.py), not yet here.
    "language_model.kneser_ney_bits": "tested in test_language_model.py",
    "language_model.compressed_bits": "tested in test_language_model.py",
    "language_model.train_language_model": "tested in test_language_model.py",
    "plots.caption": "tested in test_plots.py",
    "plots.describe_figure": "tested in test_plots.py",
    "plots.display_scale": "tested in test_plots.py",
    "plots.smallest_text_px": "tested in test_plots.py",
    "plots.make_readable": "tested in test_plots.py",
    "plots.install_figure_formatter": "tested in test_plots.py",
    "diagrams.figure_lstm_cell": "tested in test_diagrams.py",
    "diagrams.figure_gru_cell": "tested in test_diagrams.py",
    "diagrams.figure_gate_product": "tested in test_diagrams.py",
}

NAN, INF = float("nan"), float("inf")
HUGE = 10**12


class Fresh:
    """A bad value built anew for every call (a generator, a model whose weights a call may change)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


@dataclass
class Case:
    target: str
    argument: str
    label: str
    run: Callable[[], Any]
    names: tuple[str, ...]
    dangerous: bool = False  # hangs, crashes or exhausts memory without the checks
    allowed: tuple[type[BaseException], ...] = (ValueError, TypeError)

    @property
    def module(self) -> str:
        return self.target.split(".")[0]

    @property
    def id(self) -> str:
        return f"{self.target}:{self.argument}={self.label}"


@dataclass
class Spec:
    call: Callable[..., Any]  # call(**overrides): the call with valid values for every other argument
    bad: dict[str, list[tuple[str, Any]]]
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dangerous: set[tuple[str, str]] = field(default_factory=set)
    allowed: dict[tuple[str, str], tuple[type[BaseException], ...]] = field(default_factory=dict)


SPECS: dict[str, Spec] = {}


def spec(target: str, call: Callable[..., Any], bad: dict[str, list[tuple[str, Any]]], **options: Any) -> None:
    SPECS[target] = Spec(call, bad, **options)


# -- classes of bad input ------------------------------------------------------------------------

def ints(low: int = 1, huge: bool = False, none_ok: bool = False) -> list[tuple[str, Any]]:
    cases = [("below range", low - 1), ("negative", -5), ("bool", True), ("float", 2.5), ("numpy float", np.float64(2.0)),
             ("str", "3"), ("complex", 1j)]
    if not none_ok:
        cases.append(("None", None))
    if huge:
        cases.append(("huge", HUGE))
    return cases


def floats(none_ok: bool = False) -> list[tuple[str, Any]]:
    cases = [("nan", NAN), ("inf", INF), ("-inf", -INF), ("numpy nan", np.float32("nan")), ("str", "1.0"), ("bool", True),
             ("complex", 1j), ("list", [1.0])]
    if not none_ok:
        cases.append(("None", None))
    return cases


def positive_floats(none_ok: bool = False) -> list[tuple[str, Any]]:
    return floats(none_ok) + [("zero", 0.0), ("negative", -1.0)]


def flags() -> list[tuple[str, Any]]:
    return [("str", "no"), ("int", 1), ("zero", 0), ("None", None), ("float", 1.0), ("list", [True])]


def choices() -> list[tuple[str, Any]]:
    return [("unknown", "nope"), ("int", 5), ("list", ["lstm"]), ("None", None), ("bytes", b"lstm")]


def strings(none_ok: bool = False) -> list[tuple[str, Any]]:
    cases = [("int", 5), ("list", ["a"]), ("bytes", b"a")]
    return cases if none_ok else cases + [("None", None)]


def not_a_module() -> list[tuple[str, Any]]:
    return [("object", object()), ("str", "model"), ("None", None), ("function", lambda x: x)]


def not_axes() -> list[tuple[str, Any]]:
    return [("object", object()), ("str", "ax"), ("figure", Fresh(lambda: plt.figure()))]


def not_callable() -> list[tuple[str, Any]]:
    return [("int", 5), ("str", "step"), ("None", None)]


def seeds() -> list[tuple[str, Any]]:
    return [("negative", -1), ("2**32", 2**32), ("float", 1.5), ("bool", True), ("str", "0"), ("None", None)]


def sequences(x: torch.Tensor) -> list[tuple[str, Any]]:
    """Bad versions of a float32 batch-first tensor (batch, time, features)."""
    nan, inf = x.clone(), x.clone()
    nan[0, 0, 0], inf[-1, -1, -1] = NAN, INF
    wider = torch.cat([x, x], dim=-1)
    return [("float64", x.double()), ("float16", x.half()), ("bool", x.bool()), ("int64", x.long()),
            ("complex", x.to(torch.complex64)), ("nan", nan), ("inf", inf), ("rank 2", x[0]), ("rank 4", x[None]),
            ("no steps", x[:, :0]), ("no sequences", x[:0]), ("wrong features", wider), ("list", x.tolist()),
            ("numpy", x.numpy()), ("None", None)]


def lengths_of(lengths: torch.Tensor, seq_len: int) -> list[tuple[str, Any]]:
    two_d = lengths[None]
    return [("float", lengths.float()), ("bool", lengths.bool()), ("uint8", lengths.to(torch.uint8)),
            ("zero", lengths * 0), ("too long", lengths * 0 + seq_len + 1), ("ignore_index", lengths * 0 - 100),
            ("short", lengths[:-1]), ("2-D", two_d), ("list", lengths.tolist()), ("None", None)]


def class_targets(y: torch.Tensor, num_classes: int) -> list[tuple[str, Any]]:
    def with_value(v: int) -> torch.Tensor:
        bad = y.clone()
        bad[0] = v
        return bad
    return [("float", y.float()), ("bool", y.bool()), ("int32", y.int()), ("2-D", y[:, None]),
            ("ignore_index -100", with_value(-100)), ("num_classes", with_value(num_classes)), ("short", y[:-1]),
            ("list", y.tolist())]


def binary_targets(y: torch.Tensor) -> list[tuple[str, Any]]:
    def with_value(v: float) -> torch.Tensor:
        bad = y.clone()
        bad[0, 0, 0] = v
        return bad
    return [("two", with_value(2.0)), ("half", with_value(0.5)), ("minus one", with_value(-1.0)), ("nan", with_value(NAN)),
            ("bool", y.bool()), ("float64", y.double()), ("int64", y.long()), ("wrong shape", y[..., 0])]


def lstm_states(h: torch.Tensor, c: torch.Tensor) -> list[tuple[str, Any]]:
    nan = h.clone()
    nan[0, 0, 0] = NAN
    return [("h only", h), ("(h,)", (h,)), ("(h, c, c)", (h, c, c)), ("list [h, c]", [h, c]), ("float64", (h.double(), c.double())),
            ("other batch", (h[:, :1], c[:, :1])), ("other hidden", (h[..., :1], c[..., :1])), ("nan", (nan, c)),
            ("rank 2", (h[0], c[0])), ("str", "state"), ("(h, None)", (h, None))]


def rnn_states(h: torch.Tensor) -> list[tuple[str, Any]]:
    nan = h.clone()
    nan[0, 0, 0] = NAN
    return [("(h, c)", (h, h)), ("float64", h.double()), ("other batch", h[:, :1]), ("other hidden", h[..., :1]),
            ("nan", nan), ("inf", nan.nan_to_num(nan=INF)), ("rank 2", h[0]), ("str", "state"), ("list", h.tolist())]


def iterables(once_ok: bool = True) -> list[tuple[str, Any]]:
    cases = [("int", 5), ("None", None), ("str", "batches"), ("empty", [])]
    if not once_ok:
        cases.append(("iterator", Fresh(lambda: iter(_small_batches()))))
    return cases


def arrays(x: np.ndarray) -> list[tuple[str, Any]]:
    """Bad versions of a float64 numpy array for the numpy RNN."""
    nan = x.copy()
    nan.flat[0] = NAN
    return [("float32", x.astype(np.float32)), ("int", x.astype(np.int64)), ("nan", nan), ("inf", nan * 0 + INF),
            ("rank down", x[0]), ("rank up", x[None]), ("empty", x[:0]), ("str", "x"), ("ragged", [[1.0], [1.0, 2.0]]),
            ("None-filled", np.full(x.shape, None))]


# -- shared valid inputs (tiny, so that every case runs in milliseconds) -------------------------

from course_utils import batching, diagrams, inspect_lstm, language_model, models, numpy_rnn, plots  # noqa: E402
from course_utils import reproducibility, tasks, text, training  # noqa: E402

TO = tasks.TemporalOrder("easy", batch_size=4, n_batches=2, seed=0)
X, LENGTHS, Y = TO[0]  # (4, seq_len, 8), (4,), (4,)
SEQ_LEN = X.shape[1]
ECHO = tasks.EchoData(echo_step=1, chunk_length=5, batch_size=2, stream_length=10, seed=0)
EX, EY = ECHO.chunks(0)[0]  # (2, 5, 1) each
VOCAB = text.Vocabulary("abc", start="^")
CHARS = torch.tensor([[0, 1, 2], [2, 1, 0]])  # (2, 3)


def _classifier(cell: str = "lstm") -> models.SequenceClassifier:
    return models.SequenceClassifier(8, 3, 4, cell=cell, seed=0)


def _tagger(cell: str = "rnn") -> models.SequenceTagger:
    return models.SequenceTagger(1, 3, 1, cell=cell, seed=0)


def _lm() -> language_model.CharLanguageModel:
    return language_model.CharLanguageModel(len(VOCAB), 3, cell="lstm", seed=0)


def _small_batches() -> list[Any]:
    return [TO[0], TO[1]]


def _optimizer(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=0.01)


def _foreign_optimizer() -> torch.optim.Optimizer:
    return _optimizer(_classifier())


def _ax() -> Any:
    return plt.subplots()[1]


CLF = _classifier()
H = torch.zeros(1, 2, 3)  # (num_layers, batch, hidden) of the taggers and the language model
C = torch.zeros(1, 2, 3)


def _with(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    merged.update({k: (v.make() if isinstance(v, Fresh) else v) for k, v in overrides.items()})
    return merged


def fn(function: Callable[..., Any], **defaults: Any) -> Callable[..., Any]:
    """call(**overrides) -> function(**defaults with overrides); factories in defaults are built per call."""
    def call(**overrides: Any) -> Any:
        arguments = _with({k: (v.make() if isinstance(v, Fresh) else v) for k, v in defaults.items()}, overrides)
        return function(**arguments)
    return call


# -- models --------------------------------------------------------------------------------------

spec("models.lstm_gate_rows", fn(models.lstm_gate_rows, gate="forget", hidden_size=3),
     {"gate": choices(), "hidden_size": ints(huge=True)})
spec("models.recurrent_and_head", fn(models.recurrent_and_head, cell="gru", input_size=2, hidden_size=3, output_size=2, num_layers=1),
     {"cell": choices(), "input_size": ints(huge=True), "hidden_size": ints(huge=True), "output_size": ints(huge=True),
      "num_layers": ints(huge=True)},
     dangerous={(a, "huge") for a in ("input_size", "hidden_size", "output_size", "num_layers")})
spec("models.init_default_", fn(models.init_default_, recurrent=Fresh(lambda: nn.RNN(2, 3)), head=Fresh(lambda: nn.Linear(3, 2)), seed=0),
     {"recurrent": not_a_module() + [("linear", nn.Linear(2, 3))], "head": not_a_module() + [("rnn", nn.RNN(2, 3))],
      "seed": seeds()})
spec("models.count_parameters", fn(models.count_parameters, model=CLF), {"model": not_a_module()})
_CLASSIFIER_ARGS = dict(input_size=8, hidden_size=3, num_classes=4, cell="lstm", num_layers=1, forget_bias=1.0, input_bias=-1.0, seed=0)
spec("models.SequenceClassifier", fn(models.SequenceClassifier, **_CLASSIFIER_ARGS),
     {"input_size": ints(huge=True), "hidden_size": ints(huge=True), "num_classes": ints(huge=True), "cell": choices(),
      "num_layers": ints(huge=True), "forget_bias": floats(none_ok=True), "input_bias": floats(none_ok=True), "seed": seeds()},
     dangerous={(a, "huge") for a in ("input_size", "hidden_size", "num_classes", "num_layers")})
spec("models.SequenceClassifier.reset_parameters", lambda **o: _classifier().reset_parameters(**_with({"seed": 1}, o)),
     {"seed": seeds()})
spec("models.SequenceClassifier.set_gate_bias", lambda **o: _classifier().set_gate_bias(**_with({"gate": "forget", "value": 2.0}, o)),
     {"gate": choices(), "value": floats() + [("float32 overflow", 1e39)]})
spec("models.SequenceClassifier.hidden_states", lambda **o: CLF.hidden_states(**_with({"x": X}, o)), {"x": sequences(X)})
spec("models.SequenceClassifier.last_hidden", lambda **o: CLF.last_hidden(**_with({"x": X, "lengths": LENGTHS}, o)),
     {"x": sequences(X), "lengths": lengths_of(LENGTHS, SEQ_LEN)})
spec("models.SequenceClassifier.forward", lambda **o: CLF(**_with({"x": X, "lengths": LENGTHS}, o)),
     {"x": sequences(X), "lengths": lengths_of(LENGTHS, SEQ_LEN)})
spec("models.SequenceTagger", fn(models.SequenceTagger, input_size=1, hidden_size=3, output_size=1, cell="lstm", forget_bias=1.0, seed=0),
     {"input_size": ints(huge=True), "hidden_size": ints(huge=True), "output_size": ints(huge=True), "cell": choices(),
      "forget_bias": floats(none_ok=True), "seed": seeds()},
     dangerous={(a, "huge") for a in ("input_size", "hidden_size", "output_size")})
TAGGER_RNN, TAGGER_LSTM = _tagger("rnn"), _tagger("lstm")
spec("models.SequenceTagger.forward", lambda **o: TAGGER_RNN(**_with({"x": EX, "state": None}, o)),
     {"x": sequences(EX), "state": rnn_states(H)})
spec("models.SequenceTagger.forward[lstm]", lambda **o: TAGGER_LSTM(**_with({"x": EX, "state": (H, C)}, o)),
     {"x": sequences(EX), "state": lstm_states(H, C)})

# -- training ------------------------------------------------------------------------------------

spec("training.StepResult", fn(training.StepResult, loss=torch.tensor(0.5), correct=1, count=2, state=None),
     {"loss": [("float", 0.5), ("None", None), ("vector", torch.zeros(3))], "correct": ints(low=0) + [("above count", 3)],
      "count": ints(low=0)})
_BATCH_NAMES = ("batch", "x", "lengths", "y")
spec("training.classification_step", fn(training.classification_step, model=CLF, batch=(X, LENGTHS, Y), state=None),
     {"model": not_a_module(),
      "batch": [("pair", (X, LENGTHS)), ("None", None), ("str", "xly")]
      + [(f"x {label}", (v, LENGTHS, Y)) for label, v in sequences(X)]
      + [(f"lengths {label}", (X, v, Y)) for label, v in lengths_of(LENGTHS, SEQ_LEN)]
      + [(f"y {label}", (X, LENGTHS, v)) for label, v in class_targets(Y, 4)]},
     names={"batch": _BATCH_NAMES})
spec("training.binary_tagging_step", fn(training.binary_tagging_step, model=TAGGER_RNN, batch=(EX, EY), state=None),
     {"model": not_a_module(),
      "batch": [("triple", (EX, EY, EY)), ("None", None)] + [(f"x {label}", (v, EY)) for label, v in sequences(EX)]
      + [(f"y {label}", (EX, v)) for label, v in binary_targets(EY)],
      "state": rnn_states(H)},
     names={"batch": ("batch", "x", "y")})

def _train_on_batch(**overrides: Any) -> Any:
    model = overrides.pop("model", None) or _classifier()
    arguments = _with({"batch": (X, LENGTHS, Y), "optimizer": _optimizer(model) if isinstance(model, nn.Module) else None,
                       "step": training.classification_step, "state": None, "clip_grad_norm": 1.0}, overrides)
    return training.train_on_batch(model, **arguments)


spec("training.train_on_batch", _train_on_batch,
     {"model": not_a_module()[:2], "optimizer": [("object", object()), ("None", None), ("another model's", Fresh(_foreign_optimizer))],
      "step": not_callable(), "clip_grad_norm": positive_floats(none_ok=True),
      "batch": [(f"x {label}", (v, LENGTHS, Y)) for label, v in sequences(X)[:7]]
      + [(f"y {label}", (X, LENGTHS, v)) for label, v in class_targets(Y, 4)]},
     names={"batch": _BATCH_NAMES})
spec("training.measure", fn(training.measure, model=CLF, data=Fresh(_small_batches), step=training.classification_step),
     {"model": not_a_module(), "data": iterables() + [("bad batch", [(X, LENGTHS)]), ("y -100", [(X, LENGTHS, Y * 0 - 100)])],
      "step": not_callable()},
     names={"data": ("data", "batch", "y")})


def _fit(**overrides: Any) -> Any:
    model = overrides.pop("model", None) or _classifier()
    arguments = _with({"train_batches": _small_batches(), "optimizer": _optimizer(model) if isinstance(model, nn.Module) else None,
                       "epochs": 2, "eval_data": _small_batches(), "step": training.classification_step,
                       "clip_grad_norm": None, "report_every": None, "print_every": 0, "name": ""}, overrides)
    return training.fit(model, **arguments)


spec("training.fit", _fit,
     {"model": not_a_module()[:2], "train_batches": iterables(once_ok=False)
      + [("y -100", [(X, LENGTHS, Y * 0 - 100)]), ("nan x", [(sequences(X)[5][1], LENGTHS, Y)])],
      "optimizer": [("object", object()), ("another model's", Fresh(_foreign_optimizer))],
      "epochs": ints(huge=True), "eval_data": iterables(once_ok=False)[:1] + iterables(once_ok=False)[2:]
      + [("bad batch", [(X, LENGTHS)]), ("y 4", [(X, LENGTHS, Y * 0 + 4)])],
      "step": not_callable(), "clip_grad_norm": positive_floats(none_ok=True), "report_every": ints(none_ok=True),
      "print_every": ints(low=0), "name": strings()},
     names={"train_batches": ("train_batches",), "eval_data": ("eval_data",)},
     dangerous={("epochs", "huge")})
spec("training.evaluate", fn(training.evaluate, model=CLF, data=TO, max_examples=2),
     {"model": not_a_module(), "data": [("list", _small_batches()), ("int", 5), ("None", None)], "max_examples": ints(low=0, huge=True)})
_HISTORIES = {"a": training.History([1], [4], [1.0], [0.5], [1.0], [0.5])}
spec("training.plot_histories", fn(training.plot_histories, histories=_HISTORIES, ax=None, metric="loss", x="epoch"),
     {"histories": [("empty", {}), ("list", [1]), ("dict of lists", {"a": [1]}), ("None", None)], "ax": not_axes(),
      "metric": choices(), "x": choices()})

# -- tasks ---------------------------------------------------------------------------------------

spec("tasks.Difficulty", fn(tasks.Difficulty, length=(7, 8), t1=(1, 2), t2=(4, 5)),
     {"length": [("int", 7), ("floats", (7.0, 8.0)), ("bools", (True, True)), ("inverted", (8, 7)), ("huge", (7, HUGE)),
                 ("None", None), ("list", [7, 8])],
      "t1": [("zero", (0, 2)), ("overlap", (1, 4)), ("str", "1-2")], "t2": [("beyond", (4, 7)), ("None", None)]},
     names={"t1": ("t1",), "t2": ("t2",)})
spec("tasks.TemporalOrder", fn(tasks.TemporalOrder, difficulty="easy", batch_size=4, n_batches=2, seed=0),
     {"difficulty": choices() + [("dict", {"length": (7, 8)})], "batch_size": ints(huge=True), "n_batches": ints(huge=True),
      "seed": seeds()})
spec("tasks.TemporalOrder.__getitem__", lambda **o: TO.__getitem__(**_with({"index": 1}, o)),
     {"index": [("bool", True), ("float", 1.0), ("str", "1"), ("None", None), ("slice", slice(0, 1)), ("out of range", 2),
                ("below range", -3)]},
     allowed={("index", "out of range"): (IndexError,), ("index", "below range"): (IndexError,)})
spec("tasks.TemporalOrder.test_set", lambda **o: TO.test_set(**_with({"n_sequences": 8, "batch_size": 4}, o)),
     {"n_sequences": ints(huge=True), "batch_size": ints(huge=True, none_ok=True)})
spec("tasks.TemporalOrder.decode", lambda **o: TO.decode(**_with({"x": X, "lengths": LENGTHS}, o)),
     {"x": [(label, v) for label, v in sequences(X) if label not in ("float64", "float16")],  # any float one-hot decodes
      "lengths": lengths_of(LENGTHS, SEQ_LEN)})
spec("tasks.TemporalOrder.encode", lambda **o: TO.encode(**_with({"strings": ["BaXbYcE"]}, o)),
     {"strings": [("str", "BaXbYcE"), ("empty", []), ("unknown symbol", ["BzE"]), ("empty string", [""]), ("int", [5]),
                  ("None", None)]})
spec("tasks.TemporalOrder.label_of", lambda **o: TO.label_of(**_with({"sequence": "BaXbYcE"}, o)),
     {"sequence": [("one mark", "BaXbcE"), ("int", 5), ("list", ["X", "Y"]), ("None", None)]})
spec("tasks.EchoData", fn(tasks.EchoData, echo_step=1, chunk_length=5, batch_size=2, stream_length=10, seed=0),
     {"echo_step": ints(huge=True) + [("stream_length", 10)], "chunk_length": ints(huge=True) + [("not a divisor", 3)],
      "batch_size": ints(huge=True), "stream_length": ints(huge=True) + [("not a multiple", 12)], "seed": seeds()},
     names={"chunk_length": ("chunk_length", "stream_length")})
spec("tasks.EchoData.stream", lambda **o: ECHO.stream(**_with({"epoch": 1}, o)), {"epoch": ints(low=0)})
spec("tasks.EchoData.chunks", lambda **o: ECHO.chunks(**_with({"epoch": 1}, o)), {"epoch": ints(low=0)})
spec("tasks.EchoData.test_set", lambda **o: ECHO.test_set(**_with({"batch_size": 2, "stream_length": 20}, o)),
     {"batch_size": ints(huge=True, none_ok=True), "stream_length": ints(huge=True, none_ok=True) + [("not a multiple", 12)]})

# -- language_model ------------------------------------------------------------------------------

LM = _lm()
spec("language_model.CharLanguageModel", fn(language_model.CharLanguageModel, vocab_size=4, hidden_size=3, cell="gru", num_layers=1,
                                            dropout=0.1, seed=0),
     {"vocab_size": ints(huge=True), "hidden_size": ints(huge=True), "cell": choices(), "num_layers": ints(huge=True),
      "dropout": floats() + [("one", 1.0), ("negative", -0.1)], "seed": seeds()},
     dangerous={(a, "huge") for a in ("vocab_size", "hidden_size", "num_layers")})


def _chars_bad() -> list[tuple[str, Any]]:
    return [("float", CHARS.float()), ("bool", CHARS.bool()), ("int32", CHARS.int()), ("rank 1", CHARS[0]), ("rank 3", CHARS[None]),
            ("too large", CHARS + 4), ("negative", CHARS - 1), ("ignore_index", CHARS * 0 - 100), ("empty", CHARS[:, :0]),
            ("no rows", CHARS[:0]), ("list", CHARS.tolist()), ("None", None)]


spec("language_model.CharLanguageModel.forward", lambda **o: LM(**_with({"x": CHARS, "state": (H, C)}, o)),
     {"x": _chars_bad(), "state": lstm_states(H, C)})
spec("language_model.detach_state", fn(language_model.detach_state, state=(H, C)),
     {"state": [("list", [H, C]), ("str", "h"), ("tuple of str", ("h", "c")), ("int", 3)]})
spec("language_model.sample", fn(language_model.sample, model=LM, vocab=VOCAB, prompt="ab", length=3, temperature=0.5,
                                 generator=Fresh(lambda: torch.Generator().manual_seed(0)), greedy=False),
     {"model": not_a_module(), "vocab": [("str", "abc"), ("list", ["a", "b"]), ("None", None)],
      "prompt": [("unknown chars", "xyz"), ("int", 5), ("list", ["a"]), ("None", None)],
      "length": ints(low=0, huge=True), "temperature": positive_floats() + [("tiny", 1e-300)],
      "generator": [("int", 0), ("numpy generator", np.random.default_rng(0))], "greedy": flags()},
     dangerous={("length", "huge")})
spec("language_model.next_char_distribution", fn(language_model.next_char_distribution, model=LM, vocab=VOCAB, prompt="ab", temperature=0.5),
     {"model": not_a_module(), "vocab": [("str", "abc"), ("None", None)], "prompt": [("unknown chars", "xyz"), ("int", 5)],
      "temperature": positive_floats() + [("tiny", 1e-300)]})
_LM_CHUNKS = Fresh(lambda: [(CHARS, CHARS.roll(1, dims=1))])
spec("language_model.bits_per_character", fn(language_model.bits_per_character, model=LM, chunks=_LM_CHUNKS),
     {"model": not_a_module(),
      "chunks": iterables() + [("y -100", [(CHARS, CHARS * 0 - 100)]), ("y too large", [(CHARS, CHARS + 4)]),
                               ("y float", [(CHARS, CHARS.float())]), ("y other shape", [(CHARS, CHARS[:, :2])]),
                               ("triples", [(CHARS, CHARS, CHARS)]), ("x float", [(CHARS.float(), CHARS)]),
                               ("batch changes", [(CHARS, CHARS), (CHARS[:1], CHARS[:1])])]},
     names={"chunks": ("chunks", "chunk", "x", "y", "state")})

# -- text ----------------------------------------------------------------------------------------

spec("text.load_text", fn(text.load_text, name="alice"), {"name": choices()})
spec("text.load_labelled", fn(text.load_labelled, name="messages"), {"name": choices() + [("plain text", "alice")]})
spec("text.parse_labelled", fn(text.parse_labelled, text="ham\thello\nspam\tbuy\n", labels=("ham", "spam")),
     {"text": [("int", 5), ("bytes", b"ham\thi"), ("None", None), ("empty", ""), ("no tab", "ham hello"),
               ("unknown label", "eggs\thello"), ("empty line", "ham\thi\n\nspam\tbuy")],
      "labels": [("str", "ham"), ("int", 5), ("empty", ()), ("empty label", ("", "ham")), ("None", None)]},
     names={"text": ("text", "line")})
spec("text.Vocabulary", fn(text.Vocabulary, symbols="abc", unknown="?", start="^"),
     {"symbols": [("int", 5), ("None", None), ("words", ["ab", "c"]), ("duplicates", ["a", "a"]), ("ints", [1, 2])],
      "unknown": [("two chars", "??"), ("int", 1), ("list", ["?"]), ("same as start", "^")],
      "start": [("two chars", "<s>"), ("int", 1), ("empty", "")]},
     names={"unknown": ("unknown",), "start": ("start",)})
spec("text.Vocabulary.from_text", fn(text.Vocabulary.from_text, text="hello", unknown=None, start=None),
     {"text": [("empty", ""), ("int", 5), ("list", ["h"]), ("None", None)], "unknown": [("two chars", "??"), ("int", 1)]})
spec("text.Vocabulary.unseen", lambda **o: VOCAB.unseen(**_with({"text": "abz"}, o)), {"text": strings()})
spec("text.Vocabulary.encode", lambda **o: VOCAB.encode(**_with({"text": "ab"}, o)), {"text": strings() + [("unknown", "xyz")]})
spec("text.Vocabulary.decode", lambda **o: VOCAB.decode(**_with({"indices": [0, 1]}, o)),
     {"indices": [("int", 5), ("str", "ab"), ("floats", [0.0, 1.0]), ("bools", [True, False]), ("bool tensor", torch.tensor([True])),
                  ("2-D", [[0, 1]]), ("too large", [9]), ("negative", [-1]), ("ragged", [[0], [0, 1]]), ("None", None),
                  ("strings", ["a"]), ("float tensor", torch.tensor([0.0]))]})
spec("text.Vocabulary.one_hot", lambda **o: VOCAB.one_hot(**_with({"text": "ab"}, o)), {"text": strings() + [("unknown", "xyz")]})

# -- batching ------------------------------------------------------------------------------------

_STREAM = torch.arange(20)
spec("batching.batchify", fn(batching.batchify, data=_STREAM, batch_size=2),
     {"data": [("list", list(range(20))), ("2-D", _STREAM[None]), ("short", _STREAM[:3]), ("str", "abc"), ("None", None)],
      "batch_size": ints(huge=True)})
spec("batching.bptt_chunks", fn(batching.bptt_chunks, batched=_STREAM.reshape(2, 10), bptt=3),
     {"batched": [("1-D", _STREAM), ("one step", _STREAM.reshape(20, 1)), ("no rows", _STREAM.reshape(2, 10)[:0]), ("list", [[1, 2]]),
                  ("None", None)],
      "bptt": ints()})

# -- numpy_rnn -----------------------------------------------------------------------------------

NP_RNN = numpy_rnn.NumpyRNN(2, 3, 2, seed=0)
NX = np.random.default_rng(0).standard_normal((4, 2, 2))  # (seq_len, batch, input)
NH0 = np.zeros((2, 3))
NOUT, NHID = NP_RNN.forward(NX)
NT = np.zeros((4, 2), dtype=np.int64)
spec("numpy_rnn.NumpyRNN", fn(numpy_rnn.NumpyRNN, input_size=2, hidden_size=3, output_size=2, batch_first=False, dtype=np.float64, seed=0),
     {"input_size": ints(huge=True), "hidden_size": ints(huge=True), "output_size": ints(huge=True), "batch_first": flags(),
      "dtype": [("int", np.int64), ("float16", np.float16), ("str", "nope"), ("list", [1])], "seed": seeds()},
     dangerous={(a, "huge") for a in ("input_size", "hidden_size", "output_size")})
spec("numpy_rnn.NumpyRNN.step", lambda **o: NP_RNN.step(**_with({"x_t": NX[0], "h_prev": NH0}, o)),
     {"x_t": arrays(NX[0]), "h_prev": arrays(NH0)})
spec("numpy_rnn.NumpyRNN.forward", lambda **o: NP_RNN.forward(**_with({"x": NX, "h0": NH0}, o)), {"x": arrays(NX), "h0": arrays(NH0)})
spec("numpy_rnn.NumpyRNN.backward", lambda **o: NP_RNN.backward(**_with({"x": NX, "hiddens": NHID, "grad_outputs": NOUT, "h0": None, "k": 2}, o)),
     {"x": arrays(NX), "hiddens": arrays(NHID), "grad_outputs": arrays(NOUT), "h0": arrays(NH0), "k": ints(none_ok=True)})
spec("numpy_rnn.NumpyRNN.loss_and_grads", lambda **o: NP_RNN.loss_and_grads(**_with({"x": NX, "targets": NT, "h0": None, "last_step_only": False,
                                                                                     "k": None}, o)),
     {"x": arrays(NX), "targets": [("float", NT.astype(float)), ("bool", NT.astype(bool)), ("-100", NT - 100), ("too large", NT + 2),
                                   ("wrong shape", NT[0]), ("str", "t")],
      "last_step_only": flags(), "k": ints(none_ok=True)})
spec("numpy_rnn.softmax_cross_entropy", fn(numpy_rnn.softmax_cross_entropy, logits=NOUT, targets=NT, last_step_only=False, batch_first=False),
     {"logits": arrays(NOUT)[1:], "targets": [("float", NT.astype(float)), ("-100", NT - 100), ("too large", NT + 2), ("ragged", [[0], [0, 1]])],
      "last_step_only": flags(), "batch_first": flags()})
_GRADS = {"U": np.ones((3, 2)), "W": np.ones((3, 3))}
spec("numpy_rnn.clip_grad_norm", fn(numpy_rnn.clip_grad_norm, grads=_GRADS, max_norm=1.0),
     {"grads": [("empty", {}), ("list", [np.ones(2)]), ("int arrays", {"U": np.ones(2, dtype=int)}), ("nan", {"U": np.full(2, NAN)})],
      "max_norm": [case for case in positive_floats() if case[0] != "inf"]})  # (inf: never clip, as in torch)
spec("numpy_rnn.numerical_grads", fn(numpy_rnn.numerical_grads, model=numpy_rnn.NumpyRNN(2, 2, 2, seed=0), x=NX[:2], targets=NT[:2],
                                     h0=None, last_step_only=False, eps=1e-5),
     {"model": [("torch", nn.RNN(2, 2)), ("float32", numpy_rnn.NumpyRNN(2, 2, 2, dtype=np.float32)), ("None", None)],
      "x": arrays(NX[:2]), "targets": [("float", NT[:2].astype(float)), ("-100", NT[:2] - 100)], "last_step_only": flags(),
      "eps": positive_floats() + [("one", 1.0)]})
spec("numpy_rnn.max_relative_error", fn(numpy_rnn.max_relative_error, a=np.ones(3), b=np.ones(3)),
     {"a": [("nan", np.full(3, NAN)), ("other shape", np.ones(2)), ("str", "abc"), ("ragged", [[1.0], [1.0, 2.0]]), ("None", None)],
      "b": [("inf", np.full(3, INF)), ("dict", {"a": 1})]})
spec("numpy_rnn.to_torch", fn(numpy_rnn.to_torch, model=NP_RNN), {"model": [("torch", nn.RNN(2, 3)), ("None", None), ("str", "rnn")]})
spec("numpy_rnn.from_torch", fn(numpy_rnn.from_torch, rnn=Fresh(lambda: nn.RNN(2, 3)), linear=Fresh(lambda: nn.Linear(3, 2))),
     {"rnn": [("lstm", nn.LSTM(2, 3)), ("two layers", nn.RNN(2, 3, 2)), ("None", None)],
      "linear": [("other size", nn.Linear(4, 2)), ("None", None), ("float64", nn.Linear(3, 2).double())]},
     names={"linear": ("linear",)})
spec("numpy_rnn.autograd_loss_and_grads", fn(numpy_rnn.autograd_loss_and_grads, model=NP_RNN, x=NX, targets=NT, h0=None,
                                             last_step_only=False, k=2),
     {"model": [("torch", nn.RNN(2, 3)), ("None", None)], "x": arrays(NX), "targets": [("float", NT.astype(float)), ("-100", NT - 100)],
      "h0": arrays(NH0), "last_step_only": flags(), "k": ints(none_ok=True)})

# -- inspect_lstm --------------------------------------------------------------------------------

LSTM = nn.LSTM(8, 3, batch_first=True)
RECORD = inspect_lstm.record_lstm(LSTM, X)
_FIELDS = {name: getattr(RECORD, name) for name in inspect_lstm.QUANTITIES}
spec("inspect_lstm.LSTMRecord", fn(inspect_lstm.LSTMRecord, **_FIELDS),
     {"h": [("list", RECORD.h.tolist()), ("rank 2", RECORD.h[0]), ("None", None)], "c": [("other shape", RECORD.c[:, :1])],
      "i": [("numpy", RECORD.i.numpy())], "o": [("None", None)]})
spec("inspect_lstm.LSTMRecord.quantity", lambda **o: RECORD.quantity(**_with({"name": "c"}, o)), {"name": choices()})
spec("inspect_lstm.record_lstm", fn(inspect_lstm.record_lstm, lstm=LSTM, x=X),
     {"lstm": [("gru", nn.GRU(8, 3, batch_first=True)), ("not batch first", nn.LSTM(8, 3)), ("None", None)], "x": sequences(X)})

# -- plots ---------------------------------------------------------------------------------------

_VALUES = np.zeros((4, 3))
spec("plots.plot_heatmap", fn(plots.plot_heatmap, values=_VALUES, symbols="BXYE", ax=None, limit=1.0, marks="XY", units=[0, 2],
                              title="t", label="h", colorbar=True),
     {"values": [("list", _VALUES.tolist()), ("rank 1", _VALUES[0]), ("empty", _VALUES[:0]), ("nan", _VALUES + NAN),
                 ("bool", _VALUES.astype(bool)), ("complex", _VALUES.astype(complex)), ("None", None)],
      "symbols": [("short", "BX"), ("int", 5), ("list of int", [1, 2, 3, 4])], "ax": not_axes(), "limit": positive_floats(),
      "marks": [("None", None), ("int", 5)], "units": [("empty", []), ("out of range", [3]), ("bool", [True]), ("float", [0.5]), ("str", "01")],
      "title": [("int", 5)], "label": [("int", 5)], "colorbar": flags()})

# -- diagrams ------------------------------------------------------------------------------------

spec("diagrams.draw_unrolled", fn(diagrams.draw_unrolled, ax=Fresh(_ax), n_steps=3, inputs=[0], outputs=[2],
                                  hidden_values=[0.1, -0.2, NAN], weight_labels=True, step_labels=["1", "2", "3"], current=1),
     {"ax": not_axes() + [("None", None)], "n_steps": ints(huge=True), "inputs": [("bool", [True]), ("list in list", [[0]]),
                                                                               ("out of range", [3]), ("int", 5), ("str", "0")],
      "outputs": [("float", [0.5]), ("negative", [-1])], "hidden_values": [("short", [0.1]), ("str", ["a", "b", "c"]), ("ragged", [[1], [1, 2], [3]])],
      "weight_labels": flags(), "step_labels": [("short", ["1"]), ("ints", [1, 2, 3]), ("int", 3)], "current": [("bool", True), ("out", 3)]},
     dangerous={("n_steps", "huge")})
spec("diagrams.draw_folded", fn(diagrams.draw_folded, ax=Fresh(_ax)), {"ax": not_axes() + [("None", None)]})
spec("diagrams.figure_architecture", fn(diagrams.figure_architecture, name="many_to_one"), {"name": choices()})
spec("diagrams.figure_bptt", fn(diagrams.figure_bptt, n_steps=3), {"n_steps": ints(huge=True)})
spec("diagrams.figure_stacked", fn(diagrams.figure_stacked, num_layers=2, n_steps=3), {"num_layers": ints(huge=True), "n_steps": ints(huge=True)})
spec("diagrams.figure_bidirectional", fn(diagrams.figure_bidirectional, n_steps=3), {"n_steps": ints(huge=True)})
spec("diagrams.figure_embedding_lookup", fn(diagrams.figure_embedding_lookup, vocab_size=4, dim=2, index=1),
     {"vocab_size": ints(huge=True), "dim": ints(huge=True), "index": ints(low=0) + [("beyond vocab", 4)]})
spec("diagrams.figure_encoder_decoder", fn(diagrams.figure_encoder_decoder, source="312", start="<s>"),
     {"source": [("letters", "abc"), ("long", "1234567"), ("int", 312), ("None", None)], "start": strings() + [("empty", "")]})
for _name in ("figure_folded_unrolled", "figure_architectures", "figure_attention_pooling"):
    spec(f"diagrams.{_name}", fn(getattr(diagrams, _name)), {})


def _write_figures(**overrides: Any) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return diagrams.write_figures(**_with({"directory": folder, "names": ["arch_many_to_one.png"]}, overrides))


spec("diagrams.write_figures", _write_figures,
     {"directory": [("int", 5), ("None", None), ("missing", "/nonexistent/folder")],
      "names": [("str", "arch_many_to_one.png"), ("int", 5), ("unknown", ["nope.png"]), ("list in list", [["x"]])]})

# -- reproducibility -----------------------------------------------------------------------------

spec("reproducibility.setup", fn(reproducibility.setup, seed=0, threads=1), {"seed": seeds(), "threads": ints(huge=True)},
     dangerous={("threads", "huge")})


# -- the cases -----------------------------------------------------------------------------------

def public_callables() -> list[str]:
    """Every public function, class and public method (one the class defines, with arguments) of MODULES."""
    found = []
    for module_name in MODULES:
        module = importlib.import_module(f"course_utils.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.append(f"{module_name}.{name}")
            elif inspect.isclass(obj) and obj.__module__ == module.__name__:
                found.append(f"{module_name}.{name}")
                for method_name, method in vars(obj).items():
                    if isinstance(method, classmethod):
                        method = method.__func__
                    if not inspect.isfunction(method) or (method_name.startswith("_") and method_name != "__getitem__"):
                        continue
                    parameters = list(inspect.signature(method).parameters)[1:]
                    if parameters:
                        found.append(f"{module_name}.{name}.{method_name}")
    return found


def all_cases() -> list[Case]:
    cases = []
    for target, s in SPECS.items():
        for argument, bad_values in s.bad.items():
            names = s.names.get(argument, (argument,))
            for label, value in bad_values:
                cases.append(Case(target, argument, label, (lambda s=s, a=argument, v=value: s.call(**{a: v})), names,
                                  (argument, label) in s.dangerous, (ValueError, TypeError) + s.allowed.get((argument, label), ())))
    return cases


def outcome(case: Case) -> tuple[str, str]:
    """'clear' (a ValueError/TypeError naming the argument), 'accepted', or 'other' (with what happened)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            case.run()
    except case.allowed as error:
        message = str(error)
        if any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) for name in case.names):
            return "clear", message
        return "other", f"{type(error).__name__} that does not name {'/'.join(case.names)}: {message[:200]}"
    except Exception as error:  # noqa: BLE001 - every other exception is a failure to report
        return "other", f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        plt.close("all")
    return "accepted", ""


CASES = all_cases()


def test_every_public_callable_has_a_spec():
    missing = [name for name in public_callables() if name not in SPECS and name not in EXEMPT]
    assert not missing, f"public callables without boundary cases (add a spec): {missing}"


@pytest.mark.parametrize("target", sorted(SPECS))
def test_the_valid_call_of_each_spec_works(target):
    try:
        SPECS[target].call()
    finally:
        plt.close("all")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_a_clear_error(case):
    result, detail = outcome(case)
    assert result == "clear", f"{case.id}: {result} {detail}"


# -- what must keep working, and what must happen before anything is changed ---------------------

def test_numpy_scalars_work_where_python_numbers_do():
    model = models.SequenceClassifier(np.int64(8), np.int32(3), np.int64(4), forget_bias=np.float32(1.0), input_bias=np.float64(-1.0),
                                      seed=np.uint32(0))
    model.set_gate_bias("input", np.float32(-2.0))
    assert float(model.recurrent.bias_ih_l0[:3].detach().mean()) == -2.0
    lm = language_model.CharLanguageModel(np.int64(len(VOCAB)), np.int64(3), dropout=np.float32(0.25))
    assert isinstance(language_model.sample(lm, VOCAB, "ab", np.int64(3), temperature=np.float32(0.5), greedy=np.bool_(True)), str)
    optimizer = _optimizer(model)
    training.train_on_batch(model, (X, LENGTHS, Y), optimizer, clip_grad_norm=np.float32(1.0))
    history = training.fit(model, _small_batches(), optimizer, epochs=np.int64(2), print_every=np.int64(0), clip_grad_norm=np.float64(1.0))
    assert len(history.epoch) == 2
    assert numpy_rnn.NumpyRNN(2, 3, 2, batch_first=np.bool_(False)).batch_first is False
    assert tasks.TemporalOrder("easy", batch_size=np.int64(2), n_batches=np.int16(1))[np.int64(0)][0].shape[0] == 2


def test_measure_evaluate_and_fit_restore_the_train_or_eval_mode():
    model = _classifier()
    for mode in (True, False):
        model.train(mode)
        training.measure(model, _small_batches())
        assert model.training is mode
        training.evaluate(model, TO)
        assert model.training is mode
    model.train()
    training.fit(model, _small_batches(), _optimizer(model), eval_data=_small_batches(), print_every=0)
    assert model.training


@pytest.mark.parametrize("overrides", [
    {"eval_data": [(X, LENGTHS)]}, {"eval_data": [(X, LENGTHS, Y * 0 + 4)]}, {"eval_data": iter(_small_batches())},
    {"train_batches": iter(_small_batches())}, {"optimizer": _foreign_optimizer()}, {"eval_data": []},
], ids=["eval batch shape", "eval y out of range", "eval iterator", "train iterator", "foreign optimizer", "empty eval"])
def test_fit_refuses_bad_arguments_before_it_trains(overrides):
    model = _classifier()
    before = copy.deepcopy(model.state_dict())
    arguments = {"train_batches": _small_batches(), "optimizer": _optimizer(model), "epochs": 2, "print_every": 0} | overrides
    with pytest.raises((ValueError, TypeError)):
        training.fit(model, **arguments)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items()), "fit changed the weights before refusing"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r\t", blacklist_categories=("Cs",)), min_size=1)
                .filter(lambda s: s.strip()), min_size=1, max_size=5),
       st.lists(st.sampled_from(["ham", "spam"]), min_size=5, max_size=5))
def test_parse_labelled_splits_at_newlines_only(messages, labels):
    written = "".join(f"{label}\t{message}\n" for label, message in zip(labels, messages))
    assert text.parse_labelled(written, ("ham", "spam")) == list(zip(labels, messages))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=-200, max_value=200))
def test_class_targets_outside_the_classes_are_refused(value):
    bad = Y.clone()
    bad[0] = value
    if 0 <= value < 4:
        training.classification_step(CLF, (X, LENGTHS, bad))
    else:
        with pytest.raises(ValueError, match="y"):
            training.classification_step(CLF, (X, LENGTHS, bad))


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**6, max_value=10**6)))
def test_gate_bias_is_checked_like_the_constructor(value):
    """Any finite bias up to MAX_GATE_BIAS is set; NaN, inf and larger ones are refused by both, naming the argument."""
    model = _classifier()
    if math.isfinite(value) and abs(value) <= models.MAX_GATE_BIAS:
        model.set_gate_bias("forget", value)
        models.SequenceClassifier(8, 3, 4, forget_bias=value)
    else:
        with pytest.raises(ValueError, match="value"):
            model.set_gate_bias("forget", value)
        with pytest.raises(ValueError, match="forget_bias"):
            models.SequenceClassifier(8, 3, 4, forget_bias=value)


def test_a_temperature_too_small_is_refused_not_turned_into_nan():
    with pytest.raises(ValueError, match="temperature"):
        language_model.next_char_distribution(LM, VOCAB, "ab", temperature=1e-40)
    probabilities = language_model.next_char_distribution(LM, VOCAB, "ab", temperature=1e-3)
    assert torch.isfinite(probabilities).all() and abs(float(probabilities.sum()) - 1) < 1e-5


# -- the tally (python tests/test_boundaries.py) -------------------------------------------------

def tally(run_dangerous: bool = True) -> dict[str, Counter]:
    """Outcome counts per module; with ``run_dangerous=False`` the cases that hang or crash without checks are not run."""
    counts: dict[str, Counter] = defaultdict(Counter)
    details = []
    for case in CASES:
        if case.dangerous and not run_dangerous:
            counts[case.module]["not run (hang/crash)"] += 1
            continue
        result, detail = outcome(case)
        counts[case.module][result] += 1
        if result != "clear":
            details.append(f"  {result:8} {case.id}: {detail}")
    return counts, details


if __name__ == "__main__":
    safe = "--skip-dangerous" not in sys.argv
    counts, details = tally(run_dangerous=safe)
    columns = ["clear", "accepted", "other", "not run (hang/crash)"]
    print(f"{'module':16} {'tried':>5} " + " ".join(f"{c:>20}" for c in columns))
    for module in MODULES:
        c = counts[module]
        print(f"{module:16} {sum(c.values()):5d} " + " ".join(f"{c[k]:20d}" for k in columns))
    total = sum((counts[m] for m in MODULES), Counter())
    print(f"{'total':16} {sum(total.values()):5d} " + " ".join(f"{total[k]:20d}" for k in columns))
    if "-v" in sys.argv:
        print("\n".join(details))
