// The public survey form (issue #17): a line that says how many required questions are still
// unanswered, per part, updated as the person answers. The form works the same without it: the
// server checks every answer and lists what is missing at the top (`#loi`).
(function () {
  var form = document.querySelector('form[data-survey]');
  var line = document.getElementById('con-lai');
  if (!form || !line) return;
  var parts = Array.prototype.slice.call(form.querySelectorAll('fieldset[id^="p"]'));
  function answered(box) {
    var inputs = box.querySelectorAll('input, textarea, select');
    for (var i = 0; i < inputs.length; i++) {
      var x = inputs[i];
      if (x.type === 'hidden') continue;
      if (x.type === 'radio' || x.type === 'checkbox') { if (x.checked) return true; }
      else if (x.value && x.value.trim() !== '') return true;
    }
    return false;
  }
  function update() {
    var left = 0, where = [];
    parts.forEach(function (p, i) {
      var n = 0;
      p.querySelectorAll('[data-req]').forEach(function (q) { if (!answered(q)) n++; });
      var tag = p.querySelector('[data-left]');
      if (tag) tag.textContent = n ? ' · ' + line.dataset.part.replace('{n}', n) : ' · ✓';
      if (n) where.push([p.id, String(i + 1)]);
      left += n;
    });
    line.hidden = false;
    line.textContent = left ? line.dataset.left.replace('{n}', left) + ' ' : line.dataset.done;
    where.forEach(function (w, k) {
      var a = document.createElement('a');
      a.href = '#' + w[0];
      a.textContent = w[1];
      line.appendChild(a);
      line.appendChild(document.createTextNode(k + 1 < where.length ? ', ' : '.'));
    });
  }
  form.addEventListener('change', update);
  form.addEventListener('input', update);
  update();
})();
