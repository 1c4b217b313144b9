"""Public-domain texts shipped with the course, and a character vocabulary for them.

No downloads at run time: the texts live in ``course_utils/data/``.

``alice``: Lewis Carroll, *Alice's Adventures in Wonderland* (1865), chapters
I to V, from Project Gutenberg eBook #11 (https://www.gutenberg.org/ebooks/11),
the Millennium Fulcrum Edition 3.0 text. The work is in the public domain; the
file holds only the book's text, without Project Gutenberg's licence header.

``messages``: 210 short text messages, each labelled ``spam`` or ``ham`` (not
spam), written for this course (no message is taken from a real inbox or an
existing corpus) and dedicated to the public domain (CC0). It is the labelled
set of the spam-classifier challenge of the reference lecture slides
(``003_2009cc42fbf6608c.txt``, "Challenge: email spam classifier"). One message
per line, ``label<TAB>text``; read it with :func:`load_labelled`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.checks import check_str

__all__ = ["TextInfo", "TEXTS", "load_text", "parse_labelled", "load_labelled", "Vocabulary"]


@dataclass(frozen=True)
class TextInfo:
    """Where a shipped text comes from and why the course may ship it."""

    file: str
    title: str
    author: str
    year: int
    source: str
    license: str
    #: For a labelled set (one ``label<TAB>text`` per line), the labels it may use; empty for plain text.
    labels: tuple[str, ...] = ()


TEXTS: dict[str, TextInfo] = {
    "alice": TextInfo(
        file="alice.txt",
        title="Alice's Adventures in Wonderland, chapters I-V",
        author="Lewis Carroll",
        year=1865,
        source="Project Gutenberg eBook #11, https://www.gutenberg.org/ebooks/11",
        license="public domain",
    ),
    "messages": TextInfo(
        file="messages.txt",
        title="Short text messages labelled spam or ham",
        author="the authors of this course",
        year=2026,
        source="written for this course",
        license="public domain (CC0)",
        labels=("ham", "spam"),
    ),
}


def load_text(name: str = "alice") -> str:
    """Return the full text of the shipped text `name` (see :data:`TEXTS`)."""
    if not isinstance(name, str) or name not in TEXTS:
        raise ValueError(f"name must be one of {sorted(TEXTS)}, got {name!r}")
    return resources.files("course_utils").joinpath("data", TEXTS[name].file).read_text(encoding="utf-8")


def parse_labelled(text: str, labels: Iterable[str]) -> list[tuple[str, str]]:
    """The (label, text) pairs of `text`, one ``label<TAB>text`` per line; every label must be one of `labels`."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if isinstance(labels, str) or not isinstance(labels, Iterable):
        raise TypeError(f"labels must be a collection of label strings such as ('ham', 'spam'), got {labels!r}")
    labels = tuple(labels)
    if not labels or not all(isinstance(label, str) and label for label in labels):
        raise ValueError(f"labels must be a non-empty collection of non-empty strings, got {labels!r}")
    pairs = []
    # Lines end at "\n" only (a "\r" before it is dropped): str.splitlines would also cut a message at
    # characters such as "\x85" or "\u2028" and report line numbers that are not the file's.
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    for number, line in enumerate((line.removesuffix("\r") for line in lines), start=1):
        fields = line.split("\t")
        if len(fields) != 2 or not fields[1].strip():
            raise ValueError(f"line {number} must be 'label<TAB>text' with a non-empty text, got {line[:60]!r}")
        label, message = fields
        if label not in labels:
            raise ValueError(f"line {number} has label {label!r}; labels must be one of {list(labels)}")
        pairs.append((label, message))
    if not pairs:
        raise ValueError("text must hold at least one 'label<TAB>text' line")
    return pairs


def load_labelled(name: str = "messages") -> list[tuple[str, str]]:
    """The (label, text) pairs of the shipped labelled set `name`, in file order (see :data:`TEXTS`)."""
    if not isinstance(name, str) or name not in TEXTS:
        raise ValueError(f"name must be one of {sorted(TEXTS)}, got {name!r}")
    info = TEXTS[name]
    if not info.labels:
        labelled = sorted(n for n, i in TEXTS.items() if i.labels)
        raise ValueError(f"name must be a labelled set, one of {labelled}; {name!r} is plain text (use load_text)")
    return parse_labelled(load_text(name), info.labels)


