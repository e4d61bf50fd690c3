/* Optional enhancements only: every page works without this file. */
(function () {
  "use strict";

  // Suggestions while typing a commune: fills a <datalist> from /territoire/communes/?q=
  function enhanceCommuneInput(input) {
    var list = document.createElement("datalist");
    list.id = input.id + "_suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    var timer = null;
    var lastQuery = "";
    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (query.length < 2 || query === lastQuery) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        lastQuery = query;
        fetch(input.dataset.communeSuggestions + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (commune) {
              var option = document.createElement("option");
              option.value = commune.label;
              option.label = commune.label + " — " + commune.department + (commune.in_territory ? "" : " " + input.dataset.outsideTerritory);
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a bonus; typing and submitting still works */ });
      }, 200);
    });
  }

  // Move focus to the error summary so that screen reader and keyboard users hear the problem first.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  // "Near me": the browser's position, asked only when the person presses the button.
  function enhanceNearMe(form) {
    var where = form.querySelector("input[name=where]");
    if (!("geolocation" in navigator) || !where) return;
    var button = document.createElement("button");
    var status = document.createElement("p");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = form.dataset.nearMeLabel;
    status.setAttribute("role", "status");
    status.className = "field__hint";
    where.closest(".field").append(button, status);
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(5);
        form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(5);
        where.value = "";
        form.submit();
      }, function () {
        button.disabled = false;
        status.textContent = form.dataset.nearMeError;
      }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  // The map of search results: Leaflet (about 40 KB) is fetched only when the person asks for it.
  function enhanceResultsMap(container) {
    var points = JSON.parse(document.getElementById("results-map-points").textContent);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = container.dataset.showLabel;
    container.before(button);
    button.addEventListener("click", function () {
      button.disabled = true;
      var style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = container.dataset.leafletStyle;
      document.head.appendChild(style);
      var script = document.createElement("script");
      script.src = container.dataset.leafletScript;
      script.onerror = function () { button.disabled = false; };
      script.onload = function () {
        button.remove();
        container.hidden = false;
        var map = window.L.map(container, { scrollWheelZoom: false });
        window.L.tileLayer(container.dataset.tiles, { attribution: container.dataset.attribution, maxZoom: 19 }).addTo(map);
        map.fitBounds(points.map(function (point) {
          var link = document.createElement("a");
          link.href = point.url;
          link.textContent = point.name;
          window.L.circleMarker([point.lat, point.lon], { radius: 9 }).bindPopup(link).addTo(map);
          return [point.lat, point.lon];
        }), { padding: [24, 24], maxZoom: 16 });
        container.focus();
      };
      document.head.appendChild(script);
    });
  }

  document.querySelectorAll("input[data-commune-suggestions]").forEach(enhanceCommuneInput);
  document.querySelectorAll("#results-map").forEach(enhanceResultsMap);
  document.querySelectorAll("form[data-near-me-label]").forEach(enhanceNearMe);
  focusErrorSummary();
})();
