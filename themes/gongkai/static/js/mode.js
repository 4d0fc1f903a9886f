/* Restore 长辈模式 before the first paint (loaded without defer in <head>).
   Only toggles a class on <html>; js/site.js does everything else. */
try {
  if (window.localStorage.getItem("gongkai-mode") === "elder") {
    document.documentElement.classList.add("elder");
  }
} catch (e) { /* storage disabled: standard mode */ }
