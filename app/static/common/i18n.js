/* The page's language in the browser: texts translated on the server, dates, numbers and
 * money by Intl in the page's locale. The settings come with every staff page as JSON in
 * <script id="plinth-i18n"> (app/i18n/staff.py: page_settings).
 *
 *   PlinthI18n.t("Moved %(name)s.", {name: "Ana"})   -> "Movido: Ana." (pt-PT)
 *   PlinthI18n.money("1234.5", "EUR")                  -> "1234,50 €"
 *   PlinthI18n.locale                                  -> "pt-PT"
 */
(function () {
  "use strict";
  let settings = null;
  function read() {
    if (settings) return settings;
    const source = document.getElementById("plinth-i18n");
    try { settings = JSON.parse((source && source.textContent) || "{}"); } catch (e) { settings = {}; }
    settings.locale = settings.locale || document.documentElement.lang || "en";
    settings.strings = settings.strings || {};
    if (!document.documentElement.lang) document.documentElement.lang = settings.locale;
    return settings;
  }
  const formatters = {};
  function moneyFormat(currency) {
    const s = read();
    const key = s.locale + " " + currency;
    if (!formatters[key]) formatters[key] = new Intl.NumberFormat(s.locale, {style: "currency", currency});
    return formatters[key];
  }
  window.PlinthI18n = {
    get locale() { return read().locale; },
    get currency() { return read().currency || "CAD"; },
    t(text, values) {
      const shown = read().strings[text] || text;
      return values ? shown.replace(/%\((\w+)\)s/g, (m, name) => (name in values ? String(values[name]) : m)) : shown;
    },
    money(value, currency) {
      if (value === null || value === undefined || value === "") return "";
      return moneyFormat(currency || this.currency).format(Number(value));
    },
    number(value, options) { return new Intl.NumberFormat(read().locale, options).format(Number(value)); },
    dateTime(value, options) { return new Intl.DateTimeFormat(read().locale, options).format(value); },
  };
  document.addEventListener("DOMContentLoaded", read);
})();
