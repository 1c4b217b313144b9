"""The student's path, walked in a real browser: ``make lab``, every notebook run in JupyterLab, and RISE.

The JupyterLab server is started by the very command a student types,
``make lab LAB_DIR=... LAB_ARGS=...`` (``course_utils.lab``: the student's own
copies in ``LAB_DIR/notebooks``, the images beside them, the course kernel, the
course's JupyterLab settings), on 127.0.0.1 with a token, with no browser of
its own and with its user settings, workspaces and runtime files in a
temporary folder, and with ``COURSE_CPU=foreign``: the course kernel
(``course_utils.kernel``) then runs on the simulated foreign CPU, as a student's
on Apple Silicon does, so this walk is also ``make test``'s run of the whole
notebook set on other float kernels (every claim cell asserts its claim, and a
failed one is an error output); nbval checks the reference path's digits.
One server serves every test of a pytest worker. The browser
is the headless Chromium of ``tests/conftest.py``, in which every host name but
127.0.0.1 is unresolvable. The notebooks are discovered, so later ones are
covered. For every notebook:

1. it opens with the course kernel, Edit > Clear Outputs of All Cells, then
   Kernel > Restart Kernel and Run All Cells, until the kernel is idle and
   every code cell has an execution count;
2. no cell shows an error or writes to stderr;
3. every ``<img>`` (the diagrams of ``img/``, the figures) loads;
4. every widget is drawn as a widget, none as its text form
   (``interactive(children=(IntSlider(...``), which is what a widget manager
   that failed to load leaves;
5. where there is a slider, dragging it with the mouse changes the figure or
   text it drives;
6. no request left the machine.

Then RISE (View > Render as Reveal Slideshow) on the first notebook with a
slider: the slideshow shows the slider as a widget (none as text), a slide
taller than the panel scrolls with the mouse wheel, and no request left the
machine (fonts included); and, as an instructor does it (Space shows the slider's
fragment, the mouse wheel scrolls it into view, the mouse drags its handle),
moving the slider inside the slideshow changes its figure. Last, the output of ``make lab`` over the whole walk (the
course's command, then the server's log) holds no warning and no error.

Each notebook is one test, and the whole walk has a hard time limit
(:data:`MODULE_TIMEOUT` per module), so that nothing here can hang ``make test``.
``make test`` runs pytest with ``--dist loadfile``, which keeps a file on one
worker; the notebooks are therefore split over two files, this one and
tests/test_lab_part2.py (:data:`PART_TWO`), each with its own server, which the two
workers run side by side. (``--dist loadgroup`` with ``xdist_group`` marks would be
the other way, but pytest-xdist 3.8.0 cannot group under pytest 9.2: it renames
``item._nodeid``, which pytest 9 no longer reads.)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import ipywidgets
import nbformat
import pytest
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from course_utils import lab as lab_module
from course_utils import nbtools, publish

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = publish.course_notebooks()
#: Code that shows an ipywidgets slider (``interact`` makes one for an int or float argument).
SLIDER = re.compile(r"\binteract(ive)?\s*\(|@interact\b|\b(Int|Float|Selection)(Range|Log)?Slider\s*\(")
#: The text form of a widget (its repr), shown instead of the widget when no widget manager draws it.
WIDGET_TEXT = re.compile(
    r"^\s*(%s)\(" % "|".join(sorted(
        (name for name, obj in vars(ipywidgets).items() if isinstance(obj, type) and issubclass(obj, ipywidgets.Widget)),
        key=len, reverse=True,
    ))
)
#: Markdown images of the notebooks (``![alt](../img/x.png)`` or ``<img src=...>``).
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]+\)|<img\s")
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: Generous, for a loaded two-core machine: starting the server, opening a notebook, running one.
START_TIMEOUT, OPEN_TIMEOUT, RUN_TIMEOUT = 180, 180, 900
#: Hard upper bound of this module on one pytest worker (its server, its notebooks, RISE): every wait is cut to
#: what is left of it, so that a walk that hangs fails in bounded time instead of holding make test for hours.
MODULE_TIMEOUT = 2400
_deadline = [float("inf")]
#: The numeric path of the walk's kernels (``COURSE_CPU=foreign make lab``).
WALK_CPU = "foreign"
#: Longest a single cell may run (no prompt changes) before the walk gives up on the notebook.
CELL_TIMEOUT = 600
PANEL = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
PROMPTS = f"[...{PANEL}.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"


def slider_notebook(path: Path) -> bool:
    return any(c.cell_type == "code" and SLIDER.search(c.source) for c in nbformat.read(path, as_version=4).cells)


SLIDER_NOTEBOOKS = [p for p in NOTEBOOKS if slider_notebook(p)]


#: The notebooks walked by tests/test_lab_part2.py instead of this module: make test runs pytest with
#: ``--dist loadfile``, which keeps a file on one worker, so the walk is two files, one JupyterLab server each,
#: that the two workers run side by side. Chosen to balance the two halves' measured run times in JupyterLab
#: (04, 06, 08, 09 against 01, 02, 03, 05, 07 and RISE); a new notebook goes to this module.
PART_TWO = ("04_hello_rnn", "06_signal_echo", "08_architectures", "09_encoder_decoder_attention")


def part(number: int) -> list[Path]:
    """The notebooks of part ``number`` (1: this module, 2: tests/test_lab_part2.py) of the walk."""
    return [p for p in NOTEBOOKS if (p.stem in PART_TWO) == (number == 2)]


# ---------------------------------------------------------------- the server, as make lab starts it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_api(base: str, token: str, method: str, path: str):
    """Call the Jupyter server's REST API; return the decoded JSON answer (None if empty)."""
    request = urllib.request.Request(f"{base}{path}?token={token}", method=method)
    with DIRECT.open(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def kernel_numeric_paths(base: str, token: str) -> dict[str, str]:
    """The numeric path each running kernel of the server has in its environment (Linux: read from /proc), by kernel id."""
    paths = {}
    for kernel in jupyter_api(base, token, "GET", "/api/kernels"):
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                command = (proc / "cmdline").read_bytes().split(b"\0")
                if not any(f"kernel-{kernel['id']}.json".encode() in part for part in command):
                    continue
                env = dict(item.split("=", 1) for item in (proc / "environ").read_bytes().decode().split("\0") if "=" in item)
            except OSError:  # (a process that ended meanwhile)
                continue
            paths[kernel["id"]] = next((name for name, values in nbtools.CPU_PATHS.items()
                                        if values and all(env.get(k) == v for k, v in values.items())), "native")
    return paths


def shutdown_kernels(base: str, token: str, timeout: float = 60) -> None:
    """Shut down every kernel of the server (retried: a kernel in the middle of a restart cannot be deleted yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            kernels = jupyter_api(base, token, "GET", "/api/kernels")
            if not kernels:
                return
            for kernel in kernels:
                jupyter_api(base, token, "DELETE", f"/api/kernels/{kernel['id']}")
        except urllib.error.HTTPError as error:
            if time.monotonic() > deadline:
                raise AssertionError(f"the server's kernels could not be shut down in {timeout} s: {error}") from error
        time.sleep(1)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``make lab`` on a temporary LAB_DIR, serving on 127.0.0.1; yields (base URL, token, LAB_DIR)."""
    home = tmp_path_factory.mktemp("make-lab")
    lab_dir = home / "lab"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    # The course kernel's own launcher must decide, as for a student: none of the numeric variables, and
    # not COURSE_PROGRESS_LIVE=0 either (the root conftest.py sets it for kernels with no front end; here the
    # front end is JupyterLab, so the progress bars are redrawn live as a student sees them); only
    # COURSE_CPU=foreign, make lab's own option for the simulated foreign CPU.
    for name in (*nbtools.CPU_VARIABLES, "COURSE_PROGRESS_LIVE"):
        env.pop(name, None)
    env[nbtools.CPU_PATH_VARIABLE] = WALK_CPU
    for name, sub in [
        ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython"),
    ]:
        env[name] = str(home / sub)
    # The kernels' IPC sockets live in the runtime folder, and a Unix socket's address holds at most 107
    # characters: under pytest-xdist, /tmp/pytest-of-root/pytest-123/popen-gw1/make-lab0/runtime/kernel-<id>-ipc-1
    # is longer (make lab would fall back to TCP there), so the runtime folder is a short one of its own.
    runtime = Path(tempfile.mkdtemp(prefix="lab-", dir="/tmp" if os.path.isdir("/tmp") else None))
    env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    assert lab_module.kernel_transport(runtime) == "ipc", f"{runtime} is too deep for the kernels' IPC sockets"
    # This server's user settings: start the notebook's kernel without a "Select Kernel" dialog (it can
    # come up when the notebook opens before the list of kernels has arrived).
    tracker = home / "settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"autoStartDefaultKernel": true}')
    token, port = secrets.token_hex(16), free_port()
    lab_args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    if os.geteuid() == 0:
        lab_args += " --allow-root"
    venv = Path(sys.prefix)
    # -o: the environment is the one running these tests (make test has just brought it up to date).
    command = ["make", "-C", str(ROOT), "--no-print-directory", "-o", str(venv / ".course-installed"), "lab",
               f"VENV={venv}", f"LAB_DIR={lab_dir}", f"LAB_ARGS={lab_args}"]
    log_path = home / "make-lab.log"
    log = log_path.open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    _deadline[0] = time.monotonic() + MODULE_TIMEOUT
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with DIRECT.open(f"{base}/api/status?token={token}", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make lab did not start JupyterLab; its output:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token, lab_dir
    finally:
        try:
            shutdown_kernels(base, token)
            jupyter_api(base, token, "POST", "/api/shutdown")
            server.wait(timeout=30)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if server.poll() is None:
                    os.killpg(server.pid, sig)
                    try:
                        server.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass
        log.close()
        shutil.rmtree(runtime, ignore_errors=True)


# ---------------------------------------------------------------- the browser


def remaining(timeout: float) -> float:
    """``timeout``, cut to what is left of :data:`MODULE_TIMEOUT`; fail at once when nothing is left."""
    left = _deadline[0] - time.monotonic()
    if left <= 0:
        pytest.fail(f"the JupyterLab walk used up its hard limit of {MODULE_TIMEOUT} s on this worker", pytrace=False)
    return min(timeout, left)


def wait_for(driver, script: str, timeout: float = 60, message: str = ""):
    """Run ``script`` (a JS expression) until it is truthy; return its value."""
    return WebDriverWait(driver, remaining(timeout), poll_frequency=0.3, ignored_exceptions=(JavascriptException,)).until(
        lambda d: d.execute_script(f"return {script};"), message or f"timed out waiting for: {script}"
    )


def menu(driver, label: str, command: str) -> None:
    """Open JupyterLab's menu ``label`` and click its item that runs ``command``."""
    driver.find_element(By.XPATH, f"//div[contains(@class, 'lm-MenuBar-itemLabel') and text()='{label}']").click()
    item = (By.CSS_SELECTOR, f"li.lm-Menu-item[data-command='{command}']")
    WebDriverWait(driver, remaining(30)).until(expected_conditions.element_to_be_clickable(item),
                                               f"the menu item {command} of {label} is not there or not enabled").click()


def poll(read, good, timeout: float = 60):
    """Call ``read()`` until ``good(value)`` holds or ``timeout`` seconds pass; return the last value."""
    deadline = time.monotonic() + remaining(timeout)
    value = read()
    while not good(value) and time.monotonic() < deadline:
        time.sleep(0.3)
        value = read()
    return value


def requests_out(driver, base: str) -> list[str]:
    """Requests of the page (and of its frames) that went anywhere but this server: console network errors
    (every other host name is unresolvable in this browser) and the pages' resource-timing entries."""
    out = [e["message"][:200] for e in driver.get_log("browser")
           if "net::ERR_NAME_NOT_RESOLVED" in e["message"] or ("net::ERR_" in e["message"] and base not in e["message"])]
    script = ("return performance.getEntriesByType('resource').map(e => e.name)"
              f".filter(n => !n.startsWith({base!r}) && !/^(data|blob|about):/.test(n));")
    out += driver.execute_script(script)
    for frame in driver.find_elements(By.TAG_NAME, "iframe"):
        driver.switch_to.frame(frame)
        try:
            out += driver.execute_script(script)
        finally:
            driver.switch_to.default_content()
    return out


def widget_output(driver, cell) -> str:
    """What the Output widgets of a cell show (figures and text), as one string."""
    return driver.execute_script(
        """
        const parts = [];
        arguments[0].querySelectorAll('.widget-output img, .widget-output pre, .widget-output svg').forEach(
            e => parts.push(e.tagName === 'IMG' ? e.src : e.textContent));
        return parts.join('\\n');
        """,
        cell,
    )


def settle(driver, element, timeout: float = 10) -> None:
    """Wait until ``element`` stops moving on the screen (two equal bounding boxes 0.3 s apart), at most ``timeout`` s."""
    box_script = "const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height];"
    last, deadline = None, time.monotonic() + remaining(timeout)
    while time.monotonic() < deadline:
        box = driver.execute_script(box_script, element)
        if box == last:
            return
        last = box
        time.sleep(0.3)


def drag_slider(driver, cell, scroll_into_view: bool = True) -> tuple[str, str, str, str]:
    """Drag the handle of the first slider of ``cell`` with the mouse (scrolled into view first, unless the caller
    has brought it there); return (value before, after, output before, after)."""
    handle = cell.find_element(By.CSS_SELECTOR, ".widget-slider .noUi-handle")
    before = poll(lambda: widget_output(driver, cell), lambda shown: shown != "")
    value, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    down = float(value) >= float(top)
    for attempt in range(1, 4):
        if scroll_into_view:
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", handle)
        settle(driver, handle)
        ActionChains(driver).click_and_hold(handle).move_by_offset(-40 if down else 40, 0).release().perform()
        moved = poll(lambda: handle.get_attribute("aria-valuenow"), lambda now: now != value, 10 * attempt)
        if moved != value:
            break
        # JupyterLab lays out cells lazily, so the notebook can shift under a click aimed at the handle (seen in
        # a walk: the click landed in the code editor above it); a student would simply drag again.
        print(f"the slider did not move on drag {attempt} (value {value}); dragging again")
    after = poll(lambda: widget_output(driver, cell), lambda shown: shown not in ("", before))
    return value, moved, before, after


def open_notebook(driver, base: str, token: str, path: Path) -> None:
    """Open the student's copy of ``path`` in JupyterLab and wait for the course kernel to be idle."""
    driver.get("about:blank")
    driver.get_log("browser")  # (empties the console log)
    driver.get(f"{base}/lab/tree/notebooks/{path.name}?reset&token={token}")  # reset: nothing left open from before
    code_cells = sum(c.cell_type == "code" for c in nbformat.read(path, as_version=4).cells)
    wait_for(driver, f"{PROMPTS}.length === {code_cells}", OPEN_TIMEOUT, f"JupyterLab did not show {path.name}")
    kernel = nbtools.KERNELSPEC["display_name"]
    wait_for(
        driver,
        f"{PANEL}.querySelector('.jp-KernelName').textContent === {kernel!r}"
        f" && {PANEL}.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]') !== null",
        OPEN_TIMEOUT,
        f"the notebook's kernel is not the course kernel ({kernel}), or it did not start; it shows "
        + repr(driver.execute_script(f"return {PANEL}.querySelector('.jp-KernelName')?.textContent")),
    )
    menu(driver, "Edit", "editmenu:clear-all")
    wait_for(driver, f"{PROMPTS}.every(p => !/\\d/.test(p.textContent))", message="the outputs were not cleared")


#: Per code cell of the open notebook: its prompt (``[3]:``, ``[*]:``, ``""``), or null where the cell's
#: input is collapsed (a folded solution cell shows a placeholder without its execution count).
CELL_PROMPTS = (
    f"[...{PANEL}.querySelectorAll('.jp-CodeCell')].map(c => {{"
    " const p = c.querySelector('.jp-InputArea .jp-InputPrompt');"
    " return p === null ? null : p.textContent.trim(); })"
)
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def first_line(source: str) -> str:
    return next((line for line in source.splitlines() if line.strip()), "")[:80]


def run_all(driver, path: Path) -> float:
    """Kernel > Restart Kernel and Run All Cells; wait until every code cell ran or the run stopped; return the seconds it took."""
    sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    menu(driver, "Kernel", "runmenu:restart-and-run-all")
    WebDriverWait(driver, 30).until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept")),
        f"{path.name}: no 'Restart Kernel?' dialog to confirm").click()
    start = time.monotonic()
    state_script = (
        f"return [{CELL_PROMPTS},"
        f" {PANEL}.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status ?? null,"
        f" {PANEL}.querySelector({ERROR_OUTPUT!r}) !== null];"
    )
    last_progress, seen = start, None
    while True:
        prompts, status, failed = driver.execute_script(state_script)
        shown = [p for p in prompts if p is not None]
        numbered = [p for p in shown if re.fullmatch(r"\[\d+\]:", p)]
        if len(numbered) == len(shown) or (failed and status == "idle" and "[*]:" not in shown):
            break
        if prompts != seen:
            last_progress, seen = time.monotonic(), prompts
        now = time.monotonic()
        if now - start > RUN_TIMEOUT or now - last_progress > CELL_TIMEOUT or now > _deadline[0]:
            running = [i for i, p in enumerate(prompts) if p == "[*]:"]
            where = (f"code cell {running[0] + 1} ({first_line(sources[running[0]])!r}) still running"
                     if running and running[0] < len(sources) else f"no cell marked running, kernel {status}")
            pytest.fail(f"{path.name} did not finish Restart Kernel and Run All Cells: {where} after {now - start:.0f} s"
                        f" ({len(numbered)} of {len(shown)} visible code cells numbered)")
        time.sleep(0.5)
    seconds = time.monotonic() - start
    errors = driver.execute_script(
        f"return [...{PANEL}.querySelectorAll('.jp-CodeCell')].flatMap((c, i) =>"
        f" [...c.querySelectorAll({ERROR_OUTPUT!r})].map(e => [i, e.textContent.slice(0, 500)]));"
    )
    assert errors == [], f"{path.name} showed errors or wrote to stderr in JupyterLab: " + "; ".join(
        f"code cell {i + 1} ({first_line(sources[i])!r}): {text}" for i, text in errors)
    # Restart and Run All numbers the cells 1, 2, 3, ...: a visible count equal to its position shows that every
    # cell before it ran, collapsed ones included.
    wrong = [(i, p) for i, p in enumerate(prompts) if p is not None and p != f"[{i + 1}]:"]
    assert wrong == [], f"{path.name}: code cells not numbered by their position after Run All: " + ", ".join(
        f"cell {i + 1} ({first_line(sources[i])!r}) shows {p}" for i, p in wrong[:5])
    assert prompts and prompts[-1] is not None, f"{path.name}: its last code cell is collapsed, so the walk cannot see that it ran"
    return seconds


def broken_images(driver, path: Path) -> list[str]:
    """Scroll to every image of the notebook (as a reader would) and return those that did not load."""
    images = driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) img")
    expected = sum(len(MARKDOWN_IMAGE.findall(c.source)) for c in nbformat.read(path, as_version=4).cells
                   if c.cell_type == "markdown")
    assert len(images) >= expected, f"{len(images)} <img> in JupyterLab for {expected} images in the notebook's text"
    broken = []
    for image in images:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", image)
        loaded = poll(lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image),
                      bool, timeout=20)
        if not loaded:
            broken.append(image.get_attribute("src")[:100])
    return broken


