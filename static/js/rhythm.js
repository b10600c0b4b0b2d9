// Shows only the fields of the choice made: in a form marked [data-shows-chosen], an
// element with data-shown-when="kind=monthly" is hidden unless the radio named "kind"
// with the value "monthly" is checked. Without this script every part shows, each
// labelled with what it is for, and the server reads only the chosen kind's fields.
(function () {
  "use strict";
  function update(form) {
    form.querySelectorAll("[data-shown-when]").forEach(function (part) {
      var rule = part.getAttribute("data-shown-when").split("=");
      var chosen = Array.prototype.find.call(form.elements, function (input) {
        return input.name === rule[0] && input.type === "radio" && input.checked;
      });
      part.hidden = !chosen || chosen.value !== rule[1];
    });
  }
  document.querySelectorAll("form[data-shows-chosen]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.type === "radio") { update(form); }
    });
    update(form);
  });
})();
