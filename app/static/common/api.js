/* Plinth: the one way the grid's scripts talk to the server (grid.js, billing/panel.js).
 *
 * PlinthApi.client(csrf, {fieldNames}) gives
 *   send(method, url, body) — JSON in and out with the page's CSRF token; a refusal
 *     throws an Error whose message joins the server's message and every problem or
 *     conflict it lists (prefixed with the field when fieldNames), with .data and .status;
 *   getJSON(url) — a read; a failure throws "The calendar could not load (status)."
 * Loaded before the scripts that use it. */
(function () {
  "use strict";

  function client(csrf, options) {
    const fieldNames = Boolean(options && options.fieldNames);
    const reasonText = (p) => (fieldNames && p.field ? p.field + ": " : "") + (p.message || "");

    async function send(method, url, body) {
      const response = await fetch(url, {
        method, credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
        body: body ? JSON.stringify(body) : undefined,
      });
      let data = {};
      try { data = await response.json(); } catch (e) { /* not JSON */ }
      if (!response.ok) {
        // A single problem is usually the message itself: say it once.
        const reasons = (data.conflicts || data.problems || []).filter((p) => p.message).map(reasonText)
          .filter((text, i, all) => text !== data.message && all.indexOf(text) === i);
        const error = new Error([data.message, ...reasons].filter(Boolean).join(" ") || ("Error " + response.status));
        error.data = data;
        error.status = response.status;
        throw error;
      }
      return data;
    }

    async function getJSON(url) {
      const response = await fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}});
      if (!response.ok) throw new Error("The calendar could not load (" + response.status + ").");
      return response.json();
    }

    return {send, getJSON};
  }

  window.PlinthApi = {client};
})();