class Vocabulary:
    """Characters to indices and back (one-hot too), with an optional unknown and start symbol."""

    def __init__(self, symbols: Iterable[str], unknown: str | None = None, start: str | None = None) -> None:
        """Index `symbols` in the order given; `unknown` stands for unseen characters, `start` begins generation."""
        if isinstance(symbols, str):
            symbols = list(symbols)
        if not isinstance(symbols, Iterable):
            raise TypeError(f"symbols must be a string or an iterable of single characters, got {type(symbols).__name__}")
        symbols = list(symbols)
        for name, extra in (("unknown", unknown), ("start", start)):
            if extra is not None and (not isinstance(extra, str) or len(extra) != 1):
                raise ValueError(f"{name} must be a single character or None, got {extra!r}")
        for name, extra in (("unknown", unknown), ("start", start)):
            if extra is not None and extra not in symbols:
                symbols.append(extra)
        bad = [s for s in symbols if not isinstance(s, str) or len(s) != 1]
        if bad:
            raise ValueError(f"symbols must be single characters, got {bad[:5]}")
        if len(set(symbols)) != len(symbols):
            duplicates = sorted({s for s in symbols if symbols.count(s) > 1})
            raise ValueError(f"symbols must be distinct, got duplicates {duplicates}")
        if not symbols:
            raise ValueError("symbols must hold at least one character")
        if unknown is not None and unknown == start:
            raise ValueError(f"unknown and start must be different symbols, got {unknown!r} for both")
        self.symbols: tuple[str, ...] = tuple(symbols)
        self.unknown = unknown
        self.start = start
        self._index = {s: i for i, s in enumerate(self.symbols)}

    @classmethod
    def from_text(cls, text: str, unknown: str | None = None, start: str | None = None) -> Vocabulary:
        """The sorted distinct characters of `text` (plus `unknown` / `start` if given)."""
        if not isinstance(text, str) or not text:
            raise ValueError(f"text must be a non-empty string, got {type(text).__name__} of length {len(text) if isinstance(text, str) else '?'}")
        return cls(sorted(set(text)), unknown=unknown, start=start)

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._index

    def __repr__(self) -> str:
        shown = "".join(self.symbols[:20]) + ("..." if len(self) > 20 else "")
        return f"Vocabulary({len(self)} symbols: {shown!r}, unknown={self.unknown!r}, start={self.start!r})"

    def unseen(self, text: str) -> list[str]:
        """The distinct characters of `text` that are not in the vocabulary, in order of first appearance."""
        check_str(text, "text")
        return list(dict.fromkeys(ch for ch in text if ch not in self._index))

    def encode(self, text: str) -> torch.Tensor:
        """Indices of the characters of `text`, an int64 tensor of shape (len(text),)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        missing = self.unseen(text)
        if missing and self.unknown is None:
            raise ValueError(f"text has characters not in the vocabulary: {missing[:10]} (build the vocabulary with unknown=... to map them)")
        fallback = self._index.get(self.unknown, -1)
        return torch.tensor([self._index.get(ch, fallback) for ch in text], dtype=torch.int64)

    def decode(self, indices: torch.Tensor | np.ndarray | Iterable[int]) -> str:
        """The characters of a 1-D sequence of indices."""
        if not isinstance(indices, (torch.Tensor, np.ndarray)):
            if isinstance(indices, (str, bytes)) or not isinstance(indices, Iterable):
                raise TypeError(f"indices must be a 1-D sequence of integers, got {type(indices).__name__}")
            indices = list(indices)
            if not indices:
                return ""
        try:
            array = np.asarray(indices) if not isinstance(indices, torch.Tensor) else None
        except (ValueError, TypeError):
            raise ValueError("indices must be a 1-D sequence of integers, got a ragged or mixed sequence") from None
        if array is not None and array.dtype.kind not in "iu":
            raise ValueError(f"indices must be a 1-D sequence of integers, got shape {array.shape} dtype {array.dtype}")
        values = torch.as_tensor(array if array is not None else indices)
        if values.ndim != 1 or values.is_floating_point() or values.is_complex() or values.dtype == torch.bool:
            raise ValueError(f"indices must be a 1-D sequence of integers, got shape {tuple(values.shape)} dtype {values.dtype}")
        if len(values) and (int(values.min()) < 0 or int(values.max()) >= len(self)):
            raise ValueError(f"indices must lie in [0, {len(self)}), got min {int(values.min())}, max {int(values.max())}")
        return "".join(self.symbols[i] for i in values.tolist())

    def one_hot(self, text: str) -> torch.Tensor:
        """One-hot rows of the characters of `text`, float32 of shape (len(text), len(self))."""
        return F.one_hot(self.encode(text), num_classes=len(self)).to(torch.float32)
