// trove web UI: lazy previews, copy-to-clipboard, compare picker. Loaded as a file (CSP forbids inline scripts).
"use strict";
(function () {
  function loadPreview(el, src) {
    if (el.dataset.loaded) return;
    el.dataset.loaded = "1";
    fetch(src, { credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, t: t }; }); })
      .then(function (res) {
        // The server escapes everything in the fragment; scripts in innerHTML never run.
        el.innerHTML = res.ok ? res.t : '<div class="notice err">preview failed</div>';
        el.classList.add("loaded");
      })
      .catch(function (e) { el.textContent = "preview failed: " + e; });
  }

  function initPreviews() {
    var els = document.querySelectorAll(".preview[data-src]");
    if (!("IntersectionObserver" in window)) {
      els.forEach(function (el) { loadPreview(el, el.dataset.src); });
      return;
    }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting) { io.unobserve(en.target); loadPreview(en.target, en.target.dataset.src); }
      });
    }, { rootMargin: "300px" });
    els.forEach(function (el) { io.observe(el); });
    document.querySelectorAll("a.loadprev").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        var card = a.closest(".artifact");
        var el = card && card.querySelector(".preview");
        if (!el) return;
        el.dataset.loaded = "";
        loadPreview(el, a.dataset.src);
      });
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var ta = document.createElement("textarea");
    ta.value = text; document.body.appendChild(ta); ta.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(ta); }
    return Promise.resolve();
  }

  function initCopy() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        copyText(b.dataset.copy).then(function () {
          var old = b.textContent; b.textContent = "copied"; setTimeout(function () { b.textContent = old; }, 1200);
        });
      });
    });
  }

  function initCompare() {
    var form = document.getElementById("compare-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var ids = Array.prototype.map.call(form.querySelectorAll('input[name="t"]:checked'), function (c) { return c.value; });
      if (ids.length < 2) { var b = document.getElementById("compare-btn"); if (b) b.textContent = "tick two tasks"; return; }
      window.location.href = "/compare?tasks=" + ids.map(encodeURIComponent).join(",");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initPreviews(); initCopy(); initCompare(); });
})();
