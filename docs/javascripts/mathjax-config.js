// MathJax 3 configuration for the gradspec docs. Loaded before MathJax itself.
//
// - Only \( \) and \[ \] delimiters: pymdownx.arithmatex (generic mode) emits those inside
//   elements of class "arithmatex", and only those elements are processed.
// - "noundefined" is removed so an unknown macro renders as an error element (mjx-merror)
//   that the browser test can find, instead of being shown in red and passing silently.
// - physics is loaded for \pdv, \qty, \mqty (the notation of the lecture notes).
// - startup.typeset is false: pages are typeset once, from Material's document$ observable,
//   which fires on the first load and after every instant navigation. Typesetting at startup
//   as well would process each page twice.
window.MathJax = {
  loader: { load: ["[tex]/physics"] },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
    packages: { "[+]": ["physics"], "[-]": ["noundefined"] },
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
  startup: { typeset: false },
};

document$.subscribe(() => {
  MathJax.startup.promise.then(() => {
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
