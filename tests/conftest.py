"""Fixtures of the slide, site and browser tests: the built decks and site, and a headless Chromium.

The decks and the site are built once per test session into a temporary folder
by the same code as ``make slides`` and ``make site`` (:mod:`course_utils.publish`),
so ``make test`` alone checks what an instructor would get. What they need from
outside Python is looked for first: the browser libraries in ``node_modules``
(``npm ci``, which ``make test`` runs when npm is there) and Debian's
``chromium`` + ``chromium-driver``. Outside CI a missing piece skips the tests
that need it, with a message saying how to install it; with the environment
variable ``CI`` set (``.ci/run`` sets it) it is an error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from course_utils import publish

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Headless, no background traffic, and every host name but 127.0.0.1 unresolvable,
#: so that a page asking for anything from the network (a CDN) fails loudly.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--window-size=1280,800",
]


def unavailable(message: str) -> None:
    """Skip the test (outside CI) or fail it (``CI`` is set) because something it needs is not installed."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (the environment variable CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(message)


def _build(tmp_path_factory, what: str) -> Path:
    """Build the decks (``slides``) or the site (``site``) into a fresh temporary folder, as make does."""
    missing = publish.missing_browser_libraries()
    if missing:
        unavailable(
            f"the browser libraries of the decks are not installed (node_modules lacks {missing[0]}): "
            "install Node.js and npm (Debian/Ubuntu: apt-get install nodejs npm) and run `make slides` once"
        )
    out = tmp_path_factory.mktemp("publish") / what
    (publish.build_slides if what == "slides" else publish.build_site)(out)
    return out


@pytest.fixture(scope="session")
def built_slides(tmp_path_factory) -> Path:
    """Folder holding every notebook's deck, as ``make slides`` builds it."""
    return _build(tmp_path_factory, "slides")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Folder holding the course site, as ``make site`` builds it."""
    return _build(tmp_path_factory, "site")


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by selenium, with the network blocked and console messages kept."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        unavailable(
            f"the browser tests need Debian's Chromium and its driver ({', '.join(missing)} not found): "
            "apt-get update && apt-get install -y chromium chromium-driver"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile.name}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path keeps Selenium Manager (which would download drivers) out of it.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        profile.cleanup()
