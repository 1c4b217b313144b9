"""The decks and the site as files: complete, offline, and faithful to the slide metadata.

What a browser makes of them is checked in tests/test_browser.py; here the built
HTML is read as text: every notebook has a deck and a page, nothing is loaded
from the network, every local file a page refers to exists, set-up cells
(``skip``) are left out and ``notes`` cells become reveal.js speaker notes.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from course_utils import publish

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = publish.course_notebooks()
#: (tag, attribute) pairs through which a page loads something.
LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"), ("audio", "src")}


class _Links(HTMLParser):
    """Collects the URLs a page loads and the URLs it links to."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.anchors: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in LOADING:
                self.loads.append(value)
            elif tag == "a" and name == "href":
                self.anchors.append(value)


def links(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def is_remote(url: str) -> bool:
    return url.startswith("//") or urlsplit(url).scheme not in {"", "data", "file"}


def local_target(page: Path, url: str) -> Path:
    return (page.parent / unquote(urlsplit(url).path)).resolve()


def slide_types(path: Path) -> list[tuple[str, str]]:
    """(cell id, slide type) of every cell of a notebook."""
    nb = nbformat.read(path, as_version=4)
    return [(cell.id, cell.metadata.get("slideshow", {}).get("slide_type", "-")) for cell in nb.cells]


def html_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html") if "vendor" not in p.relative_to(folder).parts)


@pytest.mark.parametrize("what", ["slides", "site"])
def test_every_notebook_is_built(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    built = {p.name for p in (folder / "notebooks").iterdir()}
    expected = {f"{p.stem}.slides.html" for p in NOTEBOOKS}
    if what == "site":
        expected |= {f"{p.stem}.html" for p in NOTEBOOKS}
    assert built == expected
    assert (folder / "index.html").is_file()
    assert sorted(p.name for p in (folder / "img").iterdir()) == sorted(p.name for p in (ROOT / "img").iterdir())


@pytest.mark.parametrize("what", ["slides", "site"])
def test_nothing_is_loaded_from_the_network(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    for page in html_files(folder):
        remote = [url for url in links(page).loads if is_remote(url)]
        assert not remote, f"{page.name} loads {remote[:3]}"
        text = page.read_text(encoding="utf-8")
        assert "mermaid" not in text.lower(), f"{page.name} still has nbconvert's mermaid script"
        assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", text), f"{page.name}: CSS loads from the network"
    for css in (folder / "vendor").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", text), f"{css.name}: CSS loads from the network"
    theme = (folder / "vendor/reveal.js/dist/theme" / f"{publish.THEME}.css").read_text(encoding="utf-8")
    assert "@import" not in theme and "@font-face" not in theme, "the deck's theme must use no web font"


@pytest.mark.parametrize("what", ["slides", "site"])
def test_every_local_file_a_page_needs_or_links_exists(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    for page in html_files(folder):
        found = links(page)
        for url in found.loads + found.anchors:
            if is_remote(url) or url.startswith(("#", "data:", "mailto:")):
                continue
            target = local_target(page, url)
            assert target.is_file(), f"{page.relative_to(folder)} refers to {url}, which is not in the build"
            assert folder.resolve() in target.parents, f"{page.name} refers to {url}, outside the build folder"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_skip_cells_are_left_out_and_notes_become_speaker_notes(path, built_slides):
    deck = (built_slides / "notebooks" / f"{path.stem}.slides.html").read_text(encoding="utf-8")
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', deck, flags=re.S)
    shown_ids = set(re.findall(r'id="cell-id=([^"]+)"', deck))
    note_ids = {cell_id for block in notes for cell_id in re.findall(r'id="cell-id=([^"]+)"', block)}
    for cell_id, kind in slide_types(path):
        if kind == "skip":
            assert cell_id not in shown_ids, f"skip cell {cell_id} is in the deck"
        elif kind == "notes":
            assert cell_id in note_ids, f"notes cell {cell_id} is not a speaker note"
        else:
            assert cell_id in shown_ids and cell_id not in note_ids, f"cell {cell_id} ({kind}) is not on a slide"


@pytest.mark.parametrize("what", ["slides", "site"])
def test_index_lists_every_lecture_in_order(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    index = folder / "index.html"
    text = index.read_text(encoding="utf-8")
    positions = []
    for path in NOTEBOOKS:
        info = publish.lecture(path)
        assert f'id="lecture-{info.number}"' in text and html.escape(info.title) in text
        positions.append(text.index(f'id="lecture-{info.number}"'))
        anchors = links(index).anchors
        assert f"notebooks/{path.stem}.slides.html" in anchors
        if what == "site":
            assert f"notebooks/{path.stem}.html" in anchors
    assert positions == sorted(positions)


def test_site_pages_link_back_to_the_index_and_to_their_deck(built_site):
    for path in NOTEBOOKS:
        anchors = links(built_site / "notebooks" / f"{path.stem}.html").anchors
        assert "../index.html" in anchors and f"{path.stem}.slides.html" in anchors


def test_npm_packages_are_pinned_exactly_and_locked():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"package.json: {name} {version!r} is not an exact version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, f"package-lock.json disagrees on {name}"
    assert set(package["dependencies"]) == {"reveal.js", "requirejs", "jquery", "mathjax"}
    assert package["dependencies"]["mathjax"].startswith("2."), "nbconvert's templates call the MathJax 2 API"
    assert not any("resolved" in entry for entry in lock["packages"].values()), "the lock file must not name a registry"


def test_lecture_reads_number_title_and_summary():
    info = publish.lecture(ROOT / "notebooks" / "01_motivation.ipynb")
    assert (info.number, info.stem) == ("01", "01_motivation")
    assert info.title and "\n\n" not in info.summary and len(info.summary) > 40


def test_lecture_rejects_a_notebook_without_a_numbered_title(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# No number\n\nText.")])
    path = tmp_path / "01_bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="path: 01_bad.ipynb must start with"):
        publish.lecture(path)


@pytest.mark.parametrize("bad", ["missing.ipynb", "README.md"])
def test_lecture_rejects_what_is_not_a_notebook(bad):
    with pytest.raises(ValueError, match="path must be an existing .ipynb file"):
        publish.lecture(ROOT / bad)


def test_course_notebooks_finds_numbered_notebooks_only(tmp_path):
    for name in ["02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "1_c.ipynb"]:
        (tmp_path / name).write_text("{}")
    assert [p.name for p in publish.course_notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb"]
    with pytest.raises(ValueError, match="directory must be an existing folder"):
        publish.course_notebooks(tmp_path / "nowhere")


def test_export_rejects_an_unknown_kind(tmp_path):
    with pytest.raises(ValueError, match="kind must be 'slides' or 'html'"):
        publish.export_notebooks("pdf", NOTEBOOKS, tmp_path)


def test_copy_vendor_says_how_to_install_missing_libraries(tmp_path):
    with pytest.raises(FileNotFoundError, match="npm ci"):
        publish.copy_vendor(tmp_path / "out", node_modules=tmp_path / "node_modules")


def test_build_refuses_a_file_as_output_and_an_empty_list(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    with pytest.raises(ValueError, match="out must be a folder"):
        publish.build_slides(target)
    assert target.read_text() == "keep me"
    with pytest.raises(ValueError, match="notebooks must name at least one notebook"):
        publish.build_site(tmp_path / "site", notebooks=[])


def test_build_does_not_empty_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="out must be empty or an earlier build"):
        publish.build_slides(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("kind, suffix", [("html", ".html"), ("slides", ".slides.html")])
def test_links_between_lectures_lead_to_the_built_files(tmp_path, kind, suffix):
    for number, text in [("01", "See [the next one](02_b.ipynb#Top) and [the same](./01_a.ipynb)."), ("02", "Last.")]:
        cell = nbformat.v4.new_markdown_cell(f"# {number} · Lecture\n\n{text}")
        cell.metadata["slideshow"] = {"slide_type": "slide"}
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / f"{number}_{'ab'[int(number) - 1]}.ipynb")
    [page] = publish.export_notebooks(kind, [tmp_path / "01_a.ipynb"], tmp_path / "out")
    anchors = links(page).anchors
    assert f"02_b{suffix}#Top" in anchors and f"01_a{suffix}" in anchors
    assert not any(".ipynb" in a for a in anchors)


@pytest.mark.parametrize("what", ["slides", "site"])
def test_no_widget_leaves_its_python_repr_on_a_page(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    for page in html_files(folder / "notebooks"):
        assert "interactive(children=" not in page.read_text(encoding="utf-8"), page.name


def test_widget_text_becomes_a_note_and_other_text_stays():
    widget = nbformat.v4.new_output("display_data", data={"text/plain": "interactive(children=(IntSlider(value=3),))"})
    slider = nbformat.v4.new_output("display_data", data={"text/plain": "FloatSlider(value=1.0, min=0.0)"})
    plain = nbformat.v4.new_output("execute_result", data={"text/plain": "Counter({'a': 3})"}, execution_count=1)
    text = nbformat.v4.new_output("stream", text="interactive(children=...) is printed, not displayed")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[widget, slider, plain, text])])
    outputs = publish.without_widget_text(nb).cells[0].outputs
    assert [publish.WIDGET_NOTE in o.get("data", {}).get("text/html", "") for o in outputs] == [True, True, False, False]
    assert nb.cells[0].outputs[0].data == {"text/plain": "interactive(children=(IntSlider(value=3),))"}, "input changed"
    with pytest.raises(TypeError, match="nb must be an nbformat.NotebookNode"):
        publish.without_widget_text({"cells": []})


# ---------------------------------------------------------------- navigation, alt text, slide splitting (issue 16)


def test_every_page_links_to_the_lectures_before_and_after_it(built_site):
    stems = [p.stem for p in NOTEBOOKS]
    for i, stem in enumerate(stems):
        text = (built_site / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
        rel = lambda kind: [re.search(r'href="([^"]+)"', a)[1] for a in re.findall(rf'<a [^>]*rel="{kind}"[^>]*>', text)]  # noqa: E731
        prev, following = rel("prev"), rel("next")
        assert prev == ([f"{stems[i - 1]}.html"] * 2 if i > 0 else []), f"{stem}: previous links {prev}"
        assert following == ([f"{stems[i + 1]}.html"] * 2 if i + 1 < len(stems) else []), f"{stem}: next links {following}"


@pytest.mark.parametrize("what", ["slides", "site"])
def test_every_deck_links_back_to_the_index(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    for path in NOTEBOOKS:
        assert "../index.html" in links(folder / "notebooks" / f"{path.stem}.slides.html").anchors, path.name


@pytest.mark.parametrize("what", ["slides", "site"])
def test_every_notebook_mention_in_the_prose_is_a_link(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    suffix = ".slides.html" if what == "slides" else ".html"
    targets = {publish.lecture(p).number: f"{p.stem}{suffix}" for p in NOTEBOOKS}
    linked = 0
    for path in NOTEBOOKS:
        text = (folder / "notebooks" / f"{path.stem}{suffix}").read_text(encoding="utf-8")
        number = publish.lecture(path).number
        assert publish.link_mentions(text, targets, own=number) == text, f"{path.name}: a 'notebook NN' is not linked"
        linked += text.count('class="course-mention"')
    assert linked > 0, "no notebook mentions another: the check above checked nothing"


def test_link_mentions_links_prose_only():
    body = ('<p>See notebook 05 and Notebook 7, not notebook 99.</p><pre>notebook 05</pre>'
            '<a href="x">notebook 05</a><p>This is notebook 01.</p>')
    out = publish.link_mentions(body, {"05": "05_a.html", "07": "07_b.html", "01": "01_c.html"}, own="01")
    assert out.count('href="05_a.html"') == 1 and out.count('href="07_b.html"') == 1
    assert "<pre>notebook 05</pre>" in out and '<a href="x">notebook 05</a>' in out and "notebook 99." in out
    assert "This is notebook 01." in out


def test_the_site_index_says_how_to_get_and_run_the_course(built_site):
    text = (built_site / "index.html").read_text(encoding="utf-8")
    for needed in ["make lab", "make test", "Python 3.11", "exercise", "solution"]:
        assert needed in text, f"the index does not mention {needed!r}"


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


@pytest.mark.parametrize("what", ["slides", "site"])
def test_every_figure_has_alt_text(what, built_slides, built_site):
    folder = built_slides if what == "slides" else built_site
    for page in html_files(folder / "notebooks"):
        parser = _Images()
        parser.feed(page.read_text(encoding="utf-8"))
        bad = [alt for alt in parser.alts if not alt or not alt.strip() or alt.startswith("No description")]
        assert parser.alts and not bad, f"{page.name}: {len(bad)} of {len(parser.alts)} figures lack alt text"


def test_alt_text_comes_from_the_output_then_from_the_code():
    source = 'fig, ax = plt.subplots()\nax.plot(x, label="train")\nax.set(xlabel="epoch", ylabel="loss", title="Training")'
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    own = nbformat.v4.new_output("display_data", data={"image/png": png}, metadata={"image/png": {"alt": "Mine."}})
    bare = nbformat.v4.new_output("display_data", data={"image/png": png})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source, outputs=[own, bare])])
    outputs = publish.with_alt_text(nb).cells[0].outputs
    assert outputs[0].metadata["image/png"]["alt"] == "Mine."
    assert outputs[1].metadata["image/png"]["alt"] == "Figure: Training. loss against epoch. showing train."
    assert "alt" not in nb.cells[0].outputs[1].get("metadata", {}).get("image/png", {}), "the input changed"
    assert publish.alt_from_source("print(1)") == ""


def test_a_slide_much_taller_than_the_deck_continues_on_a_sub_slide():
    cells = [nbformat.v4.new_markdown_cell("# Title")] + [
        nbformat.v4.new_code_cell("\n".join(f"x{i} = {i}" for i in range(8))) for _ in range(6)]
    for cell, kind in zip(cells, ["slide", "-", "fragment", "-", "-", "-", "-"]):
        cell.metadata["slideshow"] = {"slide_type": kind}
    nb = nbformat.v4.new_notebook(cells=cells)
    kinds = [c.metadata.slideshow.slide_type for c in publish.split_tall_slides(nb, height=800).cells]
    assert kinds[0] == "slide" and "subslide" in kinds, kinds
    heights = [publish.estimated_height(c) for c in cells]
    starts = [i for i, k in enumerate(kinds) if k in {"slide", "subslide"}] + [len(cells)]
    for a, b in zip(starts, starts[1:]):
        assert sum(heights[a:b]) <= 800 or b - a == 1, f"cells {a}..{b - 1} are still too tall together"
    assert [c.metadata.slideshow.slide_type for c in nb.cells][2] == "fragment", "the input changed"
    for bad in ("800", float("nan"), 0, True):
        with pytest.raises(ValueError, match="height"):
            publish.split_tall_slides(nb, height=bad)
    with pytest.raises(TypeError, match="cell must be a notebook cell"):
        publish.estimated_height({"cell_type": "code"})


def test_the_site_publishes_the_student_edition(built_site):
    """student/ holds every notebook's student edition: stubs instead of solutions, linked both ways with the course."""
    from course_utils.exercises.student import stub_source

    student = built_site / "student"
    index_anchors = links(built_site / "index.html").anchors
    assert "student/index.html" in index_anchors
    student_anchors = links(student / "index.html").anchors
    assert "../index.html" in student_anchors
    for path in NOTEBOOKS:
        assert f"student/notebooks/{path.stem}.html" in index_anchors
        assert f"notebooks/{path.stem}.html" in student_anchors and f"../notebooks/{path.stem}.slides.html" in student_anchors
        page = student / "notebooks" / f"{path.stem}.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        anchors = links(page).anchors
        assert "../index.html" in anchors and f"../../notebooks/{path.stem}.slides.html" in anchors
        assert f"../../notebooks/{path.stem}.html" in anchors
        assert f"../student/notebooks/{path.stem}.html" in links(built_site / "notebooks" / f"{path.stem}.html").anchors
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "solution" in cell.metadata.get("tags", []):
                elsewhere = "\n".join(c.source + json.dumps(c.get("outputs", [])) for c in nb.cells if c is not cell)
                body = [line.strip() for line in cell.source.splitlines() if line.strip()]
                stub = {line.strip() for line in stub_source(cell.source).splitlines()}
                hidden = [line for line in body if line not in stub and len(line) > 25 and line not in elsewhere]
                assert hidden, f"{path.name}: solution {cell.id} has no line of its own beyond its stub"
                assert not any(line in text for line in hidden), f"{path.name}: the student page shows solution {cell.id}"
        assert text.count("raise NotImplementedError") >= sum(
            "solution" in c.metadata.get("tags", []) for c in nb.cells), f"{path.name}: a stub is missing"
