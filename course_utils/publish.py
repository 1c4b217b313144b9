"""Build the instructors' slide decks and the static course site, both usable offline.

``make slides`` runs ``python -m course_utils.publish slides _build/slides`` and
``make site`` runs ``python -m course_utils.publish site _build/site``. Each
notebook is exported with nbconvert's slides exporter (what ``jupyter nbconvert
--to slides`` runs) or its HTML exporter (``--to html``), with the exporters'
URL options pointing at local copies of reveal.js, require.js, jQuery and
MathJax 2 taken from the npm packages pinned in ``package.json`` /
``package-lock.json`` (``npm ci`` puts them in ``node_modules/``). Every URL is
relative, so a built folder still works when it is copied elsewhere (a USB
stick, a web server) and opened without a network:

    _build/slides/                      _build/site/
      index.html   list of the decks      index.html   the syllabus, with links
      notebooks/NN_name.slides.html       notebooks/NN_name.html and NN_name.slides.html
      img/         copy of img/           img/
      vendor/      the browser libraries  vendor/
                                          student/index.html, student/notebooks/NN_name.html, student/img/:
                                          the student edition (solutions replaced by stubs)

The folder mirrors the repository (``notebooks/`` next to ``img/``), so the
notebooks' ``../img/...`` links work unchanged, a link to another lecture
(``NN_name.ipynb``) is pointed at its page or deck, and the text a widget leaves
behind in a stored notebook (``interactive(children=(IntSlider(...``) becomes a
short note (a widget needs a running kernel; the static figure before it stays), and
"notebook NN" in the prose becomes a link to lecture NN. The template overrides in
``course_utils/templates/`` remove the mermaid script that nbconvert adds (it imports
mermaid from a CDN in every deck), put each figure's alt text on its ``<img>``
(``output.metadata["image/png"]["alt"]``, written by :func:`course_utils.plots.install_figure_formatter`;
an older output without one gets an alt text built from its cell's titles and labels,
:func:`with_alt_text`), give each page links to the index, its deck and the lectures
before and after it, and each deck a link back to the index. The reveal.js theme is
reveal's ``white`` without its web-font import, so no font is fetched from anywhere;
MathJax's own TeX fonts come with the local MathJax copy.

The decks are 1280 x 800 (reveal.js scales them to the screen) and made to present:
at export, a slide whose cells would be taller than the deck continues on a
sub-slide (:func:`split_tall_slides`, from the cells' lengths and figure sizes; the
notebook is not changed); in the browser, ``course_slides/deck.js`` fits each slide
after MathJax has typeset it: a line too wide gets a smaller font and wraps if it must,
a slide still too tall folds its longest code cells and outputs (a button shows the
rest), and a slide that is still too tall, or grows when an answer is opened, scrolls.
Speaker notes are left untypeset (the speaker view has no MathJax, and typeset maths
showed twice there).

Sources: nbconvert's documentation on reveal.js slide shows and on its
``--SlidesExporter.reveal_url_prefix``, ``--HTMLExporter.mathjax_url``,
``require_js_url`` and ``jquery_url`` options; reveal.js 4 and MathJax 2.7
documentation.

The site publishes both editions: the course as it is (solutions folded) and, under
``student/``, the student edition of :mod:`course_utils.exercises.student` (every
solution cell a stub, its check's output cleared), as pages that link to the course's
decks and to the same page of the other edition.
"""

from __future__ import annotations

import argparse
import copy
import html
import math
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_utils.checks import check_float

