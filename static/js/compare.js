// compare.js: keys on the Compare page (statements/compare.html).
//
// Everything that changes data is a plain form with htmx attributes; this module adds only
// keys and focus:
//   g      accept every unit on which all analysts agree (presses the visible button)
//   j / k  move to the next / previous unit (Enter or Space then opens or folds it)
//   x      dismiss the current unit: opens it and puts the cursor in its reason field
//          (Enter sends the form; the unit leaves the queue without a gold statement)
// Keys are ignored while typing in a field and with Ctrl, Alt or Meta held.
// After an htmx swap it keeps the keyboard where the lead was. The server's status messages
// ("2 agreed units made gold.") and failed requests are announced by status.js; this module
// only says what a refusal (403) means here.

import { announce, focusErrors, isTyping, setErrorMessages } from "./status.js";

setErrorMessages({ 403: "Not allowed: only a lead can adjudicate. Nothing was changed." });

const units = () => [...document.querySelectorAll("[data-unit]")];

// Focus a unit's summary (so Enter/Space folds it) and mark it current.
function focusUnit(unit) {
  if (!unit) return;
  document.querySelectorAll(".unit.is-current").forEach((u) => u.classList.remove("is-current"));
  unit.classList.add("is-current");
  const summary = unit.querySelector("summary");
  (summary || unit).focus({ preventScroll: true });
  unit.scrollIntoView({ block: "nearest" });
}

function currentIndex(list) {
  const active = document.activeElement;
  const at = list.findIndex((u) => u.contains(active));
  if (at >= 0) return at;
  return list.findIndex((u) => u.classList.contains("is-current"));
}

// The id of the unit to return to after a swap replaced it (the one a form was sent from).
let returnTo = null;

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || isTyping(event.target)) return;
  if (event.key === "g") {
    const button = document.querySelector("[data-accept-agreed]");
    if (!button) return; // not a lead: no adjudication on this page
    event.preventDefault();
    if (button.disabled) announce("Nothing to accept: no unit on which everyone agrees is waiting.");
    else button.click();
  } else if (event.key === "x") {
    const list = units();
    const unit = list[currentIndex(list)];
    const reason = unit && unit.querySelector("[data-dismiss] input[name=reason]");
    if (!reason) return; // no unit chosen, or it is decided already (or not a lead)
    event.preventDefault();
    const details = unit.querySelector("details");
    if (details) details.open = true;
    reason.focus();
  } else if (event.key === "j" || event.key === "k") {
    const list = units();
    if (!list.length) return;
    event.preventDefault();
    const at = currentIndex(list);
    const next = event.key === "j" ? Math.min(at + 1, list.length - 1) : Math.max(at - 1, 0);
    focusUnit(list[at < 0 ? 0 : next]);
  }
});

document.body.addEventListener("htmx:beforeRequest", (event) => {
  const unit = event.detail.elt.closest && event.detail.elt.closest("[data-unit]");
  returnTo = unit ? unit.id : null;
});

document.body.addEventListener("htmx:afterSwap", (event) => {
  const el = event.target;
  if (focusErrors(el)) return; // show the errors (422) to keyboard and screen-reader users
  const merged = el.querySelector && el.querySelector("[data-merged] h3");
  if (merged) {
    merged.focus(); // a merged-version form just opened
    return;
  }
  if (el.id === "compare" && returnTo) {
    // After a decision: the unit decided, or the next one still to decide.
    const list = units();
    const at = list.findIndex((u) => u.id === returnTo);
    const open = list.slice(Math.max(at, 0)).find((u) => u.classList.contains("st-open"));
    focusUnit(open || list[at]);
  } else if (el.matches && el.matches("[data-unit]")) {
    focusUnit(el);
  }
});
