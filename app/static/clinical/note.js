/* The note editor: autosave drafts as the provider types (debounced PUT), keep a copy in
   localStorage until the server has it (a closed tab or a lost connection loses nothing),
   sign, copy forward; on a signed note, add a signed addendum. On a visit without a note
   the page only shows the editor: its first save starts the note (from the template shown),
   and from then on the page saves, signs and copies through the note's own routes. */
(function () {
  "use strict";
  const SAVE_DELAY_MS = 800;
  // Texts in the page's language (app/static/common/i18n.js; listed in app/i18n/staff_strings.py).
  const t = (text, values) => PlinthI18n.t(text, values);

  // app/static/common/api.js: fetch with the page's CSRF token, a refusal as an Error.
  function send(url, method, body, csrf, keepalive) {
    return PlinthApi.client(csrf).send(method, url, body,
                                       {keepalive, refused: t("The server refused the request.")});
  }

  const addendumForm = document.getElementById("addendum-form");
  if (addendumForm) {
    addendumForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const state = document.getElementById("addendum-state");
      try {
        await send(addendumForm.dataset.url, "POST", {text: document.getElementById("addendum-text").value},
                   addendumForm.dataset.csrf);
        window.location.reload();
      } catch (error) { state.textContent = error.message; state.className = "text-danger"; }
    });
  }

  const form = document.getElementById("note-form");
  if (!form) return;
  let key = form.dataset.storageKey;
  const state = document.getElementById("save-state");
  let timer = null, dirty = false, saving = null, failure = null;

  function read() {
    const content = {};
    form.querySelectorAll("[data-key]").forEach((box) => {
      const name = box.dataset.key, kind = box.dataset.kind;
      if (kind === "checklist") {
        const chosen = [...box.querySelectorAll("input:checked")].map((i) => i.value);
        if (chosen.length) content[name] = chosen;
      } else if (kind === "pain") {
        const chosen = box.querySelector("input:checked");
        if (chosen) content[name] = Number(chosen.value);
      } else {
        const value = box.querySelector("textarea, input").value;
        if (value.trim() !== "") content[name] = value;
      }
    });
    return content;
  }

  function fill(content) {
    form.querySelectorAll("[data-key]").forEach((box) => {
      const value = content[box.dataset.key];
      if (box.dataset.kind === "checklist") {
        box.querySelectorAll("input").forEach((i) => { i.checked = Array.isArray(value) && value.includes(i.value); });
      } else if (box.dataset.kind === "pain") {
        box.querySelectorAll("input").forEach((i) => { i.checked = value !== undefined && String(value) === i.value; });
      } else {
        box.querySelector("textarea, input").value = value === undefined ? "" : value;
      }
    });
  }

  function say(text, kind) { state.textContent = text; state.className = "save-state " + (kind || ""); }

  function backup() {
    localStorage.setItem(key, JSON.stringify({content: read(), at: new Date().toISOString()}));
  }

  async function save(keepalive) {
    clearTimeout(timer);
    if (!dirty) return;
    dirty = false;
    const content = read();
    say(t("Saving…"));
    const body = form.dataset.signUrl ? {content} : {content, template: form.dataset.template};
    saving = send(form.dataset.draftUrl, "PUT", body, form.dataset.csrf, keepalive);
    try {
      const result = await saving;
      failure = null;
      if (result.urls) started(result);
      const stored = JSON.parse(localStorage.getItem(key) || "null");
      if (stored && JSON.stringify(stored.content) === JSON.stringify(content)) localStorage.removeItem(key);
      say(t("Saved"), "ok");  // (no clock here: times belong to the location, not the browser)
    } catch (error) {
      dirty = true;
      failure = error;
      say(t("Not saved: %(error)s", {error: error.message}), "error");
    } finally { saving = null; }
  }

  // The first save started the note: its routes from now on, its copy kept under its key.
  function started(result) {
    form.dataset.draftUrl = result.urls.draft;
    form.dataset.signUrl = result.urls.sign;
    form.dataset.copyUrl = result.urls.copy;
    const kept = localStorage.getItem(key);
    localStorage.removeItem(key);
    key = "plinth-note-" + result.note_id;
    if (kept) localStorage.setItem(key, kept);
    window.history.replaceState(null, "", result.urls.page);
  }

  // Signing and copying need the note: start it with what is written so far.
  async function noteExists() {
    if (saving) await saving.catch(() => null);
    if (form.dataset.signUrl) return;
    dirty = true;
    await save(false);
    if (!form.dataset.signUrl) throw failure || new Error(t("The server refused the request."));
  }

  function changed() {
    dirty = true;
    backup();
    say(t("Unsaved changes…"));
    clearTimeout(timer);
    timer = setTimeout(() => save(false), SAVE_DELAY_MS);
  }

  // What the server has, unless this browser kept newer typing that never reached it.
  const server = JSON.parse(document.getElementById("note-content").textContent || "{}");
  const kept = JSON.parse(localStorage.getItem(key) || "null");
  fill(server);
  const since = form.dataset.updatedAt ? Date.parse(form.dataset.updatedAt) : 0;
  if (kept && JSON.stringify(kept.content) !== JSON.stringify(server) && Date.parse(kept.at) > since) {
    fill(kept.content);
    dirty = true;
    save(false);
    say(t("Restored what you typed before the page closed; saving…"));
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.querySelectorAll(".clear-pain").forEach((button) => button.addEventListener("click", () => {
    button.closest("[data-key]").querySelectorAll("input").forEach((i) => { i.checked = false; });
    changed();
  }));
  // Leaving: send what is pending (keepalive outlives the page); localStorage has it anyway.
  window.addEventListener("pagehide", () => { if (dirty) save(true); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden" && dirty) save(true); });

  const copy = document.getElementById("copy-forward");
  if (copy) copy.addEventListener("click", async () => {
    try {
      await save(false);
      await noteExists();
      const result = await send(form.dataset.copyUrl, "POST", {}, form.dataset.csrf);
      fill(result.content);
      say(t("Copied from the last signed note; saved."), "ok");
    } catch (error) { say(error.message, "error"); }
  });

  document.getElementById("sign-note").addEventListener("click", async () => {
    if (!window.confirm(t("Sign this note? It cannot be changed afterwards; only addenda can be added."))) return;
    clearTimeout(timer);
    try {
      await noteExists();
      await send(form.dataset.signUrl, "POST", {content: read()}, form.dataset.csrf);
      localStorage.removeItem(key);
      dirty = false;
      window.location.reload();
    } catch (error) { say(t("Not signed: %(error)s", {error: error.message}), "error"); }
  });
})();
