// Keying in paper forms (/surveys/runs/{id}/nhap): after a one-digit answer on a list of at
// most 9 options the cursor moves to the next field; Enter moves on too, and only sends the
// form from the last field or the button (never half a form by accident). Without this
// script the page works the same with Tab.
(function () {
  var form = document.getElementById('entry-form');
  if (!form) return;
  var fields = Array.prototype.slice.call(form.querySelectorAll('input[name^="f:"]'));
  function next(i) {
    if (i + 1 < fields.length) { fields[i + 1].focus(); fields[i + 1].select(); }
    else { document.getElementById('save-form').focus(); }
  }
  fields.forEach(function (el, i) {
    el.addEventListener('input', function () {
      var max = parseInt(el.getAttribute('data-one-key') || '0', 10);
      if (max > 0 && /^[1-9]$/.test(el.value) && parseInt(el.value, 10) <= max) next(i);
    });
    el.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); next(i); }
    });
  });
  var first = fields[0];
  if (document.querySelector('.erow.bad input')) document.querySelector('.erow.bad input').focus();
  else if (first) first.focus();
})();
