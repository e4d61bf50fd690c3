/* Scan a pass's QR code with the camera, where the browser can read QR codes (BarcodeDetector).
   Only an enhancement: without it, or without JavaScript, the code is typed. */
(function () {
  "use strict";
  var block = document.querySelector("[data-scan-for]");
  if (!block || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var input = document.getElementById(block.getAttribute("data-scan-for"));
  var button = block.querySelector("button");
  var startLabel = button.textContent;
  var PREFIX = "MAILLAGE-PASS:1:";
  var stream = null;
  var video = null;
  block.hidden = false;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    if (video) { video.remove(); }
    stream = null;
    video = null;
    button.textContent = startLabel;
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); input.focus(); return; }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.setAttribute("aria-hidden", "true");
    video.className = "scan__video";
    block.appendChild(video);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (camera) {
      stream = camera;
      video.srcObject = camera;
      video.play();
      button.textContent = block.getAttribute("data-stop-label");
      var look = function () {
        if (!stream) { return; }
        detector.detect(video).then(function (found) {
          var text = found.length ? found[0].rawValue : "";
          if (text.indexOf(PREFIX) === 0) {
            input.value = text.slice(PREFIX.length);
            stop();
            input.focus();  // the field, now filled, is read out; the person checks it and sends
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { stop(); input.focus(); });
      };
      look();
    }).catch(function () { stop(); input.focus(); });
  });
})();
