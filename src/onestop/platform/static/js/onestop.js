/* onestop pages: the little behaviour the pages need, in one file (the Content-Security-Policy
   allows no inline script or inline event handler).
   - the mobile menu button (KRDS's collapsed header menu);
   - the error summary takes focus when a form comes back with errors, and its links move
     focus to the field they name;
   - selects marked data-autosubmit submit their form; forms marked data-confirm ask first;
   - every htmx request shows the server's answer, errors included: an HTML fragment (422 with
     the errors next to the fields) is swapped in like a success; a JSON problem (RFC 9457) or
     a failed connection becomes a message in the request's target, never a blank box. */
(function () {
  "use strict";
  var ko = (document.documentElement.lang || "ko") !== "en";

  function text(koText, enText) { return ko ? koText : enText; }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function errorBox(title, items) {
    var list = items.map(function (i) { return "<li>" + escapeHtml(i) + "</li>"; }).join("");
    return '<div class="os-error-summary" role="alert"><h2 class="os-error-title">' + escapeHtml(title) +
      "</h2>" + (list ? "<ul>" + list + "</ul>" : "") + "</div>";
  }

  function problemHtml(xhr) {
    var status = xhr.status;
    try {
      var p = JSON.parse(xhr.responseText);
      var title = ko ? (p.title_ko || p.title) : (p.title || p.title_ko);
      var items = (p.errors || []).map(function (e) { return ko ? e.ko : e.en; });
      if (!items.length) { items = [ko ? (p.detail_ko || p.detail) : (p.detail || p.detail_ko)]; }
      return errorBox(title || text("요청을 처리하지 못했습니다", "The request failed"), items.filter(Boolean));
    } catch (e) {
      return errorBox(text("요청을 처리하지 못했습니다", "The request failed"),
        [text("서버가 오류로 응답했습니다 (상태 " + status + "). 잠시 뒤 다시 시도해 주세요.",
              "The server answered with an error (status " + status + "). Please try again shortly.")]);
    }
  }

  function setupMenu() {
    var button = document.querySelector("[data-menu-toggle]");
    if (!button) { return; }
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
      document.body.classList.toggle("os-menu-open", open);
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.click();
        button.focus();
      }
    });
  }

  function setupErrorSummary(root) {
    var summary = (root || document).querySelector("#error-summary");
    if (!summary) { return; }
    summary.querySelectorAll("a[href^='#']").forEach(function (a) {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      if (!target) {
        a.replaceWith(document.createTextNode(a.textContent));
        return;
      }
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      });
    });
    if (!root) { summary.focus(); }
  }

  function setupForms() {
    document.addEventListener("change", function (ev) {
      var el = ev.target;
      if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
        el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
      }
    });
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { ev.preventDefault(); }
    });
  }

  function setupHtmx() {
    document.body.addEventListener("htmx:beforeSwap", function (ev) {
      var xhr = ev.detail.xhr;
      if (xhr.status < 400) { return; }
      var type = xhr.getResponseHeader("content-type") || "";
      if (type.indexOf("text/html") === 0) {
        // the server rendered the fragment with its errors: show it like any answer
        ev.detail.shouldSwap = true;
        ev.detail.isError = false;
      } else {
        ev.detail.serverResponse = problemHtml(xhr);
        ev.detail.shouldSwap = true;
        ev.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:responseError", function (ev) {
      var target = ev.detail.target;
      if (target) { target.innerHTML = problemHtml(ev.detail.xhr); }
    });
    document.body.addEventListener("htmx:sendError", function (ev) {
      var target = ev.detail.target;
      if (target) {
        target.innerHTML = errorBox(text("서버에 연결하지 못했습니다", "Could not reach the server"),
          [text("인터넷 연결을 확인한 뒤 다시 시도해 주세요.", "Check the connection and try again.")]);
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (ev) {
      setupErrorSummary(ev.detail.target);
      setupScrollRegions();
    });
  }

  function setupScrollRegions(root) {
    // a table wider than its box scrolls sideways: make that box reachable and named for keyboard
    // and screen-reader users (WCAG 2.1.1; axe's scrollable-region-focusable), and only then
    (root || document).querySelectorAll(".krds-table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        if (wrap.hasAttribute("tabindex")) { return; }
        var caption = wrap.querySelector("caption");
        var heading = caption ? null : wrap.previousElementSibling;
        var name = caption ? caption.textContent : (heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent : "");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (name || text("표", "Table")).trim() + text(" (옆으로 스크롤)", " (scrolls sideways)"));
        wrap.setAttribute("data-scroll-region", "");
      } else if (wrap.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (a) { wrap.removeAttribute(a); });
      }
    });
  }

  function setupFilters() {
    // a filter panel is open on desktop, folded on a phone unless a filter is in use
    if (!window.matchMedia("(max-width: 1023px)").matches) { return; }
    document.querySelectorAll("details[data-collapse-mobile]").forEach(function (d) {
      if (!d.querySelector(".krds-badge")) { d.removeAttribute("open"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupMenu();
    setupFilters();
    setupErrorSummary();
    setupForms();
    setupHtmx();
    setupScrollRegions();
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { setupScrollRegions(); }, 150);
    });
  });
})();
