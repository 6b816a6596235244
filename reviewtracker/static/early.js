/* Runs before the page is drawn (not deferred): marks it as scripted, so that the stylesheet
   folds the navigation into the "Menu" button on narrow screens only when app.js is there to
   open it. Without scripts the navigation simply wraps. */
document.documentElement.classList.add("js");
