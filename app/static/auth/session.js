// Staff session warning (included on every staff page by plinth/baselayout.html).
//
// The server ends a session after PLINTH_SESSION_IDLE_MINUTES without activity (and at
// its absolute lifetime). This script asks how long is left (asking does not extend
// it), warns two minutes before the end with a "Stay signed in" button, and once the
// session has ended -- or any request of this page is answered 401 -- says so and asks
// to sign in in another tab: the page itself, and whatever was typed in it, stays.
(function () {
  "use strict";
  const script = document.currentScript;
  const statusUrl = script.dataset.statusUrl;
  const keepaliveUrl = script.dataset.keepaliveUrl;
  const loginUrl = script.dataset.loginUrl;
  const WARN_SECONDS = 120;
  const nativeFetch = window.fetch.bind(window);
  let timer = null;
  let banner = null;

  function bar() {
    if (banner) return banner;
    banner = document.createElement("div");
    banner.id = "session-banner";
    banner.setAttribute("role", "alert");
    Object.assign(banner.style, {
      position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "3000", padding: "10px 16px",
      background: "#fff3cd", borderTop: "2px solid #c69500", color: "#222", textAlign: "center",
    });
    document.body.appendChild(banner);
    return banner;
  }

  function show(text, action) {
    const el = bar();
    el.textContent = text + " ";
    if (action) el.appendChild(action);
    el.hidden = false;
  }

  function hide() { if (banner) banner.hidden = true; }

  function schedule(seconds) {
    clearTimeout(timer);
    timer = setTimeout(tick, Math.max(seconds, 5) * 1000);
  }

  function warn(left) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-primary";
    button.id = "session-stay";
    button.textContent = "Stay signed in";
    button.addEventListener("click", stay);
    const minutes = Math.max(1, Math.round(left / 60));
    show("Your session ends in about " + minutes + (minutes === 1 ? " minute." : " minutes."), button);
  }

  function ended() {
    const link = document.createElement("a");
    link.href = loginUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Sign in (new tab)";
    show("Your session has ended. Sign in again in another tab, then retry here: what you typed on this page is kept.", link);
    schedule(15);  // notices the new sign-in (the cookie is shared between tabs)
  }

  async function tick() {
    let left;
    try {
      const response = await nativeFetch(statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}});
      if (response.status === 401) { ended(); return; }
      if (!response.ok) { schedule(60); return; }
      left = (await response.json()).ends_in;
    } catch (e) { schedule(60); return; }
    if (left <= WARN_SECONDS) warn(left); else hide();
    schedule(left <= WARN_SECONDS ? 10 : Math.min(60, left - WARN_SECONDS));
  }

  async function stay() {
    try {
      const response = await nativeFetch(keepaliveUrl, {method: "POST", credentials: "same-origin",
                                                        headers: {"Accept": "application/json"}});
      if (response.status === 401) { ended(); return; }
    } catch (e) { /* the next tick tells */ }
    hide();
    tick();
  }

  // Any request of this page (the grid's saves included) answered 401: say why, keep the page.
  window.fetch = async function (...args) {
    const response = await nativeFetch(...args);
    if (response.status === 401) {
      const url = new URL(response.url || String(args[0]), window.location.href);
      if (url.origin === window.location.origin) ended();
    }
    return response;
  };

  // Back to this tab (or window): look again at once, activity elsewhere may have changed it.
  window.addEventListener("focus", tick);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
  tick();
})();
