"""Training and evaluation loops shared by the notebooks.

The loop is the one every PyTorch course teaches (the NYU lab lists its five
steps): forward pass, loss, ``zero_grad``, ``backward``, optimiser ``step``. What
differs between tasks is only how one batch turns into a loss and a count of
correct predictions; that is a *step function*
``step(model, batch, state) -> StepResult``. :func:`classification_step` is the
one for many-to-one classification with batches ``(x, lengths, y)``; a task that
carries the recurrent state from one batch to the next (truncated
backpropagation through time) returns the detached state in
``StepResult.state`` and :func:`fit` hands it to the next batch, starting each
epoch and each evaluation from ``None``. :func:`binary_tagging_step` is such a
step, for a synchronised many-to-many task with a 0/1 target at every step
(the "tagger" of the reference slides), such as the signal echo.

Progress is printed as one plain line per report (no timings), so the output is
the same in JupyterLab, in a terminal and under nbval; in JupyterLab a live bar
(:mod:`course_utils.progress`) shows how far :func:`fit` has got, and its
stored output is one fixed line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import (
    check_axes,
    check_binary_targets,
    check_callable,
    check_choice,
    check_class_targets,
    check_float,
    check_int,
    check_iterable,
    check_module,
    check_optimizer,
    check_str,
)
from course_utils.language_model import _evaluating, detach_state
from course_utils.progress import Progress

#: The most epochs, batches between reports and examples to list that the loops accept.
MAX_EPOCHS = 1_000_000

__all__ = [
    "StepResult",
    "Step",
    "classification_step",
    "binary_tagging_step",
    "train_on_batch",
    "measure",
    "History",
    "fit",
    "Misclassified",
    "Evaluation",
    "evaluate",
    "plot_histories",
]


@dataclass
class StepResult:
    """What one batch gives: the mean loss (a tensor with its graph), the number right, the number of predictions, the state to carry."""

    loss: torch.Tensor
    correct: int
    count: int
    state: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.loss, torch.Tensor) or self.loss.numel() != 1:
            raise TypeError(f"loss must be a one-element tensor (the mean loss, with its graph), got {type(self.loss).__name__}")
        self.count = check_int(self.count, "count", 0)
        self.correct = check_int(self.correct, "correct", 0, self.count)


#: A step function: ``step(model, batch, state) -> StepResult``.
Step = Callable[[nn.Module, Any, Any], StepResult]


def classification_step(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor], state: Any = None) -> StepResult:
    """Cross-entropy of ``model(x, lengths)`` against ``y`` for a batch ``(x, lengths, y)``; no state is carried."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 3:
        raise ValueError("batch must be a tuple (x, lengths, y)")
    x, lengths, y = batch
    check_module(model)
    if not isinstance(y, torch.Tensor) or y.ndim != 1:
        raise ValueError(f"y in batch (x, lengths, y) must be a tensor of shape (batch,), got "
                         f"{tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}")
    logits = model(x, lengths)  # (batch, num_classes)
    if not isinstance(logits, torch.Tensor) or logits.shape != (len(y), logits.shape[-1]):
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"the model must return logits of shape (batch={len(y)}, num_classes), got {got}")
    check_class_targets(y, logits.shape[-1], len(y), name="y in batch (x, lengths, y)")
    loss = F.cross_entropy(logits, y)
    correct = int((logits.argmax(dim=1) == y).sum())
    return StepResult(loss, correct, len(y), None)


def binary_tagging_step(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor], state: Any = None) -> StepResult:
    """Binary cross-entropy with logits at every step of a chunk ``(x, y)``, starting from ``state``; carries the final state, detached.

    The model is called as ``logits, state = model(x, state)`` with ``x`` of
    shape ``(batch, time, features)`` and must return logits of the shape of
    ``y``, ``(batch, time, 1)``, whose entries are 0 or 1. A prediction is right
    when the probability ``sigmoid(logit) > 0.5`` matches the target.
    """
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError("batch must be a tuple (x, y)")
    check_module(model)
    if not isinstance(batch[1], torch.Tensor):  # y: 0/1 in the dtype of the model's weights
        raise TypeError(f"y in batch (x, y) must be a tensor, got {type(batch[1]).__name__}")
    weights = next(model.parameters(), None)
    check_binary_targets(batch[1], batch[1].shape, batch[1].dtype if weights is None else weights.dtype, name="y in batch (x, y)")
    x, y = batch
    logits, state = model(x, state)  # (batch, time, 1), and h or (h, c)
    if logits.shape != y.shape:
        raise ValueError(f"the model must return logits of the shape of y, {tuple(y.shape)}, got {tuple(logits.shape)}")
    loss = F.binary_cross_entropy_with_logits(logits, y)
    predicted = torch.sigmoid(logits) > 0.5
    correct = int((predicted == (y > 0.5)).sum())
    return StepResult(loss, correct, y.numel(), detach_state(state))


