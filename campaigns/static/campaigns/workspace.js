// The agent's workspace: keyboard shortcuts and the two-objection limit (R4), enforced again on the server.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches("input[type=text], input:not([type]), textarea, select, [inputmode]");
    if (event.key === "/" && !typing) {
      var search = document.getElementById("account-q");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (typing || !/^[1-4]$/.test(event.key)) { return; }
    var form = target.closest && target.closest(".rec") && target.closest(".rec").querySelector(".result-form");
    if (!form) { return; }
    var radios = form.querySelectorAll("input[name=result]");
    var radio = radios[Number(event.key) - 1];
    if (radio && !radio.disabled) { radio.checked = true; radio.focus(); }
  });
  document.querySelectorAll(".result-form").forEach(function (form) {
    var max = Number(form.dataset.maxObjections || 2);
    var warning = form.querySelector(".objection-limit");
    form.addEventListener("change", function (event) {
      if (event.target.name !== "objections") { return; }
      var checked = form.querySelectorAll("input[name=objections]:checked");
      if (checked.length > max) {
        event.target.checked = false;
        if (warning) { warning.hidden = false; }
      } else if (warning) {
        warning.hidden = true;
      }
    });
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
    });
  });
})();
