"""Argument checks shared by the modules of course_utils, so that each mistake gets one message everywhere.

Every public function of the package checks its inputs and raises a
``ValueError`` (or a ``TypeError`` for the wrong kind of object) that names the
argument and says what was expected; these are the checks. One function per
kind of argument:

* numbers: :func:`check_int`, :func:`check_float` (bools are not numbers here,
  numpy scalars are accepted where Python ones are, floats must be finite) and
  :func:`check_bool` for flags (``True``/``False`` or a numpy bool, nothing
  merely truthy);
* choices and text: :func:`check_str`, :func:`check_choice`;
* tensors: :func:`check_tensor` (dtype, rank, shape, finiteness, non-empty),
  :func:`check_sequences` and :func:`check_lengths` for padded batches,
  :func:`check_state` for the state of a recurrent layer (``h`` or an LSTM's
  ``(h, c)``), :func:`check_class_targets` and :func:`check_binary_targets` for
  the targets of a loss;
* objects: :func:`check_module`, :func:`check_optimizer`, :func:`check_axes`,
  :func:`check_callable`, :func:`check_iterable`.

The tensor checks cost a few reductions per batch (one ``torch.isfinite(x).all()``,
one ``aminmax``), never a Python loop over the entries.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "MAX_PARAMETERS",
    "check_int",
    "check_seed",
    "check_float",
    "check_bool",
    "check_str",
    "check_choice",
    "check_module",
    "check_optimizer",
    "check_axes",
    "check_callable",
    "check_iterable",
    "check_tensor",
    "check_sequences",
    "check_lengths",
    "check_state",
    "check_class_targets",
    "check_binary_targets",
    "check_parameter_count",
]

#: The most weights a model of the course may have (400 MB of float32): more is a typo, not an experiment.
MAX_PARAMETERS = 10**8

_INDEX_DTYPES = (torch.int64, torch.int32)

#: Optimizers already checked against a model: optimizer -> (id of the model, number of parameters it updates).
_CHECKED_OPTIMIZERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _all_finite(x: torch.Tensor) -> bool:
    """True if no entry of ``x`` is nan or inf: one reduction (a nan or inf makes the sum so), exact if the sum overflows."""
    if not x.is_complex() and math.isfinite(float(x.detach().sum())):
        return True
    return bool(torch.isfinite(x).all())


def _describe_range(low: int, high: int | None) -> str:
    if high is not None and low in (0, 1):
        return f"a {'positive' if low else 'non-negative'} integer up to {high}"
    if high is not None:
        return f"an integer from {low} to {high}"
    if low == 1:
        return "a positive integer"
    if low == 0:
        return "a non-negative integer"
    return f"an integer >= {low}"


def _is_integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value: object, name: str, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer (Python or numpy, not a bool) in ``[low, high]``, else raise."""
    if not _is_integer(value) or value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {_describe_range(low, high)}, got {value!r}")
    return int(value)


def check_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` if it is a non-negative int below 2**32, else raise."""
    if not _is_integer(seed):
        raise ValueError(f"{name} must be a non-negative integer, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"{name} must be an integer in [0, 2**32), got {seed}")
    return int(seed)


def check_float(value: object, name: str, low: float | None = None, high: float | None = None, *,
                low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number (Python or numpy, not a bool) in the range, else raise.

    ``low``/``high`` are inclusive bounds unless ``low_open``/``high_open``.
    """
    if low is None and high is None:
        wanted = "a finite number"
    elif low == 0 and high is None:
        wanted = "a positive finite number" if low_open else "a non-negative finite number"
    else:
        left = "-inf" if low is None else f"{low:g}"
        right = "inf" if high is None else f"{high:g}"
        wanted = f"a finite number in {'(' if low_open or low is None else '['}{left}, {right}{')' if high_open or high is None else ']'}"
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be {wanted}, got {type(value).__name__} {value!r}")
    number = float(value)
    if (not math.isfinite(number) or (low is not None and (number < low or (low_open and number == low)))
            or (high is not None and (number > high or (high_open and number == high)))):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return number


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` as a ``bool`` if it is ``True``/``False`` (or a numpy bool), else raise: a flag is never merely truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_str(value: object, name: str, *, optional: bool = False, nonempty: bool = False) -> str | None:
    """Return ``value`` if it is a ``str`` (or None when ``optional``), non-empty if asked, else raise."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str{' or None' if optional else ''}, got {type(value).__name__}")
    if nonempty and not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


def check_choice(value: object, name: str, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices`` (compared by type and value, so unhashable values are refused cleanly)."""
    choices = list(choices)
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return value
    raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def check_module(model: object, name: str = "model") -> nn.Module:
    """Return ``model`` if it is a ``torch.nn.Module``, else raise a ``TypeError``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    return model


def check_optimizer(optimizer: object, model: nn.Module, name: str = "optimizer") -> torch.optim.Optimizer:
    """Return ``optimizer`` if it is a ``torch.optim.Optimizer`` whose parameters all belong to ``model``, else raise."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"{name} must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    count = sum(len(group["params"]) for group in optimizer.param_groups)
    if _CHECKED_OPTIMIZERS.get(optimizer) == (id(model), count):
        return optimizer  # checked at an earlier batch, and no parameter group was added since
    own = {id(p) for p in model.parameters()}
    params = [p for group in optimizer.param_groups for p in group["params"]]
    foreign = sum(id(p) not in own for p in params)
    if not params or foreign:
        raise ValueError(f"{name} must update the parameters of model, but {foreign} of its {len(params)} parameters "
                         f"are not model's (was it built for another model?)")
    _CHECKED_OPTIMIZERS[optimizer] = (id(model), count)
    return optimizer


