// Import clients: the mapping screen presets the date order from the chosen location, and
// the import shows real progress (rows checked, then rows written) while the server works.
document.addEventListener("DOMContentLoaded", function () {
  presetDateOrder();
  var form = document.getElementById("import-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var button = form.querySelector("button[type=submit]");
    document.getElementById("import-progress").hidden = false;
    button.disabled = true;
    if (!window.fetch || !form.dataset.progressUrl) return;  // plain submit: the bar stays indeterminate
    event.preventDefault();
    var finished = false;
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) { finished = true; window.location.assign(response.url); })
      .catch(function () { finished = true; button.disabled = false; form.submit(); });
    (function poll() {
      if (finished) return;
      fetch(form.dataset.progressUrl, {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) { if (state) show(state); })
        .catch(function () {})
        .then(function () { if (!finished) window.setTimeout(poll, 300); });
    }());
  });
});

function show(state) {
  var bar = document.getElementById("import-bar"), status = document.getElementById("import-status");
  if (!state.phase || !state.total) return;
  bar.max = state.total;
  bar.value = state.done;
  // Texts and numbers in the page's language (app/static/common/i18n.js, app/i18n/staff_strings.py).
  var what = state.phase === "checking" ? "Checking rows" : state.phase === "writing" ? "Writing clients" : "Done";
  status.textContent = PlinthI18n.t("%(what)s: %(done)s of %(total)s", {what: PlinthI18n.t(what),
    done: PlinthI18n.number(state.done), total: PlinthI18n.number(state.total)});
}

function presetDateOrder() {
  var location = document.getElementById("location_id"), order = document.getElementById("date_order");
  if (!location || !order || !location.hasAttribute("data-presets-date-order")) return;
  var touched = false;
  order.addEventListener("change", function () { touched = true; });
  location.addEventListener("change", function () {
    var preset = location.options[location.selectedIndex].getAttribute("data-date-order");
    if (!touched && preset) order.value = preset;
  });
}
