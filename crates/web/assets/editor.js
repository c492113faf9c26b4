// parindex — forms that compute. The pages work without this script; it adds
// - a warning before leaving a page where a form has unsaved changes;
// - the self-assessment page saved as a whole without a reload (form[data-sheet]: the same
//   request, the page's content replaced in place; see pages::assessment_save);
// - live points on the self-assessment page (forms with data-live: the rule applied on the
//   server, nothing stored); a form waiting for them carries data-pending (browser tests wait
//   for it to go before clicking, as the live line moves the buttons below it);
// - the framework editor's live preview of a rule on a sample input (the same server
//   computation as its "Xem thử" button);
// - the new period's unit picker: search by name without accents, tick a whole group, count.
(function () {
  "use strict";
  var picker = document.getElementById("unit-picker");
  if (picker) {
    var fold = function (t) { return t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase(); };
    var count = function () {
      var n = picker.querySelectorAll("label.unit input:checked").length;
      var out = document.getElementById("picked");
      if (out) { out.textContent = String(n); }
      picker.querySelectorAll("fieldset.unit-group").forEach(function (g) {
        var boxes = g.querySelectorAll("label.unit input"), on = g.querySelectorAll("label.unit input:checked").length;
        var all = g.querySelector("input.all");
        all.checked = on > 0 && on === boxes.length;
        all.indeterminate = on > 0 && on < boxes.length;
      });
    };
    var search = document.getElementById("unit-search");
    if (search) {
      search.addEventListener("input", function () {
        var q = fold(search.value.trim());
        picker.querySelectorAll("fieldset.unit-group").forEach(function (g) {
          var shown = 0;
          g.querySelectorAll("label.unit").forEach(function (l) {
            var hit = !q || fold(l.dataset.name).indexOf(q) >= 0;
            l.hidden = !hit;
            if (hit) { shown++; }
          });
          g.hidden = shown === 0;
        });
      });
      // Enter in the search box must not send the whole form
      search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    }
    picker.addEventListener("change", function (e) {
      if (e.target.classList.contains("all")) {
        // the whole group, or what the search shows of it
        e.target.closest("fieldset").querySelectorAll("label.unit:not([hidden]) input").forEach(function (b) { b.checked = e.target.checked; });
      }
      count();
    });
    count();
  }
  var dirty = [];
  window.addEventListener("beforeunload", function (e) {
    if (dirty.length) { e.preventDefault(); e.returnValue = ""; }
  });

  // a leaf's fields without the page's "{code}|" prefix, as the live route reads them
  function fields(box) {
    var body = new URLSearchParams();
    box.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "file" || el.disabled) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      var i = el.name.lastIndexOf("|");
      body.append(i >= 0 ? el.name.slice(i + 1) : el.name, el.value);
    });
    return body;
  }

  // everything that needs binding, on the page and again on content put in place of the old
  function bind(root) {
    root.querySelectorAll("form[data-warn-unsaved]").forEach(function (f) {
      var mark = function () { if (dirty.indexOf(f) < 0) { dirty.push(f); } };
      f.addEventListener("input", mark);
      f.addEventListener("change", mark);
      f.addEventListener("submit", function () { dirty = dirty.filter(function (x) { return x !== f; }); });
    });

    root.querySelectorAll("[data-live]").forEach(function (f) {
      var timer = null, seq = 0;
      var put = function (sel, text) { var n = f.querySelector(sel); if (n) { n.textContent = text || ""; n.hidden = !text; } };
      function refresh() {
        var mine = ++seq;
        fetch(f.dataset.live, { method: "POST", body: fields(f), credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) { if (p && mine === seq) { put(".live-result", p.result); put(".live-error", p.error); } })
          .catch(function () { /* saving still works */ })
          .then(function () { if (mine === seq) { delete f.dataset.pending; } });
      }
      // data-pending marks a leaf whose live points are still coming (the layout may still move)
      var later = function (ms) { f.dataset.pending = "1"; clearTimeout(timer); timer = setTimeout(refresh, ms); };
      f.addEventListener("input", function () { later(250); });
      f.addEventListener("change", function () { later(30); });
    });

    // evidence: drop files on a leaf's evidence box to attach them at once (with everything typed)
    root.querySelectorAll(".evidenceform").forEach(function (f) {
      var input = f.querySelector("input[type=file]");
      var button = f.querySelector("button[type=submit]");
      var form = f.closest("form");
      if (!input || !button || !form) { return; }
      ["dragenter", "dragover"].forEach(function (t) {
        f.addEventListener(t, function (e) { e.preventDefault(); f.classList.add("dragging"); });
      });
      f.addEventListener("dragleave", function () { f.classList.remove("dragging"); });
      f.addEventListener("drop", function (e) {
        e.preventDefault();
        f.classList.remove("dragging");
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
        }
      });
    });

    root.querySelectorAll("form[data-sheet]").forEach(sheet);
  }

  // The self-assessment page saved as a whole without a reload: the same request the form
  // sends, then the page's content put in place of the old, the view kept where it was (at
  // the refused leaf's banner, or the error summary, when the save was refused).
  // <html data-saved> counts the saves done this way (browser tests wait for it).
  function sheet(form) {
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.FormData || !window.DOMParser) { return; }
      e.preventDefault();
      var submitter = e.submitter || null;
      var body = new FormData(form);
      if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
      var action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
      var cut = action.indexOf("#");
      var hash = cut >= 0 ? decodeURIComponent(action.slice(cut + 1)) : "";
      var status = document.getElementById("sheet-status");
      var bar = document.getElementById("sheet-bar");
      // the leaf the view is anchored on: the one whose button was pressed, else the first in view
      var anchor = (submitter && submitter.closest("li.leaf")) ||
        Array.prototype.find.call(form.querySelectorAll("li.leaf"), function (l) { return l.getBoundingClientRect().bottom > 0; });
      var anchorId = anchor ? anchor.id : "", before = anchor ? anchor.getBoundingClientRect().top : 0;
      var focusId = document.activeElement && document.activeElement.id;
      if (bar) { bar.classList.add("busy"); }
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var done = function () { document.documentElement.dataset.saved = String((+document.documentElement.dataset.saved || 0) + 1); };
      var failed = function (text) {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        if (bar) { bar.classList.remove("busy"); }
        if (status) { status.textContent = text; status.setAttribute("role", "alert"); status.classList.add("fielderr"); }
        done();
      };
      fetch(action.split("#")[0], { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.text().then(function (t) { return { status: r.status, text: t }; }); })
        .then(function (res) {
          var doc = new DOMParser().parseFromString(res.text, "text/html");
          var fresh = doc.getElementById("main");
          var main = document.getElementById("main");
          if (!fresh || !main || !doc.querySelector(".tree.assess")) {
            // not this page (signed out, refused whole): say why and keep everything typed
            var h = doc.querySelector("main h1"), p = doc.querySelector("main p, main .flash");
            failed([h && h.textContent, p && p.textContent].filter(Boolean).join(" — ") || String(res.status));
            return;
          }
          dirty = dirty.filter(function (x) { return x !== form; });
          main.innerHTML = fresh.innerHTML;
          document.title = doc.title;
          bind(main);
          var again = anchorId && document.getElementById(anchorId);
          if (again) { window.scrollBy(0, again.getBoundingClientRect().top - before); }
          if (res.status >= 400) {
            // the refused leaf whose button was pressed, else the only refused leaf, else the
            // summary listing them all
            var leaf = hash && document.getElementById(hash);
            var banners = main.querySelectorAll(".leaf-banner");
            var target = (leaf && leaf.querySelector(".leaf-banner")) || (banners.length === 1 ? banners[0] : null) ||
              main.querySelector(".error-summary") || main.querySelector("#page-error");
            if (target) {
              target.setAttribute("tabindex", "-1");
              target.scrollIntoView({ block: "center" });
              target.focus({ preventScroll: true });
            }
            // refused: what is on the page is still unsaved
            var again2 = document.querySelector("form[data-sheet]");
            if (again2) { dirty.push(again2); }
          } else {
            var back = focusId && document.getElementById(focusId);
            if (back) { back.focus({ preventScroll: true }); }
          }
          done();
        })
        .catch(function () { failed(form.dataset.offline || ""); });
    });
  }

  bind(document);

  // a page whose work is running (background exports) looks again by itself, without the
  // meta refresh that interrupts screen readers; the link does the same by hand
  var again = document.querySelector("[data-refresh]");
  if (again) { setTimeout(function () { window.location.reload(); }, 1000 * (+again.dataset.refresh || 3)); }

  var form = document.getElementById("item-form");
  if (!form || !form.dataset.preview) { return; }

  // parameters only for the rule kinds that have them
  var kind = document.getElementById("rule_kind");
  var params = document.getElementById("params");
  // options and bands in their tables of rows (issue #17); the text box for the kinds that
  // take one number
  function paramsVisible() {
    if (!kind || !params) { return; }
    var rows = kind.value === "options" || kind.value === "bands";
    var has = ["deduction", "manual"].indexOf(kind.value) >= 0;
    var hide = rows || (!has && params.value.trim() === "");
    [params, params.previousElementSibling, document.getElementById("params-help")].forEach(function (n) { if (n) { n.hidden = hide; } });
    document.querySelectorAll("fieldset.rule-rows").forEach(function (f) { f.hidden = f.dataset.kind !== kind.value; });
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
