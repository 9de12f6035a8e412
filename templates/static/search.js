/* Start Pagefind's UI; if the index cannot load (e.g. the page came from file://), keep the notice. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("search");
    var notice = document.getElementById("search-unavailable");
    if (!element || typeof window.PagefindUI !== "function" || window.location.protocol === "file:") return;
    new window.PagefindUI({
      element: "#search",
      bundlePath: new URL(element.getAttribute("data-bundle"), document.baseURI).href,
      showSubResults: true,
      showImages: false,
      resetStyles: false
    });
    notice.hidden = true;
    var input = element.querySelector("input");
    var query = new URLSearchParams(window.location.search).get("q");
    if (input && query) {
      input.value = query;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
})();
