/* gongkai theme script (loaded with defer). Everything here is an enhancement:
   without JavaScript the site is fully usable in standard mode.
   - 长辈模式 / 标准模式 switch: class "elder" on <html>, remembered in
     localStorage under "gongkai-mode" (see js/mode.js);
   - tables in page text: scope on header cells, scroll inside a focusable box;
   - API examples of a site built without its public address: the address the page
     is read at (elements with data-api-base, a path relative to the page). */
(function () {
  "use strict";
  var KEY = "gongkai-mode";
  var html = document.documentElement;

  function save(elder) {
    try {
      if (elder) { window.localStorage.setItem(KEY, "elder"); }
      else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* storage disabled: the mode lasts for this page only */ }
  }

  var button = document.getElementById("mode-toggle");
  function sync() {
    if (button) {
      button.setAttribute("aria-pressed", html.classList.contains("elder") ? "true" : "false");
    }
  }
  if (button) {
    sync();
    button.hidden = false;
    button.addEventListener("click", function () {
      var elder = html.classList.toggle("elder");
      save(elder);
      sync();
    });
  }
  // keep several open tabs in the same mode
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      html.classList.toggle("elder", event.newValue === "elder");
      sync();
    }
  });

  // tables written in Markdown pages: header cells get a scope, and the
  // table is wrapped so it scrolls inside a box
  var heads = document.querySelectorAll(".prose thead th:not([scope])");
  for (var h = 0; h < heads.length; h++) { heads[h].setAttribute("scope", "col"); }
  var tables = document.querySelectorAll(".prose table");
  for (var i = 0; i < tables.length; i++) {
    var table = tables[i];
    if (table.parentNode.classList && table.parentNode.classList.contains("table-wrap")) {
      continue;
    }
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.setAttribute("role", "region");
    wrap.setAttribute("tabindex", "0");
    var caption = table.querySelector("caption");
    wrap.setAttribute("aria-label", caption ? caption.textContent : "表格");
    table.parentNode.insertBefore(wrap, table);
    wrap.appendChild(table);
  }

  var bases = document.querySelectorAll("[data-api-base]");
  for (var b = 0; b < bases.length; b++) {
    try {
      bases[b].textContent = new URL(bases[b].getAttribute("data-api-base"), window.location.href).href;
    } catch (e) { /* an old browser without URL: the placeholder stays */ }
  }
})();