def _step_result(result: object) -> StepResult:
    """``result`` if a step function returned a StepResult with a tensor loss, else a TypeError naming ``step``."""
    if not isinstance(result, StepResult) or not isinstance(result.loss, torch.Tensor):
        raise TypeError(f"step must return a StepResult with a tensor loss, got {type(result).__name__}")
    return result


def train_on_batch(
    model: nn.Module,
    batch: Any,
    optimizer: torch.optim.Optimizer,
    *,
    step: Step = classification_step,
    state: Any = None,
    clip_grad_norm: float | None = None,
) -> StepResult:
    """One update: forward and loss (``step``), zero_grad, backward, optional gradient clipping, optimiser step."""
    check_module(model)
    check_optimizer(optimizer, model)
    check_callable(step, "step")
    if clip_grad_norm is not None:
        clip_grad_norm = check_float(clip_grad_norm, "clip_grad_norm", 0, low_open=True)
    model.train()
    result = _step_result(step(model, batch, state))
    optimizer.zero_grad()
    result.loss.backward()
    if clip_grad_norm is not None:
        nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
    optimizer.step()
    result.loss = result.loss.detach()
    return result


@torch.no_grad()
def measure(model: nn.Module, data: Iterable[Any], *, step: Step = classification_step) -> tuple[float, float]:
    """Mean loss (per prediction) and accuracy of ``model`` over the batches of ``data``, without training."""
    check_module(model)
    check_iterable(data, "data")
    check_callable(step, "step")
    total_loss, correct, count, state = 0.0, 0, 0, None
    with _evaluating(model):  # the model's train/eval mode is restored afterwards
        for batch in data:
            result = _step_result(step(model, batch, state))
            total_loss += float(result.loss) * result.count
            correct += result.correct
            count += result.count
            state = result.state
    if count == 0:
        raise ValueError("data must hold at least one batch")
    return total_loss / count, correct / count


@dataclass
class History:
    """Loss and accuracy at each report: on the training batches since the previous report and on the held-out data."""

    epoch: list[int] = field(default_factory=list)
    examples_seen: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    eval_accuracy: list[float] = field(default_factory=list)