def widgets_as_text(driver) -> list[str]:
    texts = driver.execute_script(
        f"return [...{PANEL}.querySelectorAll('.jp-OutputArea-output')].map(e => e.textContent.slice(0, 120));")
    return [t for t in texts if WIDGET_TEXT.match(t) or "Error displaying widget" in t]


# ---------------------------------------------------------------- the tests


#: Server warnings that are not the course's: jupyter-server's race when a kernel is shut down while its
#: channels still deliver messages (the walk shuts each notebook's kernel down right after leaving it).
NOT_THE_COURSES = ("Got events for closed stream",)


def warnings_of_make_lab(lab_dir: Path) -> list[str]:
    """The lines of ``make lab``'s output (the course's command, then the server's log) that warn or report an error."""
    text = (lab_dir.parent / "make-lab.log").read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if (re.match(r"\[[WEC] ", line) or re.search(r"Warning|Traceback", line))
            and not any(known in line for known in NOT_THE_COURSES)]


def test_notebooks_are_found():
    assert len(NOTEBOOKS) >= 8, [p.name for p in NOTEBOOKS]
    assert sorted(part(1) + part(2)) == sorted(NOTEBOOKS) and part(2), "the walk's two parts do not cover every notebook"
    assert {p.stem for p in part(2)} == set(PART_TWO), f"PART_TWO names notebooks that do not exist: {PART_TWO}"
    assert SLIDER_NOTEBOOKS, "no course notebook shows an ipywidgets slider, so widgets are not tested in JupyterLab and RISE"


