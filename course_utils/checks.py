"""Argument checks shared by the modules of course_utils, so that each mistake gets one message everywhere.

Every public function of the package checks its inputs and raises a
``ValueError`` (or a ``TypeError`` for the wrong kind of object) that names the
argument and says what was expected; these are the checks that several modules
need.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["check_int", "check_seed", "check_module", "check_sequences", "check_lengths"]


def _describe_range(low: int, high: int | None) -> str:
    if high is not None:
        return f"an integer from {low} to {high}"
    if low == 1:
        return "a positive integer"
    if low == 0:
        return "a non-negative integer"
    return f"an integer >= {low}"


def check_int(value: object, name: str, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer (Python or numpy, not a bool) in ``[low, high]``, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high):
        raise ValueError(f"{name} must be {_describe_range(low, high)}, got {value!r}")
    return int(value)


def check_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` if it is a non-negative int below 2**32, else raise."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"{name} must be a non-negative integer, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"{name} must be an integer in [0, 2**32), got {seed}")
    return int(seed)


def check_module(model: object, name: str = "model") -> nn.Module:
    """Return ``model`` if it is a ``torch.nn.Module``, else raise a ``TypeError``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    return model


def check_sequences(x: object, features: int, time: str = "time", name: str = "x") -> torch.Tensor:
    """Return ``x`` if it is a batch-first tensor of shape (batch, time, ``features``), else raise."""
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != features:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} must be a tensor of shape (batch, {time}, {features}), got {shape}")
    return x


def check_lengths(lengths: object, x: torch.Tensor) -> torch.Tensor:
    """Return ``lengths`` if it is an integer tensor (batch,) of true lengths in [1, seq_len] for the padded batch ``x``."""
    batch, seq_len = x.shape[:2]
    if not isinstance(lengths, torch.Tensor) or lengths.shape != (batch,) or lengths.is_floating_point():
        shape = tuple(lengths.shape) if isinstance(lengths, torch.Tensor) else type(lengths).__name__
        raise ValueError(f"lengths must be an integer tensor of shape ({batch},), got {shape}")
    if batch and (int(lengths.min()) < 1 or int(lengths.max()) > seq_len):
        raise ValueError(f"lengths must lie in [1, seq_len={seq_len}], got {lengths.tolist()}")
    return lengths
