// The signature pad of the portal's agreement page: draw with a finger, pen or mouse (pointer
// events; the canvas has touch-action: none so the page does not scroll while drawing). The
// strokes are kept as SVG path data in the canvas's own 600×200 coordinates ("M x y L x y …",
// one decimal) and sent in the form's hidden "drawing" field; the server accepts only M/L/Q/C.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var field = document.getElementById("drawing");
  var clear = document.getElementById("signature-clear");
  var error = document.getElementById("signature-error");
  var MAX_CHARS = 20000; // the server's DRAWING_MAX_CHARS
  if (!canvas || !field) return;
  var form = field.form;
  var ctx = canvas.getContext("2d");
  var parts = [];
  var last = null;
  var drawing = false;
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111";

  function point(event) {
    var box = canvas.getBoundingClientRect();
    var x = ((event.clientX - box.left) * canvas.width) / box.width;
    var y = ((event.clientY - box.top) * canvas.height) / box.height;
    return [Math.max(0, Math.min(canvas.width, x)), Math.max(0, Math.min(canvas.height, y))];
  }
  function fmt(p) {
    return p[0].toFixed(1) + " " + p[1].toFixed(1);
  }
  function tooLong() {
    return field.value.length > MAX_CHARS;
  }
  function sync() {
    // Sent whole even when too long: the server refuses it with a clear message rather than the
    // signature silently going in as the typed name; here the person is told at once.
    field.value = parts.join("");
    if (error) error.hidden = !tooLong();
  }
  if (form) {
    form.addEventListener("submit", function (event) {
      if (!tooLong()) return;
      event.preventDefault();
      if (error) {
        error.hidden = false;
        error.scrollIntoView({ block: "center" });
      }
    });
  }
  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    last = point(event);
    parts.push("M" + fmt(last));
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    event.preventDefault();
    var p = point(event);
    if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 2) return; // keep the path small
    parts.push("L" + fmt(p));
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    last = p;
  });
  function end(event) {
    if (!drawing) return;
    drawing = false;
    if (parts.length && parts[parts.length - 1].charAt(0) === "M") {
      parts.push("L" + fmt([last[0] + 0.5, last[1]])); // a dot is a tiny line
      ctx.lineTo(last[0] + 0.5, last[1]);
      ctx.stroke();
    }
    sync();
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  if (clear) {
    clear.addEventListener("click", function () {
      parts = [];
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      sync();
    });
  }
})();