def walk_notebook(path: Path, browser, lab, tmp_path) -> None:
    """Open ``path`` in JupyterLab, restart and run it, and check what it shows (the test of every notebook)."""
    base, token, lab_dir = lab
    shipped = path.read_bytes()
    start = time.monotonic()
    try:
        open_notebook(browser, base, token, path)
        seconds = run_all(browser, path)
        if sys.platform == "linux":
            paths = kernel_numeric_paths(base, token)
            assert paths and set(paths.values()) == {WALK_CPU}, \
                f"{path.name} ran in JupyterLab on numeric paths {paths}, not on COURSE_CPU={WALK_CPU}'s"
        assert broken_images(browser, path) == [], f"images of {path.name} that did not load in JupyterLab"
        assert widgets_as_text(browser) == [], f"widgets of {path.name} shown as text (the widget manager did not draw them)"
        if path in SLIDER_NOTEBOOKS:
            cell = wait_for(browser, f"{PANEL}.querySelector('.widget-slider')?.closest('.jp-Cell')",
                            message=f"no slider was drawn in {path.name} (is the ipywidgets extension working?)")
            value, moved, before, after = drag_slider(browser, cell)
            assert before, f"the slider's cell of {path.name} shows no output"
            assert moved != value, f"dragging the slider of {path.name} did not move it (value {value})"
            assert after not in ("", before), f"moving the slider of {path.name} from {value} to {moved} did not change the output"
        assert requests_out(browser, base) == [], f"requests that left the machine from {path.name}"
        print(f"{path.name}: Restart Kernel and Run All Cells took {seconds:.0f} s in JupyterLab,"
              f" the whole walk of it {time.monotonic() - start:.0f} s")
    except Exception:
        browser.save_screenshot(str(tmp_path / "jupyterlab.png"))
        print(f"what the browser showed: {tmp_path / 'jupyterlab.png'}")
        raise
    finally:
        browser.get("about:blank")  # closes the notebook's connections
        shutdown_kernels(base, token)
    assert path.read_bytes() == shipped, f"running {path.name} in JupyterLab changed the shipped notebook"


