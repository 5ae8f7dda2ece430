/* The shift planner (Calendar → Shift planner): one week of shifts per calendar.
 * Reads /api/v1/shift_plan/week; repeats go to /api/v1/shift_plan/repeat; previews,
 * copies, changes and hours to /api/v1/shift_planner. Every save first asks for the
 * conflicts and shows them; the user then decides (skip clashing dates, or accept
 * appointments left outside), so nothing is dropped silently. */
(function () {
  "use strict";
  const root = document.getElementById("planner");
  const table = document.getElementById("planner-table");
  if (!root || !table) return;
  const csrf = root.dataset.csrf;
  const mayWrite = root.dataset.mayWrite === "1";
  // Texts, weekday and date names in the page's language (app/static/common/i18n.js; the
  // texts are listed in app/i18n/staff_strings.py).
  const t = (text, values) => PlinthI18n.t(text, values);
  const LOCALE = PlinthI18n.locale;
  const DAYS = [1, 2, 3, 4, 5, 6, 7].map((d) =>  // 2024-01-01 was a Monday
    new Date(Date.UTC(2024, 0, d)).toLocaleDateString(LOCALE, {weekday: "short", timeZone: "UTC"}));
  const $ = (id) => document.getElementById(id);
  const locationSelect = $("planner-location"), dateInput = $("planner-date"), message = $("planner-message");
  const dialog = $("shift-dialog"), form = $("shift-form"), conflictBox = $("shift-conflicts");
  let week = null, data = null, pending = null;
  // "1 shift", "3 shifts" (the page language's plural rules through Intl; never "shift(s)")
  const plurals = new Intl.PluralRules(LOCALE);
  const shifts = (n) => t(plurals.select(n) === "one" ? "%(count)s shift" : "%(count)s shifts", {count: n});
  const kindWords = (kind) => t(kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : "");

  // --- dates as ISO strings, computed in UTC so the browser's own zone never shifts them
  const parse = (iso) => new Date(iso + "T00:00:00Z");
  const iso = (d) => d.toISOString().slice(0, 10);
  const addDays = (s, n) => { const d = parse(s); d.setUTCDate(d.getUTCDate() + n); return iso(d); };
  const monday = (s) => addDays(s, -((parse(s).getUTCDay() + 6) % 7));
  const weekday = (s) => (parse(s).getUTCDay() + 6) % 7;
  const label = (s) => parse(s).toLocaleDateString(LOCALE, {weekday: "short", day: "numeric", month: "short", timeZone: "UTC"});
  const selected = () => locationSelect.options[locationSelect.selectedIndex];

  const api = PlinthApi.client(csrf);  // app/static/common/api.js
  const call = api.request;
  function say(text, isError) {
    message.textContent = text;
    message.className = "planner-message " + (isError ? "text-danger" : "text-success");
  }
  const problemText = (body) => api.refusalText(body, t("Not saved."));

  // --- the week table ---------------------------------------------------------------
  async function load() {
    const r = await call("GET", `/api/v1/shift_plan/week?location_id=${locationSelect.value}&week_start=${week}`);
    if (!r.ok) { say(problemText(r.body), true); return; }
    data = r.body;
    dateInput.value = week;
    render();
    const hours = data.visible_hours || [];
    const shown = $("hours-shown");
    if (shown) shown.textContent = t("Grid shows %(start)s–%(end)s", {start: hours[0] || "", end: hours[1] || ""});
  }

  function render() {
    const head = $("planner-head");
    head.innerHTML = "";
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.textContent = t("Calendar");
    head.appendChild(corner);
    for (let n = 0; n < 7; n++) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label(addDays(week, n));
      head.appendChild(th);
    }
    const body = $("planner-body");
    body.innerHTML = "";
    for (const row of data.calendars) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.className = "row-head";
      th.innerHTML = `<label><input type="checkbox" class="row-pick" value="${row.calendar_id}"> </label>`;
      th.querySelector("label").append(row.name);
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kindWords(row.kind);
      th.appendChild(kind);
      tr.appendChild(th);
      for (let n = 0; n < 7; n++) {
        const day = addDays(week, n);
        const td = document.createElement("td");
        td.className = "cell";
        td.dataset.calendar = row.calendar_id;
        td.dataset.day = day;
        if (mayWrite) {
          td.tabIndex = 0;
          td.setAttribute("aria-label", t("Add a shift for %(name)s on %(day)s", {name: row.name, day: label(day)}));
        }
        for (const shift of row.days[day] || []) {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "shift";
          b.dataset.shift = JSON.stringify({...shift, day, calendar: row.name});
          b.textContent = `${shift.start}–${shift.end}`;
          b.setAttribute("aria-label", t("%(name)s %(day)s %(start)s to %(end)s, change", {name: row.name, day: label(day), start: shift.start, end: shift.end}));
          if (shift.breaks.length) {
            const small = document.createElement("small");
            small.textContent = t("break") + " " + shift.breaks.map((x) => `${x[0]}–${x[1]}`).join(", ");
            b.appendChild(small);
          }
          td.appendChild(b);
        }
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  table.addEventListener("click", (event) => {
    if (!mayWrite) return;
    const shiftButton = event.target.closest("button.shift");
    if (shiftButton) { openEdit(JSON.parse(shiftButton.dataset.shift)); return; }
    const cell = event.target.closest("td.cell");
    if (cell) openAdd(cell.dataset.calendar, cell.dataset.day);
  });
  table.addEventListener("keydown", (event) => {
    const cell = event.target.closest("td.cell");
    if (!cell || event.target !== cell) return;
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); openAdd(cell.dataset.calendar, cell.dataset.day); }
    const moves = {ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0]};
    if (moves[event.key]) {
      event.preventDefault();
      const tr = cell.parentElement, col = Array.from(tr.children).indexOf(cell);
      const rows = Array.from(tr.parentElement.children), r = rows.indexOf(tr) + moves[event.key][0];
      const target = rows[r] && rows[r].children[col + moves[event.key][1]];
      if (target && target.classList.contains("cell")) target.focus();
    }
  });

  // --- the dialog -------------------------------------------------------------------
  function parseBreaks(text) {
    return text.split(",").map((s) => s.trim()).filter(Boolean).map((part) => {
      const m = part.match(/^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/);
      if (!m) throw new Error(t("“%(text)s” is not a break: write it as 12:00-12:30.", {text: part}));
      return [m[1].padStart(5, "0"), m[2].padStart(5, "0")];
    });
  }
  function showConflicts(list, note) {
    if (!list.length) { conflictBox.hidden = true; conflictBox.innerHTML = ""; return; }
    conflictBox.hidden = false;
    conflictBox.innerHTML = "";
    const p = document.createElement("p");
    p.textContent = note;
    const ul = document.createElement("ul");
    for (const c of list) { const li = document.createElement("li"); li.textContent = c.message; ul.appendChild(li); }
    conflictBox.append(p, ul);
  }
  function resetDialog(title, adding) {
    pending = null;
    $("shift-title").textContent = title;
    $("add-only").hidden = !adding;
    $("edit-only").hidden = adding;
    $("shift-remove").hidden = adding;
    $("shift-save").textContent = t("Save");
    $("shift-remove").textContent = t("Remove");
    showConflicts([], "");
  }

  function openAdd(calendarId, day) {
    resetDialog(t("Add shifts"), true);
    form.first_day.value = day;
    form.weeks.value = 1;
    $("weekday-boxes").innerHTML = DAYS.map((d, n) =>
      `<label><input type="checkbox" name="weekday" value="${n}" ${n === weekday(day) ? "checked" : ""}> ${d}</label>`).join("");
    const picked = new Set(Array.from(document.querySelectorAll(".row-pick:checked")).map((b) => b.value));
    picked.add(String(calendarId));
    $("calendar-boxes").innerHTML = "";
    for (const row of data.calendars) {
      const l = document.createElement("label");
      l.innerHTML = `<input type="checkbox" name="calendar" value="${row.calendar_id}" ${picked.has(String(row.calendar_id)) ? "checked" : ""}> `;
      l.append(row.name);
      $("calendar-boxes").appendChild(l);
    }
    dialog.showModal();
    form.start.focus();
  }

  function openEdit(shift) {
    resetDialog(`${shift.calendar}, ${label(shift.day)}`, false);
    form.start.value = shift.start;
    form.end.value = shift.end;
    form.breaks.value = shift.breaks.map((x) => `${x[0]}-${x[1]}`).join(", ");
    form.querySelector("input[name=scope][value=this]").checked = true;
    form.querySelector("input[name=scope][value=following]").disabled = !shift.pattern_id;
    dialog.dataset.shift = shift.id;
    dialog.showModal();
    form.start.focus();
  }

  function repeatBody() {
    return {
      calendar_ids: Array.from(form.querySelectorAll("input[name=calendar]:checked")).map((b) => Number(b.value)),
      weekdays: Array.from(form.querySelectorAll("input[name=weekday]:checked")).map((b) => Number(b.value)),
      first_day: form.first_day.value, weeks: Number(form.weeks.value),
      start: form.start.value, end: form.end.value, breaks: parseBreaks(form.breaks.value),
    };
  }

  async function saveAdd() {
    let body;
    try { body = repeatBody(); } catch (e) { showConflicts([{message: e.message}], t("Check the breaks.")); return; }
    if (pending && pending.kind === "add") {
      const r = await call("POST", "/api/v1/shift_plan/repeat", {...body, skip_conflicts: true});
      return finish(r, t("%(shifts)s added; clashing dates left as they were.", {shifts: shifts(r.body.created)}));
    }
    const preview = await call("POST", "/api/v1/shift_planner/repeat/preview", body);
    if (!preview.ok) { showConflicts(preview.body.problems || [], problemText(preview.body)); return; }
    if (preview.body.conflicts.length) {
      pending = {kind: "add"};
      showConflicts(preview.body.conflicts,
        t("%(count)s of %(total)s new shifts clash with existing ones. Save the others and leave these dates as they are?",
          {count: preview.body.conflicts.length, total: preview.body.shifts}));
      $("shift-save").textContent = t("Save the rest");
      return;
    }
    const r = await call("POST", "/api/v1/shift_plan/repeat", body);
    return finish(r, t("%(shifts)s added.", {shifts: shifts(r.body.created)}));
  }

  async function saveEdit(removing) {
    const id = dialog.dataset.shift;
    const scope = form.querySelector("input[name=scope]:checked").value;
    let body, url, method;
    try {
      body = removing ? {scope} : {scope, start: form.start.value, end: form.end.value, breaks: parseBreaks(form.breaks.value)};
    } catch (e) { showConflicts([{message: e.message}], t("Check the breaks.")); return; }
    if (removing) { url = `/api/v1/shift_planner/shifts/${id}/remove`; method = "POST"; }
    else { url = `/api/v1/shift_planner/shifts/${id}`; method = "PUT"; }
    const decided = pending && pending.kind === (removing ? "remove" : "change");
    if (!decided) {
      const preview = await call(method, url, {...body, preview: true});
      if (!preview.ok) { showConflicts(preview.body.problems || preview.body.conflicts || [], problemText(preview.body)); return; }
      const list = preview.body.conflicts;
      const clashes = list.filter((c) => c.kind === "shift");
      if (clashes.length) { showConflicts(list, t("The change would overlap other shifts; change the times first.")); return; }
      if (list.length) {
        pending = {kind: removing ? "remove" : "change"};
        showConflicts(list, t("These appointments would be outside working hours. They stay booked; move or cancel them in the day grid. Go ahead?"));
        $(removing ? "shift-remove" : "shift-save").textContent = removing ? t("Remove anyway") : t("Save anyway");
        return;
      }
    }
    const r = await call(method, url, {...body, accept_outside: decided});
    finish(r, removing ? t("%(shifts)s removed.", {shifts: shifts(r.body.removed)}) : t("%(shifts)s changed.", {shifts: shifts(r.body.changed)}));
  }

  async function finish(r, text) {
    if (!r.ok) { pending = null; showConflicts(r.body.conflicts || r.body.problems || [], problemText(r.body)); return; }
    dialog.close();
    say(text, false);
    await load();
  }

  $("shift-save").addEventListener("click", () => { if (!$("add-only").hidden) saveAdd(); else saveEdit(false); });
  $("shift-remove").addEventListener("click", () => saveEdit(true));
  $("shift-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("input", () => { pending = null; $("shift-save").textContent = t("Save"); });

  // --- copy a week --------------------------------------------------------------------
  const copyButton = $("copy-go");
  if (copyButton) copyButton.addEventListener("click", async () => {
    const body = {location_id: Number(locationSelect.value), source_week: week, weeks: Number($("copy-weeks").value)};
    const preview = await call("POST", "/api/v1/shift_planner/copy", {...body, preview: true});
    if (!preview.ok) { say(problemText(preview.body), true); return; }
    let skip = false;
    if (preview.body.conflicts.length) {
      const lines = preview.body.conflicts.map((c) => "• " + c.message).join("\n");
      skip = window.confirm(t("%(count)s of %(total)s copies clash with existing shifts:",
                              {count: preview.body.conflicts.length, total: preview.body.shifts}) +
        `\n${lines}\n\n` + t("Copy the others and leave these dates as they are?"));
      if (!skip) { say(t("Nothing was copied."), true); return; }
    } else if (!window.confirm(body.weeks === 1 ? t("Copy %(shifts)s onto the next week?", {shifts: shifts(preview.body.shifts)})
                               : t("Copy %(shifts)s onto the next %(count)s weeks?", {shifts: shifts(preview.body.shifts), count: body.weeks}))) {
      return;
    }
    const r = await call("POST", "/api/v1/shift_planner/copy", {...body, skip_clashes: skip});
    if (!r.ok) { say(problemText(r.body), true); return; }
    say(t("%(shifts)s copied.", {shifts: shifts(r.body.created)}), false);
  });

  // --- visible hours ------------------------------------------------------------------
  const hoursSave = $("hours-save");
  function fillHours() {
    if (!hoursSave) return;
    $("hours-start").value = selected().dataset.gridStart;
    $("hours-end").value = selected().dataset.gridEnd;
  }
  if (hoursSave) hoursSave.addEventListener("click", async () => {
    const body = {location_id: Number(locationSelect.value), start: $("hours-start").value || null, end: $("hours-end").value || null};
    const r = await call("PUT", "/api/v1/shift_planner/hours", body);
    if (!r.ok) { say(problemText(r.body), true); return; }
    selected().dataset.gridStart = body.start || "";
    selected().dataset.gridEnd = body.end || "";
    say(t("The grid's hours are saved."), false);
    load();
  });

  // --- navigation ---------------------------------------------------------------------
  function go(day) { week = monday(day); load(); }
  $("planner-prev").addEventListener("click", () => go(addDays(week, -7)));
  $("planner-next").addEventListener("click", () => go(addDays(week, 7)));
  $("planner-today").addEventListener("click", () => go(selected().dataset.week));
  dateInput.addEventListener("change", () => { if (dateInput.value) go(dateInput.value); });
  locationSelect.addEventListener("change", () => { fillHours(); go(selected().dataset.week); });
  const params = new URLSearchParams(location.search);
  if (params.get("location_id")) locationSelect.value = params.get("location_id");
  fillHours();
  go(params.get("week") || selected().dataset.week);
})();
