// Global search: "/" focuses the navigation bar's search box (unless you are typing somewhere);
// Escape, or a click elsewhere, closes the results dropdown.
(function () {
  "use strict";
  function typing(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function results() { return document.getElementById("global-search-results"); }
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) return;
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "Escape" && results() && box.form && box.form.contains(event.target)) {
      results().hidden = true;
      box.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var panel = results();
    var box = document.getElementById("global-search");
    if (panel && box && !box.form.contains(event.target)) panel.hidden = true;
  });
  document.addEventListener("focusin", function (event) {
    var panel = results();
    if (panel && event.target && event.target.id === "global-search") panel.hidden = !panel.textContent.trim();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = results();
    // An empty query answers with nothing (whitespace at most): keep the dropdown closed then.
    if (panel && event.target === panel) panel.hidden = !panel.textContent.trim();
  });
})();