@pytest.mark.parametrize("path", part(1), ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab(path, browser, lab, tmp_path):
    walk_notebook(path, browser, lab, tmp_path)


def open_rise_on_slider(browser, base: str, token: str, path: Path):
    """Run ``path`` down to its first slider, open RISE on that cell, switch into its frame; return the slide's cell."""
    cells = nbformat.read(path, as_version=4).cells
    index = next(i for i, c in enumerate(cells) if c.cell_type == "code" and SLIDER.search(c.source))
    to_run = sum(c.cell_type == "code" for c in cells[: index + 1])
    open_notebook(browser, base, token, path)
    # Down to the first slider: select its cell, Run > Run All Above Selected Cell, Run > Run Selected Cell.
    cell = browser.execute_script(f"return {PANEL}.querySelectorAll('.jp-Cell')[{index}];")
    prompt = cell.find_element(By.CSS_SELECTOR, ".jp-InputPrompt")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", prompt)
    prompt.click()
    menu(browser, "Run", "notebook:run-all-above")
    menu(browser, "Run", "notebook:run-cell")
    wait_for(browser, f"{CELL_PROMPTS}.slice(0, {to_run}).every(p => p === null || /^\\[\\d+\\]:$/.test(p))",
             RUN_TIMEOUT, f"{path.name}: the first {to_run} code cells did not all run")
    wait_for(browser, f"{PANEL}.querySelectorAll('.jp-Cell')[{index}].querySelector('.widget-slider')",
             message=f"no slider in JupyterLab in {path.name}")
    # View > Render as Reveal Slideshow: RISE opens in a panel beside the notebook, on the selected cell.
    menu(browser, "View", "RISE:preview")
    frame = wait_for(browser, "document.querySelector('iframe[src*=\"/rise/\"]')", OPEN_TIMEOUT,
                     f"RISE did not open its slideshow panel on {path.name}")
    browser.switch_to.frame(frame)
    return wait_for(browser, "document.querySelector('.reveal section.present .widget-slider')?.closest('.jp-Cell')",
                    OPEN_TIMEOUT, f"the slideshow of {path.name} does not show the slider as a widget")


@contextlib.contextmanager
def in_slideshow(browser, base: str, token: str, tmp_path: Path):
    """Around a RISE test: keep a screenshot if it fails; afterwards leave the slideshow's frame and the page, and stop the kernels."""
    try:
        yield
    except (Exception, StaleElementReferenceException):
        browser.switch_to.default_content()
        browser.save_screenshot(str(tmp_path / "rise.png"))
        print(f"what the browser showed: {tmp_path / 'rise.png'}")
        raise
    finally:
        browser.switch_to.default_content()
        browser.get("about:blank")
        shutdown_kernels(base, token)


def test_rise_slideshow_draws_widgets_scrolls_and_stays_offline(browser, lab, tmp_path):
    base, token, lab_dir = lab
    path = SLIDER_NOTEBOOKS[0]
    cells = nbformat.read(path, as_version=4).cells
    with in_slideshow(browser, base, token, tmp_path):
        slide = open_rise_on_slider(browser, base, token, path)
        texts = browser.execute_script(
            "return [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.textContent.slice(0, 120));")
        assert [t for t in texts if WIDGET_TEXT.match(t)] == [], "widgets shown as text in the slideshow"
        shown = slide.find_element(By.CSS_SELECTOR, ".widget-slider .noUi-handle").get_attribute("aria-valuenow")
        assert shown is not None and float(shown) >= 0, f"the slideshow's slider shows no value ({shown!r})"

        # Forward (Space) to the first slide taller than the panel; the mouse wheel scrolls it.
        tall = None
        for _ in range(len(cells)):
            tall = browser.execute_script(
                "const panel = document.querySelector('.reveal').getBoundingClientRect().height;"
                "return [...document.querySelectorAll('.reveal section.present')].find("
                "s => s.scrollHeight > panel && getComputedStyle(s).overflowY === 'scroll') || null;")
            if tall is not None:
                break
            browser.find_element(By.TAG_NAME, "body").send_keys(Keys.SPACE)
            time.sleep(1)
        assert tall is not None, "no slide of the deck is taller than the panel, or a tall slide cannot scroll"
        ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(tall), 0, 400).perform()
        scrolled = poll(lambda: browser.execute_script("return arguments[0].scrollTop;", tall), lambda top: top > 0, 10)
        assert scrolled > 0, "the mouse wheel did not scroll a slide taller than the panel"
        font = browser.execute_script("return getComputedStyle(document.querySelector('.reveal')).fontFamily;")
        browser.switch_to.default_content()
        assert requests_out(browser, base) == [], f"requests that left the machine (the slideshow's font: {font})"


