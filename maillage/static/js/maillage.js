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

  document.querySelectorAll("input[data-commune-suggestions]").forEach(enhanceCommuneInput);
  focusErrorSummary();
})();