def check_axes(ax: object, name: str = "ax", *, optional: bool = False) -> Any:
    """Return ``ax`` if it is a matplotlib ``Axes`` (or None when ``optional``), else raise a ``TypeError``."""
    from matplotlib.axes import Axes

    if (ax is None and optional) or isinstance(ax, Axes):
        return ax
    raise TypeError(f"{name} must be a matplotlib Axes{' or None' if optional else ''}, got {type(ax).__name__}")


def check_callable(value: object, name: str) -> Any:
    """Return ``value`` if it can be called, else raise a ``TypeError``."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    return value


def check_iterable(value: object, name: str, *, reiterable: bool = False) -> Any:
    """Return ``value`` if it is an iterable (not a string); with ``reiterable``, one that can be read more than once.

    An iterator (a generator, ``iter(list)``) is empty after one pass; where the
    data is read again (every epoch, every evaluation), pass a list or a data set.
    The check does not iterate: it has no side effect on the data.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be an iterable of batches, got {type(value).__name__}")
    if reiterable and isinstance(value, Iterator):
        raise TypeError(f"{name} must be readable more than once (a list or a data set such as TemporalOrder), "
                        f"got an iterator ({type(value).__name__}) that would be empty after the first pass: "
                        f"wrap it in list(...)")
    return value


