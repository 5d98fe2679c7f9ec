// offergen console: keyboard shortcuts and eval-run progress. Loaded as a file (the CSP forbids
// inline script); it reads the page's data-* attributes and never inserts HTML.
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  // Review item: j / k follow the next / previous links, a / r press Approve / Reject.
  // Review queue: j / k move through the rows, Enter opens the current one.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) { return; }
    var key = event.key;
    var table = document.querySelector("table[data-keynav]");
    if (table && (key === "j" || key === "k")) {
      var links = Array.prototype.slice.call(table.querySelectorAll("a[data-row-link]"));
      if (!links.length) { return; }
      var at = links.indexOf(document.activeElement);
      var next = key === "j" ? Math.min(links.length - 1, at + 1) : Math.max(0, at - 1);
      links.forEach(function (a) { a.closest("tr").classList.remove("active"); });
      links[next].focus();
      links[next].closest("tr").classList.add("active");
      event.preventDefault();
      return;
    }
    var target = document.querySelector("[data-key='" + key + "']");
    if (target && /^[jkar]$/.test(key)) {
      event.preventDefault();
      target.click();
    }
  });

  // Eval run: poll its state while it runs; reload once it has finished (the page then shows
  // the result and the report link).
  var run = document.getElementById("run");
  if (run && run.getAttribute("data-status") === "running") {
    var url = run.getAttribute("data-run-state");
    var bar = document.getElementById("run-progress");
    var field = function (name) { return run.querySelector("[data-field='" + name + "']"); };
    var poll = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.max = s.total || 1;
          bar.value = s.done;
          field("status").textContent = s.status;
          field("done").textContent = String(s.done);
          field("total").textContent = String(s.total);
          if (s.status === "running") { window.setTimeout(poll, 1000); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }
})();
