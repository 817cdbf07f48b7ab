// compare.js: keys on the Compare page (statements/compare.html).
//
// Everything that changes data is a plain form with htmx attributes; this module adds only
// keys and focus:
//   g      accept every unit on which all analysts agree (presses the visible button)
//   j / k  move to the next / previous unit (Enter or Space then opens or folds it)
//   x      dismiss the current unit: opens it and puts the cursor in its reason field
//          (Enter sends the form; the unit leaves the queue without a gold statement)
// Keys are ignored while typing in a field and with Ctrl, Alt or Meta held.
//
// The merged-gold form picks its span as the Annotate page does (static/js/spans.js): select
// the quote in the text around the unit ([data-gold-text]; a drag may end anywhere), or move
// its boundaries a word at a time with Shift+← / → (the end) and Alt+Shift+← / → (the start)
// while the quote or the text has the focus. The form sends code points (hidden start/end)
// and the quote; the chosen span is drawn with the CSS Custom Highlight API.
// After an htmx swap it keeps the keyboard where the lead was. The server's status messages
// ("2 agreed units made gold.") and failed requests are announced by status.js; this module
// only says what a refusal (403) means here.

import { codePoints, measureSelection, rangeAt, stepSpan, u16At } from "./spans.js";
import { announce, focusErrors, isTyping, setErrorMessages } from "./status.js";

setErrorMessages({ 403: "Not allowed: only a lead can adjudicate. Nothing was changed." });

const units = () => [...document.querySelectorAll("[data-unit]")];

// ---- The merged-gold form's span ----------------------------------------------------------

const pickers = () => [...document.querySelectorAll("[data-span-picker]")];
const excerptOf = (picker) => picker.querySelector("[data-gold-text]");
const field = (picker, name) => picker.querySelector(`input[name="${name}"]`);

// The form's span as UTF-16 offsets in its excerpt, or null when it lies outside the excerpt.
function spanOf(picker) {
  const root = excerptOf(picker);
  const offset = Number(root.dataset.offset);
  const start = Number(field(picker, "start").value) - offset;
  const end = Number(field(picker, "end").value) - offset;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) return null;
  const text = root.textContent;
  const [s, e] = [u16At(text, start), u16At(text, end)];
  return s === null || e === null ? null : { start: s, end: e, quote: text.slice(s, e) };
}

function drawSpan(picker, scroll = false) {
  if (!window.CSS || !CSS.highlights) return;
  const span = spanOf(picker);
  const root = excerptOf(picker);
  const range = span && rangeAt(root, span.start, span.end);
  if (!range) {
    CSS.highlights.delete("merged-span");
    return;
  }
  CSS.highlights.set("merged-span", new Highlight(range));
  if (scroll) {
    const r = range.getBoundingClientRect();
    const box = root.getBoundingClientRect();
    if (r.top < box.top || r.bottom > box.bottom) root.scrollTop += r.top - box.top - root.clientHeight / 3;
  }
}

function setSpan(picker, span) {
  const root = excerptOf(picker);
  const offset = Number(root.dataset.offset);
  const text = root.textContent;
  const start = offset + codePoints(text, span.start);
  const end = offset + codePoints(text, span.end);
  field(picker, "start").value = start;
  field(picker, "end").value = end;
  field(picker, "quote").value = span.quote;
  picker.querySelector("[data-gold-quote]").textContent = span.quote;
  picker.querySelector("[data-span-offsets]").textContent = `${start}–${end}`;
  drawSpan(picker);
}

// A selection ends wherever the button is released; the selection says whether it touches a
// form's text.
document.addEventListener("pointerup", () => {
  for (const picker of pickers()) {
    const span = measureSelection(excerptOf(picker));
    if (!span) continue;
    setSpan(picker, span);
    window.getSelection().removeAllRanges();
    picker.querySelector("[data-gold-quote]").focus({ preventScroll: true });
    return;
  }
});

function stepKey(event) {
  if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return false;
  if (!event.shiftKey || event.ctrlKey || event.metaKey) return false;
  const picker = event.target.closest && event.target.closest("[data-span-picker]");
  if (!picker || !event.target.matches("[data-gold-quote], [data-gold-text]")) return false;
  const span = spanOf(picker);
  if (!span) return false;
  event.preventDefault();
  const text = excerptOf(picker).textContent;
  setSpan(picker, stepSpan(text, span, event.altKey ? "start" : "end", event.key === "ArrowRight" ? 1 : -1));
  return true;
}

function adoptPickers() {
  const list = pickers();
  if (!list.length && window.CSS && CSS.highlights) CSS.highlights.delete("merged-span");
  list.forEach((picker) => drawSpan(picker, true));
}
adoptPickers();

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
  if (stepKey(event)) return;
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
  adoptPickers();
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
