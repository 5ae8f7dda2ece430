/* Flask-AppBuilder's Select2 pickers (several choices, e.g. a session type's charges or
 * rooms), readable by assistive technology once something is chosen (axe label, list):
 *  - the typing field inside the picker is named after the field's label;
 *  - the "Remove all" cross Select2 draws inside its list of choices is moved just before
 *    that list (a list holds only items); Select2 finds it there still (delegated events).
 * Loaded on every Flask-AppBuilder page (templates/appbuilder/init.html). */
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll(".select2-container").forEach((box) => {
      const select = box.previousElementSibling;
      const label = select && select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      const name = label ? label.textContent.replace(/\*/g, "").trim() : (select && select.name) || "";
      box.querySelectorAll(".select2-search__field:not([aria-label])").forEach((field) => field.setAttribute("aria-label", name));
      box.querySelectorAll("ul.select2-selection__rendered").forEach((list) => {
        const inside = list.querySelector(":scope > .select2-selection__clear");
        const moved = list.parentElement.querySelectorAll(":scope > .select2-selection__clear");
        if (inside || !list.querySelector(".select2-selection__choice")) moved.forEach((old) => old.remove());
        if (inside) list.before(inside);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", () => {
    if (!document.querySelector("select.my_select2, .select2-container")) return;
    fix();
    new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
  });
})();
