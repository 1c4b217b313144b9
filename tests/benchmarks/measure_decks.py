"""Count what a presenter would meet in the decks: clipped lines, overflowing slides, figures without alt text.

``python tests/benchmarks/measure_decks.py [BUILT_SLIDES_FOLDER]`` builds the decks
(or reads a folder ``make slides`` wrote) and walks every slide of every deck in
headless Chromium at 1280 x 800 and 1024 x 768 (tests/deckwalk.py says what is
measured), then prints one line of counts per deck and size and the totals. It
asserts nothing; tests/test_browser.py fails on the same findings.
"""

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]

import conftest  # noqa: E402  (the test suite's Chromium flags)
import deckwalk  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from course_utils import publish  # noqa: E402

KINDS = ["clipped", "overflow", "no_alt", "small_figure", "doubled_notes", "requests", "math_errors"]


def main() -> None:
    """Walk every deck at every size and print the counts."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "slides"
        if len(sys.argv) <= 1:
            publish.build_slides(folder)
        options = webdriver.ChromeOptions()
        options.binary_location = str(conftest.CHROMIUM)
        for flag in conftest.CHROMIUM_FLAGS + [f"--user-data-dir={tmp}/profile"]:
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=str(conftest.CHROMEDRIVER)), options=options)
        totals = {kind: 0 for kind in KINDS} | {"slides": 0, "scrolling": 0}
        start = time.perf_counter()
        try:
            print(f"{'deck':34} {'size':9} {'slides':>6} {'scroll':>6} " + " ".join(f"{k[:9]:>9}" for k in KINDS))
            for deck in sorted((folder / "notebooks").glob("*.slides.html")):
                for size in deckwalk.SIZES:
                    result = deckwalk.walk(driver, deck, size)
                    found = deckwalk.problems(result)
                    scrolling = sum(s["scrolling"] for s in result["slides"])
                    counts = {kind: len(found[kind]) for kind in KINDS}
                    totals = {k: totals[k] + counts.get(k, 0) for k in KINDS} | {
                        "slides": totals["slides"] + len(result["slides"]), "scrolling": totals["scrolling"] + scrolling}
                    print(f"{deck.name[:34]:34} {size[0]}x{size[1]:<4} {len(result['slides']):6} {scrolling:6} "
                          + " ".join(f"{counts[k]:9}" for k in KINDS), flush=True)
                    if "-v" in sys.argv:
                        for kind in KINDS + ["scrolling"]:
                            for item in found[kind]:
                                print(f"    {kind}: {item}")
        finally:
            driver.quit()
        print(f"{'total':34} {'':9} {totals['slides']:6} {totals['scrolling']:6} "
              + " ".join(f"{totals[k]:9}" for k in KINDS))
        print(f"walked in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
