// Hami's few lines of JavaScript. No inline scripts anywhere: the CSP allows only 'self'.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // A form that comes back with errors puts the focus on the first field to fix: keyboard
  // and screen-reader users start where the work is, and hear the error with the field.
  var firstError = document.querySelector("main form .is-invalid");
  if (firstError) {
    firstError.focus();
  }

  letTheKeyboardScrollWideTables();
  window.addEventListener("resize", letTheKeyboardScrollWideTables);
  document.body.addEventListener("htmx:afterSettle", letTheKeyboardScrollWideTables);

  // Jalali date picker on every <input data-jdp> (the Persian date widget), including
  // inputs that htmx swaps in later: startWatch listens on the body.
  var picker = window.jalaliDatepicker;
  if (picker && document.documentElement.lang === "fa") {
    watchDateDigits();
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

var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
var ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";
var DATE_INPUT = "input[data-jdp]";

function toLatinDigits(text) {
  return text.replace(/[۰-۹٠-٩]/g, function (digit) {
    var index = PERSIAN.indexOf(digit);
    return String(index >= 0 ? index : ARABIC_INDIC.indexOf(digit));
  });
}

function toPersianDigits(text) {
  return text.replace(/[0-9]/g, function (digit) {
    return PERSIAN[digit];
  });
}

function pickerIsOpen() {
  var container = document.querySelector("jdp-container");
  return container !== null && container.style.visibility === "visible";
}

// A Persian page shows dates in Persian digits (۱۴۰۳/۰۵/۱۳), but the date picker reads
// and writes Latin ones: while the field is being edited it holds Latin digits, and
// Persian digits again once it is left. The server reads either.
function showPersianDigits(input) {
  if (document.activeElement !== input && !pickerIsOpen()) {
    input.value = toPersianDigits(input.value);
  }
}

function watchDateDigits() {
  // Capture phase: before the picker's own focusin listener on <body> reads the value.
  document.addEventListener(
    "focusin",
    function (event) {
      if (event.target.matches && event.target.matches(DATE_INPUT)) {
        event.target.value = toLatinDigits(event.target.value);
      }
    },
    true
  );
  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches(DATE_INPUT)) {
      var input = event.target;
      setTimeout(function () { showPersianDigits(input); }, 0);
    }
  });
  // A day picked, or the picker closed by a click elsewhere: the field is left.
  document.addEventListener("jdp:change", function (event) {
    var input = event.target;
    setTimeout(function () { showPersianDigits(input); }, 0);
  });
  document.addEventListener("click", function () {
    setTimeout(function () {
      document.querySelectorAll(DATE_INPUT).forEach(showPersianDigits);
    }, 0);
  });
}

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
// keyboard user's place. And it finishes opening 300 ms after the focus came, even when
// the focus has gone again. So: close it when the focus moves on, let Escape close it
// while the focus stays in the field, and close it again if it opens after either.
function keepThePickerOutOfTheKeyboardsWay(picker) {
  var dateField = "[data-jdp]";
  var closedWithEscape = null; // the field whose picker Escape closed, while it has focus

  function pickerBelongsToTheFocus() {
    var focused = document.activeElement;
    if (!focused || focused === document.body) {
      return true; // a click inside the picker, not a keyboard move
    }
    return focused !== closedWithEscape && focused.closest(dateField + ", jdp-container") !== null;
  }

  document.addEventListener("focusin", function () {
    closedWithEscape = null;
    if (!pickerBelongsToTheFocus()) {
      picker.hide();
    }
  });
  document.addEventListener("mousedown", function () {
    closedWithEscape = null;
  });
  document.addEventListener(
    "keydown",
    function (event) {
      if (event.key === "Escape" && event.target.matches(dateField)) {
        event.stopPropagation(); // the picker's own handler would blur the field
        closedWithEscape = event.target;
        picker.hide();
      }
    },
    true,
  );
  new MutationObserver(function () {
    var container = document.querySelector("jdp-container");
    if (container && container.style.display !== "none" && !pickerBelongsToTheFocus()) {
      picker.hide();
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["style"], subtree: true });
}

// A table wider than the screen (on a phone) scrolls sideways inside its .table-responsive
// box, which the keyboard can scroll only when the box takes the focus. Such a box becomes
// a Tab stop while it scrolls, and only then.
function letTheKeyboardScrollWideTables() {
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    var scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.hamiScrolls = "";
    } else if (!scrolls && "hamiScrolls" in box.dataset) {
      box.removeAttribute("tabindex");
      delete box.dataset.hamiScrolls;
    }
  });
}

// The placement form: the fields of the kind of work chosen (`data-kind` fieldsets); the
// other kind's are hidden. Without JavaScript both show, and the server ignores the other.
document.addEventListener("DOMContentLoaded", function () {
  var choices = document.querySelectorAll("input[name=kind]");
  var fieldsets = document.querySelectorAll("fieldset[data-kind]");
  if (!choices.length || !fieldsets.length) {
    return;
  }
  function showTheChosenKind() {
    var chosen = document.querySelector("input[name=kind]:checked");
    fieldsets.forEach(function (fieldset) {
      fieldset.hidden = chosen !== null && fieldset.dataset.kind !== chosen.value;
    });
  }
  choices.forEach(function (choice) {
    choice.addEventListener("change", showTheChosenKind);
  });
  showTheChosenKind();
});
