"""Walk every slide of a built deck in a browser and measure what a presenter would see.

Used by tests/test_browser.py (which fails on any problem) and by
tests/benchmarks/measure_decks.py (which prints the counts). Everything is measured in
the deck's own coordinates (1280 x 800, whatever the window: reveal.js scales the
slide to the window), after MathJax has typeset the slide and the deck's fitting
script has run, with every fragment shown:

- a *clipped line*: a code line, an output line or a table wider than its box that
  cannot scroll sideways, or an element reaching past the slide's right edge;
- an *overflowing slide*: taller than the deck and not a scrolling slide (a scrolling
  slide is one the deck made scroll on purpose, class ``course-scroll``);
- a figure without alt text (none, or nbconvert's "No description has been provided");
- a figure shown smaller than the size its text was made readable for
  (``course_utils.plots.DECK_FIGURE_PX``), so that its text would be under 12 px;
- a MathJax error, and speaker notes whose maths the speaker view would show twice
  (MathJax's rendering plus its hidden MathML copy, or plus the TeX source);
- a request that left the machine (any URL not file:, data: or 127.0.0.1).
"""

from __future__ import annotations

from pathlib import Path

from course_utils import plots, publish

REVEAL = f"{publish.VENDOR_URL}/reveal.js/dist/reveal.js"
NO_ALT = "No description has been provided for this image"
SIZES = [(1280, 800), (1024, 768)]

WALK = """
const done = arguments[arguments.length - 1];
const [figureWidth, figureHeight, noAlt] = arguments;
// (require.js takes an async function for a configuration object: the callback starts one)
require([%r], Reveal => (async () => { try {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  for (let i = 0; i < 300 && !(window.MathJax && MathJax.Hub && Reveal.isReady()); i++) await sleep(100);
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const typeset = () => new Promise(r => MathJax.Hub.Queue(r));
  Reveal.configure({transition: 'none', backgroundTransition: 'none'});
  await typeset();
  const W = Reveal.getConfig().width, H = Reveal.getConfig().height;
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const shown = el => el.offsetParent !== null || getComputedStyle(el).position === 'fixed';
  const slides = [];
  for (const slide of Reveal.getSlides()) {
    const at = Reveal.getIndices(slide); window.__walk = [at.h, at.v];
    Reveal.slide(at.h, at.v, 1e6);  // every fragment shown
    await typeset(); await frame();  // the deck's fitting runs in MathJax's queue, before this typeset
    const scale = Reveal.getScale();
    const box = slide.getBoundingClientRect();
    const clipped = [];
    for (const el of slide.querySelectorAll('pre, table, .jp-OutputArea-output, .MathJax_Display, img')) {
      if (!shown(el) || el.closest('.course-folded')) continue;
      let wide = el.scrollWidth > el.clientWidth + 1 && !scrolls(el) && el.tagName !== 'IMG';
      for (let up = el.parentElement; wide && up && up !== slide; up = up.parentElement) {
        if (scrolls(up) && up.scrollWidth > up.clientWidth) wide = false;  // it scrolls inside a scroll box
      }
      const right = (el.getBoundingClientRect().right - box.left) / scale;
      if (wide || right > W + 2) clipped.push((el.textContent || el.alt || el.tagName).trim().slice(0, 60));
    }
    const tall = slide.scrollHeight > H + 2 || slide.offsetHeight > H + 2;
    const scrolling = slide.classList.contains('course-scroll') && slide.clientHeight <= H + 2
      && ['auto', 'scroll'].includes(getComputedStyle(slide).overflowY);
    const figures = [...slide.querySelectorAll('img')].filter(shown).map(img => {
      const width = img.getBoundingClientRect().width / scale;
      const output = !!img.closest('.jp-OutputArea-output');
      const fit = Math.min(1, figureWidth / img.naturalWidth, figureHeight / img.naturalHeight);
      return {alt: img.alt || '', described: !!img.alt && img.alt !== noAlt, output,
              ratio: img.naturalWidth ? width / img.naturalWidth : 0, fit: output ? fit : 1,
              src: img.src.startsWith('data:') ? 'data' : img.src.split('/').pop()};
    });
    slides.push({h: at.h, v: at.v, title: (slide.querySelector('h1, h2, h3') || {}).textContent || '',
                 height: Math.round(slide.scrollHeight), clipped, overflow: tall && !scrolling,
                 scrolling: tall && scrolling, figures});
  }
  const notes = Reveal.getSlides().map(s => s.querySelector('aside.notes')).filter(a => a).map(a => {
    const copy = document.createElement('div');
    copy.innerHTML = a.innerHTML;
    const rendered = copy.querySelectorAll('.MathJax_CHTML, .mjx-chtml, .MathJax, .MathJax_SVG').length;
    const hidden = copy.querySelectorAll('.MJX_Assistive_MathML, math').length;
    copy.querySelectorAll('script, style').forEach(e => e.remove());
    const tex = /\\$[^$]+\\$|\\\\\\(|\\\\\\[/.test(copy.textContent);
    return {doubled: rendered > 0 && (hidden > 0 || tex), text: copy.textContent.trim().slice(0, 60)};
  });
  const requests = performance.getEntriesByType('resource').map(e => e.name)
    .filter(u => !/^(file:|data:|blob:|https?:\\/\\/127\\.0\\.0\\.1[:/])/.test(u));
  const mathErrors = document.querySelectorAll('.MathJax_Error, .mjx-merror').length
    + (document.body.innerText.includes('Math Processing Error') ? 1 : 0);
  Reveal.slide(0, 0, 0);
  done({slides, notes, requests, mathErrors});
  } catch (error) { done({error: String(error && error.stack || error)}); }
})());
""" % REVEAL


def walk(driver, deck: Path, size: tuple[int, int], timeout: float = 300) -> dict:
    """Open ``deck`` in a window of ``size`` and measure every slide (see the module docstring)."""
    driver.set_window_size(*size)
    driver.get("about:blank")
    driver.get(deck.as_uri())
    driver.set_script_timeout(timeout)
    result = driver.execute_async_script(WALK, *plots.DECK_FIGURE_PX, NO_ALT)
    if "error" in result:
        raise RuntimeError(f"walking {deck.name} failed in the page: {result['error']}")
    # (set_window_size sets the outer window; the deck is laid out in the viewport, which is what counts)
    return result


def problems(result: dict) -> dict[str, list]:
    """The findings of :func:`walk` that count as problems, by kind."""
    slides = result["slides"]
    where = lambda s: f"{s['h'] + 1}.{s['v'] + 1} {s['title'][:40]!r}"  # noqa: E731
    return {
        "clipped": [f"{where(s)}: {line!r}" for s in slides for line in s["clipped"]],
        "overflow": [f"{where(s)}: {s['height']} px" for s in slides if s["overflow"]],
        "no_alt": [f"{where(s)}: {f['src']}" for s in slides for f in s["figures"] if not f["described"]],
        "small_figure": [f"{where(s)}: shown at {f['ratio']:.2f} of its size, text made for {f['fit']:.2f}"
                         for s in slides for f in s["figures"] if f["ratio"] < f["fit"] - 0.02],
        "scrolling": [f"{where(s)}: {s['height']} px" for s in slides if s["scrolling"]],
        "doubled_notes": [n["text"] for n in result["notes"] if n["doubled"]],
        "requests": result["requests"],
        "math_errors": [result["mathErrors"]] if result["mathErrors"] else [],
    }
