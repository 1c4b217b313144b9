/* Fitting every slide of a course deck to the screen (course_utils/templates/course_slides).
   Runs on a slide when it is shown, after MathJax has typeset (and re-rendered) it:
   1. a code or output line wider than its box gets a smaller font (down to MIN_FONT px), and wraps if
      it is still too wide, so no line is cut off;
   2. a slide taller than the deck folds its longest code cells and text outputs to the lines that fit,
      with a button that shows the rest;
   3. a slide still too tall (or made taller by opening an answer or a fold) scrolls, by design, and
      opening a <details> answer keeps its summary where it was on the screen. */
function courseDeck(Reveal, MathJax) {
  "use strict";
  var MIN_FONT = 14, FOLD_FROM = 8, KEEP_AT_LEAST = 5;
  var config = Reveal.getConfig(), W = config.width, H = config.height;
  var queue = function (fn) {
    if (MathJax && MathJax.Hub) { MathJax.Hub.Queue(fn); } else if (typeof fn === "function") { fn(); }
  };
  var each = function (root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); };
  var visible = function (el) { return el.offsetParent !== null; };
  var lineCount = function (pre) { return pre.textContent.replace(/\n$/, "").split("\n").length; };
  var tooTall = function (slide) { return slide.scrollHeight > H + 1; };

  function reset(slide) {
    slide.classList.remove("course-scroll");
    each(slide, ".course-fitted", function (el) { el.style.fontSize = ""; el.classList.remove("course-fitted", "course-wrapped"); });
    each(slide, "pre.course-folded", unfold);
  }

  function slideRight(slide) { return slide.getBoundingClientRect().left + W * Reveal.getScale() + 1; }

  function fitWidth(slide) {
    each(slide, "pre, .jp-OutputArea-output table", function (el) {
      var box = el.tagName === "TABLE" ? el.parentElement : el;
      if (!visible(el) || (el.scrollWidth <= box.clientWidth + 1 && el.getBoundingClientRect().right <= slideRight(slide))) { return; }
      var size = parseFloat(getComputedStyle(el).fontSize);
      el.style.fontSize = Math.max(MIN_FONT, Math.floor(10 * size * box.clientWidth / el.scrollWidth) / 10) + "px";
      el.classList.add("course-fitted");
      if (el.tagName === "PRE" && el.scrollWidth > el.clientWidth + 1) { el.classList.add("course-wrapped"); }
    });
  }

  function fold(pre, keep) {
    var line = parseFloat(getComputedStyle(pre).lineHeight) || 1.3 * parseFloat(getComputedStyle(pre).fontSize);
    var total = lineCount(pre);
    pre.classList.add("course-folded");
    pre.style.maxHeight = (keep * line + 4) + "px";
    var button = document.createElement("button");
    button.className = "course-unfold";
    button.type = "button";
    button.textContent = "\u25be show all " + total + " lines (" + (total - keep) + " more)";
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      unfold(pre);
      pre.classList.add("course-opened");
      settle(slideOf(pre), pre);
    });
    pre.insertAdjacentElement("afterend", button);
  }

  function unfold(pre) {
    pre.classList.remove("course-folded");
    pre.style.maxHeight = "";
    var next = pre.nextElementSibling;
    if (next && next.classList.contains("course-unfold")) { next.remove(); }
  }

  function fitHeight(slide) {
    if (!tooTall(slide)) { return; }
    var candidates = Array.prototype.filter.call(
      slide.querySelectorAll(".jp-InputArea-editor pre, .jp-OutputArea-output > pre, .jp-RenderedText > pre"),
      function (pre) { return visible(pre) && !pre.closest("details") && !pre.classList.contains("course-opened") && lineCount(pre) > FOLD_FROM; }
    ).sort(function (a, b) { return b.offsetHeight - a.offsetHeight; });
    for (var i = 0; i < candidates.length && tooTall(slide); i++) {
      var pre = candidates[i], lines = lineCount(pre);
      var line = pre.offsetHeight / lines;
      var keep = Math.max(KEEP_AT_LEAST, lines - Math.ceil((slide.scrollHeight - H) / line) - 3);
      if (keep < lines - 1) { fold(pre, keep); }
    }
  }

  function settle(slide, anchor) {
    /* scroll if (still) too tall; keep `anchor` (a summary, a fold) where it was on the screen */
    if (!slide) { return; }
    var before = anchor ? anchor.getBoundingClientRect().top : 0;
    slide.classList.remove("course-scroll");
    if (tooTall(slide)) {
      slide.classList.add("course-scroll");
      fitWidth(slide);  // the scroll bar took some width
    }
    Reveal.layout();
    if (anchor && slide.classList.contains("course-scroll")) {
      slide.scrollTop += (anchor.getBoundingClientRect().top - before) / Reveal.getScale();
    }
  }

  function slideOf(el) { return el.closest(".slides section:not(.stack)") || el.closest("section"); }

  function fit(slide) {
    if (!slide) { return; }
    reset(slide);
    fitWidth(slide);
    fitHeight(slide);
    settle(slide, null);
  }

  function fitCurrent() { fit(Reveal.getCurrentSlide()); }

  function typesetThenFit(slide) {
    if (MathJax && MathJax.Hub && MathJax.Hub.getAllJax(slide).length) {
      MathJax.Hub.Queue(["Rerender", MathJax.Hub, slide]);
    }
    queue(function () { fit(slide); });
  }

  Reveal.on("ready", function () { typesetThenFit(Reveal.getCurrentSlide()); });
  Reveal.on("slidechanged", function (event) { typesetThenFit(event.currentSlide); });
  if (MathJax && MathJax.Hub) { MathJax.Hub.Register.StartupHook("End", function () { queue(fitCurrent); }); }
  window.addEventListener("load", function () { queue(fitCurrent); });

  /* an answer opened or closed: typeset what it shows, then scroll the slide if it no longer fits */
  var summaryTop = null;
  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest("summary");
    summaryTop = summary ? {summary: summary, top: summary.getBoundingClientRect().top} : null;
  }, true);
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details || details.tagName !== "DETAILS") { return; }
    var slide = slideOf(details), summary = details.querySelector("summary");
    var before = summaryTop && summaryTop.summary === summary ? summaryTop.top : summary.getBoundingClientRect().top;
    queue(["Typeset", MathJax.Hub, details]);
    queue(function () {
      fitWidth(slide);
      settle(slide, null);
      if (slide.classList.contains("course-scroll")) {
        slide.scrollTop += (summary.getBoundingClientRect().top - before) / Reveal.getScale();
      }
    });
  }, true);
}