__all__ = [
    "ROOT",
    "Lecture",
    "course_notebooks",
    "lecture",
    "missing_browser_libraries",
    "copy_vendor",
    "without_widget_text",
    "without_progress_bars",
    "with_alt_text",
    "alt_from_source",
    "link_mentions",
    "estimated_height",
    "split_tall_slides",
    "export_notebooks",
    "build_slides",
    "build_site",
    "main",
]

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The reveal.js theme of the decks: reveal's ``white`` minus its web-font import.
THEME = "white-offline"
#: MathJax 2 configuration the nbconvert templates are written for (they call ``MathJax.Hub``).
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"
#: What each built folder needs from ``node_modules``: (source in node_modules, destination in vendor/).
#: MathJax 2 is copied in part: the one combined configuration, the TeX input, the
#: CommonHTML output with its TeX web fonts, and the extensions it loads on demand.
VENDOR = [
    ("reveal.js/dist/reveal.js", "reveal.js/dist/reveal.js"),
    ("reveal.js/dist/reveal.css", "reveal.js/dist/reveal.css"),
    ("reveal.js/plugin/notes/notes.js", "reveal.js/plugin/notes/notes.js"),
    ("reveal.js/LICENSE", "reveal.js/LICENSE"),
    ("requirejs/require.js", "require.js"),
    ("jquery/dist/jquery.min.js", "jquery.min.js"),
    ("mathjax/MathJax.js", "mathjax/MathJax.js"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax/config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax/extensions", "mathjax/extensions"),
    ("mathjax/jax/input/TeX", "mathjax/jax/input/TeX"),
    ("mathjax/jax/element", "mathjax/jax/element"),
    ("mathjax/jax/output/CommonHTML", "mathjax/jax/output/CommonHTML"),
    ("mathjax/jax/output/PreviewHTML", "mathjax/jax/output/PreviewHTML"),
    ("mathjax/fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff"),
    ("mathjax/fonts/HTML-CSS/TeX/otf", "mathjax/fonts/HTML-CSS/TeX/otf"),
    ("mathjax/localization/en", "mathjax/localization/en"),
]
#: Appended to the theme: the system's sans-serif font instead of the web font, headings as written.
THEME_OVERRIDES = """
/* course: no web font, headings as written */
:root {
  --r-main-font: system-ui, Helvetica, Arial, sans-serif;
  --r-heading-font: system-ui, Helvetica, Arial, sans-serif;
  --r-heading-text-transform: none;
}
"""
#: Where a deck or a page (in ``notebooks/``) finds the browser libraries: relative, so the folder can move.
VENDOR_URL = "../vendor"
#: File that marks a folder as a build, so that rebuilding may empty it.
MARKER = ".course-build"
NOTEBOOK_NAME = re.compile(r"\d\d_[a-z0-9_]+\.ipynb")
NOTEBOOK_LINK = re.compile(r'href="(?:\./)?(\d\d_[a-z0-9_]+)\.ipynb(#[^"]*)?"')
#: What a page or a deck shows in place of a widget (it needs a running kernel).
WIDGET_NOTE = "<p><em>[interactive widget: run the notebook in JupyterLab to use it]</em></p>"
TITLE = re.compile(r"#\s+(\d+)\s*·\s*(.+)")
#: What the deck template adds to every deck: the fitting script and its style (course_slides/deck.*).
DECK_JS = (TEMPLATES / "course_slides" / "deck.js").read_text(encoding="utf-8")
DECK_CSS = (TEMPLATES / "course_slides" / "deck.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Lecture:
    """One notebook of the course as the index pages list it."""

    path: Path
    number: str
    title: str
    summary: str

    @property
    def stem(self) -> str:
        """File name without ``.ipynb`` (``01_motivation``)."""
        return self.path.stem


def course_notebooks(directory: str | Path = ROOT / "notebooks") -> list[Path]:
    """Return the course notebooks (``NN_name.ipynb``) in ``directory``, in lecture order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory must be an existing folder, got {str(directory)!r}")
    return sorted(p for p in directory.glob("*.ipynb") if NOTEBOOK_NAME.fullmatch(p.name))


def _read(path: str | Path) -> tuple[Path, nbformat.NotebookNode]:
    """The path and the notebook stored there, which must be an existing ``.ipynb`` file."""
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    return path, nbformat.read(path, as_version=4)


def lecture(path: str | Path) -> Lecture:
    """Read the number, title and one-paragraph summary from a notebook's first cell (``# NN · Title``)."""
    path, nb = _read(path)
    return _lecture_of(nb, path)


def _lecture_of(nb: nbformat.NotebookNode, path: Path) -> Lecture:
    """The :class:`Lecture` of the notebook ``nb``, read from ``path``."""
    first = nb.cells[0] if nb.cells else None
    lines = first.source.strip().splitlines() if first is not None and first.cell_type == "markdown" else []
    match = TITLE.fullmatch(lines[0].strip()) if lines else None
    if match is None:
        raise ValueError(f"path: {path.name} must start with a markdown cell '# NN · Title', got {lines[:1]}")
    paragraphs = "\n".join(lines[1:]).strip().split("\n\n")
    return Lecture(path=path, number=match[1], title=match[2].strip(), summary=paragraphs[0].strip())


def missing_browser_libraries(node_modules: str | Path = ROOT / "node_modules") -> list[str]:
    """Return the files of :data:`VENDOR` that ``node_modules`` lacks (empty once ``npm ci`` has run)."""
    node_modules = Path(node_modules)
    return [source for source, _ in VENDOR if not (node_modules / source).exists()]


def copy_vendor(out: str | Path, node_modules: str | Path = ROOT / "node_modules") -> Path:
    """Copy the browser libraries into ``out/vendor`` (see :data:`VENDOR`), add the offline theme, return the folder."""
    missing = missing_browser_libraries(node_modules)
    if missing:
        raise FileNotFoundError(
            f"node_modules lacks {missing[:3]}{' ...' if len(missing) > 3 else ''}: run `npm ci` "
            "in the repository (make slides and make site do it; they need Node.js and npm)"
        )
    node_modules, vendor = Path(node_modules), Path(out) / "vendor"
    for source, destination in VENDOR:
        source, destination = node_modules / source, vendor / destination
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, destination)
    white = (node_modules / "reveal.js/dist/theme/white.css").read_text(encoding="utf-8")
    offline, imports = re.subn(r"@import url\([^)]*\);\s*", "", white)
    if imports != 1:
        raise RuntimeError(f"expected one @import (the web font) in reveal.js's white.css, found {imports}")
    theme = vendor / "reveal.js/dist/theme" / f"{THEME}.css"
    theme.parent.mkdir(parents=True, exist_ok=True)
    theme.write_text(offline + THEME_OVERRIDES, encoding="utf-8")
    return vendor


def without_widget_text(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` where a widget's leftover text (``interactive(children=...``) is a short note instead."""
    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"nb must be an nbformat.NotebookNode, got {type(nb).__name__}")
    import ipywidgets

    # The text stands for a widget once its view is stripped: the repr of an ipywidgets class.
    classes = sorted(n for n, o in vars(ipywidgets).items() if isinstance(o, type) and issubclass(o, ipywidgets.Widget))
    widget_text = re.compile(rf"({'|'.join(classes)})\(")
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if set(data) == {"text/plain"} and widget_text.match(str(data["text/plain"])):
                output["data"] = {"text/html": WIDGET_NOTE, "text/plain": "[interactive widget]"}
    return nb


def without_progress_bars(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without the training progress bars' outputs (:mod:`course_utils.progress`): live only."""
    from course_utils.progress import MARKER

    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"nb must be an nbformat.NotebookNode, got {type(nb).__name__}")
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if not o.get("metadata", {}).get(MARKER)]
    return nb


def _exporter(kind: str, vendor_url: str = VENDOR_URL):
    """An nbconvert exporter (``slides`` or ``html``) whose URLs point at ``vendor_url`` (default ``../vendor``)."""
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.require_js_url = f"{vendor_url}/require.js"
    config.HTMLExporter.jquery_url = f"{vendor_url}/jquery.min.js"
    config.HTMLExporter.mathjax_url = f"{vendor_url}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    if kind == "slides":
        config.SlidesExporter.template_name = "course_slides"
        config.SlidesExporter.reveal_url_prefix = f"{vendor_url}/reveal.js"
        config.SlidesExporter.reveal_theme = THEME
        config.SlidesExporter.reveal_number = "c/t"
        config.SlidesExporter.reveal_scroll = True
        config.SlidesExporter.reveal_width = "1280"
        config.SlidesExporter.reveal_height = "800"
        return SlidesExporter(config=config)
    config.HTMLExporter.template_name = "course_page"
    return HTMLExporter(config=config)


def export_notebooks(kind: str, notebooks: list[Path], out: str | Path, *, student: bool = False) -> list[Path]:
    """Export ``notebooks`` with nbconvert (``kind`` is ``slides`` or ``html``) into ``out/notebooks``; return the files.

    ``notebooks`` is the whole course in lecture order: each page links to the one
    before and after it, and "notebook NN" in the prose links to lecture NN. With
    ``student=True`` (pages only) each notebook is first turned into its student
    edition, and ``out`` is the site's ``student/`` folder: the pages find the
    browser libraries in ``../../vendor``, link to the decks in ``../../notebooks``
    and to the same page of the full edition.
    """
    if kind not in {"slides", "html"}:
        raise ValueError(f"kind must be 'slides' or 'html', got {kind!r}")
    if not isinstance(student, bool) or (student and kind != "html"):
        raise ValueError(f"student must be a bool, and True only for kind='html', got {student!r} with {kind!r}")
    from course_utils.exercises.student import student_notebook

    exporter = _exporter(kind, f"../{VENDOR_URL}" if student else VENDOR_URL)
    folder = Path(out) / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    read = [_read(path) for path in notebooks]
    lectures = [_lecture_of(nb, path) for path, nb in read]
    by_number = {item.number: item for item in lectures}
    written = []
    for index, ((path, nb), info) in enumerate(zip(read, lectures)):
        nb = with_alt_text(without_widget_text(without_progress_bars(student_notebook(nb) if student else nb)))
        if kind == "slides":
            nb = split_tall_slides(nb, float(exporter.reveal_height))
        nb.metadata["title"] = f"{info.number} · {info.title}"
        neighbours = {
            name: {"href": f"{item.stem}{exporter.file_extension}", "title": f"{item.number} · {item.title}"}
            for name, item in (("previous_page", lectures[index - 1] if index > 0 else None),
                               ("next_page", lectures[index + 1] if index + 1 < len(lectures) else None))
            if item is not None
        }
        resources = {
            "metadata": {"name": path.stem, "path": str(path.parent)},
            "course": {"deck_css": DECK_CSS, "deck_js": DECK_JS, "default_alt": "Figure", **neighbours},
        }
        if student:
            resources["course"].update(
                index_label="Student edition index", deck_href=f"../../notebooks/{path.stem}.slides.html",
                other_edition={"href": f"../../notebooks/{path.stem}.html", "label": "With the solutions"})
        elif kind == "html":
            resources["course"]["other_edition"] = {"href": f"../student/notebooks/{path.stem}.html",
                                                    "label": "Student edition"}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        # A link to another lecture (NN_name.ipynb) goes to its page, or its deck, in the same folder.
        body = NOTEBOOK_LINK.sub(lambda m: f'href="{m[1]}{exporter.file_extension}{m[2] or ""}"', body)
        body = link_mentions(body, {n: f"{item.stem}{exporter.file_extension}" for n, item in by_number.items()},
                             own=info.number)
        target = folder / f"{path.stem}{exporter.file_extension}"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


#: Rough heights (px at the deck's 1280 x 800) of what a cell shows, for :func:`split_tall_slides`.
_PX = {"heading": 70, "text_line": 38, "text_chars": 75, "code_line": 23, "code_pad": 24, "output_line": 23,
       "table_row": 30, "cell_gap": 12}
#: At most this many lines of a code cell or a text output count towards a slide's height: on a slide that
#: would overflow, deck.js folds each code or text block longer than this (longest first) to the lines that
#: fit, keeping at least five, so a slide is split only for what folding cannot take in.
_FOLDED_LINES = 8


def _png_size(data: str) -> tuple[int, int]:
    """(width, height) of a base64 PNG, read from its header."""
    import base64
    import struct

    head = base64.b64decode(str(data)[:48])
    return struct.unpack(">II", head[16:24]) if head[12:16] == b"IHDR" else (0, 0)


def estimated_height(cell: nbformat.NotebookNode) -> float:
    """About how tall (px at deck size) ``cell`` is on a slide, its outputs included (long code and text counted as folded)."""
    if not isinstance(cell, nbformat.NotebookNode) or "cell_type" not in cell:
        raise TypeError(f"cell must be a notebook cell (an nbformat.NotebookNode), got {type(cell).__name__}")
    px = _PX
    if cell.cell_type == "markdown":
        total = 0.0
        for line in cell.source.splitlines():
            if line.startswith("#"):
                total += px["heading"]
            elif line.strip():
                total += px["text_line"] * max(1, math.ceil(len(line) / px["text_chars"]))
            else:
                total += px["text_line"] / 3
        total += sum(300 for _ in re.finditer(r"!\[[^]]*\]\([^)]*\)|<img ", cell.source))
        return total + px["cell_gap"]
    if cell.cell_type != "code":
        return 0.0
    total = px["code_pad"] + px["code_line"] * min(_FOLDED_LINES, len(cell.source.splitlines()))
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if output.get("output_type") == "stream":
            total += px["output_line"] * min(_FOLDED_LINES, str(output.get("text", "")).count("\n") + 1)
        elif "image/png" in data:
            width, height = _png_size(data["image/png"])
            total += min(600.0, height * min(1.0, 1150.0 / width) if width else 300.0) + 10
        elif "text/html" in data:
            total += px["table_row"] * min(20, str(data["text/html"]).count("<tr"))
        elif "text/plain" in data:
            total += px["output_line"] * min(_FOLDED_LINES, str(data["text/plain"]).count("\n") + 1)
    return total + px["cell_gap"]


def split_tall_slides(nb: nbformat.NotebookNode, height: float = 800.0) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` where a slide whose cells would be taller than ``height`` continues on a sub-slide.

    The cut is at a cell boundary: the first cell (``-`` or ``fragment``) that would take the
    slide past ``height`` starts a sub-slide instead. A single cell taller than the deck is
    left for the deck to fold or scroll. Only the exported copy changes; the notebook stays the source.
    """
    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"nb must be an nbformat.NotebookNode, got {type(nb).__name__}")
    height = check_float(height, "height", 0, low_open=True)
    nb = copy.deepcopy(nb)
    used = 0.0
    for cell in nb.cells:
        show = cell.metadata.setdefault("slideshow", {}).get("slide_type", "-")
        if show in {"skip", "notes"}:
            continue
        tall = estimated_height(cell)
        if show in {"slide", "subslide"}:
            used = tall
        elif used > 0 and used + tall > height:
            cell.metadata.slideshow["slide_type"] = "subslide"
            used = tall
        else:
            used += tall
    return nb


#: "notebook 05", "Notebook 5", "notebooks 05" in prose (not in code, not already a link).
MENTION = re.compile(r"\b([Nn]otebooks?)(\s|&nbsp;)+(\d{1,2})\b")
#: Elements whose text is never turned into a link.
NO_LINKS = {"a", "code", "pre", "script", "style", "textarea", "title", "head", "summary", "button"}


def link_mentions(body: str, targets: dict[str, str], own: str | None = None) -> str:
    """Link every "notebook NN" of the prose in the HTML ``body`` to ``targets[NN]`` (a lecture's own number stays text)."""
    if not isinstance(body, str) or not isinstance(targets, dict):
        raise TypeError("body must be a string and targets a dict of lecture number -> file name")
    parts = re.split(r"(<[^>]*>)", body)
    open_tags: list[str] = []
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            name = tag[1].lower() if tag else ""
            if name in NO_LINKS and not part.endswith("/>"):
                if part.startswith("</"):
                    if name in open_tags:
                        del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
                else:
                    open_tags.append(name)
            continue
        if open_tags or not part:
            continue

        def link(match: re.Match) -> str:
            number = match[3].zfill(2)
            if number not in targets or number == own:
                return match[0]
            return f'<a class="course-mention" href="{html.escape(targets[number])}">{match[0]}</a>'

        parts[i] = MENTION.sub(link, part)
    return "".join(parts)


#: Calls whose string arguments say what a figure shows (for :func:`alt_from_source`).
_LABELS = re.compile(
    r"""(suptitle|set_title|title|set_xlabel|xlabel|set_ylabel|ylabel|label)\s*[(=]\s*[rfb]*(["'])(.+?)\2"""
)


def alt_from_source(source: str) -> str:
    """An alt text for a figure stored without one, from the titles and labels its cell's code sets."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a string, got {type(source).__name__}")
    found: dict[str, list[str]] = {}
    for call, _, text in _LABELS.findall(source):
        text = " ".join(re.sub(r"[$\\{}]", "", text).split())
        if text and "{" not in text:
            found.setdefault(call.replace("set_", "").replace("sup", ""), []).append(text)
    parts = []
    if found.get("title"):
        parts.append("; ".join(dict.fromkeys(found["title"])))
    if found.get("ylabel") or found.get("xlabel"):
        parts.append(" against ".join(x for x in (", ".join(found.get("ylabel", [])), ", ".join(found.get("xlabel", []))) if x))
    if found.get("label"):
        parts.append("showing " + ", ".join(dict.fromkeys(found["label"])))
    return ("Figure: " + ". ".join(parts) + ".") if parts else ""


def with_alt_text(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` where every PNG output without an ``alt`` in its metadata gets one from its cell's code.

    Outputs made since ``course_utils.setup`` installs :func:`course_utils.plots.install_figure_formatter`
    carry their own alt text (a cell's ``plots.caption`` or one built from the figure); this is for older ones.
    """
    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"nb must be an nbformat.NotebookNode, got {type(nb).__name__}")
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for number, output in enumerate(cell.get("outputs", []), 1):
            if "image/png" not in output.get("data", {}):
                continue
            metadata = output.setdefault("metadata", {}).setdefault("image/png", {})
            if not metadata.get("alt"):
                metadata["alt"] = alt_from_source(cell.source) or "Figure drawn by the code cell above."
    return nb


def _write_index(out: Path, heading: str, lectures: list[Lecture], links: list[tuple[str, str]], intro: str = "",
                 vendor_url: str = "vendor") -> Path:
    """Write ``out/index.html``: a heading, ``intro`` (HTML) and one entry per lecture with ``links`` as (label, href).

    Each href is a pattern such as ``notebooks/{stem}.html``, filled with the lecture's file stem.
    """
    from nbconvert.filters import markdown2html

    entries = []
    for item in lectures:
        hrefs = [(label, pattern.format(stem=html.escape(item.stem))) for label, pattern in links]
        anchors = " · ".join(f'<a href="{href}">{html.escape(label)}</a>' for label, href in hrefs)
        entries.append(
            f'<li id="lecture-{item.number}"><h2><span class="number">{item.number}</span> '
            f'<a href="{hrefs[0][1]}">{html.escape(item.title)}</a></h2>\n{markdown2html(item.summary)}\n'
            + (f'<p class="links">{anchors}</p>' if len(links) > 1 else "")
            + "</li>"
        )
    page = INDEX_PAGE.format(
        heading=html.escape(heading),
        intro=intro,
        entries="\n".join(entries),
        mathjax=f"{vendor_url}/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _course_title() -> str:
    """The README's first heading (the course's name)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    headings = [line[2:].strip() for line in lines if line.startswith("# ")]
    return headings[0] if headings else "Recurrent neural networks"


def _start(out: str | Path, notebooks: list[Path] | None) -> tuple[Path, list[Path], list[Lecture]]:
    """Check the notebooks (default: all), read their titles, and prepare ``out`` with ``img/`` and ``vendor/``."""
    notebooks = course_notebooks() if notebooks is None else [Path(p) for p in notebooks]
    if not notebooks:
        raise ValueError("notebooks must name at least one notebook")
    lectures = [lecture(p) for p in notebooks]
    out = _fresh(out)
    copy_vendor(out)
    return out, notebooks, lectures


def _fresh(out: str | Path) -> Path:
    """Empty ``out`` (only if it is empty or an earlier build, marked by :data:`MARKER`) and copy ``img/`` into it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out must be a folder (or not exist yet), got the file {str(out)!r}")
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise ValueError(f"out must be empty or an earlier build (with {MARKER}), got {str(out)!r}: not emptying it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("built by python -m course_utils.publish; emptied at the next build\n", encoding="utf-8")
    shutil.copytree(ROOT / "img", out / "img")
    return out


def build_slides(out: str | Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Build the offline decks of ``notebooks`` (default: all) in ``out`` (emptied first); return the deck files."""
    out, notebooks, lectures = _start(out, notebooks)
    decks = export_notebooks("slides", notebooks, out)
    _write_index(out, f"{_course_title()}: slides", lectures, [("slides", "notebooks/{stem}.slides.html")])
    return decks


def build_site(out: str | Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Build the offline course site (pages, decks, syllabus index; the student edition in ``student/``) in ``out``; return the pages."""
    out, notebooks, lectures = _start(out, notebooks)
    pages = export_notebooks("html", notebooks, out)
    export_notebooks("slides", notebooks, out)
    _write_index(out, _course_title(), lectures, [("read", "notebooks/{stem}.html"), ("slides", "notebooks/{stem}.slides.html"),
                                                  ("student edition", "student/notebooks/{stem}.html")], SITE_INTRO)
    student = out / "student"
    shutil.copytree(ROOT / "img", student / "img")  # the pages' ../img links, as in the full edition
    export_notebooks("html", notebooks, student, student=True)
    _write_index(student, f"{_course_title()}: student edition", lectures,
                 [("read", "notebooks/{stem}.html"), ("with the solutions", "../notebooks/{stem}.html"),
                  ("slides", "../notebooks/{stem}.slides.html")], STUDENT_INTRO, vendor_url="../vendor")
    return pages


#: The site index's opening: how to get the course, set it up, and where the exercises are.
SITE_INTRO = """<p>A course on recurrent neural networks in Jupyter notebooks, from the forward pass and
backpropagation through time to LSTMs and encoder-decoders. Every notebook runs offline on a laptop CPU, in
seconds to about two minutes; each is a page here to read and a deck of slides to present.</p>
<section class="start" id="get-started">
<h2>Get the course and run it</h2>
<ol>
<li>Get a copy of the course's repository (<code>git clone</code> it, or unpack the archive you were given).
You need Python 3.11 and <code>make</code>; nothing else, and no network once the packages are installed.</li>
<li>In that folder, two commands:
<pre>make lab     # builds .venv with the pinned packages, then opens JupyterLab on your own copies in lab/
make test    # builds .venv if missing, then runs every test, the notebooks included</pre></li>
<li>Open the notebooks in order, <code>01</code> first, and run them cell by cell.</li>
</ol>
<h2>Exercises and their solutions</h2>
<p>The exercises are in the notebooks: each is a code cell for you to complete, followed by a cell that
checks your answer on the spot. The solutions are in the same notebooks, in solution cells folded
under the exercise (open one only once you have tried). Each notebook ends with self-check questions whose
answers are folded too (click a question to see its answer). The <a href="student/index.html">student
edition</a> shows every exercise as you get it with <code>make student</code>: the signature and docstring
of each solution, its body replaced by <code>raise NotImplementedError</code>, and the check cells without
their answers. The README of the repository explains the conda route and how instructors present the
decks.</p>
</section>
"""

#: The student edition's index: what differs from the course's pages.
STUDENT_INTRO = """<p>The student edition of the course, as <code>make student</code> writes it: every exercise's
solution is replaced by its signature, its docstring and <code>raise NotImplementedError</code>, and each
check cell's output is cleared, since its check says "not done yet" until you write the body. Everything
else, the self-check answers included (folded), is as in <a href="../index.html">the course with the
solutions</a>.</p>
"""

INDEX_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }}
ol {{ list-style: none; padding: 0; }}
li {{ border-top: 1px solid #ddd; padding: 0.5rem 0; }}
h2 {{ font-size: 1.25rem; margin: 0.5rem 0; }}
.number {{ color: #888; margin-right: 0.4rem; }}
.links a {{ margin-right: 0.3rem; }}
section.start {{ background: #f6f8fa; border-radius: 6px; padding: 0.2rem 1rem 0.6rem; }}
pre {{ background: #fff; border: 1px solid #ddd; padding: 0.5rem; overflow-x: auto; }}
h2.syllabus-heading {{ margin-top: 1.5rem; }}
</style>
<script src="{mathjax}"></script>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{tex2jax: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true}}, messageStyle: "none"}});
</script>
</head>
<body>
<h1>{heading}</h1>
{intro}
<h2 class="syllabus-heading">The lectures</h2>
<ol class="syllabus">
{entries}
</ol>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    """Command line: ``slides OUT`` or ``site OUT`` (optionally followed by notebooks)."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.publish", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["slides", "site"])
    parser.add_argument("out", type=Path)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build = build_slides if args.what == "slides" else build_site
    files = build(args.out, args.notebooks or None)
    seconds = time.perf_counter() - start
    print(f"{len(files)} notebook(s) -> {args.out}/index.html ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
