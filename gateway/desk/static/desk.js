/* Suara desk: small progressive enhancements. Every flow works without this file. */
"use strict";

/* SKM page: choosing a date selects "Custom dates"; the report's Print button. */
document.addEventListener("DOMContentLoaded", function () {
  var period = document.getElementById("period");
  ["from", "to"].forEach(function (id) {
    var input = document.getElementById(id);
    if (period && input) {
      input.addEventListener("change", function () { if (input.value) { period.value = "custom"; } });
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
