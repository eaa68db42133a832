/* A live preview in the admin: a `.live-preview` box names the URL that renders it (data-url) and
 * the form fields it is made of (data-fields, comma-separated); as they are typed, the fields are
 * posted there and the answer's HTML replaces the box's `.live-preview-output`. The server renders
 * it, so the preview is what readers will see. */
(function () {
  "use strict";

  function attach(box) {
    var form = box.closest("form");
    var output = box.querySelector(".live-preview-output");
    var names = box.dataset.fields.split(",");
    var timer = null;
    var sent = 0;

    function value(name) {
      var field = form.querySelector("[name=" + name + "]");
      return field ? field.value : "";
    }

    function refresh() {
      var body = new FormData();
      names.forEach(function (name) {
        body.append(name, value(name));
      });
      var mine = ++sent;
      fetch(box.dataset.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": value("csrfmiddlewaretoken") },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && mine === sent) {
            output.innerHTML = data.html;
          }
        });
    }

    form.addEventListener("input", function (event) {
      if (names.indexOf(event.target.name) !== -1) {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 300);
      }
    });
  }

  function start() {
    document.querySelectorAll(".live-preview").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
