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

The folder mirrors the repository (``notebooks/`` next to ``img/``), so the
notebooks' ``../img/...`` links work unchanged, a link to another lecture
(``NN_name.ipynb``) is pointed at its page or deck, and the text a widget leaves
behind in a stored notebook (``interactive(children=(IntSlider(...``) becomes a
short note (a widget needs a running kernel; the static figure before it stays). Two small template overrides
in ``course_utils/templates/`` remove the mermaid script that nbconvert adds (it
imports mermaid from a CDN in every deck) and give each page links to the index
and to its deck; the reveal.js theme is reveal's ``white`` without its web-font
import, so no font is fetched from anywhere. MathJax's own TeX fonts come with
the local MathJax copy. The decks are 1280 x 800 (more of a code line fits than
at nbconvert's 960 x 700), numbered, and a slide taller than that scrolls.

Sources: nbconvert's documentation on reveal.js slide shows and on its
``--SlidesExporter.reveal_url_prefix``, ``--HTMLExporter.mathjax_url``,
``require_js_url`` and ``jquery_url`` options; reveal.js 4 and MathJax 2.7
documentation.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = [
    "ROOT",
    "Lecture",
    "course_notebooks",
    "lecture",
    "missing_browser_libraries",
    "copy_vendor",
    "without_widget_text",
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


def _exporter(kind: str):
    """An nbconvert exporter (``slides`` or ``html``) whose URLs point at ``../vendor/``."""
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.require_js_url = f"{VENDOR_URL}/require.js"
    config.HTMLExporter.jquery_url = f"{VENDOR_URL}/jquery.min.js"
    config.HTMLExporter.mathjax_url = f"{VENDOR_URL}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    if kind == "slides":
        config.SlidesExporter.template_name = "course_slides"
        config.SlidesExporter.reveal_url_prefix = f"{VENDOR_URL}/reveal.js"
        config.SlidesExporter.reveal_theme = THEME
        config.SlidesExporter.reveal_number = "c/t"
        config.SlidesExporter.reveal_scroll = True
        config.SlidesExporter.reveal_width = "1280"
        config.SlidesExporter.reveal_height = "800"
        return SlidesExporter(config=config)
    config.HTMLExporter.template_name = "course_page"
    return HTMLExporter(config=config)


def export_notebooks(kind: str, notebooks: list[Path], out: str | Path) -> list[Path]:
    """Export ``notebooks`` with nbconvert (``kind`` is ``slides`` or ``html``) into ``out/notebooks``; return the files."""
    if kind not in {"slides", "html"}:
        raise ValueError(f"kind must be 'slides' or 'html', got {kind!r}")
    exporter = _exporter(kind)
    folder = Path(out) / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        path, nb = _read(path)
        info = _lecture_of(nb, path)
        nb = without_widget_text(nb)
        nb.metadata["title"] = f"{info.number} · {info.title}"
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem, "path": str(path.parent)}})
        # A link to another lecture (NN_name.ipynb) goes to its page, or its deck, in the same folder.
        body = NOTEBOOK_LINK.sub(lambda m: f'href="{m[1]}{exporter.file_extension}{m[2] or ""}"', body)
        target = folder / f"{path.stem}{exporter.file_extension}"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def _write_index(out: Path, heading: str, lectures: list[Lecture], links: list[tuple[str, str]]) -> Path:
    """Write ``out/index.html``: a heading and one entry per lecture with ``links`` as (label, file suffix)."""
    from nbconvert.filters import markdown2html

    entries = []
    for item in lectures:
        hrefs = [(label, f"notebooks/{html.escape(item.stem)}{suffix}") for label, suffix in links]
        anchors = " · ".join(f'<a href="{href}">{html.escape(label)}</a>' for label, href in hrefs)
        entries.append(
            f'<li id="lecture-{item.number}"><h2><span class="number">{item.number}</span> '
            f'<a href="{hrefs[0][1]}">{html.escape(item.title)}</a></h2>\n{markdown2html(item.summary)}\n'
            + (f'<p class="links">{anchors}</p>' if len(links) > 1 else "")
            + "</li>"
        )
    page = INDEX_PAGE.format(
        heading=html.escape(heading),
        entries="\n".join(entries),
        mathjax=f"vendor/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
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
    _write_index(out, f"{_course_title()}: slides", lectures, [("slides", ".slides.html")])
    return decks


def build_site(out: str | Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Build the offline course site (pages, decks, syllabus index) of ``notebooks`` in ``out``; return the pages."""
    out, notebooks, lectures = _start(out, notebooks)
    pages = export_notebooks("html", notebooks, out)
    export_notebooks("slides", notebooks, out)
    _write_index(out, _course_title(), lectures, [("read", ".html"), ("slides", ".slides.html")])
    return pages


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
</style>
<script src="{mathjax}"></script>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{tex2jax: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true}}, messageStyle: "none"}});
</script>
</head>
<body>
<h1>{heading}</h1>
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
