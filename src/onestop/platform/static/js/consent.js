// Sign-up consents: "agree to all" ticks or clears every item, and follows them when they change.
// (A static file: pages run under a Content-Security-Policy without inline script.)
(function () {
  "use strict";
  function wire() {
    var all = document.querySelector("[data-agree-all]");
    if (!all) { return; }
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-consent]"));
    function sync() { all.checked = items.every(function (box) { return box.checked; }); }
    all.addEventListener("change", function () {
      items.forEach(function (box) { box.checked = all.checked; });
    });
    items.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", wire); } else { wire(); }
})();
