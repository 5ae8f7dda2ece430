// Import clients: show the progress bar while the server writes, and block a second submit.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("import-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    document.getElementById("import-progress").hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
  });
});
