// Ticks every [data-ends-at] element down once a second. The server renders the same
// numbers, so without JavaScript the page still reads right (it refreshes on each poll).
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-ends-at"));
      if (isNaN(end)) { return; }
      var left = Math.round((end - now) / 1000);
      var sign = left < 0 ? "−" : "";
      left = Math.abs(left);
      var text = sign + Math.floor(left / 3600) + ":" + pad(Math.floor(left / 60) % 60) + ":" + pad(left % 60);
      el.textContent = text;
      el.classList.toggle("overtime", sign !== "");
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
