// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Comparison word marks: the toggle is a link to `?marks=off` (or back) for pages without
  // JavaScript; here it hides and shows the marks in place. The state sits on <html> so it
  // survives htmx swapping the comparison.
  var HIDDEN = "marks-hidden";
  var TOGGLE = "[data-marks-toggle='on']";

  function syncToggles() {
    var hidden = document.documentElement.classList.contains(HIDDEN);
    document.querySelectorAll(TOGGLE).forEach(function (toggle) {
      toggle.setAttribute("role", "button");
      toggle.setAttribute("aria-pressed", hidden ? "true" : "false");
      toggle.textContent = hidden ? "Show word marks" : "Hide word marks";
    });
  }

  function toggleMarks(event) {
    event.preventDefault();
    document.documentElement.classList.toggle(HIDDEN);
    syncToggles();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest(TOGGLE)) toggleMarks(event);
  });
  document.addEventListener("keydown", function (event) {
    // A role="button" link also answers the space bar, as a real button would.
    if (event.key === " " && event.target.matches(TOGGLE)) toggleMarks(event);
  });
  document.addEventListener("DOMContentLoaded", syncToggles);
  document.addEventListener("htmx:afterSettle", syncToggles);
})();
