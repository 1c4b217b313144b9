"""The course in a real browser: the decks and the site (JupyterLab and RISE: tests/test_lab.py).

Headless Debian Chromium (see tests/conftest.py) with every host name but
127.0.0.1 made unresolvable, so a page that asks a CDN for anything logs an
error and fails here. The notebooks are discovered, so later ones are covered:

1. every deck, opened from disk as it would be from a USB stick: reveal.js
   reports ready, there are at least as many top-level slides as ``slide``
   cells, moving forward works (to the end of the deck), speaker notes stay
   hidden, every image loads, MathJax typesets every formula, and the console
   has no error;
2. every page of the site, served on 127.0.0.1: figures and formulas render,
   no console error, and every link of the index resolves.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.request
from pathlib import Path

import nbformat
import pytest
from selenium.common.exceptions import JavascriptException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from course_utils import publish

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = publish.course_notebooks()
IDS = [p.name for p in NOTEBOOKS]
MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")
#: Opened directly by urllib (the checks of the site's links), never through a proxy.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
TIMEOUT = 60

# ---------------------------------------------------------------- helpers


def wait_for(driver, script: str, timeout: float = TIMEOUT, message: str = ""):
    """Run ``script`` (a JS expression) until it is truthy; return its value."""
    # (a script error, such as an element not there yet, counts as not yet)
    return WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=(JavascriptException,)).until(
        lambda d: d.execute_script(f"return {script};"), message or f"timed out waiting for: {script}"
    )


def console_errors(driver) -> list[str]:
    """The browser console's errors since the last call (reading the log empties it).

    The browser's own request for ``/favicon.ico`` (no page asks for it) is left out.
    """
    return [
        entry["message"] for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "/favicon.ico " not in entry["message"]
    ]


def open_page(driver, url: str) -> None:
    """Load ``url`` with an empty console log."""
    driver.get("about:blank")
    console_errors(driver)
    driver.get(url)


def typeset(driver) -> dict:
    """Wait for MathJax 2 to finish its start-up typesetting; count the formulas it rendered and failed."""
    wait_for(driver, "!!(window.MathJax && window.MathJax.Hub)", message="MathJax did not load")
    driver.set_script_timeout(TIMEOUT)
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        // (the hook must return nothing: a returned callback would make MathJax's start-up wait for it)
        MathJax.Hub.Register.StartupHook("End", () => { MathJax.Hub.Queue(() => done({
            sources: document.querySelectorAll('script[type^="math/tex"]').length,
            rendered: document.querySelectorAll('[id^="MathJax-Element-"][id$="-Frame"]').length,
            errors: document.querySelectorAll('.mjx-merror, .MathJax_Error').length
                + (document.body.innerText.includes('Math Processing Error') ? 1 : 0),
        })); });
        """
    )


def broken_images(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80));"
    )