def test_rise_slider_moves_the_figure(browser, lab, tmp_path):
    """Moving the slider inside the slideshow changes its figure (the README's promise of live widgets in RISE).

    As an instructor does it: the slider's cell is a fragment of its slide, so Space shows it; the slide is taller
    than the panel, so the mouse wheel brings the slider into view; then the mouse drags its handle.
    """
    base, token, lab_dir = lab
    with in_slideshow(browser, base, token, tmp_path):
        slide = open_rise_on_slider(browser, base, token, SLIDER_NOTEBOOKS[0])
        handle = slide.find_element(By.CSS_SELECTOR, ".widget-slider .noUi-handle")
        for _ in range(len(nbformat.read(SLIDER_NOTEBOOKS[0], as_version=4).cells)):
            if browser.execute_script("return getComputedStyle(arguments[0]).visibility === 'visible';", handle):
                break
            browser.find_element(By.TAG_NAME, "body").send_keys(Keys.SPACE)  # the next fragment
            time.sleep(0.5)
        assert browser.execute_script("return getComputedStyle(arguments[0]).visibility;", handle) == "visible", \
            "Space never showed the slider's fragment"
        section = browser.execute_script("return arguments[0].closest('section');", handle)
        offset = browser.execute_script(
            "const h = arguments[0].getBoundingClientRect(), s = arguments[1].getBoundingClientRect();"
            "return Math.round(h.top - s.top - s.height / 2);", handle, section)
        if offset > 0:
            ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(section), 0, offset).perform()
        in_view = poll(lambda: browser.execute_script(
            "const h = arguments[0].getBoundingClientRect(), s = arguments[1].getBoundingClientRect();"
            "return h.top >= s.top && h.bottom <= s.bottom"
            " && document.elementFromPoint(h.x + h.width / 2, h.y + h.height / 2)?.closest('.noUi-handle') === arguments[0];",
            handle, section), bool, 10)
        assert in_view, "the mouse wheel did not bring the slider's handle into view in the slide"
        value, moved, before, after = drag_slider(browser, slide, scroll_into_view=False)
        assert moved != value, f"dragging the slider in the slideshow did not move it (value {value})"
        assert after not in ("", before), f"moving the slider in the slideshow from {value} to {moved} did not change the figure"


def test_make_lab_warned_of_nothing(lab):
    """No warning from the course's own command, over the whole walk above (this module's tests run in order)."""
    assert warnings_of_make_lab(lab[2]) == [], "make lab (or its JupyterLab server) warned"
