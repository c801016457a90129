// Hami's few lines of JavaScript. No inline scripts anywhere: the CSP allows only 'self'.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // Jalali date picker on every <input data-jdp> (the Persian date widget), including
  // inputs that htmx swaps in later: startWatch listens on the body.
  var picker = window.jalaliDatepicker;
  if (picker && document.documentElement.lang === "fa") {
    picker.startWatch({
      persianDigits: true,
      showTodayBtn: true,
      showEmptyBtn: true,
      hideAfterChange: true,
      useDropDownYears: true,
      zIndex: 2000,
    });
    nameThePickersLists();
  }
});

// The picker's year and month lists have no label; screen readers would announce two
// nameless lists. The picker runs on Persian pages only, so the names are Persian.
function nameThePickersLists() {
  var names = { ".jdp-year select": "سال", ".jdp-month select": "ماه" };
  function name() {
    Object.keys(names).forEach(function (selector) {
      document.querySelectorAll("jdp-container " + selector).forEach(function (list) {
        if (!list.hasAttribute("aria-label")) {
          list.setAttribute("aria-label", names[selector]);
        }
      });
    });
  }
  new MutationObserver(name).observe(document.body, { childList: true, subtree: true });
}
