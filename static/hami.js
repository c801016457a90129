// Hami's few lines of JavaScript. No inline scripts anywhere: the CSP allows only 'self'.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // Jalali date picker on every <input data-jdp> (the Persian date widget), including
  // inputs that htmx swaps in later: startWatch listens on the body.
  if (window.jalaliDatepicker && document.documentElement.lang === "fa") {
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
