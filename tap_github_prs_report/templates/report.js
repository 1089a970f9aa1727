// Draw every chart from its spec (one per kind) and its scope's rows; switch scopes.
(function () {
  "use strict";
  const specs = JSON.parse(document.getElementById("report-specs").textContent);
  const datasets = JSON.parse(document.getElementById("report-data").textContent);
  const charts = Array.from(document.querySelectorAll(".chart[data-kind]"));
  let pending = charts.length;
  function done() {
    pending -= 1;
    if (pending === 0) { document.body.dataset.chartsRendered = "true"; }
  }
  charts.forEach(function (element) {
    const spec = JSON.parse(JSON.stringify(specs[element.dataset.kind]));
    spec.datasets = { rows: datasets[element.dataset.dataset] };
    window.vegaEmbed(element, spec, { renderer: "svg", actions: false })
      .then(function () { element.dataset.rendered = "true"; })
      .catch(function (error) { element.dataset.rendered = "error"; console.error(error); })
      .finally(done);
  });
  if (pending === 0) { document.body.dataset.chartsRendered = "true"; }
  const picker = document.getElementById("scope");
  function show(key) {
    document.querySelectorAll("section.scope").forEach(function (section) {
      section.hidden = section.dataset.scope !== key;
    });
  }
  picker.addEventListener("change", function () { show(picker.value); history.replaceState(null, "", "#" + picker.value); });
  const initial = location.hash.slice(1);
  if (initial && document.getElementById("scope-" + initial)) { picker.value = initial; show(initial); }
})();
