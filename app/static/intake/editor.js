/* Plinth: the form editor (Clients → Forms → a form). Managers add, edit, reorder and
 * remove questions with a control per setting, see a preview, and save: the page builds
 * the same JSON list of questions the service checks (app/intake/definition.py) and posts
 * it with the shared helper (app/static/common/api.js). A refusal's problems name
 * "fields.<i>.<setting>" and are shown beside that control; texts by common/i18n.js. */
(function () {
  "use strict";
  const root = document.getElementById("form-editor");
  if (!root) return;
  const data = JSON.parse(document.getElementById("form-editor-data").textContent);
  const t = (text, values) => PlinthI18n.t(text, values);
  const api = PlinthApi.client(root.dataset.csrf);
  const list = document.getElementById("editor-fields");
  const preview = document.getElementById("editor-preview");
  const summary = document.getElementById("editor-summary");
  const message = document.getElementById("editor-message");
  const CHOICES = ["single_choice", "multiple_choice"];
  let counter = 0;
  let questions = (data.fields || []).map((spec) => ({uid: ++counter, spec: JSON.parse(JSON.stringify(spec)),
                                                      keyTouched: true}));

  const el = PlinthApi.el;  // app/static/common/api.js

  /* --- keys ------------------------------------------------------------------------- */
  function slug(text) {
    let key = (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 36);
    if (!key) key = "question";
    if (!/^[a-z]/.test(key)) key = "q_" + key;
    return key;
  }
  function freeKey(wanted, uid) {
    const taken = new Set(questions.filter((q) => q.uid !== uid).map((q) => q.spec.key));
    let key = wanted, n = 2;
    while (taken.has(key)) key = wanted + "_" + n++;
    return key;
  }

  /* --- one question's controls ------------------------------------------------------ */
  function control(q, setting, labelText, input, hint) {
    const id = "q" + q.uid + "-" + setting;
    input.id = id;
    const errorId = "err-" + q.uid + "-" + setting;
    const hintId = hint ? "hint-" + q.uid + "-" + setting : null;
    input.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
    const isCheck = input.type === "checkbox";
    return el("div", {class: isCheck ? "checkbox" : "form-group"},
      isCheck ? el("label", {htmlFor: id}, input, " ", labelText) : el("label", {htmlFor: id}, labelText),
      isCheck ? null : input,
      hint ? el("p", {class: "help-block", id: hintId}, hint) : null,
      el("p", {class: "editor-error", id: errorId}));
  }
  function text(q, setting, value, onValue, attrs) {
    return el("input", Object.assign({class: "form-control"}, attrs || {},
                                     {value: value ?? "", oninput: (e) => { onValue(e.target.value); changed(); }}));
  }
  function check(value, onValue) {
    return el("input", {type: "checkbox", checked: Boolean(value),
                        onchange: (e) => { onValue(e.target.checked); changed(); }});
  }

  function questionItem(q, index) {
    const spec = q.spec;
    const number = index + 1;
    const kindSelect = el("select", {class: "form-control", onchange: (e) => changeKind(q, e.target.value)},
      Object.entries(data.kinds).map(([kind, name]) => el("option", {value: kind, selected: kind === spec.kind}, name)));
    const parts = [
      control(q, "kind", t("Kind"), kindSelect),
      control(q, "label", spec.kind === "heading" ? t("Heading text") : t("Question"),
        text(q, "label", spec.label, (v) => {
          spec.label = v;
          if (!q.keyTouched) {
            spec.key = freeKey(slug(v), q.uid);
            document.getElementById("q" + q.uid + "-key").value = spec.key;
          }
        }, {maxLength: 500})),
      control(q, "key", t("Key"), text(q, "key", spec.key, (v) => { spec.key = v.trim(); q.keyTouched = true; },
        {maxLength: 40, autocomplete: "off", spellcheck: false}),
        t("Names the answer in exports and scoring: lower-case letters, digits and _.")),
    ];
    if (spec.kind !== "heading") {
      parts.push(control(q, "help", t("Help text (optional)"),
        text(q, "help", spec.help, (v) => { if (v.trim()) spec.help = v; else delete spec.help; }, {maxLength: 1000})));
      parts.push(control(q, "required", t("Required"), check(spec.required, (v) => { spec.required = v; })));
    }
    if (CHOICES.includes(spec.kind)) {
      parts.push(control(q, "options", t("Options, one per line"),
        el("textarea", {class: "form-control", rows: 4, value: (spec.options || []).join("\n"),
                        oninput: (e) => { spec.options = e.target.value.split("\n").map((o) => o.trim()).filter(Boolean);
                                          changed(); }})));
    }
    if (spec.kind === "number") {
      const bound = (setting) => text(q, setting, spec[setting], (v) => {
        if (v.trim() === "") delete spec[setting]; else spec[setting] = Number.isFinite(Number(v)) ? Number(v) : v;
      }, {type: "number", step: "any", inputMode: "decimal"});
      parts.push(el("div", {class: "editor-row"}, control(q, "min", t("Smallest number (optional)"), bound("min")),
                    control(q, "max", t("Largest number (optional)"), bound("max"))));
      parts.push(control(q, "integer", t("Whole numbers only"), check(spec.integer, (v) => {
        if (v) spec.integer = true; else delete spec.integer; })));
    }
    if (spec.kind === "yes_no") {
      const follow = spec.follow_up || {};
      const setFollow = (name, v) => {
        const next = Object.assign({when: "yes"}, spec.follow_up || {}, {[name]: v});
        if (!String(next.label || "").trim()) delete spec.follow_up; else spec.follow_up = next;
      };
      const when = el("select", {class: "form-control", onchange: (e) => { setFollow("when", e.target.value); changed(); }},
        el("option", {value: "yes", selected: follow.when !== "no"}, t("after yes")),
        el("option", {value: "no", selected: follow.when === "no"}, t("after no")));
      parts.push(el("fieldset", {class: "editor-follow-up"}, el("legend", {}, t("Follow-up question (optional)")),
        control(q, "follow_up", t("Follow-up question"), text(q, "follow_up", follow.label, (v) => setFollow("label", v),
                                                             {maxLength: 500})),
        control(q, "follow_up_when", t("Ask it"), when),
        control(q, "follow_up_required", t("The follow-up needs an answer"),
                check(follow.required !== false, (v) => setFollow("required", v)))));
    }
    if (spec.kind === "body_area") parts.push(el("p", {class: "help-block"}, t("The client ticks the areas on a list of body areas.")));
    if (spec.kind === "signature") parts.push(el("p", {class: "help-block"}, t("The client types their full name and signs with a finger or the mouse.")));
    const kindName = data.kinds[spec.kind] || spec.kind;
    return el("li", {class: "editor-field", id: "q" + q.uid},
      el("fieldset", {},
        el("legend", {}, t("Question %(number)s", {number}), el("span", {class: "text-muted"}, " · " + kindName)),
        el("p", {class: "editor-error", id: "err-" + q.uid + "-", role: "alert"}),
        parts,
        el("div", {class: "editor-move btn-group"},
          el("button", {type: "button", class: "btn btn-default btn-sm", disabled: index === 0, id: "q" + q.uid + "-up",
                        "aria-label": t("Move question %(number)s up", {number}), onclick: () => move(q, -1)}, "↑ ", t("Up")),
          el("button", {type: "button", class: "btn btn-default btn-sm", disabled: index === questions.length - 1,
                        id: "q" + q.uid + "-down", "aria-label": t("Move question %(number)s down", {number}),
                        onclick: () => move(q, 1)}, "↓ ", t("Down")),
          el("button", {type: "button", class: "btn btn-danger btn-sm", id: "q" + q.uid + "-remove",
                        "aria-label": t("Remove question %(number)s", {number}), onclick: () => remove(q)}, t("Remove")))));
  }

  /* --- changes ---------------------------------------------------------------------- */
  function render(focusId) {
    list.replaceChildren(...questions.map(questionItem));
    changed();
    if (focusId) { const target = document.getElementById(focusId); if (target) target.focus(); }
  }
  let dirty = false;  // unsaved changes: the browser asks before leaving the page
  function changed() { dirty = true; renderPreview(); }
  function announce(text) { message.textContent = text; message.className = "editor-message"; }

  function changeKind(q, kind) {
    q.spec.kind = kind;
    if (CHOICES.includes(kind) && !Array.isArray(q.spec.options)) q.spec.options = [];
    render("q" + q.uid + "-kind");
  }
  function move(q, step) {
    const from = questions.indexOf(q), to = from + step;
    if (to < 0 || to >= questions.length) return;
    questions.splice(from, 1);
    questions.splice(to, 0, q);
    const button = "q" + q.uid + (step < 0 ? "-up" : "-down");
    render(document.getElementById(button) && to > 0 && to < questions.length - 1 ? button : "q" + q.uid + "-kind");
    announce(t("Question moved to position %(number)s.", {number: to + 1}));
  }
  function remove(q) {
    const index = questions.indexOf(q);
    questions.splice(index, 1);
    const next = questions[Math.min(index, questions.length - 1)];
    render(next ? "q" + next.uid + "-kind" : "editor-add-kind");
    announce(t("Question removed; it stays in the versions already saved."));
  }
  function add(kind) {
    const q = {uid: ++counter, keyTouched: false, spec: {key: "", kind, label: ""}};
    if (kind !== "heading") q.spec.required = false;
    if (CHOICES.includes(kind)) q.spec.options = [];
    q.spec.key = freeKey(slug(kind), q.uid);
    questions.push(q);
    render("q" + q.uid + "-label");
    announce(t("Question %(number)s added.", {number: questions.length}));
  }

  /* --- preview ---------------------------------------------------------------------- */
  function previewQuestion(q) {
    const spec = q.spec, id = "pv" + q.uid;
    const title = [spec.label || t("(no question yet)"), spec.required ? " *" : ""];
    const help = spec.help ? el("p", {class: "help-block"}, spec.help) : null;
    const options = (names, type) => names.map((name) =>
      el("label", {class: "option"}, el("input", {type, name: id, disabled: true}), " ", name));
    switch (spec.kind) {
      case "heading": return el("h3", {}, spec.label || t("(no heading yet)"));
      case "single_choice": case "multiple_choice": case "body_area": case "yes_no": {
        const names = spec.kind === "yes_no" ? [t("Yes"), t("No")]
          : spec.kind === "body_area" ? (spec.options || data.body_areas) : (spec.options || []);
        return el("fieldset", {class: "preview-field"}, el("legend", {}, title), help,
          options(names, spec.kind === "multiple_choice" || spec.kind === "body_area" ? "checkbox" : "radio"),
          spec.kind === "yes_no" && spec.follow_up ? el("label", {class: "follow-up", htmlFor: id + "-detail"},
            spec.follow_up.label, el("textarea", {id: id + "-detail", rows: 1, disabled: true, class: "form-control"})) : null);
      }
      case "signature":
        return el("fieldset", {class: "preview-field"}, el("legend", {}, title), help,
          el("label", {htmlFor: id + "-name"}, t("Full name")),
          el("input", {id: id + "-name", class: "form-control", disabled: true}),
          el("div", {class: "preview-signature", "aria-hidden": "true"}, t("Signature")));
      default: {
        const input = spec.kind === "long_text" ? el("textarea", {rows: 3})
          : el("input", {type: {date: "date", number: "number"}[spec.kind] || "text", min: spec.min, max: spec.max});
        Object.assign(input, {id, disabled: true, className: "form-control"});
        return el("div", {class: "preview-field"}, el("label", {htmlFor: id}, title), help, input);
      }
    }
  }
  function renderPreview() {
    preview.replaceChildren(...(questions.length ? questions.map(previewQuestion)
      : [el("p", {class: "text-muted"}, t("No questions yet."))]));
  }

  /* --- errors and saving ------------------------------------------------------------ */
  function clearErrors() {
    root.querySelectorAll(".editor-error").forEach((p) => { p.textContent = ""; });
    root.querySelectorAll("[aria-invalid]").forEach((c) => c.removeAttribute("aria-invalid"));
    summary.hidden = true;
    summary.replaceChildren();
  }
  function showProblems(text, problems) {
    const items = [];
    problems.forEach((problem) => {
      const match = /^fields\.(\d+)(?:\.(\w+))?$/.exec(problem.field || "");
      const q = match && questions[Number(match[1])];
      let where = null, controlId = null;
      if (q) {
        const setting = match[2] || "";
        where = document.getElementById("err-" + q.uid + "-" + setting) || document.getElementById("err-" + q.uid + "-");
        controlId = document.getElementById("q" + q.uid + "-" + setting) ? "q" + q.uid + "-" + setting : "q" + q.uid + "-kind";
      } else if (problem.field === "scoring") {
        where = document.getElementById("err-scoring");
        controlId = "editor-scoring";
        root.querySelector(".editor-scoring").open = true;
      }
      if (where) where.textContent = [where.textContent, problem.message].filter(Boolean).join(" ");
      if (controlId) document.getElementById(controlId).setAttribute("aria-invalid", "true");
      const prefix = q ? t("Question %(number)s", {number: Number(match[1]) + 1}) + ": " : "";
      items.push(el("li", {}, controlId ? el("a", {href: "#" + controlId, onclick: (e) => {
        e.preventDefault(); document.getElementById(controlId).focus(); }}, prefix + problem.message)
        : prefix + problem.message));
    });
    summary.replaceChildren(el("p", {}, text), items.length ? el("ul", {}, items) : "");
    summary.hidden = false;
    summary.focus();
  }

  function body() {
    const raw = document.getElementById("editor-scoring").value.trim();
    let scoring = null;
    if (raw) {
      try { scoring = JSON.parse(raw); } catch (e) {
        throw {problems: [{field: "scoring", message: t("The scoring is not valid JSON.")}]};
      }
    }
    const fields = questions.map((q) => {
      const spec = Object.assign({}, q.spec);
      if (spec.kind === "heading") { delete spec.required; delete spec.help; }
      if (!CHOICES.includes(spec.kind) && spec.kind !== "body_area") delete spec.options;
      if (spec.kind !== "number") { delete spec.min; delete spec.max; delete spec.integer; }
      if (spec.kind !== "yes_no") delete spec.follow_up;
      return spec;
    });
    return {description: document.getElementById("editor-description").value, fields, scoring,
            active: document.getElementById("editor-active").checked};
  }

  async function save() {
    clearErrors();
    let posted;
    try { posted = body(); } catch (refused) {
      showProblems(t("The form was not saved."), refused.problems); return;
    }
    const button = document.getElementById("editor-save");
    button.disabled = true;
    try {
      const answer = await api.request("POST", data.save_url, posted);
      if (answer.ok) {
        dirty = false;
        document.getElementById("editor-version").textContent = t("version %(number)s", {number: answer.body.version});
        announce(answer.body.message);
        message.className = "editor-message alert alert-success";
      } else {
        showProblems(answer.body.message || t("The form was not saved."), answer.body.problems || []);
      }
    } catch (error) {
      showProblems(t("The form was not saved: the server could not be reached."), []);
    } finally { button.disabled = false; }
  }

  /* --- start ------------------------------------------------------------------------ */
  document.getElementById("editor-description").value = data.description || "";
  document.getElementById("editor-active").checked = Boolean(data.active);
  document.getElementById("editor-scoring").value = data.scoring ? JSON.stringify(data.scoring, null, 2) : "";
  document.getElementById("editor-add-kind").replaceChildren(...Object.entries(data.kinds).map(([kind, name]) =>
    el("option", {value: kind}, name)));
  document.getElementById("editor-add").addEventListener("click", () =>
    add(document.getElementById("editor-add-kind").value));
  document.getElementById("editor-save").addEventListener("click", save);
  ["editor-description", "editor-active", "editor-scoring"].forEach((id) =>
    document.getElementById(id).addEventListener("input", () => { dirty = true; }));
  window.addEventListener("beforeunload", (event) => { if (dirty) { event.preventDefault(); event.returnValue = ""; } });
  render();
  dirty = false;
})();
