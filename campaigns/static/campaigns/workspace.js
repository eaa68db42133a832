// The agent's workspace at the speed of a live call: keys 1–4 choose a result on the card in
// focus, Ctrl+Enter saves it, and every form of the page (appeal, flags, results) saves without
// a reload: the page's own view answers, the workspace's parts are swapped in place and the focus
// and scroll position are kept. The two-objection limit (R4) is enforced again on the server.
(function () {
  "use strict";
  var TYPING = "input[type=text], input[type=search], input[type=datetime-local], input:not([type]), textarea, select, [inputmode]";
  var PARTS = [".workspace", "section.history"];

  function toast(doc) {
    var region = document.getElementById("ws-toasts");
    var incoming = doc.querySelector("main .messages");
    var current = document.querySelector("main > .messages");
    if (current) { current.remove(); }
    if (!region) { return; }
    region.innerHTML = incoming ? incoming.innerHTML : "";
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    PARTS.forEach(function (selector) {
      var now = document.querySelector(selector);
      var next = doc.querySelector(selector);
      if (now && next) { now.replaceWith(document.importNode(next, true)); }
    });
    toast(doc);
    bindCallbackFields(document);
  }

  function restoreFocus(id, cardId) {
    var element = (id && document.getElementById(id)) ||
      (cardId && document.querySelector("#" + cardId + " input[name=result]:checked"));
    if (element) { element.focus({ preventScroll: true }); }
  }

  function liveSubmit(form, submitter) {
    if (form.dataset.busy) { return; }  // a second press while saving creates nothing
    form.dataset.busy = "1";
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var active = document.activeElement;
    var activeId = active && active.id;
    var card = form.closest(".rec");
    var cardId = card && card.id;
    var scroll = window.scrollY;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (new URL(response.url).pathname !== window.location.pathname) {
          window.location.assign(response.url);  // an agreement goes on to the order form (R7)
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        swap(html);
        window.scrollTo(0, scroll);
        restoreFocus(activeId, cardId);
      })
      .catch(function () { delete form.dataset.busy; form.submit(); });
  }

  function bindCallbackFields(root) {
    root.querySelectorAll(".result-form").forEach(function (form) {
      var field = form.querySelector(".callback-field");
      if (!field) { return; }
      var checked = form.querySelector("input[name=result]:checked");
      field.hidden = !(checked && checked.value === "thinking");
    });
  }

  function choose(form, radio) {
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    var label = radio.closest("label");
    var note = form.querySelector(".picked-note");
    if (note && label) { note.textContent = note.dataset.prefix + " " + label.textContent.replace(/^\s*\d\s*/, "").trim(); }
    if (label) {
      label.classList.remove("flash");
      void label.offsetWidth;
      label.classList.add("flash");
    }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches && target.matches(TYPING);
    var card = target.closest && target.closest(".rec");
    var form = card && card.querySelector(".result-form");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form) {
      event.preventDefault();
      liveSubmit(form, form.querySelector("button[type=submit]"));
      return;
    }
    if (event.key === "/" && !typing) {
      var search = document.getElementById("account-q");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (typing || event.ctrlKey || event.altKey || event.metaKey || !/^[1-4]$/.test(event.key) || !form) { return; }
    var radio = form.querySelectorAll("input[name=result]")[Number(event.key) - 1];
    if (radio && !radio.disabled) { event.preventDefault(); choose(form, radio); }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest(".result-form");
    if (!form) { return; }
    if (event.target.name === "result") { bindCallbackFields(form.parentNode); return; }
    if (event.target.name !== "objections") { return; }
    var max = Number(form.dataset.maxObjections || 2);
    var warning = form.querySelector(".objection-limit");
    if (form.querySelectorAll("input[name=objections]:checked").length > max) {
      event.target.checked = false;
      if (warning) { warning.hidden = false; }
    } else if (warning) {
      warning.hidden = true;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-live]") || !window.fetch || !window.DOMParser) { return; }
    event.preventDefault();
    liveSubmit(form, event.submitter);
  });

  bindCallbackFields(document);
})();
