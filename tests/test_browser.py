"""The course in a real browser: the decks, the site, and JupyterLab with a widget.

Headless Debian Chromium (see tests/conftest.py) with every host name but
127.0.0.1 made unresolvable, so a page that asks a CDN for anything logs an
error and fails here. The notebooks are discovered, so later ones are covered:

1. every deck, opened from disk as it would be from a USB stick: reveal.js
   reports ready, there are at least as many top-level slides as ``slide``
   cells, moving forward works (to the end of the deck), speaker notes stay
   hidden, every image loads, MathJax typesets every formula, and the console
   has no error;
2. every page of the site, served on 127.0.0.1: figures and formulas render,
   no console error, and every link of the index resolves;
3. JupyterLab itself, started on 127.0.0.1 with a token, no browser and its own
   settings in a temporary folder: each course notebook with an ipywidgets
   slider is opened from the file browser, run from the menus down to its first
   slider, the slider dragged with the mouse, and its output must change.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from selenium.common.exceptions import JavascriptException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from course_utils import publish

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = publish.course_notebooks()
IDS = [p.name for p in NOTEBOOKS]
MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")
#: Code that shows an ipywidgets slider (``interact`` makes one for an int or float argument).
SLIDER = re.compile(r"\binteract(ive)?\s*\(|@interact\b|\b(Int|Float|Selection)(Range|Log)?Slider\s*\(")
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_site_page_shows_figures_and_math(path, browser, site_url):
    open_page(browser, f"{site_url}/notebooks/{path.stem}.html")
    wait_for(browser, "document.readyState === 'complete'")
    check_math(browser, path)
    assert broken_images(browser) == []
    outputs = sum(
        "image/png" in output.get("data", {})
        for cell in nbformat.read(path, as_version=4).cells
        for output in cell.get("outputs", [])
    )
    shown = browser.execute_script("return document.querySelectorAll('.jp-OutputArea-output img').length;")
    assert shown == outputs, f"{shown} of the notebook's {outputs} figures are on the page"
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
    for href in hrefs:
        assert href.startswith(site_url), f"the index links outside the site: {href}"
        with DIRECT.open(href, timeout=10) as response:
            assert response.status == 200, href
    # and a click on the first deck's link opens a working deck
    first = NOTEBOOKS[0].stem
    browser.find_element(By.CSS_SELECTOR, f'a[href="notebooks/{first}.slides.html"]').click()
    wait_for(browser, "document.querySelector('.reveal.ready') !== null", message="the deck linked from the index did not start")
    assert console_errors(browser) == []


# ---------------------------------------------------------------- 3. JupyterLab with a widget

SLIDER_NOTEBOOKS = [
    p for p in NOTEBOOKS
    if any(c.cell_type == "code" and SLIDER.search(c.source) for c in nbformat.read(p, as_version=4).cells)
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 over a copy of the course, with settings in a temporary folder."""
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "course"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "img", root / "img")
    env = dict(os.environ)
    for name, sub in [
        ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython"),
    ]:
        env[name] = str(home / sub)
    # Settings of this server only: no "Jupyter news?" pop-up over the notebook, and no "Select Kernel"
    # dialog (it can come up when the notebook opens before the list of kernels has arrived).
    for plugin, setting in [
        ("apputils-extension/notification", '{"fetchNews": "false"}'),
        ("notebook-extension/tracker", '{"autoStartDefaultKernel": true}'),
    ]:
        path = home / "settings/@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(setting)
    token, port = secrets.token_hex(16), free_port()
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
        ] + (["--allow-root"] if os.geteuid() == 0 else []),
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with DIRECT.open(f"{base}/api/status?token={token}", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start; its log:\n{(home / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        stop_jupyterlab(server, base, token)
        log.close()


def jupyter_api(base: str, token: str, method: str, path: str):
    """Call the Jupyter server's REST API; return the decoded JSON answer (None if empty)."""
    request = urllib.request.Request(f"{base}{path}?token={token}", method=method)
    with DIRECT.open(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def shutdown_kernels(base: str, token: str) -> None:
    for kernel in jupyter_api(base, token, "GET", "/api/kernels"):
        jupyter_api(base, token, "DELETE", f"/api/kernels/{kernel['id']}")


def stop_jupyterlab(server: subprocess.Popen, base: str, token: str) -> None:
    """Shut the kernels down, then the server (through its API; by signals if it does not stop)."""
    try:
        shutdown_kernels(base, token)
        jupyter_api(base, token, "POST", "/api/shutdown")
        server.wait(timeout=20)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if server.poll() is None:
                os.killpg(server.pid, sig)
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass


def output_of_widgets(driver, cell) -> str:
    """What the Output widgets of a notebook cell show (figures and text), as one string."""
    return driver.execute_script(
        """
        const parts = [];
        arguments[0].querySelectorAll('.widget-output img, .widget-output pre, .widget-output svg').forEach(
            e => parts.push(e.tagName === 'IMG' ? e.src : e.textContent));
        return parts.join('\\n');
        """,
        cell,
    )


def test_some_notebook_has_a_slider():
    assert SLIDER_NOTEBOOKS, (
        "no course notebook shows an ipywidgets slider (interact, IntSlider, FloatSlider, ...), so JupyterLab's "
        "widgets are not tested; notebook 02 is meant to have one"
    )


@pytest.mark.parametrize("path", SLIDER_NOTEBOOKS, ids=[p.name for p in SLIDER_NOTEBOOKS])
def test_jupyterlab_runs_the_notebook_and_its_slider_changes_the_output(path, browser, jupyterlab, tmp_path):
    base, token = jupyterlab
    try:
        check_slider_in_jupyterlab(browser, base, token, path)
    except Exception:
        browser.save_screenshot(str(tmp_path / "jupyterlab.png"))
        print(f"what the browser showed: {tmp_path / 'jupyterlab.png'}")
        raise
    finally:
        browser.get("about:blank")  # closes the notebook's connections
        shutdown_kernels(base, token)


def menu(driver, label: str, command: str) -> None:
    """Open JupyterLab's menu ``label`` and click its item that runs ``command``."""
    driver.find_element(By.XPATH, f"//div[contains(@class, 'lm-MenuBar-itemLabel') and text()='{label}']").click()
    item = (By.CSS_SELECTOR, f"li.lm-Menu-item[data-command='{command}']")
    WebDriverWait(driver, 10).until(expected_conditions.element_to_be_clickable(item)).click()


def check_slider_in_jupyterlab(browser, base: str, token: str, path: Path) -> None:
    """Open ``path`` in JupyterLab, run it down to its first slider, drag the slider, see the output change.

    Everything goes through what a student uses: the file browser, the menus, the
    mouse. The cells after the slider are not run (nbval runs the whole notebook;
    here they would only cost time, some notebooks train a network further down).
    """
    cells = nbformat.read(path, as_version=4).cells
    index = next(i for i, c in enumerate(cells) if c.cell_type == "code" and SLIDER.search(c.source))
    code_cells = sum(c.cell_type == "code" for c in cells)
    to_run = sum(c.cell_type == "code" for c in cells[: index + 1])

    # JupyterLab on the notebooks folder; once its launcher offers the kernel, open the notebook.
    open_page(browser, f"{base}/lab/tree/notebooks?reset&token={token}")  # reset: nothing left open from before
    wait_for(browser, "document.querySelector('.jp-LauncherCard[data-category=\"Notebook\"]') !== null",
             timeout=120, message="JupyterLab's launcher did not offer a notebook kernel")
    item = wait_for(
        browser,
        f"[...document.querySelectorAll('.jp-DirListing-item')].find(e => e.querySelector('.jp-DirListing-itemText')"
        f"?.textContent.trim() === {path.name!r})",
        message=f"the file browser does not list {path.name}",
    )
    ActionChains(browser).double_click(item).perform()
    panel = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
    prompts = f"[...{panel}.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
    wait_for(browser, f"{prompts}.length === {code_cells}", message="JupyterLab did not show the notebook")
    wait_for(
        browser,
        f"{panel}.querySelector('.jp-KernelName').textContent === 'Python 3 (ipykernel)'"
        f" && {panel}.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]') !== null",
        timeout=120,
        message="the notebook's kernel (Python 3 (ipykernel)) did not start",
    )

    # Edit > Clear Outputs of All Cells; select the slider's cell; Run > Run All Above Selected Cell;
    # Run > Run Selected Cell and Do not Advance.
    menu(browser, "Edit", "editmenu:clear-all")
    wait_for(browser, f"{prompts}.every(p => !/\\d/.test(p.textContent))", message="the outputs were not cleared")
    cell = browser.execute_script(f"return {panel}.querySelectorAll('.jp-Cell')[{index}];")
    prompt = cell.find_element(By.CSS_SELECTOR, ".jp-InputPrompt")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", prompt)
    prompt.click()
    menu(browser, "Run", "notebook:run-all-above")
    menu(browser, "Run", "notebook:run-cell")
    wait_for(
        browser,
        f"{prompts}.slice(0, {to_run}).every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()))",
        timeout=240,
        message=f"the first {to_run} code cells did not all run (an error, or slower than 4 minutes)",
    )
    errors = browser.execute_script(
        f"return [...{panel}.querySelectorAll('.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]')]"
        ".map(e => e.textContent.slice(0, 300));"
    )
    assert errors == [], f"the notebook wrote to stderr in JupyterLab: {errors}"

    # Drag the slider's handle with the mouse; its value and the figure or text it drives must change.
    handle = wait_for(browser, f"{panel}.querySelectorAll('.jp-Cell')[{index}].querySelector('.widget-slider .noUi-handle')",
                      message="no slider was rendered in its cell (is the ipywidgets extension working?)")
    before = poll(lambda: output_of_widgets(browser, cell), lambda shown: shown != "")
    assert before, "the slider's cell shows no output"
    value, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", handle)
    offset = -40 if float(value) >= float(top) else 40
    ActionChains(browser).click_and_hold(handle).move_by_offset(offset, 0).release().perform()
    moved = poll(lambda: handle.get_attribute("aria-valuenow"), lambda now: now != value)
    assert moved != value, f"dragging the slider did not move it (value {value})"
    after = poll(lambda: output_of_widgets(browser, cell), lambda shown: shown not in ("", before))
    changed = after not in ("", before)
    assert changed, f"moving the slider from {value} to {moved} did not change the output"


def poll(read, good, timeout: float = TIMEOUT):
    """Call ``read()`` until ``good(value)`` holds or ``timeout`` seconds pass; return the last value."""
    deadline = time.monotonic() + timeout
    value = read()
    while not good(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value
