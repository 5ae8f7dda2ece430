/* Plinth: the forms of the client in the grid's appointment panel — "intake pending",
 * "complete" or "consent signed on …" for whoever sees the visit (answers linked only for
 * managers and the client's providers), and "Send form…": a form, for this visit or not,
 * sent by email through the outbox (POST /intake/clients/<id>/send.json, the rules in
 * app/intake/by_hand.py). Fetch, CSRF and refusals by common/api.js, texts by common/i18n.js. */
(function () {
  "use strict";
  const root = document.getElementById("plinth-grid");
  const box = document.getElementById("appointment-forms");
  if (!root || !box) return;
  const t = (text, values) => PlinthI18n.t(text, values);
  const api = PlinthApi.client(root.dataset.csrf);
  let state = null;

  const el = PlinthApi.el;  // app/static/common/api.js
  const BADGE = {submitted: "label-success", pending: "label-warning", expired: "label-default"};

  function say(text, kind) {
    const note = box.querySelector(".forms-message");
    note.textContent = text;
    note.className = "forms-message " + (kind || "");
  }

  function statusList() {
    if (!state.forms.length) return el("p", {class: "text-muted", id: "panel-forms-list"}, t("No forms sent yet."));
    return el("ul", {class: "list-unstyled", id: "panel-forms-list"}, state.forms.map((f) =>
      el("li", {}, el("span", {class: "label " + (BADGE[f.status] || "label-default")}, f.state), " ", f.label,
        f.answers_url ? [" · ", el("a", {href: f.answers_url}, t("answers"))] : [])));
  }

  function sendForm() {
    const select = el("select", {id: "panel-form-template", class: "form-control input-sm", required: true},
      state.templates.map((tpl) => el("option", {value: tpl.id}, tpl.name)));
    const forVisit = el("input", {type: "checkbox", id: "panel-form-visit", checked: true});
    const form = el("form", {id: "panel-form-send", class: "panel-form-send", hidden: true, onsubmit: async (e) => {
      e.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      try {
        const answer = await api.send("POST", "/intake/clients/" + state.client_id + "/send.json", {
          template_id: Number(select.value), case_id: state.case_id,
          appointment_id: forVisit.checked ? state.appointment_id : null}, {refused: t("The form was not sent.")});
        state.forms = answer.forms;
        box.querySelector("#panel-forms-list").replaceWith(statusList());
        form.hidden = true;
        say(answer.message, "ok");
        document.getElementById("panel-form-open").focus();
      } catch (error) { say(error.message, "error"); } finally { submit.disabled = false; }
    }},
      el("label", {htmlFor: "panel-form-template"}, t("Form")), select,
      el("div", {class: "checkbox"}, el("label", {}, forVisit, " ", t("For this visit"))),
      el("button", {type: "submit", class: "btn btn-primary btn-sm"}, t("Send by email")), " ",
      el("button", {type: "button", class: "btn btn-default btn-sm", onclick: () => {
        form.hidden = true; document.getElementById("panel-form-open").focus(); }}, t("Cancel")));
    const open = el("button", {type: "button", id: "panel-form-open", class: "btn btn-default btn-sm",
                               "aria-expanded": "false", "aria-controls": "panel-form-send",
                               disabled: !state.templates.length, onclick: () => {
      form.hidden = !form.hidden;
      open.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) select.focus();
    }}, t("Send form…"));
    return [open, state.has_email ? null : el("p", {class: "text-muted"}, t("No email address: add one to send forms.")),
            form];
  }

  async function load(id) {
    try {
      state = await api.send("GET", "/intake/panel/" + id);
    } catch (error) { box.hidden = true; return; }
    box.replaceChildren(el("h5", {}, t("Forms")), statusList(), ...(state.may_send ? sendForm() : []).filter(Boolean),
                        el("p", {class: "forms-message", role: "status", "aria-live": "polite"}));
    box.hidden = false;
  }

  root.addEventListener("plinth:panel-shown", (event) => load(event.detail.id));
})();
