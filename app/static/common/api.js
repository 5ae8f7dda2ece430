/* Plinth: the one way staff pages' scripts talk to the server (the grid's grid.js and
 * billing/panel.js, the shift planner, the note editor).
 *
 * PlinthApi.client(csrf, {fieldNames}) gives
 *   request(method, url, body, {keepalive}) — JSON in and out with the page's CSRF token;
 *     never throws for a refusal: {status, ok, body} (for pages that show a refusal's
 *     problems themselves, e.g. the planner's conflict list);
 *   send(method, url, body, {keepalive, refused}) — the same, but a refusal throws an
 *     Error whose message is refusalText(body, refused), with .data and .status;
 *   getJSON(url) — a read; a failure throws "The calendar could not load (status)."
 *   refusalText(body, fallback) — the server's message and every problem or conflict it
 *     lists (prefixed with the field when fieldNames), or fallback.
 * PlinthApi.el(tag, attrs, ...children) builds the answer's DOM (the billing and forms
 * panels, the form editor): attrs that are null, undefined or false are left out, true is
 * an empty attribute, "class" and on<event> are what they say, other known properties are
 * set as properties ("list" stays an attribute: it is read-only); children that are null,
 * undefined or false are skipped, text becomes text nodes.
 * Loaded before the scripts that use it. */
(function () {
  "use strict";

  function client(csrf, options) {
    const fieldNames = Boolean(options && options.fieldNames);
    const reasonText = (p) => (fieldNames && p.field ? p.field + ": " : "") + (p.message || "");

    function refusalText(data, fallback) {
      // A single problem is usually the message itself: say it once. Several are summed
      // up by the server as the first one and "(and N more)": then each is said once, alone.
      const message = data.message || fallback;
      const listed = (data.conflicts || data.problems || []).filter((p) => p.message);
      const reasons = listed.map(reasonText).filter((text, i, all) => all.indexOf(text) === i);
      const summary = message && listed.length > 1 && message !== listed[0].message
        && message.startsWith(listed[0].message);
      if (summary) return reasons.join(" ");
      return [message, ...reasons.filter((text) => text !== message)].filter(Boolean).join(" ");
    }

    async function request(method, url, body, sendOptions) {
      const response = await fetch(url, {
        method, credentials: "same-origin", keepalive: Boolean(sendOptions && sendOptions.keepalive),
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
        body: body === undefined || body === null ? undefined : JSON.stringify(body),
      });
      let data = {};
      try { data = await response.json(); } catch (e) { /* not JSON */ }
      return {status: response.status, ok: response.ok, body: data};
    }

    async function send(method, url, body, sendOptions) {
      const answer = await request(method, url, body, sendOptions);
      if (!answer.ok) {
        const fallback = sendOptions && sendOptions.refused;
        const error = new Error(refusalText(answer.body, fallback) || ("Error " + answer.status));
        error.data = answer.body;
        error.status = answer.status;
        throw error;
      }
      return answer.body;
    }

    async function getJSON(url) {
      const response = await fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}});
      if (!response.ok) throw new Error("The calendar could not load (" + response.status + ").");
      return response.json();
    }

    return {request, send, getJSON, refusalText};
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k in node && k !== "list") node[k] = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => { if (c !== null && c !== undefined && c !== false)
      node.append(c instanceof Node ? c : document.createTextNode(c)); });
    return node;
  }

  window.PlinthApi = {client, el};
})();
