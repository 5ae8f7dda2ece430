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
  // Texts in the page's language (app/static/common/i18n.js; translated in app/i18n/staff_strings.py).
  const t = (text, values) => PlinthI18n.t(text, values);
  const LABELS = {booked: t("Booked"), confirmed: t("Confirmed"), arrived: t("Arrived"), paid: t("Paid"),
                  no_show: t("No show"), canceled: t("Canceled"), rebooked: t("Rebooked")};
  // Canceled and Rebooked are hidden until the user shows them; the choice is remembered.
  const hidden = new Set(JSON.parse(localStorage.getItem("plinth.hiddenStatuses") || '["canceled", "rebooked"]'));
  const calendarsKey = "plinth.hiddenCalendars." + root.dataset.user;
  const hiddenCalendars = new Set(JSON.parse(localStorage.getItem(calendarsKey) || "[]"));
  const disciplineSelect = document.getElementById("grid-discipline");
  const statusColours = JSON.parse(root.dataset.statusColours || "{}");  // feeds.STATUS_COLOURS
  let allResources = [];
  let visibleDays = [root.dataset.today, root.dataset.today];
  let busy = false;          // a drag or a dialog is in progress: do not refresh under the user
  let sessionTypes = [];
  let resourceKinds = {};
  let resourcesAsked = 0, eventsAsked = 0;
  const notifyDefault = root.dataset.notify === "1";
  const step = Number(root.dataset.step) || 15;
  const mayBlock = root.dataset.mayBlock === "1";
  const mayOpenCase = root.dataset.mayOpenCase === "1";
  // Phones and portrait tablets: one calendar at a time (chosen in a switcher), the
  // options panel behind a button, panels and dialogs full screen (grid.css).
  const narrow = window.matchMedia("(max-width: 900px)");
  const switcher = document.getElementById("grid-calendar-switch");
  const switchKey = "plinth.narrowCalendar." + root.dataset.user;
  const isBackground = (p) => p && (p.kind === "block" || p.kind === "break");

  // Deep links (/calendar/?date=2026-03-10&location_id=2&view=week) open that day, location and view.
  const linked = new URLSearchParams(window.location.search);
  if (/^\d{4}-\d{2}-\d{2}$/.test(linked.get("date") || "")) dateInput.value = linked.get("date");
  if ([...locationSelect.options].some((o) => o.value === linked.get("location_id"))) {
    locationSelect.value = linked.get("location_id");
  }
  const zone = () => locationSelect.selectedOptions[0].dataset.zone;
  // "Follow-up (30 min)", unless the clinic already named it with its length.
  const sessionLabel = (st) => /\bmin\)?$/.test(st.name) ? st.name : st.name + " (" + st.duration + " min)";
  const say = (text, kind) => { message.textContent = text; message.className = "grid-message " + (kind || ""); };

  const {send, getJSON} = PlinthApi.client(csrf);  // app/static/common/api.js

  function feedQuery(info) {
    const params = new URLSearchParams({location_id: locationSelect.value, start: info.startStr.slice(0, 10),
                                        end: info.endStr.slice(0, 10)});
    if (allBox.checked) params.set("all", "1");
    return String(params);
  }
  const feedUrl = (path, info) => "/calendar/feed/" + path + "?" + feedQuery(info);

  // Columns and appointments of the same days are drawn in one pass: laying out 60
  // columns is most of a busy day's cost (bench/README.md, "Grid benchmark"), so the
  // answer that comes first waits for the other one asked for the same days.
  const inFlight = {resources: null, events: null};
  const waiting = {resources: null, events: null};
  function arrive(part, query, apply) {
    const other = part === "resources" ? "events" : "resources";
    inFlight[part] = null;
    if (inFlight[other] === query) { waiting[part] = apply; return; }
    const earlier = waiting[other];
    waiting.resources = waiting.events = null;
    calendar.batchRendering(() => { if (earlier) earlier(); apply(); });
  }
  // The hours last shown at each location: the first draw usually needs no second one.
  const hoursKey = () => "plinth.gridHours." + locationSelect.value;
  const rememberedHours = () => JSON.parse(localStorage.getItem(hoursKey()) || '["08:00", "18:00"]');

  // An appointment's "9:00 - 9:45" in the time grids. FullCalendar would format each
  // event's range itself, building two Intl formatters per event (a third of a 60-column
  // week's drawing time, bench/README.md); the feed's local times ("…T09:00:00-04:00",
  // the location's wall clock) give the same text once per distinct pair of times.
  const TIME_FORMAT = {hour: "numeric", minute: "2-digit", meridiem: false};
  const timeTexts = new Map();
  function wallTimes(start, end) {
    if (typeof start !== "string" || typeof end !== "string" || start.slice(0, 10) !== end.slice(0, 10)) return null;
    const key = start.slice(11, 16) + end.slice(11, 16);
    if (!timeTexts.has(key)) {
      const wall = (iso) => iso.slice(0, 19) + "Z";
      timeTexts.set(key, FullCalendar.formatRange(wall(start), wall(end), Object.assign({timeZone: "UTC", locale: PlinthI18n.locale}, TIME_FORMAT)));
    }
    return timeTexts.get(key);
  }
  // The time grids that leave the times to us (views.js, displayEventTime: false).
  const OWN_TIMES = new Set(["resourceTimeGridDay", "calendarWeek", "locationWeek", "locationWeekByCalendar"]);
  const timeOf = (arg) => !OWN_TIMES.has(arg.view.type) || arg.event.allDay ? arg.timeText
    : (!arg.isMirror && arg.event.extendedProps.time) ||
      calendar.formatRange(arg.event.start, arg.event.end || arg.event.start, TIME_FORMAT);

  // At most 20 minutes: one line high (grid.css .short). Each read of an event's start
  // or end converts it through the zone (zone.js), so each is read once.
  function isShort(event) {
    const end = event.end;
    return end !== null && end - event.start <= 20 * 60000;
  }

  // Tooltips are written when the pointer first reaches an event, not for every event drawn.
  function tooltip(info) {
    const p = info.event.extendedProps;
    if (isBackground(p)) {
      info.el.title = info.event.title + (mayBlock && bookable(info.event) ? " · click to change or remove" : "");
    } else if (p && p.client) {
      info.el.title = [p.client, p.session_type, p.case, LABELS[p.status], p.booked_via === "online" ? t("Booked online") : "",
                       p.alerts ? "⚠ " + p.alerts : ""].filter(Boolean).join("\n");
    }
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
      if (!p || !p.appointment_id || seen.has(p.appointment_id)) return;
      seen.add(p.appointment_id);
      counts[p.status] = (counts[p.status] || 0) + 1;
    });
    statusBar.replaceChildren(...STATUSES.map((status) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.status = status;
      button.setAttribute("aria-pressed", String(!hidden.has(status)));
      // The legend: each status's colour and pattern as its appointments show them.
      const swatch = Object.assign(document.createElement("span"), {className: "status-swatch status-" + status});
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.background = statusColours[status];
      button.append(swatch, LABELS[status] + " " + (counts[status] || 0));
      button.addEventListener("click", () => {
        hidden.has(status) ? hidden.delete(status) : hidden.add(status);
        localStorage.setItem("plinth.hiddenStatuses", JSON.stringify([...hidden]));
        button.setAttribute("aria-pressed", String(!hidden.has(status)));
        calendar.batchRendering(() => calendar.getEvents().forEach((ev) => {
          if (ev.extendedProps.status === status) ev.setProp("display", displayFor(status));
        }));
      });
      return button;
    }), Object.assign(document.createElement("span"), {className: "total", textContent: t("Total %(count)s", {count: seen.size})}));
    statusBar.prepend(Object.assign(document.createElement("span"), {
      id: "status-legend", className: "status-legend", textContent: t("Status (click to show or hide):")}));
  }

  // A hidden status's appointments are not drawn at all (FullCalendar's display "none"),
  // so they take no room in the column: hidden by CSS they still shared its width with
  // the visible ones beside them. null: the calendar's eventDisplay.
  const displayFor = (status) => hidden.has(status) ? "none" : null;

  async function change(info) {
    const props = info.event.extendedProps;
    const body = {start: info.event.startStr, end: info.event.endStr, version: props.version};
    if (info.newResource && info.oldResource && info.newResource.id !== info.oldResource.id) {
      if (resourceKinds[info.oldResource.id] === "provider") body.calendar_id = Number(info.newResource.id);
      else body.extra_calendar_ids = [Number(info.newResource.id)];
    }
    try {
      await send("PATCH", "/api/v1/appointments/" + props.appointment_id, body);
      say(t("Moved %(name)s.", {name: props.client}), "ok");
    } catch (error) {
      info.revert();
      say(t("Not moved: %(error)s", {error: error.message}), "error");
    } finally {
      busy = false;
      calendar.refetchEvents();
    }
  }

  // Views, the one-calendar picker and the URL: views.js (PlinthViews).
  const toolbar = () => ({left: "prev,next today", center: "title", right: PlinthViews.toolbarViews(narrow.matches)});

  const calendar = new FullCalendar.Calendar(document.getElementById("calendar"), Object.assign({
    schedulerLicenseKey: "GPL-My-Project-Is-Open-Source",
    timeZone: zone(),
    initialView: PlinthViews.initialView(narrow.matches),
    initialDate: dateInput.value,
    headerToolbar: toolbar(),
    // Appointments are reached with Tab and opened with Enter, like a click.
    eventInteractive: true,
    locale: PlinthI18n.locale,  // Intl formats the titles, weekdays and hours in the page's language
    buttonText: {today: t("Today"), resourceTimeGridDay: t("Day"), resourceTimeGridWeek: t("Week"), listDay: t("List")},
    longPressDelay: 350,
    // Blocked time and breaks are clicked to change them, never selected through.
    selectOverlap: (event) => !isBackground(event.extendedProps),
    datesAboveResources: true, allDaySlot: false, nowIndicator: true, height: "auto",
    // Moves and selections land on the clinic's booking step (PLINTH_SLOT_STEP_MINUTES).
    slotMinTime: rememberedHours()[0], slotMaxTime: rememberedHours()[1],
    slotDuration: "00:15:00", snapDuration: {minutes: step}, slotLabelInterval: "01:00",
    selectable: true, selectMirror: true, editable: true, eventResourceEditable: true,
    resourceOrder: "order", refetchResourcesOnNavigate: true,
    resources(info, success, failure) {
      // Answers can cross (today's page load, then the date asked for): only the latest
      // request may set what the page knows about its columns. FullCalendar itself
      // keeps only its latest fetch.
      const asked = ++resourcesAsked;
      const query = inFlight.resources = feedQuery(info);
      getJSON(feedUrl("resources", info)).then((list) => {
        if (asked !== resourcesAsked) { success(list); return; }
        allResources = list;
        resourceKinds = Object.fromEntries(list.map((r) => [r.id, r.kind]));
        const [first, last] = visibleHours(list);
        localStorage.setItem(hoursKey(), JSON.stringify([first, last]));
        renderToggles(list);
        const discipline = Number(disciplineSelect.value);
        const shown = list.filter((r) => !hiddenCalendars.has(r.id) && (!discipline || r.disciplines.includes(discipline)));
        // One render for the new hours, columns and events, not one per change (bench/bench_grid.py).
        arrive("resources", query, () => {
          if (calendar.getOption("slotMinTime") !== first) calendar.setOption("slotMinTime", first);
          if (calendar.getOption("slotMaxTime") !== last) calendar.setOption("slotMaxTime", last);
          success(narrow.matches ? renderSwitcher(shown) : PlinthViews.resources(shown));
        });
      }).catch((error) => { say(error.message, "error"); arrive("resources", query, () => failure(error)); });
    },
    events(info, success, failure) {
      const asked = ++eventsAsked;
      const query = inFlight.events = feedQuery(info);
      getJSON(feedUrl("events", info)).then((answer) => {
        const list = PlinthViews.events(answer);  // Month: one calendar and each day's load
        if (asked !== eventsAsked) { success(list); return; }
        list.forEach((e) => {
          // The feed's times are the location's wall clock and so is the calendar's zone:
          // without the offset FullCalendar takes them as they are instead of converting
          // each instant through luxon (same places, DST included).
          if (typeof e.start === "string" && e.start.length > 19) e.start = e.start.slice(0, 19);
          if (typeof e.end === "string" && e.end.length > 19) e.end = e.end.slice(0, 19);
          if (!e.extendedProps || !e.extendedProps.appointment_id) return;
          e.classNames = ["status-" + e.extendedProps.status];
          if (hidden.has(e.extendedProps.status)) e.display = "none";
          e.extendedProps.time = wallTimes(e.start, e.end);
        });
        renderStatusBar(list);
        arrive("events", query, () => success(list));
      }).catch((error) => { say(error.message, "error"); arrive("events", query, () => failure(error)); });
    },
    select(info) {
      if (copyFrom) return copyTo(info);
      openBooking(info);
    },
    eventClick(info) {
      if (PlinthViews.eventClick(info)) return;
      const p = info.event.extendedProps;
      if (p && p.appointment_id) showPanel(p.appointment_id);
      else if (isBackground(p)) openRangeEditor(info.event);
    },
    eventDragStart: () => { busy = true; },
    eventResizeStart: () => { busy = true; },
    eventDrop: change,
    eventResize: change,
    eventDidMount(info) {
      const event = info.event;
      if (isBackground(event.extendedProps)) { info.el.dataset.kind = event.extendedProps.kind; return; }
      info.el.dataset.end = event.endStr;  // "New appointment" from a focused one starts here (book_at.js)
      if (isShort(event)) info.el.classList.add("short");
    },
    eventMouseEnter: tooltip,
    // One text node per appointment instead of FullCalendar's four nested wrappers: a
    // busy day has ~600 of them and their layout is most of the drawing time.
    eventContent(arg) {
      if (arg.event.display === "background") {
        const title = Object.assign(document.createElement("div"), {className: "fc-event-title", textContent: arg.event.title});
        return {domNodes: [title]};
      }
      // The status in words, not only in colour (WCAG 1.4.1); grid.css adds a pattern.
      const status = (arg.event.extendedProps || {}).status;
      // 15 minutes is one line high: start, client and status first on that line (grid.css .short).
      if (isShort(arg.event)) {
        const [client, ...rest] = arg.event.title.split(" · ");
        return [timeOf(arg).split(/\s*[-–]\s*/)[0], client].join(" ") + (status ? " · " + LABELS[status] : "") +
          (rest.length ? " · " + rest.join(" · ") : "");
      }
      return timeOf(arg) + (status ? " · " + LABELS[status] : "") + "\n" + arg.event.title;
    },
    datesSet(info) {
      // Dates in the location's zone (the calendar's), never UTC's; the end is exclusive.
      visibleDays = [info.startStr.slice(0, 10),
                     luxon.DateTime.fromISO(info.endStr, {setZone: true}).minus({days: 1}).toISODate()];
      dateInput.value = visibleDays[0];
    },
  }, PlinthViews.options));
  PlinthViews.attach(calendar, locationSelect);
  calendar.render();
  // A day nobody works (no column) leaves FullCalendar's body row with only its hidden
  // time-axis cell: a row without cells for screen readers (axe: aria-required-children).
  // Such a row is layout only until columns come back.
  const calendarEl = document.getElementById("calendar");
  function rowsWithoutCells() {
    calendarEl.querySelectorAll('tr[role="row"], tr[data-no-cells]').forEach((row) => {
      const empty = !row.querySelector(':scope > :not([aria-hidden="true"])');
      if (empty && row.getAttribute("role") === "row") {
        row.setAttribute("role", "presentation");
        row.dataset.noCells = "1";
      } else if (!empty && row.dataset.noCells) {
        row.setAttribute("role", "row");
        delete row.dataset.noCells;
      }
    });
  }
  new MutationObserver(rowsWithoutCells).observe(calendarEl, {childList: true, subtree: true});
  rowsWithoutCells();
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
    provider.replaceChildren(new Option(t("Any available"), ""),
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
  setInterval(() => {
    if (!busy && !document.querySelector("dialog[open]") && document.visibilityState === "visible") calendar.refetchEvents();
  }, 8000);

  /* --- narrow screens ---------------------------------------------------------------- */
  function renderSwitcher(shown) {
    const chosen = localStorage.getItem(switchKey);
    const current = shown.find((r) => r.id === chosen) || shown[0];
    switcher.replaceChildren(...shown.map((r) => new Option(r.title, r.id)));
    if (current) switcher.value = current.id;
    return current ? [current] : [];
  }
  switcher.addEventListener("change", () => {
    localStorage.setItem(switchKey, switcher.value);
    calendar.refetchResources();
  });
  narrow.addEventListener("change", () => {
    calendar.setOption("headerToolbar", toolbar());
    if (!narrow.matches && calendar.view.type === "listDay") calendar.changeView("resourceTimeGridDay");
    calendar.refetchResources();
  });
  const side = document.getElementById("grid-side");
  document.getElementById("grid-side-open").addEventListener("click", () => side.classList.add("open"));
  document.getElementById("grid-side-close").addEventListener("click", () => side.classList.remove("open"));
  const closeSideOnNarrow = () => { if (narrow.matches) side.classList.remove("open"); };

  /* --- selected appointment panel ---------------------------------------------------- */
  const panel = document.getElementById("appt-panel");
  let shown = null, copyFrom = null;

  async function showPanel(appointmentId, announce = true) {
    try {
      shown = await getJSON("/calendar/feed/appointment/" + appointmentId);
    } catch (error) { say(error.message, "error"); return; }
    document.getElementById("panel-client").textContent = shown.client.name;
    const alerts = document.getElementById("panel-alerts");
    alerts.textContent = shown.client.alerts;
    alerts.hidden = !shown.client.alerts;
    const facts = [
      [t("When"), shown.when], [t("Session"), shown.session_type], [t("Status"), LABELS[shown.status]],
      [t("Phone"), shown.client.phone], [t("Email"), shown.client.email], [t("Messages"), shown.client.messages],
      [t("Case"), shown.case.title],
      [t("Payer"), shown.case.payer + (shown.case.claim_number ? " · " + shown.case.claim_number : "")],
      [t("Visits"), shown.case.authorised_visits === null ? "" :
        shown.case.visits_used + " of " + shown.case.authorised_visits + " authorised"],
      [t("Last visit"), shown.last_visit || "—"], [t("Next visit"), shown.next_visit || "—"],
      [t("No-shows"), String(shown.client.no_shows)],
      [t("Booked"), shown.booked_via === "online" ? t("online") : t("by staff")],
      [t("Notes"), shown.notes],
    ].filter(([, value]) => value);
    document.getElementById("panel-facts").replaceChildren(...facts.flatMap(([label, value]) => [
      Object.assign(document.createElement("dt"), {textContent: label}),
      Object.assign(document.createElement("dd"), {textContent: value})]));
    document.getElementById("panel-audit").replaceChildren(...shown.audit.map((a) =>
      Object.assign(document.createElement("li"), {textContent: a.at + " · " + a.by + " · " + a.action +
        (a.after && a.after.status ? " → " + a.after.status : "")})));
    const final = ["canceled", "rebooked"].includes(shown.status);
    // Arrived and Paid visits are undone from the status buttons, not canceled.
    document.getElementById("panel-cancel").disabled = !["booked", "confirmed", "no_show"].includes(shown.status);
    document.getElementById("panel-repeat").disabled = final || !shown.provider_calendar_id;
    panel.hidden = false;
    // Billing (app/static/billing/panel.js) fills its section for this appointment.
    if (announce) root.dispatchEvent(new CustomEvent("plinth:panel-shown", {detail: {id: shown.id}}));
  }
  // A status, charge or payment changed in the panel: redraw the grid and the panel's
  // facts and history (billing keeps its own section).
  root.addEventListener("plinth:appointment-changed", (event) => {
    calendar.refetchEvents();
    if (!panel.hidden && shown && shown.id === event.detail.id) showPanel(shown.id, false);
  });
  // Closing the panel keeps a pending copy: the user closes it to see the grid and pick the time.
  document.getElementById("panel-close").addEventListener("click", () => { panel.hidden = true; });
  document.getElementById("panel-cancel").addEventListener("click", async () => {
    const reason = window.prompt(t("Cancel %(name)s's appointment? Reason (optional):", {name: shown.client.name}), "");
    if (reason === null) return;
    try {
      await send("POST", "/api/v1/appointments/" + shown.id + "/cancel", {reason: reason || null, version: shown.version});
      say(t("Canceled %(name)s.", {name: shown.client.name}), "ok");
      panel.hidden = true;
      calendar.refetchEvents();
    } catch (error) { say(t("Not canceled: %(error)s", {error: error.message}), "error"); }
  });
  document.getElementById("panel-copy").addEventListener("click", () => {
    copyFrom = shown.id;
    say(t("Select the time (and column) for the copy of %(name)s's appointment.", {name: shown.client.name}), "ok");
  });
  async function copyTo(info) {
    const source = copyFrom;
    copyFrom = null;
    calendar.unselect();
    try {
      await send("POST", "/api/v1/appointments/" + source + "/copy",
                 {start: info.startStr, calendar_id: Number(info.resource.id)});
      say(t("Copied."), "ok");
      calendar.refetchEvents();
    } catch (error) { say(t("Not copied: %(error)s", {error: error.message}), "error"); }
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
      ...list.map((st) => new Option(st.category + " · " + sessionLabel(st), st.id)));
  });

  /* --- find time slot ------------------------------------------------------------------ */
  const findResults = document.getElementById("find-results");
  function clearOpenings() { calendar.getEvents().filter((e) => e.id.startsWith("opening-")).forEach((e) => e.remove()); }
  // Find Time Slot looks ahead (issue 14): the first openings from the first visible day
  // over the chosen weeks, one provider or any provider of the session's discipline at
  // this location; choosing one jumps the grid to its day and opens the booking there.
  document.getElementById("find-go").addEventListener("click", findOpeningsAhead);

  async function findOpeningsAhead() {
    clearOpenings();
    const session = document.getElementById("find-session").value;
    const provider = document.getElementById("find-provider").value;
    const params = new URLSearchParams({session_type_id: session, start: visibleDays[0], limit: 12,
                                        weeks: document.getElementById("find-weeks").value});
    if (provider) params.set("calendar_id", provider); else params.set("location_id", locationSelect.value);
    try {
      const {openings} = await send("GET", "/api/v1/find_time?" + params);
      findResults.replaceChildren(...(openings.length ? openings.map((slot) => openingItem(slot, Number(session))) :
        [Object.assign(document.createElement("li"), {textContent: "No opening in the next " +
          document.getElementById("find-weeks").selectedOptions[0].textContent + "."})]));
    } catch (error) {
      say(error.message, "error");
    }
  }

  function openingItem(slot, session) {
    const id = String(slot.calendar_ids[0]);
    const title = (slot.calendar_names || [])[0] || (calendar.getResourceById(id) || allResources.find((r) => r.id === id) || {}).title;
    const li = document.createElement("li");
    const button = Object.assign(document.createElement("button"), {type: "button", className: "opening"});
    button.textContent = luxon.DateTime.fromISO(slot.start, {setZone: true}).toFormat("ccc d LLL HH:mm") + " · " + title;
    button.addEventListener("click", () => jumpToOpening(slot, session, title));
    li.append(button);
    return li;
  }

  function jumpToOpening(slot, session, title) {
    const id = String(slot.calendar_ids[0]);
    const day = localDay(slot.start);
    if (day < visibleDays[0] || day > visibleDays[1]) {
      dateInput.value = day;
      calendar.gotoDate(day);
    }
    calendar.scrollToTime(luxon.DateTime.fromISO(slot.start, {setZone: true}).minus({hours: 1}).toFormat("HH:mm:ss"));
    calendar.addEvent({id: "opening-" + slot.start + "-" + id, start: slot.start, end: slot.end,
                       resourceId: id, display: "background", classNames: ["opening-slot"]});
    preferredSession = session;
    closeSideOnNarrow();
    openBooking({startStr: slot.start, resource: calendar.getResourceById(id) || {id, title}}, true);
  }

  /* What a selection in the grid adds: an appointment (provider columns), blocked time
   * or a break (any column the user may book, with the TimeBlocks grant). */
  const kindTabs = document.getElementById("select-kind");
  const rangeForm = document.getElementById("range-form");
  const bookable = (eventOrInfo) => {
    const id = eventOrInfo.resource ? eventOrInfo.resource.id : (eventOrInfo.getResources()[0] || {}).id;
    const resource = allResources.find((r) => r.id === id);
    return !!(resource && resource.bookable);
  };
  const localTime = (iso) => luxon.DateTime.fromISO(iso, {setZone: true}).toFormat("HH:mm");
  const localDay = (iso) => luxon.DateTime.fromISO(iso, {setZone: true}).toISODate();
  const instant = (day, hhmm) => luxon.DateTime.fromISO(day + "T" + hhmm, {zone: zone()}).toISO();
  let range = null;  // {kind: "block"|"break", id?, resource, day, anyway}

  function chooseKind(kind) {
    kindTabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.kind === kind)));
    form.hidden = kind !== "book";
    rangeForm.hidden = kind === "book";
    if (kind !== "book") fillRange({kind, resource: selection.resource, start: selection.startStr,
                                    end: selection.endStr, text: ""});
  }
  kindTabs.addEventListener("click", (event) => {
    const tab = event.target.closest("button[data-kind]");
    if (tab && selection) chooseKind(tab.dataset.kind);
  });

  function openBooking(info, isOpening) {
    // An opening (Find Time Slot, New appointment) is a provider's even on a day whose columns are not loaded yet.
    const provider = isOpening || resourceKinds[info.resource && info.resource.id] === "provider";
    const mayTakeTime = mayBlock && bookable(info) && info.endStr;
    if (!isOpening && !provider && !mayTakeTime) {
      calendar.unselect();
      say(t("Book in a provider's column; rooms and equipment are added for you."), "error");
      return;
    }
    selection = info;
    busy = true;
    kindTabs.hidden = isOpening || !mayTakeTime;
    kindTabs.querySelector("[data-kind=book]").hidden = !provider;
    document.getElementById("book-when").textContent = info.resource.title + " · " +
      luxon.DateTime.fromISO(info.startStr, {setZone: true}).toFormat("ccc d LLL yyyy, HH:mm");
    form.reset();
    results.replaceChildren();
    caseSelect.replaceChildren();
    sessionSelect.replaceChildren();
    extrasBox.replaceChildren();
    newCase.hidden = true;
    document.querySelectorAll("#case-payer option[data-locations]").forEach((option) => {
      option.hidden = option.disabled = !option.dataset.locations.split(" ").includes(locationSelect.value);
    });
    document.getElementById("book-case-hint").hidden = true;
    errorBox.textContent = "";
    alertsBox.classList.add("hidden");
    chooseKind(provider ? "book" : "block");
    PlinthBookAt.fill(info);  // the editable calendar, date and time (book_at.js)
    dialog.showModal();
    if (provider) clientInput.focus(); else document.getElementById("range-text").focus();
  }

  /* --- blocked time and breaks ------------------------------------------------------ */
  const rangeError = document.getElementById("range-error");
  const rangeAnyway = document.getElementById("range-anyway");
  function fillRange(r) {
    range = {kind: r.kind, id: r.id || null, resource: r.resource, day: localDay(r.start)};
    const isBreak = r.kind === "break";
    document.getElementById("range-title").textContent = (r.id ? "Change " : "New ") + (isBreak ? "break" : "blocked time");
    document.getElementById("range-where").textContent = r.resource.title + " · " +
      luxon.DateTime.fromISO(r.start, {setZone: true}).toFormat("ccc d LLL yyyy");
    document.getElementById("range-start").value = localTime(r.start);
    document.getElementById("range-end").value = localTime(r.end);
    document.getElementById("range-text-label").textContent = isBreak ? "Label (optional)" : "Reason";
    const text = document.getElementById("range-text");
    text.value = r.text || "";
    text.placeholder = isBreak ? "Break" : "e.g. Team meeting";
    text.required = !isBreak;
    document.getElementById("range-remove").hidden = !r.id;
    rangeError.textContent = "";
    rangeAnyway.hidden = true;
  }

  function openRangeEditor(event) {
    const p = event.extendedProps;
    const resource = event.getResources()[0];
    if (!mayBlock || !bookable(event)) {
      say(event.title + " (" + localTime(event.startStr) + "–" + localTime(event.endStr) + ").", "ok");
      return;
    }
    selection = {resource, startStr: event.startStr, endStr: event.endStr};
    busy = true;
    kindTabs.hidden = true;
    form.hidden = true;
    rangeForm.hidden = false;
    fillRange({kind: p.kind, id: p.kind === "block" ? p.block_id : p.break_id, resource,
               start: event.startStr, end: event.endStr, text: p.kind === "block" ? p.reason : p.label});
    dialog.showModal();
  }

  async function saveRange(anyway) {
    rangeError.textContent = "";
    const start = document.getElementById("range-start").value, end = document.getElementById("range-end").value;
    if (!start || !end) { rangeError.textContent = t("Give the start and end times."); return; }
    const text = document.getElementById("range-text").value;
    const body = {start: instant(range.day, start), end: instant(range.day, end), keep_appointments: !!anyway};
    body[range.kind === "block" ? "reason" : "label"] = text;
    const base = "/api/v1/grid/" + (range.kind === "block" ? "blocks/" : "breaks/");
    try {
      if (range.id) await send("PATCH", base + range.id, body);
      else await send("POST", base, Object.assign(body, {calendar_id: Number(range.resource.id)}));
      closeDialog();
      say((range.kind === "block" ? "Blocked time" : "Break") + " saved.", "ok");
      calendar.refetchEvents();
    } catch (error) {
      rangeError.textContent = error.message;
      // Booked appointments in that time: the user may keep them and save anyway.
      rangeAnyway.hidden = !(error.data && (error.data.conflicts || []).some((c) => c.reason === "booked"));
    }
  }
  rangeForm.addEventListener("submit", (event) => { event.preventDefault(); saveRange(false); });
  rangeAnyway.addEventListener("click", () => saveRange(true));
  document.getElementById("range-close").addEventListener("click", () => closeDialog());
  document.getElementById("range-remove").addEventListener("click", async () => {
    const what = range.kind === "block" ? "blocked time" : "break";
    if (!window.confirm("Remove this " + what + "? The time becomes bookable again.")) return;
    try {
      await send("DELETE", "/api/v1/grid/" + (range.kind === "block" ? "blocks/" : "breaks/") + range.id);
      closeDialog();
      say("Removed the " + what + ".", "ok");
      calendar.refetchEvents();
    } catch (error) { rangeError.textContent = error.message; }
  });

  /* --- the booking form: case (or a new one), session, extra room/equipment --------- */
  const newCase = document.getElementById("book-new-case");
  const extrasBox = document.getElementById("book-extras");
  let extrasFor = "", extrasChoices = [];

  function caseDiscipline() {
    if (caseSelect.value === "new") return Number(document.getElementById("case-discipline").value);
    const option = caseSelect.selectedOptions[0];
    return option ? Number(option.dataset.discipline) : null;
  }

  function fillSessions() {
    newCase.hidden = caseSelect.value !== "new";
    const discipline = caseDiscipline();
    const before = sessionSelect.value;
    sessionSelect.replaceChildren(...columnSessions(discipline).map((s) => new Option(sessionLabel(s), s.id)));
    explainCase(discipline);
    if (preferredSession && [...sessionSelect.options].some((o) => Number(o.value) === preferredSession)) {
      sessionSelect.value = String(preferredSession);
    } else if ([...sessionSelect.options].some((o) => o.value === before)) {
      sessionSelect.value = before;
    }
    loadExtras();
  }

  // Rooms / equipment the session needs: "Automatic" (what booking picks) or a free one.
  async function loadExtras() {
    const key = [selection && selection.resource.id, sessionSelect.value, selection && selection.startStr].join("|");
    if (!sessionSelect.value || key === extrasFor) return;
    extrasFor = key;
    extrasBox.replaceChildren();
    extrasChoices = [];
    const params = new URLSearchParams({calendar_id: selection.resource.id, session_type_id: sessionSelect.value,
                                        start: selection.startStr});
    let kinds;
    try { kinds = await getJSON("/calendar/feed/extras?" + params); } catch (error) { return; }
    if (key !== extrasFor) return;  // the user changed something meanwhile
    extrasChoices = kinds;
    extrasBox.replaceChildren(...kinds.map((k) => {
      const label = Object.assign(document.createElement("label"), {textContent: k.kind === "room" ? t("Room") : t("Equipment")});
      const select = Object.assign(document.createElement("select"), {className: "form-control", id: "book-extra-" + k.kind});
      select.dataset.kind = k.kind;
      select.append(new Option(k.options.length ? t("Automatic (%(name)s)", {name: k.options[0].name}) : t("None free"), ""),
                    ...k.options.map((o) => new Option(o.name, o.id)));
      label.append(select);
      return label;
    }));
  }
  sessionSelect.addEventListener("change", loadExtras);

  /* --- the dialog offers only what the column takes (issue 14) ------------------------ */
  const caseHint = document.getElementById("book-case-hint");
  // The disciplines of the column the selection is in (empty: it takes any).
  function columnDisciplines() {
    const column = selection && allResources.find((r) => r.id === selection.resource.id);
    return column ? column.disciplines.map(Number) : [];
  }
  const disciplineName = (id) => {
    const option = [...document.getElementById("case-discipline").options].find((o) => Number(o.value) === id);
    return option ? option.textContent : "this discipline";
  };
  // Sessions of the case's discipline that the column also takes.
  function columnSessions(discipline) {
    const takes = columnDisciplines();
    return sessionTypes.filter((s) => s.discipline_id === discipline && (!takes.length || takes.includes(s.discipline_id)));
  }
  // The client's open case the column can treat; else a new case in the column's discipline.
  function defaultCase(cases) {
    const takes = columnDisciplines();
    const fits = cases.find((k) => !takes.length || takes.includes(Number(k.discipline_id)));
    if (fits) return String(fits.id);
    if (mayOpenCase) return "new";
    return cases.length ? String(cases[0].id) : "";
  }
  // Why the session list is what it is, and the way out when the case does not fit.
  function explainCase(discipline) {
    const takes = columnDisciplines();
    const fits = !takes.length || discipline === null || takes.includes(discipline);
    const name = selection ? selection.resource.title : "This calendar";
    let text = "";
    if (!fits) {
      text = name + " does not take " + disciplineName(discipline) + " sessions." +
        (mayOpenCase ? " Choose another case or “+ New case…”." : " Choose another case.");
    } else if (caseSelect.value === "new" && takes.length && ![...caseSelect.options].some((o) =>
        o.value !== "new" && takes.includes(Number(o.dataset.discipline)))) {
      text = "No open case fits " + name + ": a new " + disciplineName(discipline) + " case will be opened.";
    } else if (caseSelect.value === "new") {
      text = "A new " + disciplineName(discipline) + " case will be opened.";
    }
    caseHint.textContent = text;
    caseHint.hidden = !text;
  }
  document.getElementById("case-discipline").addEventListener("change", fillSessions);

  function chosenExtras() {
    const picks = [...extrasBox.querySelectorAll("select")];
    if (!picks.some((s) => s.value)) return undefined;  // all automatic: booking picks
    // One chosen: the others still need theirs, so send what "automatic" would pick.
    return picks.map((s) => Number(s.value || (extrasChoices.find((k) => k.kind === s.dataset.kind).options[0] || {}).id))
      .filter(Boolean);
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
          clientInput.dataset.clientId = c.id;
          results.replaceChildren();
          const options = c.cases.map((k) => {
            const option = new Option(k.title + (k.note ? " — " + k.note : ""), k.id);
            option.dataset.discipline = k.discipline_id;
            return option;
          });
          if (mayOpenCase) options.push(new Option("+ New case…", "new"));
          caseSelect.replaceChildren(...options);
          // A new case starts in the column's discipline; the case chosen is the one that fits it.
          const takes = columnDisciplines();
          if (takes.length) document.getElementById("case-discipline").value = takes[0];
          caseSelect.value = defaultCase(c.cases);
          alertsBox.textContent = c.alerts;
          alertsBox.classList.toggle("hidden", !c.alerts);
          errorBox.textContent = "";
          if (!c.cases.length) {
            if (mayOpenCase) document.getElementById("case-title").focus();
            else errorBox.textContent = t("This client has no open case; open one under Clients first.");
          }
          fillSessions();
        };
        li.addEventListener("click", pick);
        li.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); pick(); } });
        return li;
      }));
    }, 200);
  });
  caseSelect.addEventListener("change", fillSessions);

  // book_at.js: the dialog's calendar, date and time fields move the selection.
  window.PlinthGrid = {
    calendar, zone, instant, localDay, localTime, step,
    columns: () => allResources.filter((r) => r.kind === "provider" && r.bookable),
    shownDays: () => visibleDays.slice(),
    open(resource, startIso) { openBooking({resource, startStr: startIso}, true); },
    reselect(resource, startIso) {
      selection = {resource, startStr: startIso};
      if (caseSelect.options.length) {
        const takes = columnDisciplines();
        if (caseSelect.value === "new" && takes.length) document.getElementById("case-discipline").value = takes[0];
        fillSessions();
      }
    },
  };

  function closeDialog() {
    dialog.close(); calendar.unselect(); busy = false; preferredSession = null; extrasFor = ""; range = null;
  }
  document.getElementById("book-cancel").addEventListener("click", closeDialog);
  dialog.addEventListener("cancel", () => { calendar.unselect(); busy = false; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.textContent = "";
    if (!caseSelect.value || !sessionSelect.value) { errorBox.textContent = t("Choose a client, a case and a session."); return; }
    const body = {
      session_type_id: Number(sessionSelect.value), calendar_id: Number(selection.resource.id),
      start: selection.startStr, notes: document.getElementById("book-notes").value || null,
      notify: document.getElementById("book-notify").checked,
      allow_overlap: document.getElementById("book-overlap").checked,
    };
    const extras = chosenExtras();
    if (extras) body.extra_calendar_ids = extras;
    let url = "/api/v1/appointments";
    if (caseSelect.value === "new") {
      url = "/api/v1/grid/appointments";
      const payer = document.getElementById("case-payer").value;
      body.new_case = {client_id: Number(clientInput.dataset.clientId), title: document.getElementById("case-title").value,
                       discipline_id: caseDiscipline(), payer_id: payer ? Number(payer) : null,
                       claim_number: document.getElementById("case-claim").value || null};
    } else {
      body.case_id = Number(caseSelect.value);
    }
    try {
      const booked = await send("POST", url, body);
      const day = localDay(selection.startStr);
      closeDialog();
      if (day < visibleDays[0] || day > visibleDays[1]) calendar.gotoDate(day);
      clearOpenings();
      findResults.replaceChildren();
      say(t("Booked %(name)s.", {name: clientInput.value}) + (booked.warnings.length ? " " + booked.warnings.join(" ") : ""), "ok");
      calendar.refetchEvents();
    } catch (error) {
      errorBox.textContent = error.message;
    }
  });

  /* --- repeat an appointment: pattern, per-date check, book all at once -------------- */
  const repeatDialog = document.getElementById("repeat-dialog");
  const repeatRows = document.querySelector("#repeat-results tbody");
  const repeatError = document.getElementById("repeat-error");
  const repeatConfirm = document.getElementById("repeat-confirm");
  let repeatOf = null, checked = null;

  document.getElementById("panel-repeat").addEventListener("click", () => {
    repeatOf = shown;
    const start = luxon.DateTime.fromISO(shown.start, {setZone: true});
    document.getElementById("repeat-who").textContent = shown.client.name;
    document.getElementById("repeat-what").textContent = shown.session_type + " · " + shown.when;
    document.getElementById("repeat-every").value = 1;
    document.querySelectorAll("#repeat-days input").forEach((box) => { box.checked = Number(box.value) === start.weekday - 1; });
    document.getElementById("repeat-at").value = start.toFormat("HH:mm");
    document.getElementById("repeat-first").value = start.plus({days: 1}).toISODate();
    document.getElementById("repeat-count").value = 6;
    document.getElementById("repeat-until").value = "";
    document.querySelector("input[name=repeat-end][value=count]").checked = true;
    resetRepeatResults();
    closeSideOnNarrow();
    repeatDialog.showModal();
  });
  function resetRepeatResults() {
    checked = null;
    repeatRows.replaceChildren();
    document.getElementById("repeat-results").hidden = true;
    repeatError.textContent = "";
    repeatConfirm.disabled = true;
    repeatConfirm.textContent = t("Book all");
  }
  document.querySelector("#repeat-form .repeat-pattern").addEventListener("change", resetRepeatResults);
  document.getElementById("repeat-close").addEventListener("click", () => repeatDialog.close());

  function repeatPattern() {
    const byCount = document.querySelector("input[name=repeat-end]:checked").value === "count";
    return {
      case_id: repeatOf.case.id, session_type_id: repeatOf.session_type_id, calendar_id: repeatOf.provider_calendar_id,
      first_day: document.getElementById("repeat-first").value, at: document.getElementById("repeat-at").value,
      every_weeks: Number(document.getElementById("repeat-every").value),
      weekdays: [...document.querySelectorAll("#repeat-days input:checked")].map((b) => Number(b.value)),
      count: byCount ? Number(document.getElementById("repeat-count").value) : null,
      until: byCount ? null : (document.getElementById("repeat-until").value || null),
    };
  }

  document.getElementById("repeat-preview").addEventListener("click", async () => {
    resetRepeatResults();
    const pattern = repeatPattern();
    try {
      const {occurrences} = await send("POST", "/api/v1/series/preview", pattern);
      checked = {pattern, occurrences};
      repeatRows.replaceChildren(...occurrences.map(repeatRow));
      document.getElementById("repeat-results").hidden = false;
      updateConfirm();
    } catch (error) { repeatError.textContent = error.message; }
  });

  function repeatRow(o) {
    const tr = document.createElement("tr");
    tr.dataset.day = o.day;
    tr.className = o.free ? "free" : "refused";
    const when = luxon.DateTime.fromISO(o.start, {setZone: true}).toFormat("ccc d LLL yyyy, HH:mm");
    const result = document.createElement("td");
    const choice = document.createElement("td");
    if (o.free) {
      result.textContent = "✓ Free";
      const box = Object.assign(document.createElement("input"), {type: "checkbox", checked: true});
      box.setAttribute("aria-label", "Book " + when);
      choice.append(box);
    } else {
      result.textContent = "✗ " + o.problems.map((p) => p.message).join(" ");
      const select = Object.assign(document.createElement("select"), {className: "form-control input-sm"});
      select.setAttribute("aria-label", "Instead of " + when);
      // The same day's alternatives read as times; later days carry their date.
      select.append(new Option(t("Leave out"), ""), ...o.alternatives.map((a) => {
        const at = luxon.DateTime.fromISO(a.start, {setZone: true});
        return new Option(at.toISODate() === o.day ? at.toFormat("HH:mm") : at.toFormat("ccc d LLL, HH:mm"), a.start);
      }));
      if (!o.alternatives.length) select.title = t("No free time nearby");
      choice.append(select);
    }
    choice.addEventListener("change", updateConfirm);
    tr.append(Object.assign(document.createElement("td"), {textContent: when}), result, choice);
    return tr;
  }

  function repeatChoice() {
    const skip = [], replacements = [];
    repeatRows.querySelectorAll("tr").forEach((tr) => {
      const box = tr.querySelector("input[type=checkbox]"), select = tr.querySelector("select");
      if (box && !box.checked) skip.push(tr.dataset.day);
      if (select && !select.value) skip.push(tr.dataset.day);
      if (select && select.value) replacements.push({day: tr.dataset.day, start: select.value});
    });
    return {skip, replacements, total: repeatRows.querySelectorAll("tr").length - skip.length};
  }
  function updateConfirm() {
    const {total} = repeatChoice();
    repeatConfirm.disabled = !checked || total === 0;
    repeatConfirm.textContent = "Book " + total + " session" + (total === 1 ? "" : "s");
  }

  document.getElementById("repeat-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!checked) return;
    const {skip, replacements, total} = repeatChoice();
    repeatError.textContent = "";
    try {
      await send("POST", "/api/v1/grid/series", Object.assign({}, checked.pattern, {
        appointment_id: repeatOf.id, skip_days: skip, replacements, notify: notifyDefault}));
      repeatDialog.close();
      panel.hidden = true;
      say("Booked " + total + " more session" + (total === 1 ? "" : "s") + " for " + repeatOf.client.name + ".", "ok");
      calendar.refetchEvents();
    } catch (error) { repeatError.textContent = error.message; }
  });

  /* --- book next: the same session and provider a week later (issue 14) ------------- */
  const nextBox = document.getElementById("panel-next-box");
  root.addEventListener("plinth:panel-shown", () => { nextBox.hidden = true; nextBox.replaceChildren(); });
  document.getElementById("panel-next").addEventListener("click", showNextVisit);

  async function showNextVisit() {
    const of = shown;
    let found;
    try { found = await send("GET", "/api/v1/appointments/" + of.id + "/next_visit"); } catch (error) {
      say(error.message, "error"); return;
    }
    if (!shown || shown.id !== of.id) return;  // another appointment was opened meanwhile
    const when = (iso) => luxon.DateTime.fromISO(iso, {setZone: true}).toFormat("ccc d LLL yyyy, HH:mm");
    const offer = (slot, label) => Object.assign(document.createElement("button"), {
      type: "button", className: "btn btn-primary btn-sm next-offer", textContent: label,
      onclick: () => bookNext(of, found, slot)});
    const parts = [];
    if (found.free) {
      parts.push(Object.assign(document.createElement("p"), {textContent: of.session_type + " · " + when(found.start)}),
                 offer(found, "Book " + when(found.start)));
    } else {
      parts.push(Object.assign(document.createElement("p"), {className: "text-warning",
        textContent: when(found.start) + " is taken: " + found.problems.map((p) => p.message).join(" ")}));
      parts.push(...(found.alternatives.length ? found.alternatives.map((slot) => offer(slot, when(slot.start))) :
        [Object.assign(document.createElement("p"), {textContent: "No opening that week; use Find time slot."})]));
    }
    nextBox.replaceChildren(...parts);
    nextBox.hidden = false;
  }

  async function bookNext(of, found, slot) {
    try {
      await send("POST", "/api/v1/appointments", {case_id: found.case_id, session_type_id: found.session_type_id,
        calendar_id: slot.calendar_ids ? slot.calendar_ids[0] : found.calendar_id, start: slot.start,
        notify: notifyDefault});
      nextBox.hidden = true;
      say("Booked " + of.client.name + "'s next visit: " +
          luxon.DateTime.fromISO(slot.start, {setZone: true}).toFormat("ccc d LLL, HH:mm") + ".", "ok");
      calendar.refetchEvents();
      showPanel(of.id, false);
    } catch (error) { say(error.message, "error"); }
  }
})();
