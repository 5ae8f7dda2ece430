/* Keyboard and screen-reader care for the grid (loaded after grid.js):
 *  - FullCalendar's arrow icons are role="img" without a name inside buttons that have one:
 *    hidden from screen readers (axe role-img-alt); see hideIcons for Month's fixes;
 *  - the appointment panel takes the focus when it opens (its heading names the client),
 *    Escape closes it and the focus returns to the appointment it came from.
 * Appointments themselves are focusable and open with Enter (grid.js eventInteractive). */
(function () {
  "use strict";
  const grid = document.getElementById("calendar");
  const panel = document.getElementById("appt-panel");
  if (!grid || !panel) return;

  // Month's day cells are labelled by their day number alone while they also hold the
  // appointments (axe label-content-name-mismatch): their content names them.
  const hideIcons = () => {
    grid.querySelectorAll(".fc-icon[role=img]:not([aria-hidden])").forEach((icon) => icon.setAttribute("aria-hidden", "true"));
    grid.querySelectorAll("td.fc-daygrid-day[aria-labelledby]").forEach((cell) => cell.removeAttribute("aria-labelledby"));
    // Month's "+N more" is an <a> without href carrying aria-expanded (axe aria-allowed-attr): a button.
    grid.querySelectorAll("a.fc-more-link:not([role])").forEach((link) => {
      link.setAttribute("role", "button");
      if (!link.getAttribute("aria-controls")) link.removeAttribute("aria-controls");
    });
  };
  hideIcons();
  new MutationObserver(hideIcons).observe(grid, {childList: true, subtree: true});

  let cameFrom = null;
  new MutationObserver(() => {
    if (panel.hidden) return;
    if (!panel.contains(document.activeElement)) cameFrom = document.activeElement;
    document.getElementById("panel-client").focus();
  }).observe(panel, {attributes: true, attributeFilter: ["hidden"]});
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || document.querySelector("dialog[open]")) return;
    panel.hidden = true;
    if (cameFrom && document.contains(cameFrom)) cameFrom.focus();
  });
  document.getElementById("panel-close").addEventListener("click", () => {
    if (cameFrom && document.contains(cameFrom)) cameFrom.focus();
  });
})();
