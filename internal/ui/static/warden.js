// Warden UI: small progressive enhancements. Every page works without this
// file; it only saves clicks. No inline scripts: the CSP forbids them.
"use strict";

// <form data-confirm="Delete this silence?"> asks before submitting, for
// actions that cannot be undone.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    ev.preventDefault();
  }
});

// <select data-autosubmit> submits its form when changed (filters), so a
// "Apply" button is only needed without JavaScript.
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  }
});
