/* Plinth front-desk grid: FullCalendar Scheduler over Plinth's feeds and scheduling API.
 * Times are shown in the chosen location's zone (luxon plugin), never the browser's.
 * Every write goes to /api/v1 with the page's CSRF token; a refusal reverts the change
 * and says why. */
(function () {
  "use strict";
  const root = document.getElementById("plinth-grid");
  if (!root || !document.getElementById("grid-location")) return;

  const csrf = root.dataset.csrf;
  const locationSelect = document.getElementById("grid-location");
  const dateInput = document.getElementById("grid-date");
  const allBox = document.getElementById("grid-all");
  const message = document.getElementById("grid-message");
  const statusBar = document.getElementById("status-bar");
  const dialog = document.getElementById("book-dialog");
  const STATUSES = ["booked", "confirmed", "arrived", "paid", "no_show", "canceled", "rebooked"];
  const LABELS = {booked: "Booked", confirmed: "Confirmed", arrived: "Arrived", paid: "Paid",
                  no_show: "No show", canceled: "Canceled", rebooked: "Rebooked"};
  // Canceled and Rebooked are hidden until the user shows them; the choice is remembered.
  const hidden = new Set(JSON.parse(localStorage.getItem("plinth.hiddenStatuses") || '["canceled", "rebooked"]'));
  const calendarsKey = "plinth.hiddenCalendars." + root.dataset.user;
  const hiddenCalendars = new Set(JSON.parse(localStorage.getItem(calendarsKey) || "[]"));
  const disciplineSelect = document.getElementById("grid-discipline");
  let allResources = [];
  let visibleDays = [root.dataset.today, root.dataset.today];
  let busy = false;          // a drag or a dialog is in progress: do not refresh under the user
  let sessionTypes = [];
  let resourceKinds = {};

  const zone = () => locationSelect.selectedOptions[0].dataset.zone;
  const say = (text, kind) => { message.textContent = text; message.className = "grid-message " + (kind || ""); };

  async function send(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = {};
    try { data = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      const reasons = (data.conflicts || data.problems || []).map((p) => p.message).filter(Boolean);
      const error = new Error([data.message, ...reasons].filter(Boolean).join(" ") || ("Error " + response.status));
      error.data = data;
      throw error;
    }
    return data;
  }

  async function getJSON(url) {
    const response = await fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}});
    if (!response.ok) throw new Error("The calendar could not load (" + response.status + ").");
    return response.json();
  }

  function feedUrl(path, info) {
    const params = new URLSearchParams({location_id: locationSelect.value, start: info.startStr.slice(0, 10),
                                        end: info.endStr.slice(0, 10)});
    if (allBox.checked) params.set("all", "1");
    return "/calendar/feed/" + path + "?" + params;
  }

  function visibleHours(resources) {
    let first = "24:00", last = "00:00";
    resources.forEach((r) => r.businessHours.forEach((h) => {
      if (h.startTime < first) first = h.startTime;
      if (h.endTime > last) last = h.endTime;
    }));
    if (first >= last) return ["08:00", "18:00"];
    return [first.slice(0, 2) + ":00", (last.slice(3) === "00" ? last.slice(0, 2) : String(Number(last.slice(0, 2)) + 1).padStart(2, "0")) + ":00"];
  }

  function renderStatusBar(events) {
    const counts = {}, seen = new Set();
    events.forEach((e) => {
      const p = e.extendedProps;
      if (!p || seen.has(p.appointment_id)) return;
      seen.add(p.appointment_id);
      counts[p.status] = (counts[p.status] || 0) + 1;
    });
    statusBar.replaceChildren(...STATUSES.map((status) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.status = status;
      button.setAttribute("aria-pressed", String(!hidden.has(status)));
      button.textContent = LABELS[status] + " " + (counts[status] || 0);
      button.addEventListener("click", () => {
        hidden.has(status) ? hidden.delete(status) : hidden.add(status);
        localStorage.setItem("plinth.hiddenStatuses", JSON.stringify([...hidden]));
        button.setAttribute("aria-pressed", String(!hidden.has(status)));
        calendar.getEvents().forEach((ev) => {
          if (ev.extendedProps.status === status) ev.setProp("classNames", classesFor(ev.extendedProps.status));
        });
      });
      return button;
    }), Object.assign(document.createElement("span"), {className: "total", textContent: "Total " + seen.size}));
  }

  const classesFor = (status) => ["status-" + status].concat(hidden.has(status) ? ["hidden-status"] : []);

  async function change(info) {
    const props = info.event.extendedProps;
    const body = {start: info.event.startStr, end: info.event.endStr, version: props.version};
    if (info.newResource && info.oldResource && info.newResource.id !== info.oldResource.id) {
      if (resourceKinds[info.oldResource.id] === "provider") body.calendar_id = Number(info.newResource.id);
      else body.extra_calendar_ids = [Number(info.newResource.id)];
    }
    try {
      await send("PATCH", "/api/v1/appointments/" + props.appointment_id, body);
      say("Moved " + props.client + ".", "ok");
    } catch (error) {
      info.revert();
      say("Not moved: " + error.message, "error");
    } finally {
      busy = false;
      calendar.refetchEvents();
    }
  }

  const calendar = new FullCalendar.Calendar(document.getElementById("calendar"), {
    schedulerLicenseKey: "GPL-My-Project-Is-Open-Source",
    timeZone: zone(),
    initialView: window.matchMedia("(max-width: 700px)").matches ? "listDay" : "resourceTimeGridDay",
    initialDate: dateInput.value,
    headerToolbar: {left: "prev,next today", center: "title", right: "resourceTimeGridDay,resourceTimeGridWeek,listDay"},
    buttonText: {resourceTimeGridDay: "Day", resourceTimeGridWeek: "Week", listDay: "List"},
    datesAboveResources: true, allDaySlot: false, nowIndicator: true, height: "auto",
    slotDuration: "00:15:00", snapDuration: "00:05:00", slotLabelInterval: "01:00",
    selectable: true, selectMirror: true, editable: true, eventResourceEditable: true,
    resourceOrder: "order", refetchResourcesOnNavigate: true,
    resources(info, success, failure) {
      getJSON(feedUrl("resources", info)).then((list) => {
        allResources = list;
        resourceKinds = Object.fromEntries(list.map((r) => [r.id, r.kind]));
        const [first, last] = visibleHours(list);
        calendar.setOption("slotMinTime", first);
        calendar.setOption("slotMaxTime", last);
        renderToggles(list);
        const discipline = Number(disciplineSelect.value);
        success(list.filter((r) => !hiddenCalendars.has(r.id) && (!discipline || r.disciplines.includes(discipline))));
      }).catch((error) => { say(error.message, "error"); failure(error); });
    },
    events(info, success, failure) {
      getJSON(feedUrl("events", info)).then((list) => {
        list.forEach((e) => { if (e.extendedProps) e.classNames = classesFor(e.extendedProps.status); });
        renderStatusBar(list);
        success(list);
      }).catch((error) => { say(error.message, "error"); failure(error); });
    },
    select(info) {
      if (copyFrom) return copyTo(info);
      openBooking(info);
    },
    eventClick(info) {
      const p = info.event.extendedProps;
      if (p && p.appointment_id) showPanel(p.appointment_id);
    },
    eventDragStart: () => { busy = true; },
    eventResizeStart: () => { busy = true; },
    eventDrop: change,
    eventResize: change,
    eventDidMount(info) {
      const p = info.event.extendedProps;
      if (p && p.client) {
        info.el.title = [p.client, p.session_type, p.case, LABELS[p.status], p.booked_via === "online" ? "Booked online" : "",
                         p.alerts ? "⚠ " + p.alerts : ""].filter(Boolean).join("\n");
      }
    },
    datesSet(info) {
      // Dates in the location's zone (the calendar's), never UTC's; the end is exclusive.
      visibleDays = [info.startStr.slice(0, 10),
                     luxon.DateTime.fromISO(info.endStr, {setZone: true}).minus({days: 1}).toISODate()];
      dateInput.value = visibleDays[0];
    },
  });
  calendar.render();
  renderStatusBar([]);

  function renderToggles(list) {
    const toggles = document.getElementById("calendar-toggles");
    toggles.replaceChildren(...list.map((r) => {
      const label = document.createElement("label");
      const box = Object.assign(document.createElement("input"), {type: "checkbox", checked: !hiddenCalendars.has(r.id)});
      box.dataset.calendar = r.id;
      box.addEventListener("change", () => {
        box.checked ? hiddenCalendars.delete(r.id) : hiddenCalendars.add(r.id);
        localStorage.setItem(calendarsKey, JSON.stringify([...hiddenCalendars]));
        calendar.refetchResources();
      });
      const swatch = Object.assign(document.createElement("span"), {className: "swatch"});
      swatch.style.background = r.eventColor;
      label.append(box, swatch, document.createTextNode(r.title));
      return label;
    }));
    const provider = document.getElementById("find-provider");
    const chosen = provider.value;
    provider.replaceChildren(new Option("Any available", ""),
      ...list.filter((r) => r.kind === "provider").map((r) => new Option(r.title, r.id)));
    provider.value = chosen;
  }
  disciplineSelect.addEventListener("change", () => calendar.refetchResources());

  locationSelect.addEventListener("change", () => {
    calendar.setOption("timeZone", zone());
    calendar.refetchResources();
    calendar.refetchEvents();
  });
  dateInput.addEventListener("change", () => dateInput.value && calendar.gotoDate(dateInput.value));
  allBox.addEventListener("change", () => calendar.refetchResources());
  // Live: other people's changes appear within seconds.
  setInterval(() => { if (!busy && !dialog.open && document.visibilityState === "visible") calendar.refetchEvents(); }, 8000);

  /* --- selected appointment panel ---------------------------------------------------- */
  const panel = document.getElementById("appt-panel");
  let shown = null, copyFrom = null;

  async function showPanel(appointmentId) {
    try {
      shown = await getJSON("/calendar/feed/appointment/" + appointmentId);
    } catch (error) { say(error.message, "error"); return; }
    document.getElementById("panel-client").textContent = shown.client.name;
    const alerts = document.getElementById("panel-alerts");
    alerts.textContent = shown.client.alerts;
    alerts.hidden = !shown.client.alerts;
    const facts = [
      ["When", shown.when], ["Session", shown.session_type], ["Status", LABELS[shown.status]],
      ["Phone", shown.client.phone], ["Email", shown.client.email], ["Case", shown.case.title],
      ["Payer", shown.case.payer + (shown.case.claim_number ? " · " + shown.case.claim_number : "")],
      ["Visits", shown.case.authorised_visits === null ? "" :
        shown.case.visits_used + " of " + shown.case.authorised_visits + " authorised"],
      ["Last visit", shown.last_visit || "—"], ["Next visit", shown.next_visit || "—"],
      ["No-shows", String(shown.client.no_shows)], ["Booked", shown.booked_via === "online" ? "online" : "by staff"],
      ["Notes", shown.notes],
    ].filter(([, value]) => value);
    document.getElementById("panel-facts").replaceChildren(...facts.flatMap(([label, value]) => [
      Object.assign(document.createElement("dt"), {textContent: label}),
      Object.assign(document.createElement("dd"), {textContent: value})]));
    document.getElementById("panel-audit").replaceChildren(...shown.audit.map((a) =>
      Object.assign(document.createElement("li"), {textContent: a.at + " · " + a.by + " · " + a.action +
        (a.after && a.after.status ? " → " + a.after.status : "")})));
    const final = ["canceled", "rebooked"].includes(shown.status);
    document.getElementById("panel-cancel").disabled = final;
    panel.hidden = false;
  }
  // Closing the panel keeps a pending copy: the user closes it to see the grid and pick the time.
  document.getElementById("panel-close").addEventListener("click", () => { panel.hidden = true; });
  document.getElementById("panel-cancel").addEventListener("click", async () => {
    const reason = window.prompt("Cancel " + shown.client.name + "'s appointment? Reason (optional):", "");
    if (reason === null) return;
    try {
      await send("POST", "/api/v1/appointments/" + shown.id + "/cancel", {reason: reason || null, version: shown.version});
      say("Canceled " + shown.client.name + ".", "ok");
      panel.hidden = true;
      calendar.refetchEvents();
    } catch (error) { say("Not canceled: " + error.message, "error"); }
  });
  document.getElementById("panel-copy").addEventListener("click", () => {
    copyFrom = shown.id;
    say("Select the time (and column) for the copy of " + shown.client.name + "'s appointment.", "ok");
  });
  async function copyTo(info) {
    const source = copyFrom;
    copyFrom = null;
    calendar.unselect();
    try {
      await send("POST", "/api/v1/appointments/" + source + "/copy",
                 {start: info.startStr, calendar_id: Number(info.resource.id)});
      say("Copied.", "ok");
      calendar.refetchEvents();
    } catch (error) { say("Not copied: " + error.message, "error"); }
  }

  /* --- booking dialog -------------------------------------------------------------- */
  const form = document.getElementById("book-form");
  const clientInput = document.getElementById("book-client");
  const results = document.getElementById("book-client-results");
  const caseSelect = document.getElementById("book-case");
  const sessionSelect = document.getElementById("book-session");
  const errorBox = document.getElementById("book-error");
  const alertsBox = document.getElementById("book-alerts");
  let selection = null, searchTimer = null;

  let preferredSession = null;
  getJSON("/calendar/feed/session_types").then((list) => {
    sessionTypes = list;
    document.getElementById("find-session").replaceChildren(
      ...list.map((st) => new Option(st.category + " · " + st.name + " (" + st.duration + " min)", st.id)));
  });

  /* --- find time slot ------------------------------------------------------------------ */
  const findResults = document.getElementById("find-results");
  function clearOpenings() { calendar.getEvents().filter((e) => e.id.startsWith("opening-")).forEach((e) => e.remove()); }
  document.getElementById("find-go").addEventListener("click", async () => {
    clearOpenings();
    const session = document.getElementById("find-session").value;
    const provider = document.getElementById("find-provider").value;
    const [day, last] = visibleDays;
    const params = new URLSearchParams({session_type_id: session, start: day, end: last});
    if (provider) params.set("calendar_id", provider); else params.set("location_id", locationSelect.value);
    try {
      const {slots} = await send("GET", "/api/v1/availability?" + params);
      findResults.replaceChildren(...(slots.length ? slots.slice(0, 40).map((slot) => {
        const id = String(slot.calendar_ids[0]);
        const resource = calendar.getResourceById(id) ||
          {id, title: (allResources.find((r) => r.id === id) || {title: "Calendar " + id}).title};
        calendar.addEvent({id: "opening-" + slot.start + "-" + slot.calendar_ids[0], start: slot.start, end: slot.end,
                           resourceId: String(slot.calendar_ids[0]), display: "background", classNames: ["opening-slot"]});
        const li = document.createElement("li");
        const button = Object.assign(document.createElement("button"), {type: "button", className: "opening"});
        button.textContent = luxon.DateTime.fromISO(slot.start, {setZone: true}).toFormat("ccc HH:mm") +
          " · " + resource.title;
        button.addEventListener("click", () => {
          preferredSession = Number(session);
          openBooking({startStr: slot.start, resource}, true);
        });
        li.append(button);
        return li;
      }) : [Object.assign(document.createElement("li"), {textContent: "No opening in the visible days."})]));
    } catch (error) {
      say(error.message, "error");
    }
  });

  function openBooking(info, isOpening) {
    if (!isOpening && resourceKinds[info.resource && info.resource.id] !== "provider") {
      calendar.unselect();
      say("Book in a provider's column; rooms and equipment are added for you.", "error");
      return;
    }
    selection = info;
    busy = true;
    document.getElementById("book-when").textContent = info.resource.title + " · " +
      luxon.DateTime.fromISO(info.startStr, {setZone: true}).toFormat("ccc d LLL yyyy, HH:mm");
    form.reset();
    results.replaceChildren();
    caseSelect.replaceChildren();
    sessionSelect.replaceChildren();
    errorBox.textContent = "";
    alertsBox.classList.add("hidden");
    dialog.showModal();
    clientInput.focus();
  }

  function fillSessions() {
    const option = caseSelect.selectedOptions[0];
    const discipline = option ? Number(option.dataset.discipline) : null;
    sessionSelect.replaceChildren(...sessionTypes.filter((s) => s.discipline_id === discipline).map((s) =>
      new Option(s.name + " (" + s.duration + " min)", s.id)));
    if (preferredSession && [...sessionSelect.options].some((o) => Number(o.value) === preferredSession)) {
      sessionSelect.value = String(preferredSession);
    }
  }

  clientInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const q = clientInput.value.trim();
      if (q.length < 2) { results.replaceChildren(); return; }
      const found = await getJSON("/calendar/feed/clients?q=" + encodeURIComponent(q));
      results.replaceChildren(...found.map((c) => {
        const li = document.createElement("li");
        li.tabIndex = 0;
        li.textContent = c.name + (c.phone ? " · " + c.phone : "") + (c.cases.length ? "" : " · no open case");
        const pick = () => {
          clientInput.value = c.name;
          results.replaceChildren();
          caseSelect.replaceChildren(...c.cases.map((k) => {
            const option = new Option(k.title, k.id);
            option.dataset.discipline = k.discipline_id;
            return option;
          }));
          alertsBox.textContent = c.alerts;
          alertsBox.classList.toggle("hidden", !c.alerts);
          fillSessions();
          if (!c.cases.length) errorBox.textContent = "This client has no open case; open one under Clients first.";
        };
        li.addEventListener("click", pick);
        li.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); pick(); } });
        return li;
      }));
    }, 200);
  });
  caseSelect.addEventListener("change", fillSessions);

  function closeDialog() { dialog.close(); calendar.unselect(); busy = false; preferredSession = null; }
  document.getElementById("book-cancel").addEventListener("click", closeDialog);
  dialog.addEventListener("cancel", () => { calendar.unselect(); busy = false; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.textContent = "";
    if (!caseSelect.value || !sessionSelect.value) { errorBox.textContent = "Choose a client, a case and a session."; return; }
    try {
      const booked = await send("POST", "/api/v1/appointments", {
        case_id: Number(caseSelect.value), session_type_id: Number(sessionSelect.value),
        calendar_id: Number(selection.resource.id), start: selection.startStr,
        notes: document.getElementById("book-notes").value || null,
        notify: document.getElementById("book-notify").checked,
        allow_overlap: document.getElementById("book-overlap").checked,
      });
      closeDialog();
      clearOpenings();
      findResults.replaceChildren();
      say("Booked " + clientInput.value + "." + (booked.warnings.length ? " " + booked.warnings.join(" ") : ""), "ok");
      calendar.refetchEvents();
    } catch (error) {
      errorBox.textContent = error.message;
    }
  });
})();
