/* A live preview in the admin (articles, campaigns' scripts, script versions): a `.live-preview`
 * box names the URL that renders it (data-url) and the form fields it is made of (data-fields,
 * comma-separated); as they are typed or chosen, the fields and the box's own inputs (e.g. the
 * account the script is read to) are posted there and the answer's HTML replaces the box's
 * `.live-preview-output`. The server renders it, so the preview is what readers will see. */
(function () {
  "use strict";

  var DELAY_MS = 300;

  function attach(box) {
    var form = box.closest("form");
    var output = box.querySelector(".live-preview-output");
    var names = box.dataset.fields.split(",");
    var own = box.querySelectorAll("input[data-name]");  // not the form's: never saved with it
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
      own.forEach(function (input) {
        body.append(input.dataset.name, input.value);
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
        })
        .catch(function () {});  // offline for a moment: the next keystroke tries again
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    }

    function watched(target) {
      return names.indexOf(target.name) !== -1 || Array.prototype.indexOf.call(own, target) !== -1;
    }

    form.addEventListener("input", function (event) {
      if (watched(event.target)) {
        later();
      }
    });
    form.addEventListener("change", function (event) {
      if (watched(event.target)) {
        later();
      }
    });
    // An autocomplete (select2: the offer, the campaign) tells jQuery, not the DOM, it changed.
    if (window.django && window.django.jQuery) {
      names.forEach(function (name) {
        window.django.jQuery(form.querySelector("[name=" + name + "]")).on("change", later);
      });
    }
    // Enter in the box's own inputs previews; it must not save the form.
    own.forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          refresh();
        }
      });
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
