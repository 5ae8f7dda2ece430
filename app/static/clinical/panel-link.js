/* The grid's appointment panel links to the client file: added beside the client's name
   whenever the panel shows an appointment (the file links on to the visit's chart for
   those who may read it). */
(function () {
  "use strict";
  const root = document.getElementById("plinth-grid");
  if (!root) return;
  root.addEventListener("plinth:panel-shown", (event) => {
    const name = document.getElementById("panel-client");
    if (!name) return;
    let link = document.getElementById("panel-client-file");
    if (!link) {
      link = Object.assign(document.createElement("a"), {id: "panel-client-file", className: "panel-client-file",
                                                          textContent: PlinthI18n.t("Open client file")});
      name.insertAdjacentElement("afterend", link);
    }
    link.href = "/clinical/visits/" + event.detail.id + "/file";
  });
})();
