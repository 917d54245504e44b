// Print buttons. Only a convenience: the browser's own print command works the same, so a button
// (or the row marked data-print-row around it) stays hidden until this script shows it.
document.querySelectorAll("[data-print]").forEach(function (button) {
  (button.closest("[data-print-row]") || button).hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
