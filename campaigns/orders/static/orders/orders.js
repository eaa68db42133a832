// The order form: offer only the tariffs and equipment that fit the chosen technology and service.
(function () {
  "use strict";
  const form = document.getElementById("order-form");
  const mapNode = document.getElementById("technology-map");
  if (!form || !mapNode) return;
  const map = JSON.parse(mapNode.textContent);
  const technology = form.querySelector("[name=technology]");
  const service = form.querySelector("[name=service]");
  const tariff = form.querySelector("[name=tariff]");

  function sync() {
    const entry = map[technology.value];
    const fits = entry ? new Set(entry.offers) : null;
    const serviceOf = entry ? entry.tariff_services : {};
    for (const option of tariff.options) {
      if (!option.value) continue;
      const ok = !fits || (fits.has(option.value) && (!service.value || serviceOf[option.value] === service.value));
      option.hidden = !ok;
      if (!ok && option.selected) tariff.value = "";
    }
    for (const box of form.querySelectorAll("[name=equipment]")) {
      const ok = !fits || fits.has(box.value);
      box.closest("label, li, div").hidden = !ok;
      if (!ok) box.checked = false;
    }
    if (entry) {
      for (const option of service.options) {
        option.hidden = Boolean(option.value) && !entry.services.includes(option.value);
      }
    }
  }
  technology.addEventListener("change", sync);
  service.addEventListener("change", sync);
  sync();
})();
