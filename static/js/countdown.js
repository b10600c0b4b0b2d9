// Ticks every [data-ends-at] element down. The server renders the same numbers, so
// without JavaScript the page still reads right (it refreshes on each poll). Someone who
// asks their system for reduced motion gets hours and minutes, changing once a minute,
// instead of a clock ticking every second.
(function () {
  "use strict";
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-ends-at"));
      if (isNaN(end)) { return; }
      var left = Math.round((end - now) / 1000);
      var sign = left < 0 ? "−" : "";
      left = Math.abs(left);
      var text = sign + Math.floor(left / 3600) + ":" + pad(Math.floor(left / 60) % 60);
      el.textContent = calm ? text : text + ":" + pad(left % 60);
      el.classList.toggle("overtime", sign !== "");
    });
  }
  tick();
  setInterval(tick, calm ? 60000 : 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
