// Live length and segment count for an SMS template: the server renders the text with
// sample values and counts it (one rule, app/messaging/segments.py), as the user types.
(function () {
  "use strict";
  const script = document.currentScript;
  const area = document.getElementById("body_text");
  if (!area || !script) return;
  const out = document.createElement("div");
  out.className = "help-block";
  out.setAttribute("aria-live", "polite");
  const sample = document.createElement("pre");
  sample.style.whiteSpace = "pre-wrap";
  area.after(out, sample);
  // app/static/common/api.js: fetch with the page's CSRF token, a refusal as an Error.
  const api = PlinthApi.client((document.querySelector("input[name=csrf_token]") || {}).value || "");
  let timer = null, asked = 0;

  async function update() {
    const mine = ++asked;
    try {
      const data = await api.send("POST", script.dataset.countUrl, {body_text: area.value},
                                  {refused: "The server refused the request."});
      if (mine !== asked) return;  // a newer keystroke already asked
      if (data.error) { out.textContent = data.error; sample.textContent = ""; return; }
      out.textContent = `With sample values: ${data.characters} characters · ${data.segments} segment` +
        `${data.segments === 1 ? "" : "s"} · ${data.encoding}` +
        (data.encoding === "UCS-2" ? " (an accent or emoji outside the GSM alphabet: 70 characters per SMS)" : "");
      sample.textContent = data.text;
    } catch (error) { out.textContent = "Could not count: " + error.message; }
  }
  area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 250); });
  update();
})();
