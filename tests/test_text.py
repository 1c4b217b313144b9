"""course_utils.text: the shipped public-domain texts."""

import numpy as np
import pytest
import torch

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


def test_vocabulary_round_trip_and_one_hot():
    from course_utils.text import Vocabulary

    vocab = Vocabulary.from_text("hello world")
    assert vocab.symbols == tuple(sorted(set("hello world")))
    ids = vocab.encode("low")
    assert ids.dtype == torch.int64 and ids.shape == (3,)
    assert vocab.decode(ids) == "low" and vocab.decode([]) == ""
    one_hot = vocab.one_hot("low")
    assert one_hot.shape == (3, len(vocab)) and one_hot.dtype == torch.float32
    assert torch.equal(one_hot.argmax(dim=1), ids) and torch.equal(one_hot.sum(dim=1), torch.ones(3))


def test_vocabulary_unknown_characters():
    from course_utils.text import Vocabulary

    strict = Vocabulary("helo")
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['x', 'y'\]"):
        strict.encode("hexy")
    lenient = Vocabulary("helo", unknown="?")
    assert lenient.decode(lenient.encode("hexy")) == "he??"
    assert lenient.unseen("hexyx") == ["x", "y"]


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (["ab", "c"], {}, "single characters"),
        (["a", "a"], {}, "distinct"),
        ([[]], {}, "at least one"),
        (["ab"], {"unknown": "?", "start": "?"}, "different"),
    ],
)
def test_vocabulary_rejects_bad_symbols(args, kwargs, match):
    from course_utils.text import Vocabulary

    symbols = args if len(args) > 1 else args[0]
    with pytest.raises(ValueError, match=match):
        Vocabulary(symbols, **kwargs)


def test_vocabulary_rejects_bad_indices_and_text():
    from course_utils.text import Vocabulary

    vocab = Vocabulary("ab")
    with pytest.raises(ValueError, match="indices must lie in"):
        vocab.decode([0, 2])
    with pytest.raises(ValueError, match="1-D sequence of integers"):
        vocab.decode(torch.zeros(2, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="1-D sequence of integers"):
        vocab.decode(np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="text must be a str"):
        vocab.encode(["a"])
    with pytest.raises(ValueError, match="non-empty string"):
        Vocabulary.from_text("")


def test_messages_are_a_small_clean_labelled_set():
    from course_utils.text import load_labelled

    pairs = load_labelled("messages")
    assert 150 <= len(pairs) <= 300
    labels = [label for label, _ in pairs]
    assert set(labels) == {"spam", "ham"}
    assert 0.35 < labels.count("spam") / len(labels) < 0.5
    texts = [text for _, text in pairs]
    assert len(set(texts)) == len(texts), "every message is distinct"
    assert all(0 < len(t) <= 120 and t == t.strip() and t.isascii() and t.isprintable() for t in texts)
    info = TEXTS["messages"]
    assert info.source == "written for this course" and info.license == "public domain (CC0)"
    assert info.labels == ("ham", "spam")


def test_parse_labelled_reads_tab_separated_lines():
    from course_utils.text import parse_labelled

    assert parse_labelled("spam\tWIN now\nham\tsee you at 6\n", ["ham", "spam"]) == [("spam", "WIN now"), ("ham", "see you at 6")]


@pytest.mark.parametrize(
    "text, match",
    [
        ("spam WIN now", r"line 1 must be 'label<TAB>text'"),
        ("ham\tok\nspam\t", r"line 2 must be 'label<TAB>text' with a non-empty text"),
        ("ham\ta\tb", r"line 1 must be"),
        ("eggs\thello", r"line 1 has label 'eggs'; labels must be one of \['ham', 'spam'\]"),
        ("", "at least one"),
    ],
)
def test_parse_labelled_rejects_malformed_lines(text, match):
    from course_utils.text import parse_labelled

    with pytest.raises(ValueError, match=match):
        parse_labelled(text, ("ham", "spam"))


def test_parse_labelled_rejects_bad_arguments():
    from course_utils.text import parse_labelled

    with pytest.raises(TypeError, match="text must be a str"):
        parse_labelled(b"ham\thi", ["ham"])
    with pytest.raises(ValueError, match="labels must be a non-empty collection"):
        parse_labelled("ham\thi", [])


def test_load_labelled_rejects_plain_texts_and_unknown_names():
    from course_utils.text import load_labelled

    with pytest.raises(ValueError, match=r"labelled set, one of \['messages'\]; 'alice' is plain text"):
        load_labelled("alice")
    with pytest.raises(ValueError, match="name must be one of"):
        load_labelled("inbox")
