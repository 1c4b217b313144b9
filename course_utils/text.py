"""Public-domain texts shipped with the course (no downloads at run time).

``alice``: Lewis Carroll, *Alice's Adventures in Wonderland* (1865), chapters
I to V, from Project Gutenberg eBook #11 (https://www.gutenberg.org/ebooks/11),
the Millennium Fulcrum Edition 3.0 text. The work is in the public domain; the
file holds only the book's text, without Project Gutenberg's licence header.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

__all__ = ["TextInfo", "TEXTS", "load_text"]


@dataclass(frozen=True)
class TextInfo:
    """Where a shipped text comes from and why the course may ship it."""

    file: str
    title: str
    author: str
    year: int
    source: str
    license: str


TEXTS: dict[str, TextInfo] = {
    "alice": TextInfo(
        file="alice.txt",
        title="Alice's Adventures in Wonderland, chapters I-V",
        author="Lewis Carroll",
        year=1865,
        source="Project Gutenberg eBook #11, https://www.gutenberg.org/ebooks/11",
        license="public domain",
    ),
}


def load_text(name: str = "alice") -> str:
    """Return the full text of the shipped text `name` (see :data:`TEXTS`)."""
    if name not in TEXTS:
        raise ValueError(f"name must be one of {sorted(TEXTS)}, got {name!r}")
    return resources.files("course_utils").joinpath("data", TEXTS[name].file).read_text(encoding="utf-8")
