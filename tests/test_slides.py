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
