/* Plinth grid views (loaded before grid.js, which calls PlinthViews):
 *   Day            every calendar of the location, one day (resourceTimeGridDay);
 *   Week           one calendar (provider, room, equipment) over seven days, chosen in the
 *                  picker beside the view buttons or by clicking a column's name;
 *   Location week  every calendar, grouped by day with the calendars under it (or by
 *                  calendar with its days under it), scrolling sideways so that each
 *                  column stays readable;
 *   Month          one calendar's load: visits and booked hours per day, its appointments
 *                  under them; a click on a day opens that calendar's week there;
 *   List           the day as a list.
 * The view, the chosen calendar, the date and the location live in the URL
 * (?view=week&calendar=12&date=2026-03-10&location_id=2), so a reload or a shared link
 * opens the same page. */
(function () {
  "use strict";
  // Texts in the page's language (app/i18n/staff_strings.py); English when not listed there.
  const t = (text, values) => PlinthI18n.t(text, values);
  const NAMES = {day: "resourceTimeGridDay", week: "calendarWeek", "location-week": "locationWeek",
                 "location-week-by-calendar": "locationWeekByCalendar", month: "calendarMonth", list: "listDay"};
  const LOCATION_WEEKS = ["locationWeek", "locationWeekByCalendar"];
  const URL_NAME = Object.fromEntries(Object.entries(NAMES).map(([name, type]) => [type, name]));
  const ONE_CALENDAR = new Set(["calendarWeek", "calendarMonth"]);
  const COUNTED = new Set(["booked", "confirmed", "arrived", "paid"]);  // what a day's load counts
  const linked = new URLSearchParams(window.location.search);
  const pickerBox = document.getElementById("grid-view-picker");
  const groupBox = document.getElementById("grid-view-group");
  const picker = document.getElementById("grid-view-calendar");
  let calendar = null, locationSelect = null;
  let chosen = linked.get("calendar") || "";
  let known = [];            // the location's calendars shown in the last resources answer
  let monthShapedFor = null; // the calendar the month's events were last filtered for

  const oneCalendarView = () => calendar && ONE_CALENDAR.has(calendar.view.type);
  const current = () => known.find((r) => r.id === chosen) || known.find((r) => r.kind === "provider") || known[0];
  const currentId = () => (current() || {}).id || chosen;

  function initialView(narrow) {
    const asked = NAMES[linked.get("view")];
    if (!asked) return "resourceTimeGridDay";
    // Phones show one calendar a day (grid.js); the week and month need a wide screen.
    return narrow && !["resourceTimeGridDay", "listDay"].includes(asked) ? "resourceTimeGridDay" : asked;
  }

  const toolbarViews = (narrow) => narrow ? "resourceTimeGridDay,listDay"
    : "resourceTimeGridDay,calendarWeek,locationWeek,calendarMonth,listDay";

  /* A column's name opens that calendar's week: one click from the location to a person. */
  function resourceLabelContent(arg) {
    if (oneCalendarView()) return arg.resource.title;
    const button = Object.assign(document.createElement("button"), {type: "button", className: "resource-week-link"});
    button.dataset.calendar = arg.resource.id;
    button.title = t("Open %(name)s's week", {name: arg.resource.title});
    button.textContent = arg.resource.title;
    button.addEventListener("click", () => show(arg.resource.id, "calendarWeek"));
    return {domNodes: [button]};
  }

  function show(calendarId, viewType, date) {
    chosen = String(calendarId);
    picker.value = chosen;
    if (calendar.view.type !== viewType) calendar.changeView(viewType, date);
    else {
      if (date) calendar.gotoDate(date);
      refresh();
    }
  }

  function refresh() {
    calendar.refetchResources();
    if (calendar.view.type === "calendarMonth") calendar.refetchEvents();
    syncUrl();
  }

  /* The columns to draw: all of them, or the chosen one in Week and Month. */
  function resources(shown) {
    known = shown;
    fillPicker(shown);
    if (!oneCalendarView()) return shown;
    const one = current();
    if (calendar.view.type === "calendarMonth" && one && monthShapedFor !== one.id) calendar.refetchEvents();
    return one ? [one] : [];
  }

  function fillPicker(shown) {
    const id = currentId();
    picker.replaceChildren(...shown.map((r) => new Option(r.title + (r.kind === "provider" ? "" : " (" + r.kind + ")"), r.id)));
    if (id) picker.value = id;
    pickerBox.hidden = !oneCalendarView();
  }

  /* The events to draw: in Month only the chosen calendar's appointments, with one
   * "N visits · H h" line on top of each day. */
  function events(list) {
    if (!calendar || calendar.view.type !== "calendarMonth") return list;
    const id = currentId();
    monthShapedFor = id;
    const mine = list.filter((e) => e.resourceId === id && e.display !== "background");
    const load = {};
    mine.forEach((e) => {
      const p = e.extendedProps || {};
      if (!COUNTED.has(p.status)) return;
      const day = e.start.slice(0, 10);  // the location's date: the feed sends local times
      load[day] = load[day] || {visits: 0, minutes: 0};
      load[day].visits += 1;
      load[day].minutes += (Date.parse(e.end) - Date.parse(e.start)) / 60000;
    });
    return mine.concat(Object.entries(load).map(([day, l]) => ({
      id: "load-" + day, start: day, allDay: true, editable: false, display: "block", classNames: ["day-load"],
      title: t(l.visits === 1 ? "1 visit · %(hours)s booked" : "%(count)s visits · %(hours)s booked",
               {count: l.visits, hours: hours(l.minutes)}),
      extendedProps: {kind: "load", day},
    })));
  }
  const hours = (minutes) => PlinthI18n.number(Math.round(minutes / 6) / 10) + " h";

  /* Handled here: clicks on a day's load or an empty day in Month open the week there. */
  function eventClick(info) {
    const p = info.event.extendedProps || {};
    if (p.kind !== "load") return false;
    show(currentId(), "calendarWeek", p.day);
    return true;
  }
  function dateClick(info) {
    if (calendar.view.type === "calendarMonth") show(currentId(), "calendarWeek", info.dateStr.slice(0, 10));
  }

  function syncUrl() {
    if (!calendar) return;
    const url = new URL(window.location.href);
    url.searchParams.set("view", URL_NAME[calendar.view.type] || "day");
    url.searchParams.set("date", calendar.formatIso(calendar.view.currentStart, true).slice(0, 10));
    url.searchParams.set("location_id", locationSelect.value);
    const id = currentId();
    if (id) url.searchParams.set("calendar", id); else url.searchParams.delete("calendar");
    window.history.replaceState(null, "", url);
  }

  let lastType = null, lastRange = null;
  function attach(fullCalendar, locationPicker) {
    calendar = fullCalendar;
    locationSelect = locationPicker;
    calendar.on("datesSet", (info) => {
      // A new range is fetched by FullCalendar itself, already for the new view; the same
      // range in another view (Week ↔ Location week) needs its columns filtered again.
      const range = info.startStr + info.endStr, sameRange = range === lastRange;
      lastRange = range;
      pickerBox.hidden = !oneCalendarView();
      groupBox.hidden = !LOCATION_WEEKS.includes(calendar.view.type);
      groupBox.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.view === calendar.view.type)));
      if (lastType !== null && lastType !== calendar.view.type && sameRange) refresh(); else syncUrl();
      lastType = calendar.view.type;
    });
    locationSelect.addEventListener("change", syncUrl);
    picker.addEventListener("change", () => show(picker.value, calendar.view.type));
    const step = (by) => () => {
      const ids = known.map((r) => r.id);
      if (!ids.length) return;
      show(ids[(ids.indexOf(currentId()) + by + ids.length) % ids.length], calendar.view.type);
    };
    groupBox.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-view]");
      if (button) calendar.changeView(button.dataset.view);
    });
    document.getElementById("grid-view-prev").addEventListener("click", step(-1));
    document.getElementById("grid-view-next").addEventListener("click", step(1));
  }

  // A week's column headings: the weekday and the date in the staff member's language
  // ("Mon Dec 7", "lun. 7 déc.", "seg. 7/12"). FullCalendar's default (numeric month and
  // day) read "Mon 12-07" in en-CA; Intl's short weekday in pt-PT is the whole word
  // ("segunda"), so the weekdays come from the server (formatting.weekday_short, the
  // page's data-weekdays, Monday first) and the day and month from Intl.
  const shortWeekdays = JSON.parse(document.getElementById("plinth-grid").dataset.weekdays || "null");
  let dayMonth = null;
  function WEEK_HEADINGS(info) {
    const d = info.date;  // the location's calendar date (FullCalendar's year, 0-based month, day)
    const day = new Date(Date.UTC(d.year, d.month, d.day));
    dayMonth = dayMonth || new Intl.DateTimeFormat(PlinthI18n.locale, {day: "numeric", month: "short", timeZone: "UTC"});
    const weekday = shortWeekdays ? shortWeekdays[(day.getUTCDay() + 6) % 7]
      : new Intl.DateTimeFormat(PlinthI18n.locale, {weekday: "short", timeZone: "UTC"}).format(day);
    return weekday + " " + dayMonth.format(day);
  }

  window.PlinthViews = {
    initialView, toolbarViews, resources, events, eventClick, attach,
    options: {
      // The time grids show the appointment's times from the feed (grid.js, timeOf).
      views: {
        resourceTimeGridDay: {displayEventTime: false},
        calendarWeek: {type: "resourceTimeGridWeek", datesAboveResources: false, buttonText: t("Week"), displayEventTime: false,
                       dayHeaderFormat: WEEK_HEADINGS},
        resourceTimeGridWeek: {dayHeaderFormat: WEEK_HEADINGS},
        // At least ~100 px per column: a wide location scrolls sideways instead of
        // squeezing 49 slivers into the screen.
        locationWeek: {type: "resourceTimeGridWeek", datesAboveResources: true, dayMinWidth: 104,
                       buttonText: t("Location week"), displayEventTime: false, dayHeaderFormat: WEEK_HEADINGS},
        locationWeekByCalendar: {type: "resourceTimeGridWeek", datesAboveResources: false, dayMinWidth: 104,
                                 buttonText: t("Location week"), displayEventTime: false,
                                 dayHeaderFormat: WEEK_HEADINGS},
        calendarMonth: {type: "dayGridMonth", buttonText: t("Month"), selectable: false, dayMaxEvents: 4,
                        fixedWeekCount: false, eventTimeFormat: {hour: "numeric", minute: "2-digit", hour12: false}},
      },
      buttonText: {today: t("Today"), resourceTimeGridDay: t("Day"), listDay: t("List")},
      firstDay: 1,  // weeks start on Monday, as the shift planner's
      // Appointments as coloured blocks in Month too (white text on the status colour).
      eventDisplay: "block",
      resourceLabelContent, dateClick,
    },
  };
})();