def _shape_text(shape: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def check_tensor(x: object, name: str, *, shape: tuple[int | str | None, ...] | None = None, ndim: int | None = None,
                 dtype: torch.dtype | tuple[torch.dtype, ...] | str | None = None, finite: bool = True,
                 nonempty: bool = True) -> torch.Tensor:
    """Return ``x`` if it is a tensor of the given rank/shape and dtype, non-empty and finite, else raise.

    ``shape`` entries are sizes (int) or names (str, or None) that match any size;
    ``dtype`` is a dtype, a tuple of dtypes, or ``"float"`` (any floating type).
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and x.ndim != ndim:
        wanted = _shape_text(shape) if shape is not None else f"{ndim}-dimensional"
        raise ValueError(f"{name} must have shape {wanted}, got {tuple(x.shape)}")
    if shape is not None and any(isinstance(d, int) and d != s for d, s in zip(shape, x.shape)):
        raise ValueError(f"{name} must have shape {_shape_text(shape)}, got {tuple(x.shape)}")
    if dtype == "float":
        if not x.is_floating_point():
            raise ValueError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    elif dtype is not None:
        allowed = dtype if isinstance(dtype, tuple) else (dtype,)
        if x.dtype not in allowed:
            raise ValueError(f"{name} must have dtype {' or '.join(map(str, allowed))}, got {x.dtype}")
    if nonempty and x.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(x.shape)}")
    if finite and (x.is_floating_point() or x.is_complex()) and not _all_finite(x):
        raise ValueError(f"{name} must hold finite numbers only (no nan or inf)")
    return x


def check_sequences(x: object, features: int, time: str = "time", name: str = "x",
                    dtype: torch.dtype | None = None) -> torch.Tensor:
    """Return ``x`` if it is a finite, non-empty, floating batch-first tensor (batch, time, ``features``), else raise.

    ``dtype``, if given, is the one the model's weights have.
    """
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != features:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} must be a tensor of shape (batch, {time}, {features}), got {shape}")
    if not x.is_floating_point() or (dtype is not None and x.dtype != dtype):
        raise ValueError(f"{name} must have dtype {dtype or 'float32'} (the model's), got {x.dtype}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one sequence of at least one step, got shape {tuple(x.shape)}")
    if not _all_finite(x):
        raise ValueError(f"{name} must hold finite numbers only (no nan or inf)")
    return x


def check_lengths(lengths: object, x: torch.Tensor) -> torch.Tensor:
    """Return ``lengths`` if it is an integer tensor (batch,) of true lengths in [1, seq_len] for the padded batch ``x``."""
    batch, seq_len = x.shape[:2]
    if not isinstance(lengths, torch.Tensor) or lengths.shape != (batch,) or lengths.dtype not in _INDEX_DTYPES:
        shape = f"{tuple(lengths.shape)} {lengths.dtype}" if isinstance(lengths, torch.Tensor) else type(lengths).__name__
        raise ValueError(f"lengths must be an integer tensor of shape ({batch},), got {shape}")
    if batch:
        low, high = torch.aminmax(lengths)
        if int(low) < 1 or int(high) > seq_len:
            raise ValueError(f"lengths must lie in [1, seq_len={seq_len}], got {lengths.tolist()}")
    return lengths


def check_state(state: object, recurrent: nn.RNNBase, batch: int, name: str = "state") -> Any:
    """Return ``state`` if it fits ``recurrent`` for a batch of ``batch``: None, h, or (h, c) for an LSTM; else raise.

    Each tensor has shape (num_layers * directions, batch, hidden_size), the
    layer's dtype, and finite entries.
    """
    if state is None:
        return None
    layers = recurrent.num_layers * (2 if recurrent.bidirectional else 1)
    hidden = recurrent.proj_size or recurrent.hidden_size
    dtype = recurrent.weight_ih_l0.dtype
    if isinstance(recurrent, nn.LSTM):
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError(f"{name} of an LSTM must be None or a tuple (h, c) of two tensors, got {type(state).__name__}"
                            + (f" of length {len(state)}" if isinstance(state, (tuple, list)) else ""))
        parts = ((f"{name}[0] (h)", state[0], hidden), (f"{name}[1] (c)", state[1], recurrent.hidden_size))
    else:
        if not isinstance(state, torch.Tensor):
            raise TypeError(f"{name} of an {type(recurrent).__name__} must be None or a tensor h, got {type(state).__name__}")
        parts = ((name, state, hidden),)
    for part_name, part, size in parts:
        check_tensor(part, part_name, shape=(layers, batch, size), dtype=dtype)
    return state


def check_class_targets(y: object, num_classes: int, batch: int, name: str = "y") -> torch.Tensor:
    """Return ``y`` if it is an int64 tensor (batch,) of class indices in [0, num_classes) (so no ignore_index -100), else raise."""
    check_tensor(y, name, shape=(batch,), dtype=torch.int64, nonempty=False)
    if batch:
        low, high = torch.aminmax(y)
        if int(low) < 0 or int(high) >= num_classes:
            raise ValueError(f"{name} must hold class indices in [0, {num_classes}), got values from {int(low)} to {int(high)}")
    return y


def check_binary_targets(y: object, shape: tuple[int, ...], dtype: torch.dtype, name: str = "y") -> torch.Tensor:
    """Return ``y`` if it is a tensor of ``shape`` and ``dtype`` (the logits') holding only 0 and 1, else raise."""
    check_tensor(y, name, shape=tuple(shape), dtype=dtype, finite=False)
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"{name} must hold targets 0 or 1 only")
    return y


def check_parameter_count(count: int, sizes: str) -> None:
    """Raise if a model of ``count`` weights is beyond :data:`MAX_PARAMETERS`; ``sizes`` names the arguments that gave it."""
    if count > MAX_PARAMETERS:
        raise ValueError(f"{sizes} give {count:,} weights, more than the {MAX_PARAMETERS:,} a CPU notebook can hold")
