// parindex — framework draft editor. The pages work without this script; it adds a live
// preview of a rule on a sample input (the same server computation as the "Xem thử" button)
// and a warning before leaving a form with unsaved changes.
(function () {
  "use strict";
  var dirty = false;
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (f) {
    f.addEventListener("input", function () { dirty = true; });
    f.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
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
      .catch(function () { /* the "Xem thử" button still works */ });
  }
  var later = function (ms) { clearTimeout(timer); timer = setTimeout(refresh, ms); };
  form.addEventListener("input", function () { later(250); });
  form.addEventListener("change", function () { later(30); });
})();
