// Small progressive enhancements; every page works without this file. No inline scripts or
// handlers anywhere: the pages run under a strict CSP.
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

  // --- search: keyboard -------------------------------------------------------------------------
  function searchBox() {
    return document.getElementById("q") || document.getElementById("header-q");
  }

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results .result a.code-ref"));
  }

  var NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset", "file", "image", "range", "color"];

  function typingInField(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "input") return NOT_TEXT.indexOf((target.type || "").toLowerCase()) < 0;
    return target.isContentEditable || tag === "textarea" || tag === "select";
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    // `/` focuses the search box from anywhere but a text field.
    if (event.key === "/" && !typingInField(event.target)) {
      var box = searchBox();
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
      return;
    }
    // Arrow keys move between the search box and the results; Enter on a result opens it.
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var links = resultLinks();
    if (!links.length) return;
    var box = searchBox();
    var index = links.indexOf(event.target);
    if (event.target === box) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        links[0].focus();
      }
      return;
    }
    if (index < 0) return;
    event.preventDefault();
    if (event.key === "ArrowDown") {
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (index === 0 && box) {
      box.focus();
    } else {
      links[index - 1].focus();
    }
  });

  // --- search: htmx -----------------------------------------------------------------------------
  // A 400 fragment (a reversed range, an over-long query) carries the message to show: swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr && detail.xhr.status === 400 && detail.target && detail.target.id === "search-results") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
