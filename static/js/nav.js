// The site menu is a <details> disclosure: it opens and closes without JavaScript.
// This file only adds what people expect of a menu: wide screens keep it open (the CSS
// already shows it as a row), Escape closes it and gives focus back to its button, and
// a tap or a focus outside it closes it.
(function () {
  "use strict";
  var menu = document.querySelector(".site-nav details.menu");
  if (!menu) { return; }
  var summary = menu.querySelector("summary");
  var wide = window.matchMedia("(min-width: 64rem)");

  function fit() { menu.open = wide.matches; }
  fit();
  if (wide.addEventListener) { wide.addEventListener("change", fit); }

  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      summary.focus();
    }
  });
  function closeIfOutside(event) {
    if (menu.open && !wide.matches && !menu.contains(event.target)) { menu.open = false; }
  }
  document.addEventListener("click", closeIfOutside);
  document.addEventListener("focusin", closeIfOutside);
})();
