// Copy buttons: <button data-copy="field-id" data-status="status-id" hidden>. They stay
// hidden where the browser cannot copy (no JavaScript, no clipboard, no secure origin):
// the link is still there as text to select. The status element (aria-live="polite")
// says "Copied" for screen readers and for eyes.
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) { return; }

  function say(status, text) {
    if (!status) { return; }
    // Emptied first, so a second copy is announced again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 100);
    window.clearTimeout(status._clear);
    status._clear = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var status = document.getElementById(button.getAttribute("data-status"));
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { say(status, button.getAttribute("data-copied")); },
        function () {
          field.focus();
          field.select();
          say(status, button.getAttribute("data-failed"));
        }
      );
    });
  });
})();
