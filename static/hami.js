// Hami's few lines of JavaScript. No inline scripts anywhere: the CSP allows only 'self'.
"use strict";

(function () {
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

  document.addEventListener("DOMContentLoaded", function () {
    // Jalali date picker on every <input data-jdp> (the Persian date widget), including
    // inputs that htmx swaps in later: startWatch listens on the body.
    if (window.jalaliDatepicker && document.documentElement.lang === "fa") {
      watchDateDigits();
      window.jalaliDatepicker.startWatch({
        persianDigits: true,
        showTodayBtn: true,
        showEmptyBtn: true,
        hideAfterChange: true,
        useDropDownYears: true,
        zIndex: 2000,
      });
    }
  });
})();
