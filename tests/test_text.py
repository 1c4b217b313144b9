"""course_utils.text: the shipped public-domain texts."""

import pytest

from course_utils.text import TEXTS, load_text


def test_alice_is_shipped_whole_and_clean():
    text = load_text("alice")
    assert text.startswith("CHAPTER I.\nDown the Rabbit-Hole")
    assert "CHAPTER V.\nAdvice from a Caterpillar" in text
    assert 50_000 < len(text) < 70_000
    assert "Gutenberg" not in text and "\r" not in text
    assert TEXTS["alice"].license == "public domain"


def test_unknown_text_is_rejected():
    with pytest.raises(ValueError, match="name must be one of"):
        load_text("hamlet")
