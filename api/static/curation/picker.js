// Searchable pickers for the curation forms: each <input data-picker="NAME"> searches /search as
// the person types and fills its <datalist>; choosing a label sets the hidden input NAME to the
// item's IRI. Nothing is fetched from outside the service.
(function () {
  "use strict";
  function setup(input) {
    var scope = input.form || document;  // the hidden field of the same form
    var hidden = scope.querySelector('input[type=hidden][name="' + input.dataset.picker + '"]');
    var list = document.getElementById(input.getAttribute("list"));
    var found = {};
    var timer = null;
    function choose() {
      hidden.value = found[input.value] || "";
      input.setAttribute("aria-invalid", hidden.value ? "false" : "true");
    }
    input.addEventListener("input", function () {
      choose();
      if (timer) { clearTimeout(timer); }
      var q = input.value.trim();
      if (q.length < 2 || found[input.value]) { return; }
      timer = setTimeout(function () {
        fetch("/search?format=json&limit=15&q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (body) {
            list.textContent = "";
            found = {};
            body.results.forEach(function (hit) {
              var kind = hit.types.length ? " (" + hit.types[0].label + ")" : "";
              var text = hit.label + kind;
              found[text] = hit.iri;
              var option = document.createElement("option");
              option.value = text;
              list.appendChild(option);
            });
            choose();
          });
      }, 200);
    });
    input.addEventListener("change", choose);
  }
  document.querySelectorAll("input[data-picker]").forEach(setup);
})();
