// Injected by tests/docs/test_site.py into every page it serves (never part of the site).
// Once MathJax has typeset the page (or after a few seconds without it), measure the layout
// and write the result as JSON into <pre id="gradspec-layout">, which --dump-dom then shows.
(function () {
  function measure() {
    var column = document.querySelector(".md-content__inner");
    var columnRect = column ? column.getBoundingClientRect() : null;
    var tables = [];
    document.querySelectorAll(".md-content__inner table").forEach(function (table) {
      // A table may be wider than the column only if its own box scrolls.
      var box = table.closest(".md-typeset__scrollwrap") || table;
      var rect = box.getBoundingClientRect();
      tables.push({
        text: (table.innerText || "").slice(0, 60),
        left: rect.left,
        right: rect.right,
        scrolls: box !== table && getComputedStyle(box).overflowX !== "visible",
      });
    });
    var images = [];
    document.querySelectorAll(".md-content__inner img").forEach(function (img) {
      images.push({
        src: img.getAttribute("src"),
        natural: img.naturalWidth,
        shown: img.getBoundingClientRect().width,
      });
    });
    var out = document.createElement("pre");
    out.id = "gradspec-layout";
    out.textContent = JSON.stringify({
      column: columnRect ? { left: columnRect.left, right: columnRect.right } : null,
      pageScrollWidth: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      tables: tables,
      images: images,
    });
    document.body.appendChild(out);
  }
  function typeset() {
    var math = document.querySelectorAll(".arithmatex").length;
    return math === 0 || document.querySelectorAll("mjx-container").length >= math;
  }
  var waited = 0;
  function poll() {
    if ((typeset() && document.readyState === "complete") || waited > 6000) {
      measure();
    } else {
      waited += 100;
      setTimeout(poll, 100);
    }
  }
  window.addEventListener("load", function () { setTimeout(poll, 100); });
})();