def fit(
    model: nn.Module,
    train_batches: Iterable[Any],
    optimizer: torch.optim.Optimizer,
    *,
    epochs: int = 1,
    eval_data: Iterable[Any] | None = None,
    step: Step = classification_step,
    clip_grad_norm: float | None = None,
    report_every: int | None = None,
    print_every: int = 1,
    name: str = "",
    progress: bool = True,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_batches``; record, print and return loss and accuracy.

    A *report* happens at the end of every epoch or, if ``report_every`` is
    given, every ``report_every`` batches (counted across epochs) and at the end
    of an epoch whose last batches are not reported yet. Each report records the
    training loss and accuracy averaged over the batches since the previous
    report (while the weights changed) and, if ``eval_data`` is given, the
    held-out loss and accuracy with the current weights. Every ``print_every``-th
    report (and the last) is printed as one line; ``print_every=0`` prints nothing.
    In a notebook a progress bar counts the batches; ``progress=False`` leaves
    it out (for a sweep of many short runs that shows one bar of its own).
    ``examples_seen`` counts the predictions trained on so far (for
    classification, the sequences).
    """
    check_module(model)
    epochs = check_int(epochs, "epochs", 1, MAX_EPOCHS)
    print_every = check_int(print_every, "print_every", 0, MAX_EPOCHS)
    if report_every is not None:
        report_every = check_int(report_every, "report_every", 1, MAX_EPOCHS)
    check_iterable(train_batches, "train_batches", reiterable=epochs > 1)
    check_optimizer(optimizer, model)
    check_callable(step, "step")
    if clip_grad_norm is not None:
        check_float(clip_grad_norm, "clip_grad_norm", 0, low_open=True)
    check_str(name, "name")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {type(progress).__name__}")
    if eval_data is not None:
        _check_eval_data(model, eval_data, step)
    history = History()
    prefix = f"{name}  " if name else ""
    seen, batches_done = 0, 0
    total_loss, correct, count = 0.0, 0, 0
    unprinted = ""  # the last report's line, if print_every skipped it
    sized = hasattr(train_batches, "__len__")
    bar = Progress(epochs * len(train_batches) if sized else epochs, "batches" if sized else "epochs", name or "training",
                   shown=progress)

    def report(epoch: int) -> None:
        nonlocal total_loss, correct, count, unprinted
        history.epoch.append(epoch)
        history.examples_seen.append(seen)
        history.train_loss.append(total_loss / count)
        history.train_accuracy.append(correct / count)
        where = f"epoch {epoch:{len(str(epochs))}d}/{epochs}  " if epochs > 1 else ""
        line = f"{prefix}{where}seen {seen:>7,}  train loss {total_loss / count:.3f} acc {correct / count:6.1%}"
        if eval_data is not None:
            eval_loss, eval_accuracy = measure(model, eval_data, step=step)
            history.eval_loss.append(eval_loss)
            history.eval_accuracy.append(eval_accuracy)
            line += f"  |  held-out loss {eval_loss:.3f} acc {eval_accuracy:6.1%}"
        unprinted = line
        if print_every and len(history.epoch) % print_every == 0:
            print(line, flush=True)
            unprinted = ""
        total_loss, correct, count = 0.0, 0, 0

    for epoch in range(1, epochs + 1):
        state, in_epoch = None, 0
        for batch in train_batches:
            try:
                result = train_on_batch(model, batch, optimizer, step=step, state=state, clip_grad_norm=clip_grad_norm)
            except (ValueError, TypeError) as error:
                raise _located(error, f"train_batches, batch {in_epoch + 1} of epoch {epoch}") from error
            total_loss += float(result.loss) * result.count
            correct += result.correct
            count += result.count
            seen += result.count
            state = result.state
            batches_done += 1
            in_epoch += 1
            if sized:
                bar.update()
            if report_every is not None and batches_done % report_every == 0:
                report(epoch)
        if in_epoch == 0:
            raise ValueError("train_batches must hold at least one batch")
        if report_every is None or count:  # the end of an epoch, or batches since the last report
            report(epoch)
        if not sized:
            bar.update()
    if print_every and unprinted:
        print(unprinted, flush=True)
    return history


@torch.no_grad()
def _check_eval_data(model: nn.Module, eval_data: Any, step: Step) -> None:
    """Refuse eval_data before any training: it must be re-iterable and its first batch must go through ``step``.

    Only the package's own steps are tried on that batch (they have no side
    effects); a step written by the caller is first called at the first report.
    """
    check_iterable(eval_data, "eval_data", reiterable=True)
    if step not in (classification_step, binary_tagging_step):
        return
    first = next(iter(eval_data), None)
    if first is None:
        raise ValueError("eval_data must hold at least one batch")
    if isinstance(first, (tuple, list)) and all(isinstance(part, torch.Tensor) and part.ndim for part in first):
        first = tuple(part[:2] for part in first)  # two sequences show a wrong structure, dtype, shape or class as well
    try:
        with _evaluating(model):
            step(model, first, None)
    except (ValueError, TypeError) as error:
        raise _located(error, "eval_data, first batch") from error


def _located(error: Exception, where: str) -> Exception:
    """The same kind of error (ValueError or TypeError) with ``where`` in front of its message."""
    kind = ValueError if isinstance(error, ValueError) else TypeError
    return kind(f"{where}: {error}")


@dataclass(frozen=True)
class Misclassified:
    """A held-out sequence the model got wrong: the sequence, the true and the predicted class, and P(predicted)."""

    sequence: str
    true: str
    predicted: str
    probability: float


@dataclass(frozen=True)
class Evaluation:
    """Accuracy, the confusion matrix (rows: true class, columns: predicted) and the misclassified examples."""

    accuracy: float
    confusion: torch.Tensor
    misclassified: list[Misclassified]
    n_wrong: int
    n_total: int


@torch.no_grad()
def evaluate(model: nn.Module, data: Any, *, max_examples: int = 10) -> Evaluation:
    """Accuracy, confusion matrix and up to ``max_examples`` misclassified sequences of ``model`` on ``data``.

    ``data`` is a batch source of the task (such as a ``TemporalOrder`` test set):
    it yields ``(x, lengths, y)`` and provides ``classes`` (the class letters) and
    ``decode(x, lengths)`` (the sequences as strings).
    """
    check_module(model)
    if not hasattr(data, "classes") or not callable(getattr(data, "decode", None)):
        raise TypeError(f"data must provide .classes and .decode(x, lengths) (e.g. a TemporalOrder), got {type(data).__name__}")
    check_iterable(data, "data")
    max_examples = check_int(max_examples, "max_examples", 0, MAX_EPOCHS)
    classes = data.classes
    if not hasattr(classes, "__len__") or len(classes) < 2:
        raise TypeError(f"data.classes must be the class names, at least two (e.g. 'QRSU'), got {classes!r}")
    confusion = torch.zeros(len(classes), len(classes), dtype=torch.int64)
    examples: list[Misclassified] = []
    with _evaluating(model):  # the model's train/eval mode is restored afterwards
        for batch in data:
            if not isinstance(batch, (tuple, list)) or len(batch) != 3:
                raise ValueError("each batch of data must be a tuple (x, lengths, y)")
            x, lengths, y = batch
            logits = model(x, lengths)
            if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or logits.shape[1] != len(classes):
                got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
                raise ValueError(f"model must return logits (batch, {len(classes)}) for the classes of data, got {got}")
            check_class_targets(y, len(classes), len(logits), name="y in a batch of data")
            probabilities = torch.softmax(logits, dim=1)  # (batch, num_classes)
            predicted = probabilities.argmax(dim=1)
            confusion += torch.bincount(y * len(classes) + predicted, minlength=len(classes) ** 2).view(len(classes), -1)
            wrong = torch.nonzero(predicted != y).flatten()
            if len(wrong) and len(examples) < max_examples:
                wrong = wrong[: max_examples - len(examples)]
                for sequence, true, guess, p in zip(
                    data.decode(x[wrong], lengths[wrong]), y[wrong].tolist(), predicted[wrong].tolist(),
                    probabilities[wrong, predicted[wrong]].tolist(),
                ):
                    examples.append(Misclassified(sequence, classes[true], classes[guess], p))
    n_total = int(confusion.sum())
    if n_total == 0:
        raise ValueError("data must hold at least one batch")
    n_right = int(confusion.diagonal().sum())
    return Evaluation(n_right / n_total, confusion, examples, n_total - n_right, n_total)


def plot_histories(histories: dict[str, History], ax: Any = None, *, metric: str = "accuracy", x: str = "epoch") -> Any:
    """Plot the training (dashed) and held-out (solid) ``metric`` of several runs on one axis; return the axis."""
    import matplotlib.pyplot as plt

    check_choice(metric, "metric", ("accuracy", "loss"))
    check_choice(x, "x", ("epoch", "examples_seen"))
    check_axes(ax, optional=True)
    if not isinstance(histories, dict) or not histories or not all(isinstance(h, History) for h in histories.values()):
        raise ValueError("histories must be a non-empty dict {label: History}")
    if ax is None:
        _, ax = plt.subplots()
    for index, (label, history) in enumerate(histories.items()):
        xs = getattr(history, x)
        color = f"C{index}"
        ax.plot(xs, getattr(history, f"train_{metric}"), "--", color=color, alpha=0.7, label=f"{label} (train)")
        if getattr(history, f"eval_{metric}"):
            ax.plot(xs, getattr(history, f"eval_{metric}"), "-", color=color, label=f"{label} (held-out)")
    ax.set_xlabel("epoch" if x == "epoch" else "training examples seen")
    ax.set_ylabel(metric)
    if metric == "accuracy":
        ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    return ax
