// Small progressive enhancements; every page works without this file.
// No inline scripts or handlers anywhere: the pages are meant to run under a strict CSP.
(function () {
  "use strict";

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
