/* Booking at any time from the keyboard (issue 14), and the panel beside the grid.
 *
 * - The booking dialog carries the calendar, date and time it books, prefilled (from the
 *   drag selection, the opening chosen, or the column last focused) and editable.
 * - "New appointment" (the toolbar button, or N while the focus is in the grid) opens the
 *   dialog for the column the focus was last in (a column's name, an appointment), on the
 *   day shown, at the end of the focused appointment, now (today) or the first hour shown.
 * - While the appointment panel is open the grid gives it room (grid.css .panel-open), so
 *   the rightmost columns stay visible and clickable.
 * Loaded after grid.js, which exposes PlinthGrid and calls PlinthBookAt.fill. */
(function () {
  "use strict";
  const grid = window.PlinthGrid;
  const box = document.getElementById("calendar");
  const root = document.getElementById("plinth-grid");
  if (!grid || !box) { window.PlinthBookAt = {fill() {}}; return; }
  const calendarSelect = document.getElementById("book-calendar");
  const dateInput = document.getElementById("book-date");
  const timeInput = document.getElementById("book-time");
  const when = document.getElementById("book-when");
  const byId = (id) => grid.calendar.getResourceById(id) || grid.columns().find((r) => r.id === id);

  function describe(resource, startIso) {
    when.textContent = resource.title + " · " +
      luxon.DateTime.fromISO(startIso, {setZone: true}).toFormat("ccc d LLL yyyy, HH:mm");
  }

  function fill(info) {
    const columns = grid.columns();
    const id = info.resource && info.resource.id;
    const options = columns.map((r) => new Option(r.title, r.id));
    if (id && !columns.some((r) => r.id === id)) options.unshift(new Option(info.resource.title, id));
    calendarSelect.replaceChildren(...options);
    calendarSelect.value = id || "";
    dateInput.value = grid.localDay(info.startStr);
    timeInput.value = grid.localTime(info.startStr);
  }

  function moved() {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dateInput.value) || !/^\d{2}:\d{2}/.test(timeInput.value)) return;
    const resource = byId(calendarSelect.value);
    if (!resource) return;
    const start = grid.instant(dateInput.value, timeInput.value.slice(0, 5));
    describe(resource, start);
    grid.reselect(resource, start);
  }
  [calendarSelect, dateInput, timeInput].forEach((field) => field.addEventListener("change", moved));

  /* --- "New appointment": where the keyboard was ------------------------------------ */
  let focused = {column: null, day: null, end: null};
  box.addEventListener("focusin", (event) => {
    const cell = event.target.closest("[data-resource-id]");
    const dated = event.target.closest("[data-date]");
    const appointment = event.target.closest(".fc-event");
    focused = {column: cell ? cell.dataset.resourceId : null, day: dated ? dated.dataset.date.slice(0, 10) : null,
               end: appointment && appointment.dataset.end ? appointment.dataset.end : null};
  });

  function roundUp(dateTime) {
    const minutes = dateTime.hour * 60 + dateTime.minute;
    const next = Math.ceil(minutes / grid.step) * grid.step;
    return dateTime.startOf("day").plus({minutes: next});
  }

  function newAppointment() {
    const columns = grid.columns();
    if (!columns.length) return;
    const shown = grid.calendar.getResources().map((r) => r.id);
    const id = [focused.column, ...shown].find((c) => c && columns.some((r) => r.id === c)) || columns[0].id;
    const [first, last] = grid.shownDays();
    let start;
    if (focused.end && focused.column === id) {
      start = luxon.DateTime.fromISO(focused.end, {setZone: true});
    } else {
      const day = focused.day && focused.day >= first && focused.day <= last ? focused.day : first;
      const now = luxon.DateTime.now().setZone(grid.zone());
      const opens = String(grid.calendar.getOption("slotMinTime") || "08:00").slice(0, 5);
      start = luxon.DateTime.fromISO(day + "T" + opens, {zone: grid.zone()});
      if (day === now.toISODate() && now > start) start = roundUp(now);
    }
    grid.open(byId(id), start.toISO());
  }
  document.getElementById("grid-new").addEventListener("click", newAppointment);
  box.addEventListener("keydown", (event) => {
    if (event.key !== "n" && event.key !== "N") return;
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
    if (event.target.closest("input, select, textarea")) return;
    event.preventDefault();
    newAppointment();
  });

  /* --- the panel beside the grid, not over its last columns -------------------------- */
  const panel = document.getElementById("appt-panel");
  new MutationObserver(() => {
    root.classList.toggle("panel-open", !panel.hidden);
    grid.calendar.updateSize();
  }).observe(panel, {attributes: true, attributeFilter: ["hidden"]});

  window.PlinthBookAt = {fill};
})();
