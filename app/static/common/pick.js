/* Search-as-you-type pickers of a client, case or visit on Flask-AppBuilder forms
 * (app/views/pickers.py): the <select class="plinth-pick"> holds only the row chosen; Select2
 * (vendored by Flask-AppBuilder) asks its data-pick-url for the rows whose name contains
 * what was typed, two letters or more. The texts come translated in data attributes.
 * Loaded on every Flask-AppBuilder page (templates/appbuilder/init.html). */
(function ($) {
  "use strict";
  if (!$ || !$.fn.select2) return;
  function fieldName(select) {
    const label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    return label ? label.textContent.replace(/\*/g, "").trim() : select.name;
  }
  $(function () {
    $("select.plinth-pick").each(function () {
      const select = this, texts = this.dataset;
      $(select).select2({
        theme: "bootstrap",
        width: "100%",
        allowClear: texts.blank === "1",
        placeholder: texts.placeholder,
        minimumInputLength: 2,
        ajax: {url: texts.pickUrl, dataType: "json", delay: 250, data: (params) => ({q: params.term})},
        language: {
          inputTooShort: () => texts.tooShort,
          noResults: () => texts.noResults,
          searching: () => texts.searching,
          errorLoading: () => texts.failed,
        },
      });
      // Named for assistive technology (axe): the box showing the choice, the typing field
      // (in the dropdown, outside the form) after the field, and the list the open box controls.
      const box = select.nextElementSibling;
      const shown = box && box.querySelector(".select2-selection__rendered");
      if (shown) shown.setAttribute("aria-label", fieldName(select));
      $(select).on("select2:open", () => {
        const typing = document.querySelector(".select2-container--open .select2-search__field");
        if (typing) typing.setAttribute("aria-label", fieldName(select));
        const combo = box && box.querySelector("[role=combobox]");
        if (combo && combo.getAttribute("aria-owns")) combo.setAttribute("aria-controls", combo.getAttribute("aria-owns"));
      });
    });
  });
})(window.jQuery);
