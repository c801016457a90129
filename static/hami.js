// Hami's few lines of JavaScript. No inline scripts anywhere: the CSP allows only 'self'.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // A form that comes back with errors puts the focus on the first field to fix: keyboard
  // and screen-reader users start where the work is, and hear the error with the field.
  var firstError = document.querySelector("main form .is-invalid");
  if (firstError) {
    firstError.focus();
  }

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
    keepThePickerOutOfTheKeyboardsWay(picker);
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

// The picker is a help for the mouse; keyboard users type the date. The picker opens when
// a date field takes the focus, but it closes only on a click elsewhere: after Tab it
// stays open over the next fields. Its own Escape handler blurs the field, losing the
// keyboard user's place. So: close it when the focus moves on, and let Escape close it
// while the focus stays in the field.
function keepThePickerOutOfTheKeyboardsWay(picker) {
  var insidePicker = "[data-jdp], jdp-container";
  document.addEventListener("focusin", function (event) {
    if (!event.target.closest(insidePicker)) {
      picker.hide();
    }
  });
  document.addEventListener(
    "keydown",
    function (event) {
      if (event.key === "Escape" && event.target.matches("[data-jdp]")) {
        event.stopPropagation(); // the picker's own handler would blur the field
        picker.hide();
      }
    },
    true,
  );
}
