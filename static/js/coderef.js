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
    return Array.prototype.slice.call(
      document.querySelectorAll("#search-results .compare-link, #search-results .result a.code-ref")
    );
  }

  function isSearchBox(element) {
    return !!element && (element.id === "q" || element.id === "header-q");
  }

  // A page loaded with text in the box (after Enter, a reload, Back, a shared link) puts the
  // caret after it, so typing goes on where the query ends.
  function caretToEnd() {
    var box = searchBox();
    if (!box || document.activeElement !== box) return;
    var end = box.value.length;
    box.setSelectionRange(end, end);
  }

  // `/` inside a word (`dural/csf`) is text; anywhere else in the box it is the shortcut, which
  // selects the query to type over it rather than typing itself.
  function slashIsText(box) {
    var start = box.selectionStart;
    if (start === null || start !== box.selectionEnd || start === 0) return false;
    return /[A-Za-z]/.test(box.value.charAt(start - 1));
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
    if (event.key === "/" && isSearchBox(event.target) && !slashIsText(event.target)) {
      event.preventDefault();
      event.target.select();
      return;
    }
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

  document.addEventListener("DOMContentLoaded", function () {
    var box = searchBox();
    // The browser would focus an autofocus box after this event, with the caret at the start;
    // focused here first, the browser leaves it alone.
    if (box && box.hasAttribute("autofocus") && document.activeElement === document.body) box.focus();
    caretToEnd();
  });
  window.addEventListener("pageshow", caretToEnd);
  document.addEventListener("htmx:historyRestore", function () {
    var box = searchBox();
    if (box && box.hasAttribute("autofocus")) box.focus();
    caretToEnd();
  });

  // --- search: Compare selected -----------------------------------------------------------------
  // Without JavaScript the button always submits and the comparison page explains a wrong count;
  // here it waits for 2 to 4 ticked codes, and the hint says why.
  function syncCompareButton() {
    var form = document.getElementById("compare-form");
    if (!form) return;
    var button = form.querySelector(".compare-selected");
    var hint = document.getElementById("compare-hint");
    var ticked = form.querySelectorAll(".compare-box:checked").length;
    button.disabled = ticked < 2 || ticked > 4;
    if (ticked === 1) {
      hint.textContent = "Tick one more code to compare.";
    } else if (ticked > 4) {
      hint.textContent = "A comparison shows at most 4 codes: untick " + (ticked - 4) + ".";
    } else if (ticked === 0) {
      hint.textContent = "Tick 2 to 4 codes to compare them side by side.";
    } else {
      hint.textContent = "Compares the " + ticked + " ticked codes.";
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".compare-box")) syncCompareButton();
  });
  document.addEventListener("DOMContentLoaded", syncCompareButton);
  document.addEventListener("htmx:afterSettle", syncCompareButton);

  // --- search: htmx -----------------------------------------------------------------------------
  // Typing only ever updates the results; a submit (Enter, the button) says so, and only then may
  // an `A vs B` query open the comparison.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    var trigger = detail.triggeringEvent;
    // Enter in a search box fires `search` beside `submit`; whichever the request came from.
    if (detail.elt && detail.elt.id === "search-form" && trigger && /^(submit|search)$/.test(trigger.type)) {
      detail.headers["X-Search-Submit"] = "true";
    }
  });

  // A query that found nothing and then stood for a moment (no more typing) is what the coder
  // settled on: ask once more, saying so, for the editors' list of searches that found nothing.
  // The typing on the way there (`/6370`, `6`, `c`) is never counted.
  var SETTLED_AFTER_MS = 1500;
  var settledTimer = null;
  document.addEventListener("htmx:afterSettle", function (event) {
    // htmx dispatches afterSettle on the element it swapped into.
    var target = event.target;
    if (!target || target.id !== "search-results") return;
    window.clearTimeout(settledTimer);
    var empty = target.querySelector(".empty[data-query]");
    if (!empty) return;
    var asked = empty.getAttribute("data-query");
    settledTimer = window.setTimeout(function () {
      var box = document.getElementById("q");
      if (!box || box.value.trim() !== asked.trim()) return;
      var form = document.getElementById("search-form");
      htmx.ajax("GET", form.getAttribute("action") || window.location.pathname, {
        source: form,
        swap: "none",
        headers: { "X-Search-Settled": "true" },
      });
    }, SETTLED_AFTER_MS);
  });
  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "q") window.clearTimeout(settledTimer);
  });

  // A 400 fragment (a reversed range, an over-long query) carries the message to show: swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr && detail.xhr.status === 400 && detail.target && detail.target.id === "search-results") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
