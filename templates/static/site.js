/* kb site behaviour: theme toggle, sortable and filterable claim tables. No inline scripts (CSP). */
(function () {
  "use strict";

  function setupTheme() {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    var stored = null;
    try { stored = localStorage.getItem("kb-theme"); } catch (e) { stored = null; }
    if (stored) document.documentElement.setAttribute("data-theme", stored);
    button.hidden = false;
    button.addEventListener("click", function () {
      var dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
      var current = document.documentElement.getAttribute("data-theme") || (dark ? "dark" : "light");
      var next = current === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try { localStorage.setItem("kb-theme", next); } catch (e) { /* private mode */ }
    });
  }

  var CONFIDENCE_ORDER = { proven: 4, likely: 3, experimental: 2, speculative: 1 };

  function cellValue(row, index, kind) {
    var text = row.cells[index].textContent.trim();
    if (kind === "number") return parseFloat(text) || 0;
    if (kind === "confidence") return CONFIDENCE_ORDER[text] || 0;
    return text.toLowerCase();
  }

  function sortTable(table, index, kind, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function setupSorting() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th button[data-sort]").forEach(function (button) {
        var header = button.parentElement;
        button.addEventListener("click", function () {
          sortTable(table, header.cellIndex, button.getAttribute("data-sort"), header);
        });
      });
    });
  }

  function setupFilters() {
    var form = document.getElementById("claim-filters");
    var table = document.getElementById("claims-table");
    if (!form || !table) return;
    form.hidden = false;
    var text = document.getElementById("filter-text");
    var domain = document.getElementById("filter-domain");
    var confidence = document.getElementById("filter-confidence");
    var count = document.getElementById("filter-count");
    var params = new URLSearchParams(window.location.search);
    if (params.get("domain")) domain.value = params.get("domain");
    if (params.get("confidence")) confidence.value = params.get("confidence");
    function apply() {
      var words = text.value.trim().toLowerCase(), shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = (!domain.value || row.getAttribute("data-domain") === domain.value) &&
          (!confidence.value || row.getAttribute("data-confidence") === confidence.value) &&
          (!words || row.cells[0].textContent.toLowerCase().indexOf(words) !== -1);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " shown";
    }
    [text, domain, confidence].forEach(function (el) { el.addEventListener("input", apply); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupTheme();
    setupSorting();
    setupFilters();
  });
})();
