// The admin's export page. django-import-export calls its "Select all" function from an inline
// onchange attribute, which the site's Content-Security-Policy blocks: wire the same function here.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof onSelectToggleChange !== "function") return;
  document.querySelectorAll("input.select-toggle").forEach(function (box) {
    box.addEventListener("change", onSelectToggleChange);
  });
});