def has_math(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    return any(cell.cell_type == "markdown" and MATH.search(cell.source) for cell in nb.cells)


def check_math(driver, path: Path) -> None:
    counts = typeset(driver)
    assert counts["errors"] == 0, f"MathJax could not typeset {counts['errors']} formula(s)"
    assert counts["rendered"] == counts["sources"], f"MathJax rendered {counts['rendered']} of {counts['sources']} formulas"
    if has_math(path):
        assert counts["rendered"] > 0, "the notebook has LaTeX but MathJax rendered none"


# ---------------------------------------------------------------- the network is really blocked


def test_a_cdn_request_fails_loudly(browser, tmp_path):
    page = tmp_path / "cdn.html"
    page.write_text('<!DOCTYPE html><html><head><script src="https://cdn.example.org/lib.js"></script></head><body>x</body></html>')
    open_page(browser, page.as_uri())
    wait_for(browser, "document.readyState === 'complete'")
    errors = console_errors(browser)
    assert any("lib.js" in e and "ERR_NAME_NOT_RESOLVED" in e for e in errors), errors


# ---------------------------------------------------------------- 1. the decks

REVEAL = f"{publish.VENDOR_URL}/reveal.js/dist/reveal.js"


def reveal(driver, call: str):
    """Evaluate ``call`` on the deck's Reveal object (loaded by require.js, so not a global)."""
    driver.set_script_timeout(TIMEOUT)
    return driver.execute_async_script(
        f"const done = arguments[arguments.length - 1]; require([{REVEAL!r}], Reveal => done({call}));"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_deck_works_offline(path, browser, built_slides):
    open_page(browser, (built_slides / "notebooks" / f"{path.stem}.slides.html").as_uri())
    wait_for(browser, "document.querySelector('.reveal.ready') !== null", message="reveal.js never became ready")
    assert reveal(browser, "Reveal.isReady()") is True

    kinds = [cell.metadata.get("slideshow", {}).get("slide_type", "-") for cell in nbformat.read(path, as_version=4).cells]
    slide_cells = kinds.count("slide")
    top_level = browser.execute_script("return document.querySelectorAll('.reveal .slides > section').length;")
    assert top_level >= slide_cells >= 1, f"{top_level} top-level slides for {slide_cells} slide cells"
    assert reveal(browser, "Reveal.getTotalSlides()") >= top_level

    hidden_notes = browser.execute_script(
        "return [...document.querySelectorAll('aside.notes')].every(a => getComputedStyle(a).display === 'none');"
    )
    assert hidden_notes, "speaker notes are visible on a slide"
    with_notes = reveal(browser, "Reveal.getSlides().filter(slide => Reveal.getSlideNotes(slide)).length")
    assert (with_notes > 0) == ("notes" in kinds), f"{with_notes} slides have speaker notes for {kinds.count('notes')} notes cells"

    check_math(browser, path)
    assert broken_images(browser) == []

    # Forward with the keyboard, as a presenter would, then step through the whole deck.
    assert reveal(browser, "Reveal.getIndices().h") == 0
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    wait_for(browser, "location.hash.startsWith('#/1')", message="the right-arrow key did not go to slide 2")
    steps = reveal(
        browser,
        "(() => { Reveal.slide(0, 0, 0); let n = 0;"
        " while (!(Reveal.isLastSlide() && !Reveal.availableFragments().next) && n < 1000) { Reveal.next(); n++; }"
        " return [n, Reveal.getIndices().h, Reveal.getHorizontalSlides().length]; })()",
    )
    moves, last, count = steps
    assert last == count - 1 and 0 < moves < 1000, f"stepping forward ended on slide {last + 1} of {count}"
    assert console_errors(browser) == []


# ---------------------------------------------------------------- 1b. every slide fits the screen (issue 16)

import deckwalk  # noqa: E402  (tests/deckwalk.py: what is measured on each slide)


@pytest.mark.parametrize("size", deckwalk.SIZES, ids=[f"{w}x{h}" for w, h in deckwalk.SIZES])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_slide_fits_the_screen(path, size, browser, built_slides):
    """No clipped line, no overflow that does not scroll, every figure described and readable, no doubled notes."""
    try:
        result = deckwalk.walk(browser, built_slides / "notebooks" / f"{path.stem}.slides.html", size)
    finally:
        browser.set_window_size(1280, 800)
    found = deckwalk.problems(result)
    found.pop("scrolling")  # a slide that scrolls by design is allowed
    bad = {kind: items for kind, items in found.items() if items}
    assert not bad, f"{path.name} at {size[0]}x{size[1]}: {bad}"
    assert console_errors(browser) == []


def test_opening_an_answer_keeps_the_slide_on_the_screen(browser, built_slides):
    """Open every answer of the deck with the most of them: the summary stays on screen, the slide fits or scrolls."""
    counts = {p: nbformat.read(p, as_version=4) for p in NOTEBOOKS}
    path = max(counts, key=lambda p: sum(c.source.count("<details") for c in counts[p].cells))
    open_page(browser, (built_slides / "notebooks" / f"{path.stem}.slides.html").as_uri())
    wait_for(browser, "document.querySelector('.reveal.ready') !== null")
    typeset(browser)
    indices = reveal(browser, "Reveal.getSlides().filter(s => s.querySelector('details')).map(s => Reveal.getIndices(s))")
    assert indices, f"{path.name} has no <details> answer on a slide"
    for at in indices:
        reveal(browser, f"Reveal.slide({at['h']}, {at['v']}, 1e6)")
        browser.execute_async_script("const done = arguments[0]; MathJax.Hub.Queue(() => setTimeout(done, 50));")
        for summary in browser.execute_script(
                "return [...document.querySelectorAll('section.present:not(.stack) details > summary')];"):
            before = browser.execute_script(
                "const s = document.querySelector('section.present:not(.stack)'), e = arguments[0];"
                "const scale = s.getBoundingClientRect().height / s.offsetHeight;"  # reveal.js's zoom
                "if (s.classList.contains('course-scroll'))"  # bring it into the slide's view first, as a presenter would
                "  s.scrollTop += (e.getBoundingClientRect().top - s.getBoundingClientRect().top) / scale - 100;"
                "const top = e.getBoundingClientRect().top; e.click(); return top;",
                summary)
            browser.execute_async_script("const done = arguments[0]; MathJax.Hub.Queue(() => setTimeout(done, 100));")
            state = browser.execute_script(
                "const s = document.querySelector('section.present:not(.stack)'), r = arguments[0].getBoundingClientRect();"
                "return {open: arguments[0].parentElement.open, top: r.top, bottom: r.bottom, height: innerHeight,"
                " scrolls: s.classList.contains('course-scroll'),"
                " fits: s.scrollHeight <= 802 || s.classList.contains('course-scroll')};", summary)
            assert state["open"], "clicking the summary did not open the answer"
            assert 0 <= state["top"] and state["bottom"] <= state["height"], f"the summary left the screen: {state}"
            if state["scrolls"]:  # a slide made to scroll keeps the summary where the presenter clicked it
                assert abs(state["top"] - before) < 40, f"the summary jumped from {before:.0f} to {state['top']:.0f} px"
            assert state["fits"], "the slide with the open answer is taller than the screen and does not scroll"
    assert console_errors(browser) == []


# ---------------------------------------------------------------- 2. the site


@pytest.fixture(scope="module")
def site_url(built_site):
    """The built site served on 127.0.0.1 (a free port) for the duration of the module."""
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def check_page_figures_and_math(browser, url, path, nb, edition):
    """Open a site page of notebook `path` (stored as `nb`): its maths typeset, no broken image, every figure shown."""
    open_page(browser, url)
    wait_for(browser, "document.readyState === 'complete'")
    check_math(browser, path)
    assert broken_images(browser) == []
    outputs = sum("image/png" in output.get("data", {}) for cell in nb.cells for output in cell.get("outputs", []))
    shown = browser.execute_script("return document.querySelectorAll('.jp-OutputArea-output img').length;")
    assert shown == outputs, f"{shown} of the {edition}'s {outputs} figures are on the page"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_site_page_shows_figures_and_math(path, browser, site_url):
    check_page_figures_and_math(browser, f"{site_url}/notebooks/{path.stem}.html", path,
                                nbformat.read(path, as_version=4), "notebook")
    assert console_errors(browser) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_student_edition_page_shows_figures_math_and_stubs(path, browser, site_url):
    """The student edition's page (student/notebooks/...) renders offline as the course's does, with the stubs shown."""
    from course_utils.exercises.student import student_notebook

    check_page_figures_and_math(browser, f"{site_url}/student/notebooks/{path.stem}.html", path,
                                student_notebook(nbformat.read(path, as_version=4)), "student edition")
    text = browser.execute_script("return document.body.innerText;")
    assert "raise NotImplementedError" in text and "Solution (try the exercise first)" not in text
    assert console_errors(browser) == []


def test_site_index_links_resolve(browser, site_url):
    open_page(browser, f"{site_url}/index.html")
    wait_for(browser, "document.readyState === 'complete'")
    typeset(browser)
    hrefs = browser.execute_script("return [...document.querySelectorAll('a[href]')].map(a => a.href);")
    assert console_errors(browser) == []
    for path in NOTEBOOKS:
        for suffix in (".html", ".slides.html"):
            assert f"{site_url}/notebooks/{path.stem}{suffix}" in hrefs, f"the index does not link {path.stem}{suffix}"
        assert f"{site_url}/student/notebooks/{path.stem}.html" in hrefs, f"the index does not link {path.stem}'s student edition"
    for href in hrefs:
        assert href.startswith(site_url), f"the index links outside the site: {href}"
        with DIRECT.open(href, timeout=10) as response:
            assert response.status == 200, href
    # and a click on the first deck's link opens a working deck
    first = NOTEBOOKS[0].stem
    browser.find_element(By.CSS_SELECTOR, f'a[href="notebooks/{first}.slides.html"]').click()
    wait_for(browser, "document.querySelector('.reveal.ready') !== null", message="the deck linked from the index did not start")
    assert console_errors(browser) == []
