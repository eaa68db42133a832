// The order form: show the blocks of the chosen product's kind (R8), and offer only the tariffs
// and equipment that fit the chosen technology and the product's service.
(function () {
  "use strict";
  const form = document.getElementById("order-form");
  const mapNode = document.getElementById("order-form-map");
  if (!form || !mapNode) return;
  const map = JSON.parse(mapNode.textContent);
  const product = form.querySelector("[name=product]");
  const technology = form.querySelector("[name=technology]");
  const tariff = form.querySelector("[name=tariff]");

  function chosen() {
    return (product && map.products[product.value]) || null;
  }

  function showBlocks() {
    const entry = chosen();
    for (const block of form.querySelectorAll("fieldset[data-kinds]")) {
      if (block.id === "block-sold") continue;
      const applies = Boolean(entry) && block.dataset.kinds.split(" ").includes(entry.kind);
      block.hidden = !applies;
      block.disabled = !applies;
    }
  }

  function syncTariffs() {
    if (!technology || !tariff) return;
    const entry = map.technologies[technology.value];
    const fits = entry ? new Set(entry.offers) : null;
    const serviceOf = entry ? entry.tariff_services : {};
    const service = chosen() ? chosen().service : "";
    for (const option of tariff.options) {
      if (!option.value) continue;
      const ok = !fits || (fits.has(option.value) && (!service || serviceOf[option.value] === service));
      option.hidden = !ok;
      if (!ok && option.selected) tariff.value = "";
    }
    for (const box of form.querySelectorAll("[name=equipment]")) {
      const ok = !fits || fits.has(box.value);
      box.closest("label, li, div").hidden = !ok;
      if (!ok) box.checked = false;
    }
  }

  if (product) product.addEventListener("change", function () { showBlocks(); syncTariffs(); });
  if (technology) technology.addEventListener("change", syncTariffs);
  showBlocks();
  syncTariffs();
})();
