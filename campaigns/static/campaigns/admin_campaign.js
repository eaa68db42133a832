/* The campaign page in the admin: the script preview follows what is typed (scripts, offer) and
 * the account chosen to read it to. The server renders it (campaigns.admin.campaign), so the
 * preview is exactly what the agent will see. */
(function () {
  "use strict";

  var WATCHED = ["offer", "script_template", "connection_script_template"];

  function start() {
    var box = document.querySelector(".script-preview-box");
    if (!box) {
      return;
    }
    var form = box.closest("form");
    var output = document.getElementById("script-preview-output");
    var account = document.getElementById("script-preview-account");
    var timer = null;
    var sent = 0;

    function value(name) {
      var field = form.querySelector("[name=" + name + "]");
      return field ? field.value : "";
    }

    function refresh() {
      var body = new FormData();
      WATCHED.forEach(function (name) {
        body.append(name, value(name));
      });
      body.append("account", account.value);
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
            box.dataset.customer = data.customer;
          }
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    }

    form.addEventListener("input", function (event) {
      if (event.target === account || WATCHED.indexOf(event.target.name) !== -1) {
        later();
      }
    });
    form.addEventListener("change", function (event) {
      if (WATCHED.indexOf(event.target.name) !== -1) {
        later();
      }
    });
    // The offer is an autocomplete (select2): it tells jQuery, not the DOM, that it changed.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(form.querySelector("[name=offer]")).on("change", later);
    }
    // Enter in the account box previews; it must not save the campaign.
    account.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        refresh();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
