"""The machinery of the exercise checks: a registry, the feedback, and comparisons that say what is wrong.

A check is a function ``checker(fn, rng)`` registered with :func:`exercise`. It
calls the student's code through :func:`call` (which turns an exception raised
by the student's code into feedback, and ``NotImplementedError`` into "not done
yet"), and compares each result with the course's reference through
:func:`compare` (type, shape, dtype, NaN, then the values; on a mismatch it
tries the known wrong variants of the exercise and names the one that matches).
Anything wrong is raised as :class:`Incorrect`; :func:`check` catches it and
prints the feedback, so a wrong answer never ends in a bare traceback.
"""

from __future__ import annotations

import ast
import inspect
import random
import textwrap
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch

__all__ = ["Exercise", "Incorrect", "NotDone", "REGISTRY", "exercise", "check", "passes", "call", "compare", "as_array",
           "is_stub"]

#: What a check says about an untouched stub (the student edition's tests look for it).
NOT_DONE = "not done yet. Write the body (replace the raise NotImplementedError), run its cell, then this one."


class Incorrect(Exception):
    """A wrong answer: the message says what is wrong, and ``hints`` why it may be."""

    def __init__(self, message: str, hints: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hints = list(hints or [])


class NotDone(Exception):
    """The student's function is still the stub (``NotImplementedError`` or a ``...`` body)."""


@dataclass
class Exercise:
    """One exercise: its id ("03.2"), title, check, reference solution, and what kind of object it expects."""

    id: str
    title: str
    checker: Callable[[Any, np.random.Generator], str | None]
    reference: Any
    kind: str = "function"  # "function" or "class"
    hints: dict[str, str] = field(default_factory=dict)


#: Every exercise of the course, by id ("01.1" ... "09.2").
REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, title: str, reference: Any, kind: str = "function"):
    """Decorator: register ``checker(fn, rng)`` as the check of exercise ``exercise_id`` with its reference solution."""

    def register(checker):
        if exercise_id in REGISTRY:
            raise ValueError(f"exercise {exercise_id} is registered twice")
        REGISTRY[exercise_id] = Exercise(exercise_id, title, checker, reference, kind)
        return checker

    return register


# ---------------------------------------------------------------- stubs

def _body_is_stub(body: list[ast.stmt]) -> bool:
    """True if a function body is only a docstring and ``...``, ``pass`` or ``raise NotImplementedError``."""
    statements = list(body)
    if statements and isinstance(statements[0], ast.Expr) and isinstance(getattr(statements[0], "value", None),
                                                                         ast.Constant) and isinstance(
            statements[0].value.value, str):
        statements = statements[1:]
    if not statements:
        return True
    if len(statements) != 1:
        return False
    only = statements[0]
    if isinstance(only, ast.Pass):
        return True
    if isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant) and only.value.value is Ellipsis:
        return True
    if isinstance(only, ast.Raise) and only.exc is not None:
        target = only.exc.func if isinstance(only.exc, ast.Call) else only.exc
        return isinstance(target, ast.Name) and target.id == "NotImplementedError"
    return False


def is_stub(obj: Any) -> bool:
    """True if ``obj`` (a function, or a class whose every own method) has only a stub body."""
    try:
        source = textwrap.dedent(inspect.getsource(obj))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return False
    if not tree.body:
        return False
    node = tree.body[0]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _body_is_stub(node.body)
    if isinstance(node, ast.ClassDef):
        methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return bool(methods) and all(_body_is_stub(m.body) for m in methods)
    return False


# ---------------------------------------------------------------- calling the student's code

def _student_frame(error: BaseException) -> str:
    """Where in the student's code an exception was raised: 'line N of your cell: <code>' (or '')."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if "course_utils" not in f.filename.replace("\\", "/")]
    if not own:
        return ""
    last = own[-1]
    where = f"line {last.lineno}" + (f" ({last.name})" if last.name not in ("<module>",) else "")
    return f" at {where}: {last.line.strip()}" if last.line else f" at {where}"


def call(fn: Callable, *args: Any, what: str | None = None, **kwargs: Any) -> Any:
    """Call the student's ``fn``; turn NotImplementedError into NotDone and any other exception into Incorrect."""
    name = what or getattr(fn, "__name__", "your function")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as error:
        raise NotDone() from error
    except (Incorrect, NotDone):
        raise
    except Exception as error:  # the student's code failed: say how and where, without the traceback
        message = f"{name} raised {type(error).__name__}: {error}{_student_frame(error)}"
        hints = []
        text = str(error)
        if "backward through the graph a second time" in text or "have already been freed" in text:
            hints.append("the state carried into this chunk still holds the graph of the previous one: "
                         "carry it as state.detach() (for an LSTM, detach h and c)")
        if "shapes" in text or "core dimension" in text or "size mismatch" in text or "must match the size" in text or "mat1 and mat2" in text:
            hints.append("a matrix product with the wrong shapes: check which side each weight multiplies "
                         "(rows are the batch: x_t @ U.T, h @ W.T) and whether a matrix is transposed")
        if "'tuple' object has no attribute 'detach'" in text:
            hints.append("an LSTM's state is a pair (h, c): detach h and c, e.g. tuple(s.detach() for s in state) "
                         "(course_utils.language_model.detach_state does both kinds)")
        if isinstance(error, (TypeError, AttributeError)) and ("numpy" in text or "Tensor" in text):
            hints.append("numpy arrays and torch tensors do not mix: use the kind of object the exercise gives you")
        raise Incorrect(message, hints) from None


