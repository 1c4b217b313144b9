"""Conventions every course notebook follows (nbval itself checks that they run and match).

* stored exactly as ``make execute`` leaves them (a clean run, normalised);
* the skeleton: title and summary, what you will learn, prerequisites, numbered
  sections, self-check questions with collapsed answers, summary, further reading;
* slide metadata on every cell, so the notebook is also the instructor's deck;
* the first code cell calls ``course_utils.setup(seed=...)``;
* every image it references exists under ``img/``; nothing is fetched from the web;
* a cell whose output nbval ignores is followed by a cell that asserts its claim;
* the README's syllabus lists it.
"""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from course_utils import nbtools

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CASES = sorted((ROOT / "tests" / "nbval_cases").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "notes", "skip", "-"}
#: The skeleton's sections, in order, as (name, pattern matching the ## heading).
SKELETON = [
    ("what you will learn", r"what you will learn"),
    ("prerequisites", r"prerequisites"),
    ("numbered sections", r"\d+\.\s+\S"),
    ("self-check questions", r"self-check"),
    ("summary", r"summary"),
    ("further reading", r"further reading"),
]
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)|<img[^>]*\bsrc=[\"']([^\"']+)[\"']")


def load(path):
    return nbformat.read(path, as_version=4)


def ids(paths):
    return [p.name for p in paths]


def level2_headings(nb):
    return [
        line[3:].strip()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]


def test_there_are_notebooks_numbered_from_01_without_gaps():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    for path in NOTEBOOKS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: expected NN_snake_case.ipynb"
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(NOTEBOOKS) + 1)), f"notebook numbers {numbers} are not 01..{len(NOTEBOOKS):02d}"


@pytest.mark.parametrize("path", NOTEBOOKS + CASES, ids=ids(NOTEBOOKS + CASES))
def test_stored_as_a_clean_normalised_run(path):
    assert nbtools.problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_skeleton(path):
    nb = load(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "the first cell must be the title (# ...)"
    summary = [line for line in first.source.splitlines()[1:] if line.strip() and not line.startswith("#")]
    assert summary, "the title cell needs a one-paragraph summary under the title"
    headings = [h.lower() for h in level2_headings(nb)]
    position = -1
    for name, pattern in SKELETON:
        found = [i for i, h in enumerate(headings) if re.match(pattern, h) and i > position]
        assert found, f"missing (or out of order) section: {name}; ## headings are {level2_headings(nb)}"
        position = found[0]
    numbered = [int(re.match(r"(\d+)\.", h)[1]) for h in headings if re.match(r"\d+\.\s", h)]
    assert numbered == list(range(1, len(numbered) + 1)), f"numbered sections {numbered} are not 1..n"
    assert len(numbered) >= 2, "a lecture has at least two numbered sections"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_self_check_answers_are_collapsed(path):
    nb = load(path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    self_check = re.split(r"^## self-check.*$", text, flags=re.I | re.M)[1]
    self_check = re.split(r"^## ", self_check, flags=re.M)[0]
    answers = re.findall(r"<details>\s*<summary>.*?</summary>.+?</details>", self_check, flags=re.S)
    assert len(answers) >= 3, "the self-check section needs at least three questions with <details> answers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_cell_has_slide_metadata(path):
    nb = load(path)
    missing = [i for i, c in enumerate(nb.cells) if c.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]
    assert not missing, f"cells {missing} have no valid slideshow.slide_type"
    assert nb.cells[0].metadata.slideshow.slide_type == "slide"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_first_code_cell_calls_setup(path):
    code = [c for c in load(path).cells if c.cell_type == "code"]
    assert code and re.search(r"course_utils\.setup\(seed=\d+", code[0].source), (
        "the first code cell must call course_utils.setup(seed=...)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_images_exist_under_img_and_nothing_is_remote(path):
    nb = load(path)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for match in IMAGE_LINK.finditer(cell.source):
            target = match[1] or match[2]
            assert not re.match(r"[a-z]+://", target), f"remote image {target}: the course works offline"
            resolved = (path.parent / target).resolve()
            assert resolved.is_relative_to(ROOT / "img"), f"{target} is not under img/"
            assert resolved.is_file(), f"{target} does not exist"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_ignored_outputs_are_followed_by_a_check(path):
    cells = load(path).cells
    for i, cell in enumerate(cells):
        tags = cell.metadata.get("tags", [])
        assert "nbval-skip" not in tags and "NBVAL_SKIP" not in cell.source, f"cell {i} is skipped: no skipped cells"
        if cell.cell_type == "code" and ("nbval-ignore-output" in tags or "NBVAL_IGNORE_OUTPUT" in cell.source):
            following = [c for c in cells[i + 1 :] if c.cell_type == "code"][:1]
            assert following and re.search(r"^\s*assert\b", following[0].source, re.M), (
                f"cell {i} ignores its output under nbval; the next code cell must assert what it claims"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_readme_syllabus_lists_the_notebook(path):
    readme = (ROOT / "README.md").read_text()
    assert f"notebooks/{path.name}" in readme, f"README.md's syllabus does not link notebooks/{path.name}"


def test_pytest_runs_nbval_strictly_over_the_notebooks():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in config["testpaths"]
    assert "--nbval" in config["addopts"] and "--nbval-current-env" in config["addopts"]
    assert not any("lax" in option for option in config["addopts"])
    assert any(o.startswith("--nbval-cell-timeout") for o in config["addopts"])
