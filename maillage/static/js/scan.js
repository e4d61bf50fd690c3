/* Scan a pass's QR code with the camera, where the browser can read QR codes (BarcodeDetector).
   Only an enhancement: without it, or without JavaScript, the code is typed. */
(function () {
  "use strict";
  var block = document.querySelector("[data-scan-for]");
  if (!block || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var input = document.getElementById(block.getAttribute("data-scan-for"));
  var button = block.querySelector("button");
  var PREFIX = "MAILLAGE-PASS:1:";
  block.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.className = "scan__video";
    block.appendChild(video);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.play();
      var look = function () {
        detector.detect(video).then(function (found) {
          var text = found.length ? found[0].rawValue : "";
          if (text.indexOf(PREFIX) === 0) {
            input.value = text.slice(PREFIX.length);
            stream.getTracks().forEach(function (track) { track.stop(); });
            video.remove();
            input.focus();
          } else {
            window.requestAnimationFrame(look);
          }
        });
      };
      look();
    }).catch(function () { video.remove(); input.focus(); });
  });
})();
