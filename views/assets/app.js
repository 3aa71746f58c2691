// Small progressive enhancements; every page works without them.
(function () {
  'use strict';
  // After an htmx swap, move focus to the element the server marked with data-focus (WCAG: focus after swaps).
  document.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail && event.detail.elt;
    var focus = (target && target.querySelector && target.querySelector('[data-focus]')) || document.querySelector('[data-focus]');
    if (focus && typeof focus.focus === 'function') focus.focus();
  });
  document.addEventListener('DOMContentLoaded', function () {
    // A refused amount: the field has the focus and its text is selected, so typing replaces it.
    var select = document.querySelector('[data-select]');
    if (select && typeof select.select === 'function') {
      select.focus();
      select.select();
    }
    // A confirmed top-up opens the print dialog for its receipt at once.
    if (document.querySelector('[data-print-on-load]')) window.print();
  });
  // Esc on the cashier screen: back from the confirm step (nothing moved), otherwise an empty search field.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var confirmStep = document.querySelector('[data-escape-href]');
    if (confirmStep) {
      event.preventDefault();
      window.location.assign(confirmStep.getAttribute('data-escape-href'));
      return;
    }
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
  // A hard reset cuts a running session off: htmx asks first (a soft reset waits for it to end).
  document.addEventListener('htmx:confirm', function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm-hard');
    if (!question || !form.elements || !form.elements.type || form.elements.type.value !== 'Hard') return;
    event.preventDefault();
    if (window.confirm(question)) event.detail.issueRequest(true);
  });
  // The tariff preview follows the prices as they are typed (the server computes the same on save).
  document.addEventListener('input', function (event) {
    var form = event.target && event.target.form;
    var preview = form && form.querySelector('[data-tariff-preview]');
    if (!preview) return;
    var currency = preview.getAttribute('data-currency');
    var format = new Intl.NumberFormat(preview.getAttribute('data-locale'), { style: 'currency', currency: currency });
    var digits = format.resolvedOptions().maximumFractionDigits;
    var price = function (name) {
      var field = form.elements[name];
      var text = field ? field.value.trim().replace(/,/g, '') : '';
      if (text === '') return name === 'energyPricePerKwh' ? NaN : 0;
      return /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * Math.pow(10, digits)) : NaN;
    };
    var costMinor = price('energyPricePerKwh') * Number(preview.getAttribute('data-energy-kwh')) + price('timePricePerHour') * Number(preview.getAttribute('data-hours')) + price('sessionFee');
    var cost = isNaN(costMinor) ? '—' : format.format(costMinor / Math.pow(10, digits));
    preview.textContent = preview.getAttribute('data-tariff-preview').replace('{cost}', cost);
  });
  // Print buttons (data-print, no inline handlers under the CSP); data-print="thermal" or "a4" picks the receipt's paper.
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest && event.target.closest('[data-print]');
    if (!button) return;
    var paper = button.getAttribute('data-print');
    var receipt = document.querySelector('.receipt');
    if (receipt && (paper === 'thermal' || paper === 'a4')) receipt.className = receipt.className.replace(/\bpaper-\w+/, 'paper-' + paper);
    window.print();
  });
})();
// The cashier's queue of walk-in payments: outside a text field (a card reader types into the scan
// field), C or U puts the focus on "Cash received" or "UPI received" of the chosen row (the first
// unless 1-9 picked another) and Enter confirms; nothing moves money on one key alone. The queue is
// re-rendered live, so the focused button is found again by its request after each swap.
(function () {
  'use strict';
  var chosenRow = '1';
  var focused = null;
  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || element.isContentEditable;
  }
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    var queue = document.querySelector('[data-payment-queue]');
    if (!queue) return;
    var key = (event.key || '').toLowerCase();
    if (/^[1-9]$/.test(key) && queue.querySelector('[data-payment-row="' + key + '"]')) {
      chosenRow = key;
      event.preventDefault();
      return;
    }
    if (key !== 'c' && key !== 'u') return;
    var row = queue.querySelector('[data-payment-row="' + chosenRow + '"]') || queue.querySelector('[data-payment-row]');
    var button = row && row.querySelector('[data-method-key="' + key + '"]');
    if (!button) return;
    focused = { requestId: row.getAttribute('data-request-id'), key: key };
    button.focus();
    event.preventDefault();
  });
  document.addEventListener('htmx:afterSettle', function () {
    if (!focused || document.activeElement !== document.body) return;
    var again = document.querySelector('[data-payment-queue] [data-request-id="' + focused.requestId + '"] [data-method-key="' + focused.key + '"]');
    if (again) again.focus();
  });
})();