# ---------------------------------------------------------------- comparing results

def as_array(value: Any) -> np.ndarray | None:
    """``value`` as a numpy array (tensors detached), or None if it is not array-like."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return np.asarray(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float, np.number)) for v in value):
        return np.asarray(value)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a torch tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    if value is None:
        return "None (did the function forget to `return` its result?)"
    return f"{type(value).__name__} {value!r:.60}"


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=rtol, atol=atol)


def compare(name: str, got: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8,
            variants: dict[str, Any] | None = None, axes: str | None = None, need_float64: bool | None = None,
            exact_dtype_kind: bool = False) -> None:
    """Raise Incorrect unless ``got`` matches ``expected``; the message names what differs, the hints why.

    ``variants`` maps a hint to what a known wrong solution returns on the same
    case; a wrong answer that matches one gets that hint. ``axes`` names the
    axes for the messages, e.g. "(time, batch, hidden)". ``need_float64``
    (default: when ``expected`` is float64) rejects a float32 result.
    """
    expected_array = as_array(expected)
    if expected_array is None:
        raise TypeError(f"the reference of {name} is not an array")
    kind = "torch tensor" if isinstance(expected, torch.Tensor) else "numpy array"
    shape_text = f"{expected_array.shape}" + (f" {axes}" if axes else "")
    array = as_array(got)
    if array is None or (isinstance(expected, torch.Tensor) != isinstance(got, torch.Tensor)
                         and expected_array.ndim > 0):
        raise Incorrect(f"{name} should be a {kind} of shape {shape_text}, got {_kind(got)}")
    if array.shape != expected_array.shape:
        hints = []
        if sorted(array.shape) == sorted(expected_array.shape):
            hints.append("the axes are in another order: a transposed matrix, or (batch, time) where "
                         "(time, batch) is expected")
        if array.ndim == expected_array.ndim:
            diffs = [g - e for g, e in zip(array.shape, expected_array.shape) if g != e]
            if len(diffs) == 1 and abs(diffs[0]) == 1:
                hints.append("one step too many or too few: an off-by-one (in time, the state h_0 counted as a step, "
                             "or range(len - n) instead of range(len - n + 1))")
        if array.ndim == expected_array.ndim - 1:
            hints.append("an axis is missing: was something summed, or indexed, that should not be?")
        if array.ndim == expected_array.ndim + 1:
            hints.append("an axis too many: a sum (over time, or over the batch) forgotten?")
        raise Incorrect(f"{name} has shape {array.shape}, expected {shape_text}", hints)
    if array.dtype.kind not in "fciub" or (expected_array.dtype.kind == "f" and array.dtype.kind not in "fiub"):
        raise Incorrect(f"{name} has dtype {array.dtype}, expected {expected_array.dtype}")
    if exact_dtype_kind and array.dtype.kind != expected_array.dtype.kind:
        raise Incorrect(f"{name} has dtype {array.dtype}, expected {expected_array.dtype} "
                        f"({'whole numbers' if expected_array.dtype.kind in 'iu' else 'real numbers'})")
    if need_float64 is None:
        need_float64 = expected_array.dtype == np.float64
    if need_float64 and array.dtype == np.float32:
        raise Incorrect(f"{name} is float32, expected float64",
                        ["float32 where float64 is needed: float32 keeps about 7 digits, too few for a gradient "
                         "check; keep the float64 inputs' dtype (no np.float32 / torch.float32 / .float())"])
    array = array.astype(np.float64) if array.dtype.kind in "iub" and expected_array.dtype.kind == "f" else array
    bad = ~np.isfinite(array) if array.dtype.kind in "fc" else np.zeros(array.shape, bool)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        hints = ["an overflow (exp of a large number: subtract the maximum before a softmax) or a log of 0"]
        raise Incorrect(f"{name} holds {int(bad.sum())} NaN/inf value(s), the first at index {where}", hints)
    if _close(array, expected_array, rtol, atol):
        return
    if array.ndim == 0:
        message = f"{name} is {array.item():.6g}, expected {expected_array.item():.6g}"
    else:
        diff = np.abs(array.astype(np.float64) - expected_array.astype(np.float64))
        where = np.unravel_index(int(np.argmax(diff)), diff.shape)
        where_text = tuple(int(i) for i in where)
        message = (f"{name} is wrong: largest difference {diff[where]:.3g} at index {where_text}"
                   + (f" {axes}" if axes else "") + f" (got {array[where]:.6g}, expected {expected_array[where]:.6g}); "
                   f"{int((diff > atol + rtol * np.abs(expected_array)).sum())} of {diff.size} entries differ")
    hints = []
    for hint, value in (variants or {}).items():
        candidate = as_array(value)
        if candidate is not None and _close(array, candidate.astype(array.dtype, copy=False), max(rtol, 1e-6),
                                            max(atol, 1e-8)):
            hints.append(hint)
    if not hints:
        hints.extend(_generic_hints(array, expected_array))
    raise Incorrect(message, hints)


def _generic_hints(got: np.ndarray, expected: np.ndarray) -> list[str]:
    """Hints that need no knowledge of the exercise: a sign, a constant factor, a transpose."""
    got = got.astype(np.float64)
    expected = expected.astype(np.float64)
    if np.allclose(got, -expected, rtol=1e-6, atol=1e-9):
        return ["the sign is flipped"]
    if got.ndim == 2 and got.shape[0] == got.shape[1] and np.allclose(got, expected.T, rtol=1e-6, atol=1e-9):
        return ["the result is the transpose of the expected one"]
    nonzero = np.abs(expected) > 1e-9
    if nonzero.sum() > 1:
        ratio = got[nonzero] / expected[nonzero]
        if np.allclose(ratio, ratio[0], rtol=1e-6) and np.allclose(got[~nonzero], 0, atol=1e-9):
            return [f"off by a constant factor {ratio[0]:.4g}: a mean where a sum is expected (or the other way), "
                    f"or a scale applied twice"]
    if np.allclose(got, 0):
        return ["the result is all zeros"]
    return []


# ---------------------------------------------------------------- the public entry point

def _expected_kind(entry: Exercise, fn: Any) -> str | None:
    """A message if ``fn`` is not the kind of object the exercise needs, else None."""
    if entry.kind == "class":
        if not isinstance(fn, type):
            return f"check({entry.id!r}, ...) needs the class itself (its name, not an instance or a call), got {_kind(fn)}"
        return None
    if isinstance(fn, type) or not callable(fn):
        return f"check({entry.id!r}, ...) needs your function itself (its name, without calling it), got {_kind(fn)}"
    return None


def check(exercise_id: str, fn: Any, *, seed: int | None = None) -> None:
    """Check the student's ``fn`` for exercise ``exercise_id`` on fresh random cases and print the feedback (a notebook's check cell)."""
    passes(exercise_id, fn, seed=seed, quiet=False)


def passes(exercise_id: str, fn: Any, *, seed: int | None = None, quiet: bool = True) -> bool:
    """True if ``fn`` passes the check of exercise ``exercise_id``; prints the feedback unless ``quiet``."""
    from course_utils import exercises as _package  # noqa: F401  (imports every notebook's checks)

    def say(text: str) -> None:
        if not quiet:
            print(text)

    if not isinstance(exercise_id, str) or exercise_id not in REGISTRY:
        say(f"There is no exercise {exercise_id!r}; the exercises are {', '.join(sorted(REGISTRY))}.")
        return False
    entry = REGISTRY[exercise_id]
    problem = _expected_kind(entry, fn)
    if problem:
        say(f"✗ {entry.id} {entry.title}: {problem}.")
        return False
    if is_stub(fn):
        say(f"… {entry.id} {entry.title}: {NOT_DONE}")
        return False
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        say(f"seed must be a non-negative integer or None, got {seed!r}")
        return False
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    # The student's code may draw from the global generators (an nn.Module's initial weights do): their
    # state is restored afterwards, so a check never changes what the notebook's later cells compute.
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.integers(2**62)))
            detail = entry.checker(fn, rng)
    except NotDone:
        say(f"… {entry.id} {entry.title}: {NOT_DONE}")
        return False
    except Incorrect as wrong:
        lines = [f"✗ {entry.id} {entry.title}: {wrong.message}"]
        lines += [f"  hint: {hint}" for hint in dict.fromkeys(wrong.hints)]
        say("\n".join(lines))
        return False
    except Exception as error:  # a bug of the check itself: say so rather than crash the notebook
        say(f"✗ {entry.id} {entry.title}: the check itself failed ({type(error).__name__}: {error}); "
            "please report this to the course")
        return False
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    seconds = time.perf_counter() - start
    say(f"✓ {entry.id} {entry.title}: correct" + (f" ({detail})" if detail else "") + ".")
    entry.last_seconds = seconds  # type: ignore[attr-defined]
    return True
