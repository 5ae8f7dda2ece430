/* Plinth: Arrive, Bill, Collect in the grid's appointment panel.
 *
 * The grid announces the appointment it shows ("plinth:panel-shown" on #plinth-grid with
 * {id}); this fills #appointment-billing from GET /api/v1/appointments/<id>/billing and
 * drives the status changes, charges, invoices and payments through the billing API.
 * After each change it asks the grid to redraw ("plinth:appointment-changed"). */
(function () {
  "use strict";
  const root = document.getElementById("plinth-grid");
  const box = document.getElementById("appointment-billing");
  if (!root || !box) return;
  const csrf = root.dataset.csrf;
  // Texts in the page's language, money by Intl in the visit's currency (app/static/common/i18n.js).
  const t = (text, values) => PlinthI18n.t(text, values);
  const LABELS = {booked: t("Booked"), confirmed: t("Confirmed"), arrived: t("Arrived"), paid: t("Paid"),
                  no_show: t("No show"), canceled: t("Canceled"), rebooked: t("Rebooked")};
  const METHODS = {cash: t("Cash"), card: t("Card"), bank_transfer: t("Bank transfer"), insurer: t("Insurer")};
  let state = null;

  const money = (v) => PlinthI18n.money(v, state && state.currency);
  const el = PlinthApi.el;  // app/static/common/api.js

  // The shared fetch + CSRF + error helper (app/static/common/api.js); problems name their field.
  const call = PlinthApi.client(csrf, {fieldNames: true}).send;

  function say(text, kind) {
    const note = box.querySelector(".billing-message");
    if (note) { note.textContent = text; note.className = "billing-message " + (kind || ""); }
  }

  async function load(id) {
    try {
      state = await call("GET", "/api/v1/appointments/" + id + "/billing");
    } catch (error) { box.hidden = true; return; }
    render();
  }

  async function act(promise, done) {
    try {
      const result = await promise;
      if (result && result.appointment) { state = result; render(); }
      else await load(state.appointment.id);
      say(done, "ok");
      root.dispatchEvent(new CustomEvent("plinth:appointment-changed", {detail: {id: state.appointment.id}}));
    } catch (error) { say(error.message, "error"); }
  }

  function setStatus(status, extra) {
    return call("POST", "/api/v1/appointments/" + state.appointment.id + "/status",
                Object.assign({status, version: state.appointment.version}, extra || {}));
  }

  // --- status ------------------------------------------------------------------------------
  function statusButtons() {
    const wrap = el("div", {class: "billing-status"},
      el("span", {class: "status-pill status-" + state.appointment.status}, LABELS[state.appointment.status]));
    const allowed = state.allowed.filter((s) => s !== "canceled" && s !== "rebooked");
    allowed.forEach((s) => {
      const undo = (state.appointment.status === "arrived" || state.appointment.status === "no_show");
      const label = s === "arrived" ? t("Arrive…") : s === "no_show" ? t("No show…") :
        (undo ? t("Back to %(status)s", {status: LABELS[s].toLowerCase()}) : LABELS[s]);
      wrap.append(el("button", {type: "button", class: "btn btn-sm " + (s === "arrived" ? "btn-success" : "btn-default"),
        "data-status": s, onclick: () => chooseStatus(s)}, label));
    });
    return wrap;
  }

  function chooseStatus(s) {
    if (s === "arrived") return showArrive();
    if (s === "no_show") return showNoShow();
    if (state.appointment.status === "arrived") {
      if (!window.confirm(t("Undo the arrival of this visit?"))) return;
      const voided = window.confirm(t("Also remove this visit's charges that are not invoiced yet?\n" +
                                      "OK: remove them. Cancel: keep them on the case."));
      return act(setStatus(s, {void_charges: voided}), t("Arrival undone."));
    }
    return act(setStatus(s), t("Now %(status)s.", {status: LABELS[s].toLowerCase()}));
  }

  function showArrive() {
    const rows = state.proposals.arrived.map((p, i) => el("tr", {},
      el("td", {}, el("input", {type: "checkbox", checked: true, "data-i": i, "aria-label": t("Charge %(name)s", {name: p.description})})),
      el("td", {}, p.description),
      el("td", {}, el("input", {type: "number", step: "0.25", min: "0.25", value: p.quantity, class: "num", "data-q": i,
                                "aria-label": t("Quantity"), disabled: !state.may_bill})),
      el("td", {}, el("input", {type: "number", step: "0.01", min: "0", value: p.unit_price, class: "num", "data-p": i,
                                "aria-label": t("Price"), disabled: !state.may_bill}))));
    const form = el("div", {class: "billing-form", id: "arrive-form"},
      el("p", {}, el("strong", {}, t("Arrive — charges to post"))),
      el("table", {class: "billing-table"}, el("tbody", {}, rows)),
      el("button", {type: "button", class: "btn btn-success btn-sm", id: "arrive-confirm", onclick: () => {
        if (!state.may_bill) {  // the session's own charges, as proposed
          return act(setStatus("arrived"), t("Arrived; the session's charges are on the case."));
        }
        const charges = state.proposals.arrived.map((p, i) => ({p, i}))
          .filter(({i}) => form.querySelector(`[data-i="${i}"]`).checked)
          .map(({p, i}) => ({description: p.description, billing_item_id: p.billing_item_id, provider_id: p.provider_id,
                             tax_rate: p.tax_rate, client_package_id: p.client_package_id,
                             quantity: form.querySelector(`[data-q="${i}"]`).value,
                             unit_price: form.querySelector(`[data-p="${i}"]`).value}));
        act(setStatus("arrived", {charges}), t("Arrived; %(count)s charge(s) posted to the case.", {count: charges.length}));
      }}, t("Mark arrived and post")),
      el("button", {type: "button", class: "btn btn-link btn-sm", onclick: render}, t("Back")));
    replaceForms(form);
  }

  function showNoShow() {
    const proposed = state.proposals.no_show_fee;
    const amount = el("input", {type: "number", step: "0.01", min: "0", value: proposed || "0.00", class: "num",
                                id: "fee-amount", "aria-label": t("Fee")});
    const waive = el("input", {type: "checkbox", id: "fee-waive"});
    const form = el("div", {class: "billing-form", id: "no-show-form"},
      el("p", {}, el("strong", {}, t("No show")),
        proposed ? t(" — the policy's fee is %(amount)s", {amount: money(proposed)}) : t(" — no fee policy")),
      el("label", {}, t("Fee") + " ", amount), " ", el("label", {}, waive, " " + t("waive")),
      el("div", {}, el("button", {type: "button", class: "btn btn-warning btn-sm", id: "no-show-confirm", onclick: () => {
        const fee = waive.checked ? {waive: true} : {amount: amount.value || "0"};
        act(setStatus("no_show", {fee}), waive.checked ? t("Marked no show; fee waived.") : t("Marked no show; fee charged."));
      }}, t("Mark no show")), el("button", {type: "button", class: "btn btn-link btn-sm", onclick: render}, t("Back"))));
    replaceForms(form);
  }

  function replaceForms(form) {
    box.querySelectorAll(".billing-form").forEach((f) => f.remove());
    box.querySelector(".billing-status").after(form);
  }

  // --- charges, invoices, payments ---------------------------------------------------------------
  function chargesTable() {
    const uninvoiced = state.uninvoiced_on_case || [];
    const rows = state.charges.map((c) => el("tr", {},
      el("td", {}, c.description, c.kind === "fee" ? el("span", {class: "tag"}, t("fee")) : ""),
      el("td", {class: "num"}, PlinthI18n.number(c.quantity)),
      el("td", {class: "num"}, money(c.total)),
      el("td", {}, c.invoice_number ? c.invoice_number : !state.may_bill ? "" :
        el("span", {}, el("button", {type: "button", class: "btn btn-link btn-xs", title: t("Change the price"),
          onclick: () => {
            const price = window.prompt(t("Price per unit for “%(name)s”:", {name: c.description}), c.unit_price);
            if (price === null) return;
            act(call("PATCH", "/api/v1/charges/" + c.id, {unit_price: price}), t("Charge changed."));
          }}, t("edit")),
          el("button", {type: "button", class: "btn btn-link btn-xs", title: t("Remove"),
            onclick: () => act(call("DELETE", "/api/v1/charges/" + c.id), t("Charge removed."))}, t("remove"))))));
    const items = el("select", {class: "form-control input-sm", id: "add-item", "aria-label": t("Billing item")},
      el("option", {value: ""}, t("Add a service or product…")),
      state.billing_items.map((i) => el("option", {value: i.id}, i.name + " · " + money(i.unit_price))));
    items.addEventListener("change", () => {
      if (!items.value) return;
      act(call("POST", "/api/v1/cases/" + state.case_id + "/charges",
               {appointment_id: state.appointment.id, charges: [{billing_item_id: Number(items.value)}]}), t("Charge added."));
    });
    return el("div", {class: "billing-charges"},
      el("h5", {}, t("Charges of this visit")),
      state.charges.length ? el("table", {class: "billing-table"}, el("tbody", {}, rows)) : el("p", {class: "muted"}, t("None yet.")),
      state.may_bill && ["arrived", "paid", "no_show"].includes(state.appointment.status) ? items : "",
      state.may_bill && uninvoiced.length ? invoiceForms(uninvoiced) : "");
  }

  // One form per "bill to": the insurer's treatment, and the client's own charges (fees and
  // packages are never the insurer's: the server marks each charge, invoicing.payer_for).
  function invoiceForms(uninvoiced) {
    const toPayer = uninvoiced.filter((c) => c.bill_to_payer);
    const toClient = uninvoiced.filter((c) => !c.bill_to_payer);
    const groups = [];
    if (toPayer.length) groups.push({charges: toPayer, id: "invoice-button",
      label: "Invoice the ticked charges to " + state.payer});
    if (toClient.length) groups.push({charges: toClient, id: toPayer.length ? "invoice-client-button" : "invoice-button",
      label: toPayer.length ? "Invoice the ticked client charges to " + (state.client_name || "the client")
                            : "Invoice the ticked charges" + (state.payer_id ? " to " + (state.client_name || "the client") : "")});
    return el("div", {class: "billing-form"}, el("p", {}, el("strong", {}, "Not invoiced yet on this case")),
      groups.map((group) => {
        const chosen = el("div", {class: "invoice-choice"}, group.charges.map((c) => el("label", {class: "invoice-pick"},
          el("input", {type: "checkbox", checked: c.appointment_id === state.appointment.id, "data-charge": c.id}),
          " " + c.description + " · " + money(c.total) + (c.appointment_id === state.appointment.id ? "" : " (other visit)"))));
        return el("div", {class: "invoice-group"}, chosen,
          el("button", {type: "button", class: "btn btn-primary btn-sm", id: group.id, onclick: () => {
            const ids = [...chosen.querySelectorAll("[data-charge]")].filter((b) => b.checked).map((b) => Number(b.dataset.charge));
            if (!ids.length) { say("Tick the charges to invoice.", "error"); return; }
            act(call("POST", "/api/v1/cases/" + state.case_id + "/invoices", {charge_ids: ids}), "Invoice issued.");
          }}, group.label));
      }));
  }

  function invoicesList() {
    if (!state.invoices || !state.invoices.length) return "";
    return el("div", {class: "billing-invoices"}, el("h5", {}, t("Invoices")),
      el("ul", {}, state.invoices.map((i) => el("li", {},
        el("a", {href: i.pdf_url, target: "_blank", rel: "noopener"}, i.number), " · " + i.bill_to +
        " · " + t("total %(amount)s", {amount: money(i.total)}) + " · ",
        el("strong", {}, Number(i.balance) > 0 ? t("owes %(amount)s", {amount: money(i.balance)}) : t("paid")),
        " ", el("button", {type: "button", class: "btn btn-link btn-xs", "data-email": i.id, onclick: () =>
          act(call("POST", "/api/v1/invoices/" + i.id + "/email", {}), t("Invoice %(number)s queued to send.", {number: i.number}))},
          t("email"))))));
  }

  function paymentForm() {
    if (!state.may_bill || !state.invoices) return "";
    const open = state.invoices.filter((i) => Number(i.balance) > 0);
    if (!open.length) return "";
    const due = open.reduce((sum, i) => sum + Number(i.balance), 0);
    const amount = el("input", {type: "number", step: "0.01", min: "0.01", value: due.toFixed(2), class: "num",
                                id: "pay-amount", "aria-label": t("Amount")});
    const method = el("select", {class: "form-control input-sm", id: "pay-method", "aria-label": t("Method")},
      state.payment_methods.map((m) => el("option", {value: m}, METHODS[m] || m)));
    const reference = el("input", {type: "text", placeholder: t("Reference"), class: "form-control input-sm", id: "pay-ref"});
    return el("div", {class: "billing-payment"}, el("h5", {}, t("Collect")),
      el("div", {class: "pay-row"}, amount, method, reference,
        el("button", {type: "button", class: "btn btn-success btn-sm", id: "pay-button", onclick: () => {
          const insurer = method.value === "insurer" && state.payer_id;
          const body = {client_id: insurer ? null : state.client_id, payer_id: insurer ? state.payer_id : null,
                        location_id: state.location_id, method: method.value,
                        amount: amount.value, reference: reference.value || null,
                        allocations: open.map((i) => ({invoice_id: i.id}))};
          act(call("POST", "/api/v1/payments", body), t("Payment of %(amount)s recorded.", {amount: money(amount.value)}));
        }}, t("Record payment"))));
  }

  function summary() {
    const b = state.client_balance;
    const lines = [];
    if (!b) {  // no billing permission: the visit's own facts only
      const alerts = state.authorisation ? state.authorisation.alerts : [];
      return el("div", {class: "billing-summary"},
        alerts.length ? el("ul", {class: "billing-alerts"}, alerts.map((a) => el("li", {}, a))) : "");
    }
    if (state.payer) lines.push(t("Billed to %(payer)s.", {payer: state.payer}));
    lines.push(t("Outstanding on the client's invoices: %(amount)s", {amount: money(b.invoiced_open)}) +
               (Number(b.unbilled) ? t(" (+%(amount)s not invoiced yet)", {amount: money(b.unbilled)}) : "") +
               (Number(b.credit) ? t("; credit on account %(amount)s", {amount: money(b.credit)}) : "") + ".");
    const alerts = [...(state.authorisation ? state.authorisation.alerts : []),
                    ...(state.packages || []).flatMap((p) => p.alerts)];
    return el("div", {class: "billing-summary"}, el("p", {id: "billing-balance"}, lines.join(" ")),
      alerts.length ? el("ul", {class: "billing-alerts"}, alerts.map((a) => el("li", {}, a))) : "",
      state.proposals.late_cancel ? el("p", {class: "muted"}, t("Canceling now is late") +
        (state.proposals.late_cancel_fee ? t("; the policy's fee of %(amount)s will be charged (remove it here if waived).",
                                             {amount: money(state.proposals.late_cancel_fee)}) : ".")) : "");
  }

  function render() {
    if (!state) return;
    box.replaceChildren(
      el("h5", {}, t("Status and billing")),
      statusButtons(),
      el("p", {class: "billing-message", role: "status", "aria-live": "polite"}),
      summary(), chargesTable(), invoicesList(), paymentForm());
    box.hidden = false;
  }

  root.addEventListener("plinth:panel-shown", (event) => load(event.detail.id));
})();
