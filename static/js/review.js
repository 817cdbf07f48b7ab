// review.js: keys and focus for the Review queue and Ctrl+Enter in comment boxes, on the review
// pages (queue, statement activity, assignments).
//
// Everything works without it: each item's verdict form is a plain POST with three submit
// buttons, htmx attributes (statements/review_queue.html) swap the answer in place. This module
// only adds what HTML cannot: a current item, keys that act on it, and where focus goes next.
//
// Keys in the queue (never while typing in a field, never with Ctrl, Alt or Meta):
//   j / ArrowDown   next item           k / ArrowUp   previous item
//   a               accept the current item
//   c / r           request changes / reject: the comment box gets focus first (a comment is
//                   required; the server says so if it is empty), then Enter sends that verdict,
//                   Shift+Enter starts a new line, Escape goes back to the item without sending.
// After a verdict, focus moves to the next item still awaiting one.
//
// The server's status messages ("Accepted: …") and failed requests are announced by status.js;
// this module only says what a refusal (403, 404) means on these pages.

import { focusErrors, isTyping, setErrorMessages } from "./status.js";

setErrorMessages({
  403: "Not allowed. Nothing was changed.",
  404: "That statement is no longer visible to you. Nothing was changed.",
});

const ITEM = "[data-review-item]";
const VERDICT_KEYS = { a: "accept", c: "request_changes", r: "reject" };
const ARMED_HINTS = {
  request_changes: "Enter sends “Request changes” · Esc cancels",
  reject: "Enter sends “Reject” · Esc cancels",
};

const queue = () => document.querySelector("[data-review-queue]");
const items = () => [...document.querySelectorAll(`[data-review-queue] ${ITEM}`)];
const isOpen = (item) => item && !item.hasAttribute("data-done");

// ---- The current item ----------------------------------------------------------------------

// The item holding focus, else the one marked current, else the first still open.
function currentItem() {
  const focused = document.activeElement?.closest?.(ITEM);
  if (focused && queue()?.contains(focused)) return focused;
  return document.querySelector(`[data-review-queue] ${ITEM}.is-current`) || items().find(isOpen) || null;
}

function setCurrent(item, { focus = true } = {}) {
  if (!item) return;
  document.querySelectorAll(`${ITEM}.is-current`).forEach((el) => el.classList.remove("is-current"));
  item.classList.add("is-current");
  if (focus) {
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
}

function move(step) {
  const list = items();
  if (!list.length) return;
  const focused = document.activeElement?.closest?.(ITEM);
  if (!focused || !queue().contains(focused)) {
    setCurrent(currentItem() || list[0]); // the first key press goes to the current item
    return;
  }
  const at = list.indexOf(focused);
  const next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), list.length - 1);
  setCurrent(list[next]);
}

// After a verdict: the next item awaiting one (after `from`, else before it), or the "next
// statements" link when this page is done.
function advanceFrom(from) {
  const list = items();
  const at = list.indexOf(from);
  const next = list.slice(at + 1).find(isOpen) || list.slice(0, Math.max(at, 0)).find(isOpen);
  if (next) setCurrent(next);
  else {
    setCurrent(from, { focus: false });
    const more = document.querySelector("[data-queue-next]");
    (more || from).focus({ preventScroll: true });
  }
}

// ---- Verdicts --------------------------------------------------------------------------------

function button(form, verdict) {
  return form.querySelector(`button[data-verdict="${verdict}"]`);
}

// Clicking the real submit button sends its name/value with the form, with or without htmx.
function send(form, verdict) {
  button(form, verdict)?.click();
}

// r or c: the comment comes first. Enter in the box then sends `verdict`.
function arm(form, verdict) {
  disarm(form);
  form.dataset.armed = verdict;
  button(form, verdict)?.classList.add("is-armed");
  const hint = form.querySelector("[data-armed-hint]");
  if (hint) {
    hint.textContent = ARMED_HINTS[verdict] || "";
    hint.hidden = false;
  }
  const box = form.querySelector("textarea");
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

function disarm(form) {
  delete form.dataset.armed;
  form.querySelectorAll(".is-armed").forEach((b) => b.classList.remove("is-armed"));
  const hint = form.querySelector("[data-armed-hint]");
  if (hint) hint.hidden = true;
}

// ---- Event wiring (delegated: swapped-in fragments need no re-binding) -----------------------

document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = isTyping(target);

  // Ctrl/Cmd+Enter sends a comment on the activity page.
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.closest?.("[data-comment-form]")) {
    event.preventDefault();
    target.closest("form").requestSubmit();
    return;
  }

  const form = target.closest?.(".verdict-form");
  if (form && target.matches("textarea")) {
    if (event.key === "Enter" && !event.shiftKey && form.dataset.armed) {
      event.preventDefault();
      send(form, form.dataset.armed);
    } else if (event.key === "Escape") {
      event.preventDefault();
      disarm(form);
      setCurrent(form.closest(ITEM));
    }
    return;
  }

  // Escape in a filter hands the keyboard back to the queue (letters typed in a select pick
  // its options, so the verdict keys cannot work there).
  if (event.key === "Escape" && target.closest?.("#queue-filters") && queue()) {
    const item = currentItem();
    if (item) {
      event.preventDefault();
      setCurrent(item);
    }
    return;
  }

  if (!queue() || typing || event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.key === "j" || event.key === "ArrowDown") {
    event.preventDefault();
    move(1);
  } else if (event.key === "k" || event.key === "ArrowUp") {
    event.preventDefault();
    move(-1);
  } else if (event.key in VERDICT_KEYS) {
    const item = currentItem();
    const itemForm = isOpen(item) && item.querySelector(".verdict-form");
    if (!itemForm) return;
    event.preventDefault(); // the letter must not land in the comment box
    setCurrent(item, { focus: false });
    const verdict = VERDICT_KEYS[event.key];
    if (verdict === "accept") send(itemForm, verdict);
    else arm(itemForm, verdict);
  }
});

// A click in an item makes it current (so keys act on what the mouse chose).
document.addEventListener("focusin", (event) => {
  const item = event.target.closest?.(ITEM);
  if (item && queue()?.contains(item)) setCurrent(item, { focus: false });
});

// htmx fires afterSwap on the element swapped in (the new one, for outerHTML swaps).
document.body.addEventListener("htmx:afterSwap", (event) => {
  const el = event.target;
  if (el.matches?.(ITEM)) {
    if (el.hasAttribute("data-done")) {
      advanceFrom(el);
    } else {
      // Errors came back (422): the comment box, with the verdict that needs it still armed.
      const form = el.querySelector(".verdict-form");
      setCurrent(el, { focus: false });
      if (form?.dataset.armed) arm(form, form.dataset.armed);
      else el.querySelector("textarea")?.focus();
    }
  } else if (el.id === "results" && queue()) {
    const first = items().find(isOpen);
    if (first) setCurrent(first, { focus: false });
  } else if (el.classList?.contains("thread")) {
    // A comment was added (or refused): back to the box, ready for the next one.
    el.querySelector("textarea")?.focus();
  } else if (el.id === "assignments" && !focusErrors(el)) {
    // Assigned, finished or reopened: the keyboard stays in the section (its forms were replaced).
    const heading = el.querySelector("h2");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }
});

// On load: the first open item is current, so a, c and r work at once.
const first = items().find(isOpen);
if (first) setCurrent(first, { focus: false });
