// Signature boxes (signature_pad, vendored) write a PNG data URI into their hidden input;
// a signature saved in the draft is drawn back. The error summary takes focus.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("canvas.signature-pad").forEach(function (canvas) {
    var target = document.getElementById(canvas.dataset.target);
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    var pad = new SignaturePad(canvas);
    if (target.value) pad.fromDataURL(target.value, {ratio: ratio, width: canvas.offsetWidth, height: canvas.offsetHeight});
    pad.addEventListener("endStroke", function () { target.value = pad.toDataURL("image/png"); });
    var clear = document.querySelector('[data-clear="' + canvas.id + '"]');
    if (clear) clear.addEventListener("click", function () { pad.clear(); target.value = ""; });
  });
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
});
