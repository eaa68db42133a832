// Live order status: every `[data-order-status]` badge of the page (the account's orders, the
// order list, an order) follows its order without a reload. The page polls a light JSON
// endpoint (the region's data-url, ?id=…) every few seconds while the tab is visible, with the
// last ETag so that an unchanged answer is a bodiless 304; a hidden tab or a failed poll backs
// off. A change is announced in the polite live region; on an order's own page the parts that
// follow the status (its facts, its history, the cancel form) are redrawn from the page itself.
(function () {
  "use strict";
  var VISIBLE_MS = 5000;
  var MAX_MS = 120000;
  var FINAL = ["cancelled"];  // a connected order may still be cancelled: only this one rests

  var region = document.getElementById("order-live");
  if (!region || !window.fetch) { return; }
  var delay = VISIBLE_MS;
  var etag = null;
  var timer = null;

  function badges() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-order-status]"));
  }

  function watched() {
    var ids = [];
    badges().forEach(function (badge) {
      var id = badge.dataset.orderId;
      if (FINAL.indexOf(badge.dataset.status) === -1 && ids.indexOf(id) === -1) { ids.push(id); }
    });
    return ids;
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, ms);
  }

  function redrawParts() {
    var parts = region.dataset.parts;
    if (!parts) { return; }
    fetch(region.dataset.page, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        parts.split(",").forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = doc.querySelector(selector);
          if (!now || now.contains(document.activeElement)) { return; }  // never under the typing hand
          if (next) { now.replaceWith(document.importNode(next, true)); } else { now.remove(); }
        });
      })
      .catch(function () {});
  }

  function apply(orders) {
    var said = [];
    orders.forEach(function (order) {
      document.querySelectorAll('[data-order-status][data-order-id="' + order.id + '"]').forEach(function (badge) {
        if (badge.dataset.status === order.status) { return; }
        badge.dataset.status = order.status;
        badge.textContent = order.label;
        badge.className = "badge status " + order.badge;
        badge.classList.add("changed");
        if (said.indexOf(order.announcement) === -1) { said.push(order.announcement); }
      });
    });
    if (said.length) {
      region.textContent = said.join(". ");
      redrawParts();
    }
  }

  function poll() {
    var ids = watched();
    if (!ids.length) { return; }  // nothing left that can change
    var hidden = document.visibilityState === "hidden";
    var headers = { Accept: "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    var query = ids.map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
    fetch(region.dataset.url + "?" + query, { credentials: "same-origin", cache: "no-store", headers: headers, redirect: "error" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        if (data) { apply(data.orders); }
        delay = hidden ? Math.min(delay * 2, MAX_MS) : VISIBLE_MS;
        schedule(delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, MAX_MS);  // signed out, offline, the server busy: ask less
        schedule(delay);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      delay = VISIBLE_MS;
      schedule(0);  // back on the tab: what changed meanwhile, at once
    }
  });

  schedule(VISIBLE_MS);
})();
