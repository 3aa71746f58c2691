// Small progressive enhancements; every page works without them.
(function () {
  'use strict';
  // After an htmx swap, move focus to the element the server marked with data-focus (WCAG: focus after swaps).
  document.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail && event.detail.elt;
    var focus = (target && target.querySelector && target.querySelector('[data-focus]')) || document.querySelector('[data-focus]');
    if (focus && typeof focus.focus === 'function') focus.focus();
  });
  // Esc clears the cashier screen: back to an empty scan field.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var scan = document.getElementById('scan-uid');
    if (!scan) return;
    var panel = document.getElementById('card-panel');
    if (panel) panel.innerHTML = '';
    scan.value = '';
    scan.focus();
  });
  // Buttons that ask before acting carry data-confirm; the question text comes from the server.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
})();
// Print buttons (data-print): no inline handlers under the CSP.
document.addEventListener('click', function (event) {
  var target = event.target;
  if (target && target.closest && target.closest('[data-print]')) window.print();
});
