// The knowledge base beside the account: Alt+K (or the header's button) opens a search panel for
// what the customer said; results come from the knowledge base's own fragment as the agent types
// and open in place: bridges and objections filled for this account (and for the card the panel
// was opened from), articles and closing phrases as written. Nothing outside the panel changes,
// so the call's unsaved choices stay. A bridge opened from a card's «Bridges and answers» marks
// the need heard for that card's offer; opened from the general panel it asks first.
(function () {
  "use strict";
  var panel = document.getElementById("kb-panel");
  if (!panel) { return; }
  var input = panel.querySelector("#kb-panel-q");
  var results = panel.querySelector(".kb-panel-results");
  var reader = panel.querySelector(".kb-reader");
  var readerBody = panel.querySelector(".kb-reader-body");
  var contextLine = panel.querySelector(".kb-panel-context");
  var errorLine = panel.querySelector(".kb-panel-error");
  var context = null;   // {offer, name}: the card the panel was opened from
  var returnTo = null;  // where the focus goes back when the panel closes
  var timer = null;
  var controller = null;
  var lastQuery = "";

  function openers() { return document.querySelectorAll(".kb-panel-open"); }

  function open(withContext, from) {
    context = withContext;
    returnTo = from || document.activeElement;
    panel.hidden = false;
    document.body.classList.add("kb-panel-shown");
    openers().forEach(function (b) { b.setAttribute("aria-expanded", "true"); });
    contextLine.hidden = !context;
    contextLine.textContent = context ? contextLine.dataset.prefix + " «" + context.name + "»" : "";
    showResults();
  }

  function close() {
    panel.hidden = true;
    document.body.classList.remove("kb-panel-shown");
    openers().forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
    if (returnTo && document.contains(returnTo)) { returnTo.focus({ preventScroll: true }); }
  }

  function showResults() {
    reader.hidden = true;
    results.hidden = false;
  }

  function failed() { errorLine.hidden = false; }

  function fetchText(url, options) {
    errorLine.hidden = true;
    var init = Object.assign({ credentials: "same-origin", headers: { "X-Requested-With": "fetch" } }, options || {});
    return fetch(url, init).then(function (response) {
      if (!response.ok && response.status !== 400) { throw new Error(String(response.status)); }
      return response.text();
    });
  }

  function search() {
    var query = input.value.trim();
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (controller) { controller.abort(); }
    controller = new AbortController();
    // Typing goes back to the results; a search landing after an item was opened waits behind it.
    if (document.activeElement === input) { showResults(); }
    if (!query) { results.innerHTML = ""; return; }
    results.setAttribute("aria-busy", "true");
    fetchText(panel.dataset.searchUrl + "?limit=8&q=" + encodeURIComponent(query), { signal: controller.signal })
      .then(function (html) { results.innerHTML = html; })
      .catch(function (error) { if (error.name !== "AbortError") { failed(); } })
      .then(function () { results.removeAttribute("aria-busy"); });
  }

  // Where an item of the results opens beside the account: [url, kind], or null.
  function itemUrl(href) {
    var url = new URL(href, window.location.href);
    var match = url.pathname.match(/\/kb\/bridges\/([^/]+)\/$/);
    if (match) { return [panel.dataset.bridgeUrl.replace("CODE", match[1]), "bridge"]; }
    match = url.hash.match(/^#objection-(.+)$/);
    if (match) {
      var objection = panel.dataset.objectionUrl.replace("CODE", match[1]);
      return [objection + (context ? "?offer=" + encodeURIComponent(context.offer) : ""), "objection"];
    }
    if (/^#closing-/.test(url.hash)) { return [null, "closing"]; }
    if (/\/kb\/a\/\d+\/$/.test(url.pathname)) { return [url.pathname, "article"]; }
    return null;
  }

  function read(html) {
    readerBody.innerHTML = html;
    results.hidden = true;
    reader.hidden = false;
    var heading = readerBody.querySelector("h1, h2, h3");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function openItem(link) {
    var target = itemUrl(link.getAttribute("href"));
    if (!target) { return false; }
    var url = target[0], kind = target[1];
    if (kind === "closing") {
      var item = document.createElement("article");
      var title = document.createElement("h3");
      var phrase = document.createElement("blockquote");
      title.textContent = link.closest(".kb-hit").querySelector(".kb-kind").textContent;
      phrase.className = "kb-script";
      phrase.textContent = link.textContent;
      item.append(title, phrase);
      read(item.outerHTML);
      return true;
    }
    fetchText(url).then(function (html) {
      if (kind === "article") {
        var article = new DOMParser().parseFromString(html, "text/html").querySelector("article.kb-article");
        if (!article) { throw new Error("article"); }
        article.querySelectorAll("h1").forEach(function (h) {
          var h3 = document.createElement("h3");
          h3.innerHTML = h.innerHTML;
          h.replaceWith(h3);
        });
        html = article.outerHTML;
      }
      read(html);
      if (kind === "bridge") { bridgeOpened(); }
    }).catch(failed);
    return true;
  }

  // A bridge opened from its own card's context marks the need heard at once; otherwise the
  // reader offers the mark as a button (the card it would go on is named on it).
  function bridgeOpened() {
    var item = readerBody.querySelector(".kb-bridge");
    if (!item || !item.hasAttribute("data-markable") || item.hasAttribute("data-marked")) { return; }
    if (context && String(context.offer) === item.dataset.offer) { mark(item.querySelector("form.kb-mark")); }
  }

  function mark(form) {
    if (!form || form.dataset.busy) { return; }
    form.dataset.busy = "1";
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (answer) {
        delete form.dataset.busy;
        if (!answer[0]) { errorLine.hidden = false; errorLine.textContent = answer[1].detail || errorLine.textContent; return; }
        var item = form.closest(".kb-bridge");
        item.setAttribute("data-marked", "");
        var done = form.querySelector(".kb-marked");
        var button = form.querySelector(".kb-mark-button");
        done.hidden = false;
        if (button) {
          var hadFocus = document.activeElement === button;
          button.remove();
          if (hadFocus) { done.setAttribute("tabindex", "-1"); done.focus(); }
        }
        document.querySelectorAll('.need-heard[data-offer="' + answer[1].offer + '"]').forEach(function (note) { note.hidden = false; });
      })
      .catch(function () { delete form.dataset.busy; failed(); });
  }

  function links() { return Array.prototype.slice.call(results.querySelectorAll("a.kb-hit-title")); }

  function openFromCard(button) {
    open({ offer: button.dataset.offer, name: button.dataset.offerName }, button);
    var bridges = button.parentNode.querySelector("template.kb-card-bridges");
    input.value = "";
    lastQuery = "";
    results.innerHTML = "";
    if (bridges) { results.appendChild(bridges.content.cloneNode(true)); }
    var found = links();
    if (found.length === 1) { openItem(found[0]); return; }
    (found[0] || input).focus();
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });

  panel.addEventListener("submit", function (event) {
    event.preventDefault();
    if (event.target.matches("form.kb-mark")) { mark(event.target); return; }
    window.clearTimeout(timer);
    search();
  });

  panel.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.kb-hit-title");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && openItem(link)) {
      event.preventDefault();
      return;
    }
    if (event.target.closest(".kb-reader-back")) { showResults(); (links()[0] || input).focus(); return; }
    if (event.target.closest(".kb-panel-close")) { close(); }
  });

  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!reader.hidden) { showResults(); (links()[0] || input).focus(); } else { close(); }
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    var found = links();
    if (!found.length || !(event.target === input || found.indexOf(event.target) >= 0)) { return; }
    event.preventDefault();
    var index = found.indexOf(event.target);
    if (event.key === "ArrowDown") { found[Math.min(index + 1, found.length - 1)].focus(); }
    else if (index <= 0) { input.focus(); } else { found[index - 1].focus(); }
  });

  document.addEventListener("click", function (event) {
    var card = event.target.closest && event.target.closest(".kb-card-open");
    if (card) { openFromCard(card); return; }
    var opener = event.target.closest && event.target.closest(".kb-panel-open");
    if (opener) {
      if (!panel.hidden) { close(); return; }
      if (context) { results.innerHTML = ""; input.value = ""; lastQuery = ""; }
      open(null, opener);
      input.focus();
    }
  });

  // Alt+K by the key's place, so it works on the Russian layout too (Alt+Л).
  document.addEventListener("keydown", function (event) {
    if (!(event.altKey && event.code === "KeyK") || event.ctrlKey || event.metaKey) { return; }
    event.preventDefault();
    if (!panel.hidden && panel.contains(document.activeElement)) { close(); return; }
    if (panel.hidden) {
      if (context) { results.innerHTML = ""; input.value = ""; lastQuery = ""; }
      open(null, document.activeElement);
    }
    input.focus();
    input.select();
  });
})();
