// parindex — forms that compute. The pages work without this script; it adds
// - a warning before leaving a page where a form has unsaved changes (per form: saving one leaf
//   does not forget what was typed in another);
// - live points on the self-assessment page (forms with data-live: the rule applied on the
//   server, nothing stored); a form waiting for them carries data-pending (browser tests wait
//   for it to go before clicking, as the live line moves the buttons below it);
// - the framework editor's live preview of a rule on a sample input (the same server
//   computation as its "Xem thử" button).
(function () {
  "use strict";
  var dirty = [];
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (f) {
    f.addEventListener("input", function () { if (dirty.indexOf(f) < 0) { dirty.push(f); } });
    f.addEventListener("change", function () { if (dirty.indexOf(f) < 0) { dirty.push(f); } });
    f.addEventListener("submit", function () { dirty = dirty.filter(function (x) { return x !== f; }); });
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty.length) { e.preventDefault(); e.returnValue = ""; }
  });

  document.querySelectorAll("form[data-live]").forEach(function (f) {
    var timer = null, seq = 0;
    var put = function (sel, text) { var n = f.querySelector(sel); if (n) { n.textContent = text || ""; n.hidden = !text; } };
    function refresh() {
      var body = new URLSearchParams(new FormData(f));
      var mine = ++seq;
      fetch(f.dataset.live, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) { if (p && mine === seq) { put(".live-result", p.result); put(".live-error", p.error); } })
        .catch(function () { /* saving still works */ })
        .then(function () { if (mine === seq) { delete f.dataset.pending; } });
    }
    // data-pending marks a form whose live points are still coming (the layout may still move)
    var later = function (ms) { f.dataset.pending = "1"; clearTimeout(timer); timer = setTimeout(refresh, ms); };
    f.addEventListener("input", function () { later(250); });
    f.addEventListener("change", function () { later(30); });
  });

  // evidence: drop files on a leaf's evidence box to attach them at once
  document.querySelectorAll("form.evidenceform").forEach(function (f) {
    var input = f.querySelector("input[type=file]");
    if (!input) { return; }
    ["dragenter", "dragover"].forEach(function (t) {
      f.addEventListener(t, function (e) { e.preventDefault(); f.classList.add("dragging"); });
    });
    f.addEventListener("dragleave", function () { f.classList.remove("dragging"); });
    f.addEventListener("drop", function (e) {
      e.preventDefault();
      f.classList.remove("dragging");
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        f.submit();
      }
    });
  });

  var form = document.getElementById("item-form");
  if (!form || !form.dataset.preview) { return; }

  // parameters only for the rule kinds that have them
  var kind = document.getElementById("rule_kind");
  var params = document.getElementById("params");
  function paramsVisible() {
    if (!kind || !params) { return; }
    var has = ["options", "bands", "deduction", "manual"].indexOf(kind.value) >= 0;
    var hide = !has && params.value.trim() === "";
    [params, params.previousElementSibling, document.getElementById("params-help")].forEach(function (n) { if (n) { n.hidden = hide; } });
  }
  if (kind) { kind.addEventListener("change", paramsVisible); paramsVisible(); }
  var el = function (id) { return document.getElementById(id); };
  var show = function (node, text) { if (node) { node.textContent = text || ""; node.hidden = !text; } };
  var timer = null, seq = 0;
  function refresh() {
    var body = new URLSearchParams(new FormData(form));
    body.delete("op");
    var mine = ++seq;
    fetch(form.dataset.preview, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p || mine !== seq) { return; }
        show(el("pv-rule"), p.rule);
        show(el("pv-result"), p.result);
        show(el("pv-error"), p.error);
        var list = el("pv-problems");
        if (list) {
          list.textContent = "";
          p.problems.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; list.appendChild(li); });
          list.hidden = p.problems.length === 0;
        }
        form.dataset.previewed = String(mine);
      })
      .catch(function () { /* the "Xem thử" button still works */ })
      .then(function () { if (mine === seq) { delete form.dataset.pending; } });
  }
  var later = function (ms) { form.dataset.pending = "1"; clearTimeout(timer); timer = setTimeout(refresh, ms); };
  form.addEventListener("input", function () { later(250); });
  form.addEventListener("change", function () { later(30); });
})();
