// The knowledge base: search as you type (debounced fetch of the results fragment) and copy
// buttons on script passages. No dependencies.
(function () {
  "use strict";
  var script = document.currentScript;
  var labels = {
    copy: script.dataset.copyLabel || "Copy",
    copied: script.dataset.copiedLabel || "Copied",
    failed: script.dataset.failedLabel || "Copy failed"
  };

  function textOf(node) {
    return (node.innerText || node.textContent || "").trim();
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function addCopyButtons(root) {
    var passages = root.querySelectorAll(".kb-body blockquote, .kb-script, .kb-copyable");
    passages.forEach(function (passage) {
      if (passage.dataset.copyReady) { return; }
      passage.dataset.copyReady = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "kb-copy";
      button.textContent = labels.copy;
      button.addEventListener("click", function () {
        var text = textOf(passage);
        copy(text).then(function () {
          button.textContent = labels.copied;
          button.dataset.copied = "true";
          document.body.dataset.lastCopied = text;
        }, function () {
          button.textContent = labels.failed;
        });
      });
      passage.insertAdjacentElement("afterend", button);
    });
  }

  function setUpSearch() {
    var form = document.querySelector("form.kb-search");
    var target = document.getElementById("kb-results");
    if (!form || !target) { return; }
    var input = form.querySelector("input[name=q]");
    var timer = null;
    var controller = null;
    var last = input.value.trim();

    function run() {
      var query = input.value.trim();
      if (query === last) { return; }
      last = query;
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var url = form.dataset.partialUrl + "?q=" + encodeURIComponent(query);
      target.setAttribute("aria-busy", "true");
      fetch(url, { signal: controller.signal, headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          target.innerHTML = html;
          target.removeAttribute("aria-busy");
          addCopyButtons(target);
          var pageUrl = form.action + (query ? "?q=" + encodeURIComponent(query) : "");
          window.history.replaceState(null, "", pageUrl);
        })
        .catch(function () { target.removeAttribute("aria-busy"); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 200);
    });
  }

  addCopyButtons(document);
  setUpSearch();
})();
